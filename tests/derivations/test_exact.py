"""derivations.exact: exact zero tests, proofs and random-point checks, and rational points."""

import pytest
import sympy as sp

from derivations.exact import is_zero, rational_point
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
