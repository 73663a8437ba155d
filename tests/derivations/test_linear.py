"""derivations.linear: the affine layer's Jacobians and backprop's three products, proven."""

import pytest
import sympy as sp

from derivations.linear import commutation, forward, identities, jacobians, symbols, vec

SIZES = [(2, 3, 2), (3, 2, 4), (1, 1, 1)]  # (batch, n_in, n_out); non-square catches transposes


@pytest.mark.parametrize("size", SIZES)
def test_every_claim_holds(size):
    claims = identities(symbols(*size))
    assert set(claims) == {"dZdx", "dZdW", "dZdb", "dJdW", "dJdb", "dJdx"}
    for claim in claims.values():
        assert claim.holds(), claim.name


@pytest.mark.parametrize("size", SIZES)
def test_shapes(size):
    n, n_in, n_out = size
    sym = symbols(*size)
    jac = jacobians(sym)
    assert jac["x"].shape == (n * n_out, n * n_in)
    assert jac["W"].shape == (n * n_out, n_out * n_in)
    assert jac["b"].shape == (n * n_out, n_out)
    claims = identities(sym)
    assert claims["dJdW"].shape == sym["W"].shape and claims["dJdx"].shape == sym["x"].shape
    assert claims["dJdb"].shape == sym["b"].shape


def test_rows_are_the_single_sample_map():
    sym = symbols(3, 2, 4)
    z = forward(sym["x"], sym["W"], sym["b"])
    for p in range(3):  # row p is sample p's column, transposed
        assert z.row(p).T == sym["W"] * sym["x"].row(p).T + sym["b"]


def test_commutation_transposes_and_vec_is_row_major():
    M = sp.ImmutableMatrix(2, 3, sp.symbols("m:6"))
    assert list(vec(M)) == list(sp.symbols("m:6"))
    assert commutation(2, 3) * vec(M) == vec(M.T)


def test_bias_gradient_is_the_column_sums():
    sym = symbols(3, 2, 2)
    delta = sym["delta"]
    sums = sp.ImmutableMatrix([sum(delta.col(j)) for j in range(delta.cols)])
    assert identities(sym)["dJdb"].closed_form == sums


def test_latex():
    claims = identities(symbols())
    # N, in, out = 2, 3, 4: every shape below tells a product from its transpose
    assert claims["dJdW"].latex() == r"\nabla_{W} J = \Delta\T X \quad (4 \times 3)"
    assert claims["dJdb"].latex() == r"\nabla_{b} J = \Delta\T \ones_{N} \quad (4 \times 1)"
    assert claims["dZdx"].latex().endswith(r"= I_{N} \otimes W \quad (8 \times 6)")
