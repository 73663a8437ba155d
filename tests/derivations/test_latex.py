"""derivations.latex: symbol names in the site's notation, and equations with shapes."""

import pytest
import sympy as sp

from derivations.latex import display, equation, matrix, shape_tex


def test_matrix_names_are_one_based_and_real():
    W = matrix("W^{(1)}", 2, 3)
    assert W.shape == (2, 3)
    assert [sp.latex(v) for v in W.row(1)] == ["W^{(1)}_{21}", "W^{(1)}_{22}", "W^{(1)}_{23}"]
    assert all(v.is_real for v in W) and len(set(W)) == 6


def test_vector_nested_and_wide_indices():
    assert [str(v) for v in matrix("b^{(2)}", 2, 1, vector=True)] == ["b^{(2)}_{1}", "b^{(2)}_{2}"]
    assert str(matrix("s_{2}", 2, 2)[1, 0]) == "s_{2,21}"  # never a double subscript
    assert str(matrix("x", 1, 12)[0, 10]) == "x_{1,11}"   # unambiguous once a size reaches 10
    with pytest.raises(ValueError, match="one column"):
        matrix("b", 2, 2, vector=True)


@pytest.mark.parametrize(
    "tex", ["x", "W^{(2)}", r"\delta_{1}", r"\frac{\partial J}{\partial \hat{y}}"])
def test_display_prints_its_name(tex):
    assert sp.latex(display(tex, 2, 2)) == tex


def test_display_keeps_a_bare_subscript_whole():
    assert sp.latex(display("s_1", 2, 2)) == "{s_1}"


def test_equation_and_shape():
    assert shape_tex((3, 2)) == r"(3 \times 2)" and shape_tex(None) == ""
    assert equation("a", "b", (1, 4)) == r"a = b \quad (1 \times 4)"
    assert equation("a", "b") == "a = b"
