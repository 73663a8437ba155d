"""derivations.exact: exact zero tests, proofs and random-point checks, and rational points."""

import pytest
import sympy as sp

from derivations.exact import at_point, is_zero, rational_point
from derivations.latex import matrix

s, t = sp.symbols("s t", real=True)
sig = 1 / (1 + sp.exp(-s))
nested = 1 / (1 + sp.exp(-(t + 3 * sig)))  # a sigmoid of a sigmoid, as in a network


@pytest.mark.parametrize("seed", [None, 0])
def test_is_zero_proves_true_identities(seed):
    assert is_zero(sp.diff(sig, s) - sig * (1 - sig), seed)
    assert is_zero(sp.diff(nested, s) - nested * (1 - nested) * 3 * sig * (1 - sig), seed)
    assert is_zero(sp.ImmutableMatrix([[0, (s + 1) ** 2 - s**2 - 2 * s - 1]]), seed)


@pytest.mark.parametrize("seed", [None, 0])
def test_is_zero_rejects_false_ones(seed):
    assert not is_zero(sp.diff(sig, s) - sig * (1 + sig), seed)
    assert not is_zero(sp.diff(nested, s) - nested * (1 - nested) * sig * (1 - sig), seed)
    assert not is_zero(sp.ImmutableMatrix([[0, s - s**2]]), seed)
    assert not is_zero(sp.exp(s) - 1 - s - s**2 / 2, seed)


def test_is_zero_is_fast_on_large_exact_exponents():
    # exp(5219/240) stalls `cancel` when read as a power of exp(1/240); the fresh symbols fix it.
    a, b = sp.exp(sp.Rational(5219, 240)), sp.exp(sp.Rational(-2, 15))
    assert is_zero(a / (1 + a) ** 2 * b - b * (1 / (1 + a)) * (1 - 1 / (1 + a)))


def test_rational_point():
    x = matrix("x", 2, 2)
    point = rational_point({"x": x}, seed=3)
    assert set(point) == set(x) and all(v != 0 and abs(v) <= 2 for v in point.values())
    assert all(isinstance(v, sp.Rational) for v in point.values())
    assert point == rational_point({"x": x}, seed=3) != rational_point({"x": x}, seed=4)


def test_at_point_is_xreplace():
    # A shared ReLU inside a sigmoid inside a sum: the memo must give what the tree walk gives,
    # for scalars and matrices, including conditions decided at the point.
    a, b, c = sp.symbols("a b c", real=True)
    relu = sp.Piecewise((a - b, a - b > 0), (0, True))
    e = relu * sp.exp(-relu) / (1 + sp.exp(-relu)) + c * relu ** 2 + sp.Piecewise((c, relu > c),
                                                                                   (b, True))
    M = sp.ImmutableMatrix([[e, relu], [c, e + a]])
    for point in ({a: sp.Rational(3, 2), b: sp.Rational(1, 3)},
                  {a: sp.Rational(-1, 2), b: 1, c: sp.Rational(7, 5)}, {c: 2}, {}):
        assert at_point(e, point) == e.xreplace(point)
        assert at_point(M, point) == M.xreplace(point)
    assert at_point(M, {a: 2, b: 1, c: 1}) == sp.ImmutableMatrix(
        [[sp.exp(-1) / (1 + sp.exp(-1)) + 2, 1], [1, sp.exp(-1) / (1 + sp.exp(-1)) + 4]])
