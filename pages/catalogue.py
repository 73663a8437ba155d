r"""The Activations page's table: one row per element-wise activation of the registry.

Each row is computed from the activation's SymPy entry (`derivations.activations`): its
definition, its proven derivative, the interval its outputs lie in, and its best case through
depth, $M = \sup_u |a'(u)|$ (`derivations.bound.sup_abs`): backprop multiplies by $a'$ once per
layer, so through $L$ layers the activations alone scale a gradient by at most $M^L$ (the
weights' factors come on top). A registered activation gets its row with no edit here.

```python
from pages import catalogue
display(Markdown(catalogue.markdown()))
```
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derivations.activations import (
    ACTIVATIONS,
    apply_tex,
    definition_latex,
    derivative_identity,
    u,
)
from derivations.bound import Bound, sup_abs
from derivations.latex import tex

DEPTH = 10
"""The $L$ of the table's last column."""


@dataclass(frozen=True)
class Row:
    r"""One activation: its name and, in LaTeX, $a(u)$, $a'(u)$, its outputs' interval; $M$."""

    name: str
    definition: str
    derivative: str
    interval: str
    bound: Bound

    def through(self, layers: int = DEPTH) -> str:
        """$M^L$ in LaTeX, to 3 significant digits; $\\infty$ when $M$ is."""
        if self.bound.value is None:
            return r"\infty"
        return sp.latex(sp.Float(self.bound.value**layers, 3))


def row(name: str) -> Row:
    """The row of the element-wise activation `name`."""
    act = ACTIVATIONS[name]
    claim = derivative_identity(name)
    # An end found numerically (GELU's lowest value) is shown to 6 digits, not its 30.
    outputs = act.outputs()
    interval = outputs.xreplace({v: sp.Float(v, 6) for v in outputs.atoms(sp.Float)})
    return Row(name, definition_latex(name),
               rf"{apply_tex(act.tex, 'u', prime=True)} = {tex(claim.formula)}",
               tex(interval), sup_abs(sp.diff(act.value, u), u))


def rows() -> list[Row]:
    """A row for every element-wise activation, in registry order."""
    return [row(name) for name, act in ACTIVATIONS.items() if act.elementwise]


def _cell(latex: str) -> str:
    # A | would end the Markdown cell: the same bar as \vert.
    return "$" + latex.replace("|", r"\vert ") + "$"


def markdown(table: list[Row] | None = None) -> str:
    """`rows()` as a Markdown table, math in $...$."""
    head = ["activation", "$a(u)$", "$a'(u)$", "outputs in",
            r"$M = \sup_u \vert a'(u) \vert$", f"$M^{{{DEPTH}}}$"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows() if table is None else table:
        cells = [f"`{r.name}`", _cell(r.definition), _cell(r.derivative), _cell(r.interval),
                 _cell(r.bound.tex), _cell(r.through())]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
