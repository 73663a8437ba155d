r"""Element-wise activations as SymPy expressions of a generic argument $u$, with their derivatives.

`ACTIVATIONS` has the same keys as `mlp.ACTIVATIONS` (a test checks it): the course's three
here, five more in `derivations.more_activations` and softmax in `derivations.softmax`, each
added by `register`. Each entry holds the definition $a(u)$, the interval its outputs lie in,
and a *claim* about $a'(u)$, the closed form backprop uses; the claim is not trusted but
proven: `derivative_identity(name)` pairs it with `diff(a(u), u)`.

- $\sigma'(u) = \sigma(u)\,(1 - \sigma(u))$: the difference simplifies to 0.
- ReLU, $(u)^+ = \max(0, u)$: $\left((\cdot)^+\right)'(u) = \mathbb{1}[u > 0]$ for $u \ne 0$. At
  the kink ReLU has no derivative; the value 0 there is torch's convention, and `diff` gives it only
  because the condition is written $u > 0$ (`relu_kink`: written $u \ge 0$, it gives 1).
- $\operatorname{id}'(u) = 1$.

ReLU is `Piecewise((u, u > 0), (0, True))`, not `Max(0, u)`: in SymPy 1.14 `Max` lambdifies to an
invalid torch call, and its derivative `Heaviside(u)` prints as `torch.heaviside(u, 1/2)`, which
fails and would put 1/2 at 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from .identity import Identity
from .latex import tex

u = sp.Symbol("u", real=True)
"""The generic argument every definition is written in: $a(u)$, $a'(u)$ (scalar or entry-wise)."""


def apply_tex(name_tex: str, arg: str, prime: bool = False) -> str:
    r"""LaTeX of the activation named `name_tex` (an entry's `tex`) applied to `arg`.

    ReLU is written as the homework writes it, $(\cdot)^+$: ``(Z_1)^{+}``, and its derivative
    ``\left((\cdot)^{+}\right)'(Z_1)``; every other name is a function, ``\sigma(Z_1)``,
    ``\sigma'(Z_1)``.
    """
    if r"(\cdot)" in name_tex:
        if prime:
            return rf"\left({name_tex}\right)'\left({arg}\right)"
        return name_tex.replace(r"(\cdot)", rf"\left({arg}\right)")
    return rf"{name_tex}{chr(39) * prime}\left({arg}\right)"


@dataclass(frozen=True)
class SymbolicActivation:
    r"""One element-wise activation $a$: its definition in $u$, its range, the claimed $a'$.

    Attributes:
        name: the key, as in `mlp.ACTIVATIONS`.
        tex: LaTeX name of $a$, e.g. ``r"\sigma"``; ReLU's is ``(\cdot)^{+}`` (`apply_tex`).
        value: $a(u)$, a SymPy expression in `u`.
        interval: the set its outputs lie in, e.g. ``Interval.open(0, 1)``, or a function that
            computes it when first asked (GELU's lowest value takes an `nsolve`); read it with
            `outputs()`. Which losses may follow $a$ is computed from it
            (`derivations.configurations`).
        claim: `(a, u) -> a'(u)`: the closed form, given the activation (as an expression or as
            the display function $\sigma(u)$) and the argument; None claims `diff` itself.
    """

    name: str
    tex: str
    value: sp.Expr
    interval: sp.Set | Callable[[], sp.Set]
    claim: Callable[[sp.Expr, sp.Expr], sp.Expr] | None = None
    elementwise = True

    def outputs(self) -> sp.Set:
        """The set the outputs lie in, computed once if `interval` is a function."""
        if callable(self.interval):
            if self.name not in _OUTPUTS:
                _OUTPUTS[self.name] = self.interval()
            return _OUTPUTS[self.name]
        return self.interval

    @property
    def probabilities(self) -> bool:
        r"""Whether every output lies in [0, 1], as BCE needs of $\hat y$."""
        return bool(self.outputs().is_subset(sp.Interval(0, 1)))

    def closed_form(self, a: sp.Expr) -> sp.Expr:
        """$a'(u)$ by the claim, with the activation given as `a` (expression or display)."""
        return sp.diff(self.value, u) if self.claim is None else sp.sympify(self.claim(a, u))

    def at(self, e: sp.Expr) -> sp.Expr:
        """$a(e)$ for one expression `e`."""
        return self.value.xreplace({u: e})

    def derivative_at(self, e: sp.Expr) -> sp.Expr:
        """$a'(e)$ from the proven closed form, for one expression `e`."""
        return self.closed_form(self.value).xreplace({u: e})

    def __call__(self, M: sp.MatrixBase) -> sp.ImmutableMatrix:
        """$a$ applied entry by entry to a matrix, same shape."""
        return sp.ImmutableMatrix(M.applyfunc(self.at))

    def prime(self, M: sp.MatrixBase) -> sp.ImmutableMatrix:
        """$a'$ (closed form) applied entry by entry to a matrix of arguments, same shape."""
        return sp.ImmutableMatrix(M.applyfunc(self.derivative_at))

    def jacobian(self, v: sp.MatrixBase) -> sp.ImmutableMatrix:
        r"""$\partial a(v)/\partial v = \diag(a'(v))$ for one vector `v`, (K, K)."""
        return sp.ImmutableMatrix(sp.diag(*self.prime(v)))


_OUTPUTS: dict[str, sp.Set] = {}
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
    _OUTPUTS.pop(name, None)


def _indicator(a: sp.Expr, u: sp.Expr) -> sp.Expr:
    return sp.Piecewise((1, u > 0), (0, True))


for _entry in (
    SymbolicActivation("relu", r"(\cdot)^{+}", sp.Piecewise((u, u > 0), (0, True)),
                       sp.Interval(0, sp.oo), _indicator),
    SymbolicActivation("sigmoid", r"\sigma", 1 / (1 + sp.exp(-u)), sp.Interval.open(0, 1),
                       lambda a, u: a * (1 - a)),
    SymbolicActivation("identity", r"\operatorname{id}", u, sp.S.Reals,
                       lambda a, u: sp.Integer(1)),
):
    register(_entry)

def derivative_identity(name: str) -> Identity:
    r"""$a'(u)$ by `diff` against the claimed closed form, e.g. $\sigma(u)(1 - \sigma(u))$.

    Args:
        name: a key of `ACTIVATIONS`.

    Returns:
        `Identity` named `name`: scalar, `derived = diff(a(u), u)`, `formula` in terms of the
        display function $a(u)$ (so it prints $\sigma(u)(1 - \sigma(u))$, not exponentials).
    """
    act = ACTIVATIONS[name]
    shown = sp.Function(act.tex)(u)
    return Identity(name, apply_tex(act.tex, "u", prime=True), act.closed_form(shown),
                    act.closed_form(act.value), sp.diff(act.value, u))


def definition_latex(name: str) -> str:
    r"""``a(u) = ...``: the definition as SymPy prints it (ReLU prints as cases)."""
    act = ACTIVATIONS[name]
    return rf"{apply_tex(act.tex, 'u')} = {tex(act.value)}"


def relu_at_zero() -> Identity:
    r"""$\left((\cdot)^+\right)'(0)$: `diff` at the kink against the claim $\mathbb{1}[0 > 0]$.

    Both are 0, torch's convention, which the registry's ReLU follows by writing its condition
    $u > 0$; `relu_kink` shows the other way to write it. `formula` is that 0.
    """
    act = ACTIVATIONS["relu"]
    zero = sp.Integer(0)
    return Identity("relu(0)", apply_tex(act.tex, "0", prime=True), zero,
                    act.derivative_at(zero), sp.diff(act.value, u).subs(u, zero))


def relu_kink() -> dict[str, sp.Expr]:
    r"""`diff` of two ways to write ReLU, at $u = 0$: ``"u > 0"`` gives 0, ``"u >= 0"`` gives 1.

    Both are $\max(0, u)$ everywhere; only the derivative at the kink differs, so
    $\left((\cdot)^+\right)'(0)$ is a convention, not a result.
    """
    written = {"u > 0": sp.Piecewise((u, u > 0), (0, True)),
               "u >= 0": sp.Piecewise((u, u >= 0), (0, True))}
    return {k: sp.diff(v, u).subs(u, 0) for k, v in written.items()}


# The registry is whole once this module is: the other entries register themselves on import.
from . import more_activations, softmax  # noqa: E402, F401
