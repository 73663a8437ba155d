r"""Five activations beyond the course's three, each added by `register`, as `mlp.more_activations`.

- $\tanh'(u) = 1 - \tanh^2(u)$;
- leaky ReLU, slope $\alpha = 1/100$: $a'(u) = 1$ for $u > 0$, else $\alpha$ (so $\alpha$ at 0,
  torch's convention, from the condition written $u > 0$);
- softplus $\log(1 + e^u)$: $a'(u) = e^u / (1 + e^u) = \sigma(u)$;
- SiLU $u\,\sigma(u)$: $a'(u) = \sigma(u)\,(1 + u\,(1 - \sigma(u)))$, lowest value $-W(1/e)$;
- GELU $u\,\Phi(u)$, $\Phi(u) = \frac12 (1 + \operatorname{erf}(u/\sqrt2))$: $a'(u) = \Phi(u) +
  u\,\varphi(u)$, lowest value where that is 0, found by `nsolve` to 30 digits.
"""

from __future__ import annotations

import sympy as sp

from .activations import SymbolicActivation, register, u

TORCH_SLOPE = sp.Rational(1, 100)
"""`nn.LeakyReLU`'s default negative slope, 0.01."""


def leaky_relu(slope: sp.Expr = TORCH_SLOPE) -> SymbolicActivation:
    r"""Leaky ReLU with slope $\alpha$ = `slope` for $u \le 0$ (torch's default 1/100)."""
    return SymbolicActivation("leaky_relu", r"\operatorname{LeakyReLU}",
                              sp.Piecewise((u, u > 0), (slope * u, True)), sp.S.Reals,
                              lambda a, u: sp.Piecewise((1, u > 0), (slope, True)))


def _lowest(value: sp.Expr, near: float) -> sp.Float:
    """The minimum of `value` over the reals, at the root of its derivative near `near`."""
    return value.subs(u, sp.nsolve(sp.diff(value, u), u, near, prec=30)).evalf(30)


_sigma = 1 / (1 + sp.exp(-u))
_Phi = (1 + sp.erf(u / sp.sqrt(2))) / 2
_gelu = u * _Phi

for _entry in (
    SymbolicActivation("tanh", r"\tanh", sp.tanh(u), sp.Interval.open(-1, 1),
                       lambda a, u: 1 - a**2),
    leaky_relu(),
    # e^u / (1 + e^u), which is sigma(u), written in e^u as diff gives it and mlp computes it.
    SymbolicActivation("softplus", r"\operatorname{softplus}", sp.log(1 + sp.exp(u)),
                       sp.Interval.open(0, sp.oo), lambda a, u: sp.exp(u) / (1 + sp.exp(u))),
    # Lowest at u = -1 - W(1/e), where sigma(u)(1 + u(1 - sigma(u))) = 0: the value is -W(1/e).
    SymbolicActivation("silu", r"\operatorname{SiLU}", u * _sigma,
                       sp.Interval(-sp.LambertW(sp.exp(-1)), sp.oo),
                       lambda a, u: _sigma * (1 + u * (1 - _sigma))),
    # Phi(u) + u phi(u); its root, where GELU is lowest, has no closed form.
    # The interval is computed when first asked: the nsolve takes a while, and no import waits.
    SymbolicActivation("gelu", r"\operatorname{GELU}", _gelu,
                       lambda: sp.Interval(_lowest(_gelu, -0.75), sp.oo),
                       lambda a, u: _Phi + u * sp.exp(-u**2 / 2) / sp.sqrt(2 * sp.pi)),
):
    register(_entry)
