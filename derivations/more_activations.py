r"""Five activations beyond the course's three, each added by `register`, as `mlp.more_activations`.

- $\tanh'(s) = 1 - \tanh^2(s)$;
- leaky ReLU, slope $\alpha = 1/100$: $a'(s) = 1$ for $s > 0$, else $\alpha$ (so $\alpha$ at 0,
  torch's convention, from the condition written $s > 0$);
- softplus $\log(1 + e^s)$: $a'(s) = e^s / (1 + e^s) = \sigma(s)$;
- SiLU $s\,\sigma(s)$: $a'(s) = \sigma(s)\,(1 + s\,(1 - \sigma(s)))$, lowest value $-W(1/e)$;
- GELU $s\,\Phi(s)$, $\Phi(s) = \frac12 (1 + \operatorname{erf}(s/\sqrt2))$: $a'(s) = \Phi(s) +
  s\,\varphi(s)$, lowest value where that is 0, found by `nsolve` to 30 digits.
"""

from __future__ import annotations

import sympy as sp

from .activations import SymbolicActivation, register, s

TORCH_SLOPE = sp.Rational(1, 100)
"""`nn.LeakyReLU`'s default negative slope, 0.01."""


def leaky_relu(slope: sp.Expr = TORCH_SLOPE) -> SymbolicActivation:
    r"""Leaky ReLU with slope $\alpha$ = `slope` for $s \le 0$ (torch's default 1/100)."""
    return SymbolicActivation("leaky_relu", r"\operatorname{LeakyReLU}",
                              sp.Piecewise((s, s > 0), (slope * s, True)), sp.S.Reals,
                              lambda a, s: sp.Piecewise((1, s > 0), (slope, True)))


def _lowest(value: sp.Expr, near: float) -> sp.Float:
    """The minimum of `value` over the reals, at the root of its derivative near `near`."""
    return value.subs(s, sp.nsolve(sp.diff(value, s), s, near, prec=30)).evalf(30)


_sigma = 1 / (1 + sp.exp(-s))
_Phi = (1 + sp.erf(s / sp.sqrt(2))) / 2
_gelu = s * _Phi

for _entry in (
    SymbolicActivation("tanh", r"\tanh", sp.tanh(s), sp.Interval.open(-1, 1),
                       lambda a, s: 1 - a**2),
    leaky_relu(),
    # e^s / (1 + e^s), which is sigma(s), written in e^s as diff gives it and mlp computes it.
    SymbolicActivation("softplus", r"\operatorname{softplus}", sp.log(1 + sp.exp(s)),
                       sp.Interval.open(0, sp.oo), lambda a, s: sp.exp(s) / (1 + sp.exp(s))),
    # Lowest at s = -1 - W(1/e), where sigma(s)(1 + s(1 - sigma(s))) = 0: the value is -W(1/e).
    SymbolicActivation("silu", r"\operatorname{SiLU}", s * _sigma,
                       sp.Interval(-sp.LambertW(sp.exp(-1)), sp.oo),
                       lambda a, s: _sigma * (1 + s * (1 - _sigma))),
    # Phi(s) + s phi(s); its root, where GELU is lowest, has no closed form.
    SymbolicActivation("gelu", r"\operatorname{GELU}", _gelu, sp.Interval(_lowest(_gelu, -0.75),
                       sp.oo), lambda a, s: _Phi + s * sp.exp(-s**2 / 2) / sp.sqrt(2 * sp.pi)),
):
    register(_entry)
