r"""Element-wise activations as SymPy expressions of a pre-activation $s$, with their derivatives.

`ACTIVATIONS` has the same keys as `mlp.ACTIVATIONS` (a test checks it): the course's three
here, five more in `derivations.more_activations` and softmax in `derivations.softmax`, each
added by `register`. Each entry holds the definition $a(s)$, the interval its outputs lie in,
and a *claim* about $a'(s)$, the closed form backprop uses; the claim is not trusted but
proven: `derivative_identity(name)` pairs it with `diff(a(s), s)`.

- $\sigma'(s) = \sigma(s)\,(1 - \sigma(s))$: the difference simplifies to 0.
- $\operatorname{ReLU}'(s) = \mathbb{1}[s > 0]$ for $s \ne 0$. At the kink ReLU has no
  derivative; $\operatorname{ReLU}'(0) = 0$ is torch's convention, and `diff` gives it only
  because the condition is written $s > 0$ (`relu_kink`: written $s \ge 0$, it gives 1).
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
from .latex import tex

s = sp.Symbol("s", real=True)
"""The pre-activation every definition is written in."""


@dataclass(frozen=True)
class SymbolicActivation:
    r"""One element-wise activation $a$: its definition in $s$, its range, the claimed $a'$.

    Attributes:
        name: the key, as in `mlp.ACTIVATIONS`.
        tex: LaTeX name of $a$, e.g. ``r"\sigma"``.
        value: $a(s)$, a SymPy expression in `s`.
        interval: the set its outputs lie in, e.g. ``Interval.open(0, 1)``; which losses may
            follow $a$ is computed from it (`derivations.configurations`).
        claim: `(a, s) -> a'(s)`: the closed form, given the activation (as an expression or as
            the display function $\sigma(s)$) and the pre-activation; None claims `diff` itself.
    """

    name: str
    tex: str
    value: sp.Expr
    interval: sp.Set
    claim: Callable[[sp.Expr, sp.Expr], sp.Expr] | None = None
    elementwise = True

    @property
    def probabilities(self) -> bool:
        r"""Whether every output lies in [0, 1], as BCE needs of $\hat y$."""
        return bool(self.interval.is_subset(sp.Interval(0, 1)))

    def closed_form(self, a: sp.Expr) -> sp.Expr:
        """$a'(s)$ by the claim, with the activation given as `a` (expression or display)."""
        return sp.diff(self.value, s) if self.claim is None else sp.sympify(self.claim(a, s))

    def at(self, e: sp.Expr) -> sp.Expr:
        """$a(e)$ for one expression `e`."""
        return self.value.xreplace({s: e})

    def derivative_at(self, e: sp.Expr) -> sp.Expr:
        """$a'(e)$ from the proven closed form, for one expression `e`."""
        return self.closed_form(self.value).xreplace({s: e})

    def __call__(self, M: sp.MatrixBase) -> sp.ImmutableMatrix:
        """$a$ applied entry by entry to a matrix, same shape."""
        return sp.ImmutableMatrix(M.applyfunc(self.at))

    def prime(self, M: sp.MatrixBase) -> sp.ImmutableMatrix:
        """$a'$ (closed form) applied entry by entry to a matrix of pre-activations, same shape."""
        return sp.ImmutableMatrix(M.applyfunc(self.derivative_at))

    def jacobian(self, v: sp.MatrixBase) -> sp.ImmutableMatrix:
        r"""$\partial a(v)/\partial v = \diag(a'(v))$ for one vector `v`, (K, K)."""
        return sp.ImmutableMatrix(sp.diag(*self.prime(v)))


ACTIVATIONS: dict[str, SymbolicActivation] = {}
"""Name -> entry, the same keys as `mlp.ACTIVATIONS` (a test checks it)."""


def register(activation) -> None:
    """Add `activation` (a `SymbolicActivation`, or `derivations.softmax.Softmax`) under its
    name; an existing name is refused."""
    if activation.name in ACTIVATIONS:
        raise ValueError(f"an activation named {activation.name!r} is already registered")
    ACTIVATIONS[activation.name] = activation


def unregister(name: str) -> None:
    """Remove the activation `name`."""
    del ACTIVATIONS[name]


def _indicator(a: sp.Expr, s: sp.Expr) -> sp.Expr:
    return sp.Piecewise((1, s > 0), (0, True))


for _entry in (
    SymbolicActivation("relu", r"\operatorname{ReLU}", sp.Piecewise((s, s > 0), (0, True)),
                       sp.Interval(0, sp.oo), _indicator),
    SymbolicActivation("sigmoid", r"\sigma", 1 / (1 + sp.exp(-s)), sp.Interval.open(0, 1),
                       lambda a, s: a * (1 - a)),
    SymbolicActivation("identity", r"\operatorname{id}", s, sp.S.Reals,
                       lambda a, s: sp.Integer(1)),
):
    register(_entry)

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
    return Identity(name, rf"{act.tex}'(s)", act.closed_form(shown), act.closed_form(act.value),
                    sp.diff(act.value, s))


def definition_latex(name: str) -> str:
    r"""``a(s) = ...``: the definition as SymPy prints it (ReLU prints as cases)."""
    act = ACTIVATIONS[name]
    return rf"{act.tex}(s) = {tex(act.value)}"


def relu_at_zero() -> Identity:
    r"""$\operatorname{ReLU}'(0)$: `diff` at the kink against the claim $\mathbb{1}[0 > 0]$.

    Both are 0, torch's convention, which the registry's ReLU follows by writing its condition
    $s > 0$; `relu_kink` shows the other way to write it. `formula` is that 0.
    """
    act = ACTIVATIONS["relu"]
    zero = sp.Integer(0)
    return Identity("relu(0)", r"\operatorname{ReLU}'(0)", zero, act.derivative_at(zero),
                    sp.diff(act.value, s).subs(s, zero))


def relu_kink() -> dict[str, sp.Expr]:
    r"""`diff` of two ways to write ReLU, at $s = 0$: ``"s > 0"`` gives 0, ``"s >= 0"`` gives 1.

    Both are $\max(0, s)$ everywhere; only the derivative at the kink differs, so
    $\operatorname{ReLU}'(0)$ is a convention, not a result.
    """
    written = {"s > 0": sp.Piecewise((s, s > 0), (0, True)),
               "s >= 0": sp.Piecewise((s, s >= 0), (0, True))}
    return {k: sp.diff(v, s).subs(s, 0) for k, v in written.items()}
