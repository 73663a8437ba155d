"""derivations.activations: every derivative claim proven by diff, keyed as mlp.ACTIVATIONS."""

import pytest
import sympy as sp

import mlp
from derivations.activations import (
    ACTIVATIONS,
    definition_latex,
    derivative_identity,
    relu_at_zero,
    s,
)


def test_registry_matches_mlp():
    assert set(ACTIVATIONS) == set(mlp.ACTIVATIONS)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_derivative_claim_is_proven(name):
    claim = derivative_identity(name)
    assert claim.derived == sp.diff(ACTIVATIONS[name].value, s)
    assert claim.holds()


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_no_max_or_heaviside(name):
    # Max lambdifies to an invalid torch call; Heaviside prints as torch.heaviside(s, 1/2).
    act = ACTIVATIONS[name]
    for expr in (act.value, sp.diff(act.value, s), act.derivative_at(s)):
        assert not expr.has(sp.Max, sp.Heaviside)


def test_relu_derivative_is_zero_at_the_kink():
    claim = relu_at_zero()
    assert claim.derived == 0 and claim.holds()
    assert ACTIVATIONS["relu"].derivative_at(sp.Integer(0)) == 0


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_probabilities_flag_matches_the_range(name):
    # BCE needs every output strictly inside (0, 1): no real s may give a <= 0 or a >= 1.
    act = ACTIVATIONS[name]
    low, high = (sp.solveset(cond, s, sp.S.Reals) for cond in (act.value <= 0, act.value >= 1))
    assert act.probabilities == (low | high == sp.S.EmptySet)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_entrywise_application(name):
    act = ACTIVATIONS[name]
    M = sp.ImmutableMatrix([[sp.Rational(-3, 2), 0, sp.Symbol("u", real=True)]])
    assert act(M).shape == M.shape == act.prime(M).shape
    assert list(act(M)) == [act.value.subs(s, e) for e in M]
    assert list(act.prime(M)) == [act.claim(act.value, s).subs(s, e) for e in M]


def test_latex_uses_the_site_notation():
    assert derivative_identity("sigmoid").latex() == (
        r"\sigma'(s) = \left(1 - \sigma{\left(s \right)}\right) \sigma{\left(s \right)}")
    assert definition_latex("sigmoid") == r"\sigma(s) = \frac{1}{1 + e^{- s}}"
    for name, act in ACTIVATIONS.items():
        assert derivative_identity(name).latex().startswith(act.tex + "'(s) = ")
