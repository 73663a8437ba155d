"""derivations.identity: formula evaluation and the Identity record."""

import pytest
import sympy as sp

from derivations.identity import Identity, evaluate
from derivations.latex import display, matrix

s = sp.Symbol("s", real=True)


def test_evaluate_matches_explicit_algebra():
    A, B = matrix("a", 2, 3), matrix("b", 2, 2)
    DA, DB, DC = display("A", 2, 3), display("B", 2, 2), display("C", 2, 3)
    C = matrix("c", 2, 3)
    bind = {DA: A, DB: B, DC: C}
    assert evaluate(DA.T * DB, bind) == A.T * B
    assert evaluate(sp.HadamardProduct(DB * DA, DC), bind) == (B * A).multiply_elementwise(C)
    assert evaluate(sp.Transpose(sp.MatMul(DB, DA)), bind) == (B * A).T
    assert evaluate(sp.KroneckerProduct(DB, DA), bind) == sp.kronecker_product(B, A)
    assert evaluate(2 * DA + DC, bind) == 2 * A + C


def test_evaluate_names_what_it_cannot_do():
    DB = display("B", 2, 2)
    with pytest.raises(TypeError, match="Inverse"):
        evaluate(sp.Inverse(DB), {DB: matrix("b", 2, 2)})


def test_identity_holds_latex_and_shape():
    x = matrix("x", 2, 1, vector=True)
    ok = Identity("double", "y", 2 * display("x", 2, 1), 2 * x, x + x)
    wrong = Identity("double", "y", 2 * display("x", 2, 1), 2 * x, 3 * x)
    assert ok.holds() and not wrong.holds()
    assert ok.shape == (2, 1) and ok.latex() == r"y = 2 x \quad (2 \times 1)"
    assert ok.explicit_latex().startswith(r"y = \left[\begin{matrix}")
    scalar = Identity("sq", "q", s**2, s**2, s * s)
    assert scalar.shape is None and scalar.latex() == "q = s^{2}"


def test_identity_refuses_mismatched_shapes():
    x = matrix("x", 2, 3)
    with pytest.raises(ValueError, match="shape"):
        Identity("t", "y", display("x", 2, 3), x, x.T).holds()


def test_holds_at_a_point():
    x = matrix("x", 2, 2)
    claim = Identity("sq", "q", s, x[0, 0] ** 2, x[0, 0] * abs(x[0, 0]))
    assert claim.holds(at={x[0, 0]: 1}) and not claim.holds(at={x[0, 0]: -1})
