"""derivations.losses: dJ/dy_hat and the fused sigmoid + BCE result, proven; keyed as mlp.LOSSES."""

import pytest
import sympy as sp

import mlp
from derivations.identity import Identity
from derivations.losses import (
    LOSSES,
    K,
    N,
    definition_latex,
    fused_sigmoid_bce,
    gradient_identity,
    per_sample_factor,
    per_sample_identity,
    targets,
)


def test_registry_matches_mlp():
    assert set(LOSSES) == set(mlp.LOSSES)


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("size", [(1, 1), (2, 3)])
def test_gradient_claim_is_proven(name, size):
    claim = gradient_identity(name, *size)
    assert claim.shape == size and claim.holds()


@pytest.mark.parametrize("name", list(LOSSES))
def test_J_is_torchs_mean(name):
    y_hat, y = targets(2, 3)
    J = LOSSES[name].J(y_hat, y)
    # Scaling every entry's term by N K = 6 (by N = 2 for cross-entropy, a mean over the rows
    # of a sum over the classes, as torch's) gives back the plain sum.
    total = sum(LOSSES[name].term(a, b) for a, b in zip(y_hat, y, strict=True))
    assert sp.expand((2 if LOSSES[name].batch_mean else 6) * J - total) == 0
    assert LOSSES[name].batch_mean == (name == "cross_entropy")


def test_fused_sigmoid_bce():
    claim = fused_sigmoid_bce(2, 3)
    assert claim.shape == (2, 3) and claim.holds()
    assert claim.latex() == (r"\frac{\partial J}{\partial Z_{3,pk}} = "
                             r"\frac{- Y_{pk} + \hat{Y}_{pk}}{K N} \quad (2 \times 3)")


@pytest.mark.parametrize("name", list(LOSSES))
def test_shown_formula_is_the_closed_form(name):
    # The closed form is the displayed entry formula, N and K set to the sizes: what is shown
    # is what is proven.
    claim = gradient_identity(name, 2, 5)
    y_pk, y_hat_pk = sorted(claim.formula.free_symbols - {N, K}, key=str)
    assert (y_pk.name, y_hat_pk.name) == ("Y_{pk}", r"\hat{Y}_{pk}")
    assert claim.closed_form[1, 3] == claim.formula.xreplace(
        {y_hat_pk: targets(2, 5)[0][1, 3], y_pk: targets(2, 5)[1][1, 3], N: 2, K: 5})


@pytest.mark.parametrize("n_out", [1, 4])
def test_per_sample_factor(n_out):
    # The homework sums MSE over the K outputs and averages BCE; torch averages both.
    assert per_sample_factor("mse", n_out) == n_out
    assert per_sample_factor("bce", n_out) == 1
    assert per_sample_factor("cross_entropy", n_out) == 1  # both sum over the classes


@pytest.mark.parametrize("name", list(LOSSES))
def test_per_sample_gradient_is_a_row(name):
    y_hat, y = (M.T for M in targets(1, 3))
    loss = LOSSES[name]
    row = loss.per_sample_gradient(y_hat, y)
    derived = sp.Matrix([loss.per_sample(y_hat, y)]).jacobian(y_hat)
    assert row.shape == (1, 3) and sp.simplify(row - derived) == sp.zeros(1, 3)


@pytest.mark.parametrize("name", list(LOSSES))
def test_definition_latex(name):
    J, ell = definition_latex(name), definition_latex(name, per_sample=True)
    mean = "}{N}" if LOSSES[name].batch_mean else "}{K N}"
    assert J.startswith("J = ") and J.endswith(mean) and r"\hat{Y}_{pk}" in J
    assert ell.startswith(r"\ell = ") and r"\hat{y}_{k}" in ell
    # the homework averages BCE over K and sums MSE
    assert ell.endswith("}{K}") == LOSSES[name].sample_mean


def test_domains():
    # BCE takes entries in [0, 1]; cross-entropy probability rows; MSE any real numbers.
    assert {n: (loss.domain, loss.simplex) for n, loss in LOSSES.items()} == {
        "mse": (sp.S.Reals, False), "bce": (sp.Interval(0, 1), False),
        "cross_entropy": (sp.Interval(0, 1), True)}


@pytest.mark.parametrize("name", ["mse", "bce"])
def test_one_sample_loss_is_c_times_the_batch_mean(name):
    # At N = 1, with the sample's columns the batch's row transposed: l = K J for MSE, J for BCE.
    claim = per_sample_identity(name, 5)
    assert claim.holds()
    assert claim.latex() == (r"\ell = K J" if name == "mse" else r"\ell = J")
    # A wrong factor is refuted: K - 1 for MSE, K for BCE.
    wrong = 4 if name == "mse" else 5
    assert not Identity("wrong", "", None, claim.closed_form * wrong / (5 if name == "mse" else 1),
                        claim.derived).holds()
