"""derivations.all_sizes: the six steps of backprop proven for every size, and wrong ones not;
each step derived in indices, line by line, and a wrong matrix form refuted there too."""

from functools import cache

import pytest
import sympy as sp

from derivations import all_sizes, network
from derivations.indices import INDEX, PRIME, K, N, Y, Z3_free, g, m, n, phi
from derivations.latex import tex

STEPS = list(network.STEPS)


@cache
def proven():
    return all_sizes.prove()


@cache
def derived():
    return all_sizes.derive()


@pytest.mark.parametrize("name", STEPS)
def test_every_step_holds_for_every_size(name):
    step = proven()[name]
    assert step.holds()
    # The sides are compared after the same normal form; they must not be trivially empty.
    assert step.derived != 0 and step.claim.has(PRIME[phi])


def test_steps_come_in_backprop_order_with_symbolic_shapes():
    steps = proven()
    assert list(steps) == STEPS == ["dJdz3", "dJdW2", "dJdb2", "dJdz1", "dJdW1", "dJdb1"]
    shapes = {k: s.formula.shape for k, s in steps.items()}
    assert shapes == dict(dJdz3=(N, K), dJdW2=(K, m), dJdb2=(K, 1), dJdz1=(N, m),
                          dJdW1=(m, n), dJdb1=(m, 1))


def test_dJdz3_is_diff_of_J_written_out():
    step = proven()["dJdz3"]
    p, k = INDEX[N], INDEX[K]
    expected = PRIME[phi](g(Z3_free[p, k]), Y[p, k]) * PRIME[g](Z3_free[p, k]) / (N * K)
    assert sp.simplify(step.readable(step.derived) - expected) == 0


def test_latex():
    steps = proven()
    assert steps["dJdW1"].latex() == (
        r"\nabla_{W^{(1)}} J = \Delta_{1}\T X \quad (m \times n)")
    assert steps["dJdW1"].entry_latex() == (
        r"\frac{\partial J}{\partial W^{(1)}_{ji}} = \sum_{p=1}^{N} X_{pi} \Delta_{1,pj}")
    assert steps["dJdb2"].entry_latex() == (
        r"\frac{\partial J}{\partial b^{(2)}_{k}} = \sum_{p=1}^{N} \Delta_{3,pk}")
    assert tex(steps["dJdz1"].entry) == (
        r"f'\left(Z_{1,pj}\right) \sum_{k=1}^{K} W^{(2)}_{kj} \Delta_{3,pk}")


@pytest.mark.parametrize("name", STEPS)
def test_every_step_derived_in_indices(name):
    step = derived()[name]
    assert step.holds()
    # The chain rule has its Kronecker deltas and the double sum; the collapse has neither
    # delta nor the sum over the node's column.
    assert step.chain.has(sp.KroneckerDelta) and isinstance(step.chain, sp.Sum)
    assert not step.collapsed.has(sp.KroneckerDelta)
    lines = step.lines()
    assert len(lines) == 3 and lines[2].endswith(rf"\right)_{{{step.index}}}")


def test_the_index_derivation_reads_as_printed():
    d = derived()["dJdW2"]
    assert d.latex() == (
        r"\begin{aligned}\frac{\partial J}{\partial W^{(2)}_{kj}} &= "
        r"\sum_{\substack{1 \leq k' \leq K\\1 \leq p' \leq N}} \delta_{k k'} Z_{2,p',j} "
        r"\Delta_{3,p',k'} \\ &= \sum_{p=1}^{N} Z_{2,pj} \Delta_{3,pk} \\ "
        r"&= \left(\Delta_{3}\T Z_{2}\right)_{kj}\end{aligned}")


def _replacing(name, wrong):
    """network.steps with one formula replaced by `wrong(D)`."""
    def steps(D):
        return [(k, lhs, wrong(D) if k == name else formula)
                for k, lhs, formula in network.steps(D)]
    return steps


MISTAKES = {
    "transposed dJdW1": ("dJdW1", lambda D: D["x"].T * D["dJdz1"]),
    "no f' in dJdz1": ("dJdz1", lambda D: D["dJdz3"] * D["W2"]),
    "no g' in dJdz3": ("dJdz3", lambda D: D["dJdy_hat"]),
    "bias gradient averaged over the batch": ("dJdb2",
                                              lambda D: D["dJdz3"].T * D["one"] / N),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_a_wrong_step_is_not_proven(mistake):
    name, wrong = MISTAKES[mistake]
    assert not all_sizes.prove(_replacing(name, wrong))[name].holds()


@pytest.mark.parametrize("mistake", MISTAKES)
def test_a_wrong_matrix_form_fails_its_index_derivation(mistake):
    name, wrong = MISTAKES[mistake]
    assert not all_sizes.derive(_replacing(name, wrong))[name].holds()
