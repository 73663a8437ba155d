r"""Element-wise activations as SymPy expressions of a pre-activation $s$, with their derivatives.

`ACTIVATIONS` has the same keys as `mlp.ACTIVATIONS` (a test checks it). Each entry holds the
definition $a(s)$ and a *claim* about $a'(s)$, the closed form backprop uses; the claim is not
trusted but proven: `derivative_identity(name)` pairs it with `diff(a(s), s)`.

- $\sigma'(s) = \sigma(s)\,(1 - \sigma(s))$: the difference simplifies to 0.
- $\operatorname{ReLU}'(s) = \mathbb{1}[s > 0]$, so $\operatorname{ReLU}'(0) = 0$, torch's choice.
- $\operatorname{id}'(s) = 1$.

ReLU is `Piecewise((s, s > 0), (0, True))`, not `Max(0, s)`: in SymPy 1.14 `Max` lambdifies to an
invalid torch call, and its derivative `Heaviside(s)` prints as `torch.heaviside(s, 1/2)`, which
fails and would put 1/2 at 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from .identity import Identity

s = sp.Symbol("s", real=True)
"""The pre-activation every definition is written in."""


@dataclass(frozen=True)
class SymbolicActivation:
    r"""One activation $a$: its definition in $s$ and the claimed closed form of $a'$.

    Attributes:
        name: the key, as in `mlp.ACTIVATIONS`.
        tex: LaTeX name of $a$, e.g. ``r"\sigma"``.
        value: $a(s)$, a SymPy expression in `s`.
        claim: `(a, s) -> a'(s)`: the closed form, given the activation (as an expression or as
            the display function $\sigma(s)$) and the pre-activation.
        probabilities: whether every output lies in (0, 1), as BCE needs of $\hat y$.
    """

    name: str
    tex: str
    value: sp.Expr
    claim: Callable[[sp.Expr, sp.Expr], sp.Expr]
    probabilities: bool

    def at(self, e: sp.Expr) -> sp.Expr:
        """$a(e)$ for one expression `e`."""
        return self.value.xreplace({s: e})

    def derivative_at(self, e: sp.Expr) -> sp.Expr:
        """$a'(e)$ from the proven closed form, for one expression `e`."""
        return sp.sympify(self.claim(self.value, s)).xreplace({s: e})

    def __call__(self, M: sp.MatrixBase) -> sp.ImmutableMatrix:
        """$a$ applied entry by entry to a matrix, same shape."""
        return sp.ImmutableMatrix(M.applyfunc(self.at))

    def prime(self, M: sp.MatrixBase) -> sp.ImmutableMatrix:
        """$a'$ (closed form) applied entry by entry to a matrix of pre-activations, same shape."""
        return sp.ImmutableMatrix(M.applyfunc(self.derivative_at))


def _indicator(a: sp.Expr, s: sp.Expr) -> sp.Expr:
    return sp.Piecewise((1, s > 0), (0, True))


ACTIVATIONS: dict[str, SymbolicActivation] = {
    a.name: a
    for a in (
        SymbolicActivation("relu", r"\operatorname{ReLU}", sp.Piecewise((s, s > 0), (0, True)),
                           _indicator, probabilities=False),
        SymbolicActivation("sigmoid", r"\sigma", 1 / (1 + sp.exp(-s)),
                           lambda a, s: a * (1 - a), probabilities=True),
        SymbolicActivation("identity", r"\operatorname{id}", s,
                           lambda a, s: sp.Integer(1), probabilities=False),
    )
}


def derivative_identity(name: str) -> Identity:
    r"""$a'(s)$ by `diff` against the claimed closed form, e.g. $\sigma(s)(1 - \sigma(s))$.

    Args:
        name: a key of `ACTIVATIONS`.

    Returns:
        `Identity` named `name`: scalar, `derived = diff(a(s), s)`, `formula` in terms of the
        display function $a(s)$ (so it prints $\sigma(s)(1 - \sigma(s))$, not exponentials).
    """
    act = ACTIVATIONS[name]
    shown = sp.Function(act.tex)(s)
    return Identity(name, rf"{act.tex}'(s)", act.claim(shown, s), act.claim(act.value, s),
                    sp.diff(act.value, s))


def definition_latex(name: str) -> str:
    r"""``a(s) = ...``: the definition as SymPy prints it (ReLU prints as cases)."""
    act = ACTIVATIONS[name]
    return rf"{act.tex}(s) = {sp.latex(act.value)}"


def relu_at_zero() -> Identity:
    r"""$\operatorname{ReLU}'(0)$: `diff` at the kink against the claim $\mathbb{1}[0 > 0]$.

    Both are 0 (the subgradient torch picks); `formula` is that 0, `derived` is `diff` at 0.
    """
    act = ACTIVATIONS["relu"]
    zero = sp.Integer(0)
    return Identity("relu(0)", r"\operatorname{ReLU}'(0)", zero, act.derivative_at(zero),
                    sp.diff(act.value, s).subs(s, zero))
