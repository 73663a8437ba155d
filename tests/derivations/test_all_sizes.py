"""derivations.all_sizes: the six steps of backprop proven for every size, and wrong ones not."""

from functools import cache

import pytest
import sympy as sp

from derivations import all_sizes, network
from derivations.indices import PRIME, K, N, g, m, n, p, phi, q, s2_free, y
from derivations.latex import tex

STEPS = ["delta2", "dJdW2", "dJdb2", "delta1", "dJdW1", "dJdb1"]


@cache
def proven():
    return all_sizes.prove()


@pytest.mark.parametrize("name", STEPS)
def test_every_step_holds_for_every_size(name):
    step = proven()[name]
    assert step.holds()
    # The sides are compared after the same normal form; they must not be trivially empty.
    assert step.derived != 0 and step.claim.has(PRIME[phi])


def test_steps_come_in_backprop_order_with_symbolic_shapes():
    steps = proven()
    assert list(steps) == STEPS
    shapes = {k: s.formula.shape for k, s in steps.items()}
    assert shapes == dict(delta2=(N, K), dJdW2=(K, m), dJdb2=(K, 1), delta1=(N, m),
                          dJdW1=(m, n), dJdb1=(m, 1))


def test_delta2_is_diff_of_J_written_out():
    step = proven()["delta2"]
    expected = PRIME[phi](g(s2_free[p, q]), y[p, q]) * PRIME[g](s2_free[p, q]) / (N * K)
    assert sp.simplify(step.readable(step.derived) - expected) == 0


def test_latex():
    steps = proven()
    assert steps["dJdW1"].latex() == (
        r"\nabla_{W^{(1)}} J = \delta_{1}\T x \quad (m \times n)")
    assert steps["dJdW1"].entry_latex() == (
        r"\frac{\partial J}{\partial W^{(1)}_{pq}} = \sum_{a=1}^{N} \delta_{1,ap} x_{aq}")
    assert steps["dJdb2"].entry_latex() == (
        r"\frac{\partial J}{\partial b^{(2)}_{p}} = \sum_{a=1}^{N} \delta_{2,ap}")
    assert tex(steps["delta1"].entry) == (
        r"f'\left(s_{1,pq}\right) \sum_{k=1}^{K} W^{(2)}_{kq} \delta_{2,pk}")


def _replacing(name, wrong):
    """network.steps with one formula replaced by `wrong(D)`."""
    def steps(D):
        return [(k, lhs, wrong(D) if k == name else formula)
                for k, lhs, formula in network.steps(D)]
    return steps


MISTAKES = {
    "transposed dJdW1": ("dJdW1", lambda D: D["x"].T * D["delta1"]),
    "no f' in delta1": ("delta1", lambda D: D["delta2"] * D["W2"]),
    "no g' in delta2": ("delta2", lambda D: D["dJdy_hat"]),
    "bias gradient averaged over the batch": ("dJdb2",
                                              lambda D: D["delta2"].T * D["one"] / N),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_a_wrong_step_is_not_proven(mistake):
    name, wrong = MISTAKES[mistake]
    step = all_sizes.prove(_replacing(name, wrong))[name]
    assert not step.holds()
