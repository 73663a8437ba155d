"""derivations.configurations: which (f, g, loss) make a network, computed from the entries."""

import pytest
import sympy as sp

import mlp
import mlp_check
from derivations import network
from derivations.activations import ACTIVATIONS
from derivations.configurations import accepts, configurations, sums_to_one
from derivations.losses import LOSSES


def test_only_softmax_rows_sum_to_one():
    assert [n for n in ACTIVATIONS if sums_to_one(n)] == ["softmax"]


def test_each_loss_accepts_the_outputs_in_its_domain():
    accepted = {loss: [g for g in ACTIVATIONS if accepts(loss, g)] for loss in LOSSES}
    assert accepted == {"mse": list(ACTIVATIONS), "bce": ["sigmoid", "softmax"],
                        "cross_entropy": ["softmax"]}
    # The rule is the interval: every g with outputs in [0, 1], and only those, for BCE.
    assert accepted["bce"] == [g for g, a in ACTIVATIONS.items()
                               if a.outputs().is_subset(sp.Interval(0, 1))]


def test_every_f_with_every_accepted_head():
    configs = configurations()
    heads = {(g, loss) for loss in LOSSES for g in ACTIVATIONS if accepts(loss, g)}
    assert len(configs) == len(set(configs)) == len(ACTIVATIONS) * len(heads)
    assert set(configs) == {(f, g, loss) for f in ACTIVATIONS for g, loss in heads}


def test_the_course_has_twelve_and_the_grader_grades_them():
    course = configurations(mlp.COURSE_ACTIVATIONS, mlp.COURSE_LOSSES)
    assert len(course) == 12
    assert {(c.f, c.g, c.loss) for c in mlp_check.CASES} == set(course)


def test_the_matrix_form_derivation_covers_the_elementwise_ones():
    assert network.configurations() == [
        c for c in configurations() if "softmax" not in c[:2]]


@pytest.mark.parametrize("loss", list(LOSSES))
def test_relu_output_needs_a_loss_on_all_reals(loss):
    assert accepts(loss, "relu") == (LOSSES[loss].domain == sp.S.Reals)
