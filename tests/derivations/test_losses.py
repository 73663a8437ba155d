"""derivations.losses: dJ/dy_hat and the fused sigmoid + BCE result, proven; keyed as mlp.LOSSES."""

import pytest
import sympy as sp

import mlp
from derivations.losses import (
    LOSSES,
    definition_latex,
    fused_sigmoid_bce,
    gradient_identity,
    per_sample_factor,
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
def test_J_is_the_mean_over_all_entries(name):
    y_hat, y = targets(2, 3)
    J = LOSSES[name].J(y_hat, y)
    # Scaling every entry's term by 6 = N K gives back the plain sum.
    total = sum(LOSSES[name].term(a, b) for a, b in zip(y_hat, y, strict=True))
    assert sp.expand(6 * J - total) == 0


def test_fused_sigmoid_bce():
    claim = fused_sigmoid_bce(2, 3)
    assert claim.shape == (2, 3) and claim.holds()
    assert claim.latex().startswith(r"\left(\frac{\partial J}{\partial s_{2}}\right)_{nk} = ")


@pytest.mark.parametrize("n_out", [1, 4])
def test_per_sample_factor(n_out):
    # The homework sums MSE over the K outputs and averages BCE; torch averages both.
    assert per_sample_factor("mse", n_out) == n_out
    assert per_sample_factor("bce", n_out) == 1


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
    assert J.startswith("J = ") and J.endswith("}{K N}") and r"\hat{y}_{nk}" in J
    assert ell.startswith(r"\ell = ") and r"\hat{y}_{k}" in ell
    # the homework averages BCE over K and sums MSE
    assert ell.endswith("}{K}") == LOSSES[name].sample_mean
