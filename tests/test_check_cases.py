"""mlp_check.plan: the configurations, their sizes and seeded inputs, and the course's tests."""

from __future__ import annotations

import torch

from mlp import ACTIVATIONS, COURSE_ACTIVATIONS, COURSE_LOSSES
from mlp_check.plan import (
    CASES,
    COURSE_NORM_LIMIT,
    COURSE_TESTS,
    SIZES,
    Case,
    all_inputs,
    lively,
)


def test_cases_are_the_course_pairs_with_bce_only_after_the_sigmoid():
    assert set(COURSE_ACTIVATIONS) == {"relu", "sigmoid", "identity"} < set(ACTIVATIONS)
    assert set(COURSE_LOSSES) == {"mse", "bce"}
    expected = {(f, g, "mse") for f in COURSE_ACTIVATIONS for g in COURSE_ACTIVATIONS}
    expected |= {(f, "sigmoid", "bce") for f in COURSE_ACTIVATIONS}
    assert [(c.f, c.g, c.loss) for c in CASES] == sorted(expected, key=[
        (c.f, c.g, c.loss) for c in CASES].index)
    assert len(CASES) == len(expected) == 12


def test_sizes_let_every_reduction_and_transpose_show():
    assert SIZES.batch > 1 and SIZES.n_out > 1 and SIZES.batch != SIZES.n_out
    assert all(n % 2 and all(n % p for p in range(3, n)) for n in (SIZES.batch, SIZES.n_out))
    assert SIZES.hidden not in (SIZES.n_in, SIZES.n_out)  # no square weight matrix


def test_inputs_are_seeded_lively_and_bce_targets_are_labels():
    first, again, other = all_inputs(0), all_inputs(0), all_inputs(1)
    for case, a, b, c in zip(CASES, first, again, other, strict=True):
        assert lively(case, a)
        assert all(torch.equal(a[k], b[k]) for k in a)
        assert not torch.equal(a["W1"], c["W1"])
        assert a["x"].dtype == torch.float64 and a["W1"].shape == (SIZES.hidden, SIZES.n_in)
        if case.loss == "bce":
            assert set(a["y"].unique().tolist()) == {0.0, 1.0}


def test_a_draw_where_a_relu_unit_is_dead_is_not_lively():
    inputs = all_inputs(0)[0]
    dead = {**inputs, "b1": inputs["b1"] - 100}
    assert not lively(Case("relu", "relu", "mse"), dead)


def test_the_course_tests_are_the_homeworks_three():
    assert [(t.name, t.case.label, t.sizes.n_in, t.sizes.hidden, t.sizes.n_out, t.sizes.batch,
             t.targets) for t in COURSE_TESTS] == [
        ("test1", "relu/identity/mse", 2, 20, 5, 10, "randn"),
        ("test2", "sigmoid/sigmoid/bce", 2, 20, 5, 10, "labels"),
        ("test3", "relu/relu/mse", 2, 20, 22, 10, "randn")]
    assert COURSE_NORM_LIMIT == 1e-3
    assert {t.case for t in COURSE_TESTS} <= set(CASES)
