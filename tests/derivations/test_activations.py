"""derivations.activations: every derivative claim proven by diff, every output interval checked,
keyed as mlp.ACTIVATIONS."""

import mpmath
import pytest
import sympy as sp
import torch

import mlp
from derivations.activations import (
    ACTIVATIONS,
    apply_tex,
    definition_latex,
    derivative_identity,
    relu_at_zero,
    relu_kink,
    u,
)
from derivations.more_activations import leaky_relu

ELEMENTWISE = [n for n, a in ACTIVATIONS.items() if a.elementwise]


def test_registry_matches_mlp():
    assert list(ACTIVATIONS) == list(mlp.ACTIVATIONS)
    assert all(ACTIVATIONS[n].elementwise == a.elementwise for n, a in mlp.ACTIVATIONS.items())
    assert len(ELEMENTWISE) == 8


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_claim_is_proven(name):
    claim = derivative_identity(name)
    assert claim.derived == sp.diff(ACTIVATIONS[name].value, u)
    assert claim.holds()


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_no_max_or_heaviside(name):
    # Max lambdifies to an invalid torch call; Heaviside prints as torch.heaviside(u, 1/2).
    act = ACTIVATIONS[name]
    for expr in (act.value, sp.diff(act.value, u), act.derivative_at(u)):
        assert not expr.has(sp.Max, sp.Heaviside)


def test_relu_derivative_is_zero_at_the_kink():
    claim = relu_at_zero()
    assert claim.derived == 0 and claim.holds()
    assert ACTIVATIONS["relu"].derivative_at(sp.Integer(0)) == 0


def test_relu_prime_at_zero_is_a_convention():
    # Written with u >= 0, the same function's diff is 1 at the kink: 0 is a choice (torch's).
    assert relu_kink() == {"u > 0": 0, "u >= 0": 1}


GRID = [k / 8 for k in range(-400, 401)]  # u from -50 to 50, 0 included
DIGITS = 80  # tanh(-50) = -1 + 4e-44 and sigmoid(-50) = 2e-22 stay apart from their limits


def _limits(value: sp.Expr) -> list[sp.Expr]:
    """value as u -> -oo and u -> +oo; SymPy's limit fails on a Piecewise, so its end pieces."""
    if value.has(sp.Piecewise):
        return [p.expr.limit(u, x) for p, x in ((value.args[-1], -sp.oo), (value.args[0], sp.oo))]
    return [sp.limit(value, u, x) for x in (-sp.oo, sp.oo)]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_interval_is_the_range(name):
    # Every value on a grid of u lies in the stated interval, and each end of it is either
    # reached (on the grid, or at the stationary point nsolve finds), and then closed, or the
    # limit of a(u) as u -> -oo or +oo, and then open.
    act = ACTIVATIONS[name]
    fn = sp.lambdify(u, act.value, "mpmath")
    with mpmath.workdps(DIGITS):
        values = [fn(mpmath.mpf(v)) for v in GRID]
    limits = _limits(act.value)
    for end, pick, is_open in ((act.outputs().inf, min, act.outputs().left_open),
                               (act.outputs().sup, max, act.outputs().right_open)):
        best = pick(range(len(values)), key=values.__getitem__)
        with mpmath.workdps(DIGITS):
            e = mpmath.mpf(sp.N(end, DIGITS)) if end.is_finite else mpmath.mpf(sp.sign(end)) * \
                mpmath.inf
            assert all(v >= e if pick is min else v <= e for v in values), end
        reached = values[best] == e
        if 0 < best < len(GRID) - 1 and not reached and not act.value.has(sp.Piecewise):
            root = sp.nsolve(sp.diff(act.value, u), u, GRID[best], prec=DIGITS)
            # 1e-25: an end found by nsolve is stated to 30 digits (GELU's)
            reached = abs(sp.N(act.value.subs(u, root) - end, DIGITS)) < 1e-25
        assert reached or end in limits, end
        assert reached != is_open, (end, reached)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_probabilities_is_the_interval_within_0_1(name):
    # BCE needs every output in [0, 1]: the sigmoid's and softmax's, no other.
    assert ACTIVATIONS[name].probabilities == (name in {"sigmoid", "softmax"})


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_entrywise_application(name):
    act = ACTIVATIONS[name]
    M = sp.ImmutableMatrix([[sp.Rational(-3, 2), 0, sp.Symbol("w", real=True)]])
    assert act(M).shape == M.shape == act.prime(M).shape
    assert list(act(M)) == [act.value.subs(u, e) for e in M]
    assert list(act.prime(M)) == [act.closed_form(act.value).subs(u, e) for e in M]
    assert act.jacobian(M.T) == sp.diag(*act.prime(M))


def test_latex_uses_the_site_notation():
    assert derivative_identity("sigmoid").latex() == (
        r"\sigma'\left(u\right) = \left(1 - \sigma{\left(u \right)}\right) \sigma{\left(u \right)}")
    assert definition_latex("sigmoid") == r"\sigma\left(u\right) = \frac{1}{1 + e^{- u}}"
    for name in ELEMENTWISE:
        assert derivative_identity(name).latex().startswith(
            apply_tex(ACTIVATIONS[name].tex, "u", prime=True) + " = ")
    # ReLU as the homework writes it, (.)^+:
    assert definition_latex("relu").startswith(r"\left(u\right)^{+} = ")
    assert derivative_identity("relu").latex() == (
        r"\left((\cdot)^{+}\right)'\left(u\right) = \mathbb{1}\left[u > 0\right]")


def test_leaky_relu_slope_is_torchs_and_a_parameter():
    # 1/100 is nn.LeakyReLU's default, and a' is the slope at 0 (torch's branch u > 0 is 1).
    act = ACTIVATIONS["leaky_relu"]
    assert act.derivative_at(sp.Integer(0)) == sp.Rational(1, 100) == act.at(sp.Integer(-1)) * -1
    steep = leaky_relu(sp.Rational(1, 5))
    assert steep.at(sp.Integer(-5)) == -1
    assert steep.derivative_at(sp.Integer(0)) == sp.Rational(1, 5)
    assert mlp.ACTIVATIONS["leaky_relu"].torch_args == (float(sp.Rational(1, 100)),)


def test_gelu_is_torchs_exact_gelu():
    s64 = torch.linspace(-6, 6, 49, dtype=torch.float64)
    exact = torch.tensor([float(ACTIVATIONS["gelu"].at(sp.Rational(v).limit_denominator(4)))
                          for v in s64.tolist()], dtype=torch.float64)
    # atol: torch's 1 + erf(u / sqrt 2) cancels for u < 0, to about eps absolute.
    torch.testing.assert_close(exact, torch.nn.GELU()(s64), rtol=1e-14, atol=1e-15)


def test_importing_the_package_solves_nothing():
    # GELU's interval needs an nsolve: it runs when first asked, never at import.
    import subprocess
    import sys
    code = ("import sympy; calls = []; real = sympy.nsolve\n"
            "sympy.nsolve = lambda *a, **k: calls.append(1) or real(*a, **k)\n"
            "import derivations, derivations.activations as A\n"
            "assert not calls, calls\n"
            "A.ACTIVATIONS['gelu'].outputs(); assert calls == [1], calls")
    subprocess.run([sys.executable, "-c", code], check=True)
