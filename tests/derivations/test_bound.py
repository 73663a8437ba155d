r"""derivations.bound: $M = \sup_s |f'(s)|$ against values known in closed form or by root-finding.

Where no closed form exists (Mish, SiLU, GELU) the reference is independent of the search: the
root of $f''$ found by `mpmath.findroot` at 30 digits, and $|f'|$ there.
"""

import mpmath
import pytest
import sympy as sp

from derivations.bound import GRID, sup_abs, value_at

s = sp.Symbol("s", real=True)
sigmoid = 1 / (1 + sp.exp(-s))


def d(f):
    return sp.diff(f, s)


@pytest.mark.parametrize(("f", "tex", "where"), [
    (sigmoid, r"\frac{1}{4}", "s = 0"),
    (sp.tanh(s), "1", "s = 0"),
    (sp.exp(-s**2 / 2), r"e^{- \frac{1}{2}}", r"s = -1 \text{ and 1 other grid point}"),
])
def test_exact_maximum_at_a_point(f, tex, where):
    bound = sup_abs(d(f), s)
    assert (bound.kind, bound.exact, bound.tex, bound.where) == ("attained", True, tex, where)
    at = sp.sympify(where.split("= ")[1].split(r" \text")[0])
    assert bound.value == float(sp.Abs(d(f)).subs(s, at))


@pytest.mark.parametrize(("f", "s0"), [
    (s * sp.tanh(sp.log(1 + sp.exp(s))), 1.5),  # Mish
    (s * sigmoid, 2.4),                          # SiLU
    (s * (1 + sp.erf(s / sp.sqrt(2))) / 2, 1.4),  # GELU
])
def test_numeric_maximum_matches_root_of_second_derivative(f, s0):
    mpmath.mp.dps = 30
    x = mpmath.findroot(sp.lambdify(s, sp.diff(f, s, 2), "mpmath"), s0)
    want = abs(sp.lambdify(s, d(f), "mpmath")(x))
    bound = sup_abs(d(f), s)
    assert bound.kind == "attained" and not bound.exact
    # the search evaluates f' in float64; at the maximum, a few ulps
    assert bound.value == pytest.approx(float(want), rel=1e-14)
    assert bound.where == rf"s \approx {float(x):.4f}"


def test_relu_plateau_is_exact():
    bound = sup_abs(d(sp.Max(0, s)), s)  # Heaviside(s): 1/2 at 0, 1 beyond
    assert (bound.value, bound.tex, bound.exact) == (1.0, "1", True)
    assert bound.where == r"s = \frac{1}{100} \text{ and 999 other grid points}"


def test_limit_beyond_the_grid():
    bound = sup_abs(d(sp.log(1 + sp.exp(s))), s)  # softplus' = sigmoid < 1, tends to 1
    assert (bound.kind, bound.value, bound.tex, bound.where) == ("limit", 1.0, "1", r"s \to \infty")


@pytest.mark.parametrize(("f", "where"), [
    (s**3, r"s \to \infty"),
    (-s**3, r"s \to \infty"),
    (sp.log(s), r"s \to 0^{-}"),  # f' = 1/s is real on both sides of 0
    (sp.sqrt(s), r"s \to 0^{+}"),  # f' = 1/(2 sqrt s) only for s > 0
])
def test_unbounded(f, where):
    bound = sup_abs(d(f), s)
    assert (bound.kind, bound.value, bound.tex) == ("unbounded", None, r"\infty")
    assert bound.where == where


@pytest.mark.parametrize("f", [sigmoid, s * sigmoid, sp.sin(3 * s) + s / 4, sp.atan(s)])
def test_bound_is_at_least_every_grid_value(f):
    bound = sup_abs(d(f), s)
    fn = sp.lambdify(s, d(f), "math")
    assert bound.value >= max(abs(value_at(fn, x)) for x in GRID)


def test_no_real_value():
    bound = sup_abs(sp.sqrt(-1 - s**2), s)
    assert bound.value is None and "no real value" in bound.where


def test_value_at_gaps():
    assert value_at(lambda x: 1 / x, 0.0) is None
    assert value_at(lambda x: x ** 0.5, -1.0) is None  # complex in Python
    assert value_at(lambda x: 2.0 ** x, 5000.0) is None  # overflow
    assert value_at(lambda x: x, 3) == 3.0
