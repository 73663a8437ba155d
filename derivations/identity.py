r"""`Identity`: one claim `derived = closed form`, proven in code and printed for the site.

Every derivation in this package ends in an `Identity`. It holds the same quantity twice:

- `derived`, computed the long way, by `diff`, `Matrix.jacobian` or entry by entry;
- `closed_form`, the compact result backprop uses, evaluated from `formula`;

and `formula`, the SymPy object whose LaTeX (`derivations.latex.tex`) the site prints. A
notebook cell reads

```python
from IPython.display import Math, display
from derivations import activations

claim = activations.derivative_identity("sigmoid")
display(Math(claim.latex()))       # \sigma'(u) = \sigma(u) (1 - \sigma(u))
assert claim.holds()               # derived - closed_form simplifies to 0
```
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import reduce

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from .exact import at_point, is_zero, rational_point
from .latex import equation, tex

__all__ = ["Identity", "evaluate", "is_zero", "rational_point"]

# How each matrix operation acts on explicit matrices: a table, so `doit` never walks into the
# entries (on nested Piecewise and exp that costs more than the algebra itself).
_EXPLICIT = {
    sp.MatMul: lambda *args: reduce(operator.mul, args),
    sp.MatAdd: lambda *args: reduce(operator.add, args),
    sp.Transpose: lambda arg: arg.T,
    sp.HadamardProduct: lambda *args: reduce(lambda a, b: a.multiply_elementwise(b), args),
    sp.KroneckerProduct: lambda *args: sp.kronecker_product(*args),
}


def evaluate(formula: sp.Basic, bindings: dict) -> sp.Basic:
    r"""Substitute concrete values for the display symbols of `formula` and carry out the algebra.

    Args:
        formula: a SymPy matrix expression in display symbols (`MatrixSymbol`s named in LaTeX)
            built from `MatMul`, `MatAdd`, `Transpose`, `HadamardProduct`, `KroneckerProduct`
            and `M.applyfunc(F)` for an undefined function `F`; or a scalar expression.
        bindings: display symbol -> concrete SymPy object of the same shape; an undefined
            function `F` -> the callable it stands for, applied entry by entry.

    Returns:
        An explicit `ImmutableMatrix` (for a matrix expression) or a scalar expression.
    """
    if formula in bindings:
        return bindings[formula]
    if isinstance(formula, ElementwiseApplyFunction):  # f(M): bindings holds f's values
        fn = bindings[formula.function.expr.func]
        return sp.ImmutableMatrix(evaluate(formula.expr, bindings).applyfunc(fn))
    if not isinstance(formula, sp.MatrixExpr):
        return formula.xreplace(bindings)
    if type(formula) not in _EXPLICIT:
        raise TypeError(f"cannot evaluate {type(formula).__name__}; known: "
                        f"{sorted(t.__name__ for t in _EXPLICIT)}")
    args = [evaluate(arg, bindings) for arg in formula.args]
    return sp.ImmutableMatrix(_EXPLICIT[type(formula)](*args))


@dataclass(frozen=True)
class Identity:
    r"""A claim $\text{derived} = \text{closed form}$ with the formula that states it.

    Attributes:
        name: a short id, used in test ids and dict keys (``"dJdW1"``, ``"sigmoid"``).
        lhs: LaTeX of the left side, e.g. ``r"\frac{\partial J}{\partial W^{(1)}}"``.
        formula: the right side in display symbols; `tex(formula)` is what is shown.
        closed_form: `formula` evaluated on the concrete symbols (explicit Matrix or expression).
        derived: the same quantity computed independently (Jacobian, entry-by-entry `diff`).
        stored: the shape `latex` prints, where it differs from the computed one: ``(K,)`` for
            a bias gradient, which SymPy holds as a column and torch stores with one index.
    """

    name: str
    lhs: str
    formula: sp.Basic
    closed_form: sp.Basic
    derived: sp.Basic
    stored: tuple | None = None

    @property
    def shape(self) -> tuple[int, int] | None:
        """(rows, cols) of the quantity, or None for a scalar."""
        return tuple(self.derived.shape) if isinstance(self.derived, sp.MatrixBase) else None

    def difference(self) -> sp.Basic:
        """`derived - closed_form`, unsimplified (a Matrix or a scalar)."""
        if isinstance(self.derived, sp.MatrixBase):
            if self.derived.shape != self.closed_form.shape:
                raise ValueError(f"{self.name}: derived has shape {self.derived.shape}, closed form"
                                 f" {self.closed_form.shape}")
            return sp.ImmutableMatrix(self.derived) - sp.ImmutableMatrix(self.closed_form)
        return self.derived - self.closed_form

    def holds(self, at: dict | None = None, seed: int | None = None) -> bool:
        """Whether `derived - closed_form` is 0: everywhere, or at the exact point `at`.

        Args:
            at: optional symbol -> exact value (`sympy.Rational`) substituted first, e.g.
                `rational_point(sym, seed)`.
            seed: optional; treat each `exp(...)` left as an unknown set at random (`is_zero`).
                Without it True is a proof, but nested sigmoids can take minutes to cancel.
        """
        diff = self.difference()
        return is_zero(diff if at is None else at_point(diff, at), seed)

    def latex(self) -> str:
        r"""``lhs = tex(formula)``, followed by the shape, e.g. ``\quad (4 \times 3)``."""
        return equation(self.lhs, tex(self.formula), self.stored or self.shape)

    def explicit_latex(self) -> str:
        """``lhs = tex(derived)``: the entries, as computed the long way, with the shape."""
        return equation(self.lhs, tex(self.derived), self.stored or self.shape)
