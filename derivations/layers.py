r"""1.1.b: each layer's input and output for one sample, in $x, y, W^{(i)}, b^{(i)}$ only.

`rows(f, g, loss, sym)` builds every output as a SymPy matrix expression in the display symbols
of `sample`, each layer's output put into the next layer (so $z_3 = W^{(2)} f(W^{(1)} x +
b^{(1)}) + b^{(2)}$ and so on), and `check` evaluates each one at the concrete symbols against
`sample.forward`. The loss row is the loss's `vector_tex`, a hand-written template, around the
printed $\hat y$; it is not evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .activations import ACTIVATIONS
from .identity import evaluate
from .latex import tex
from .losses import LOSSES
from .sample import applied, forward, function, shown_symbols


@dataclass(frozen=True)
class Row:
    r"""One layer of the forward pass: its name, input, output name and output formula.

    Attributes:
        layer: LaTeX of the layer, e.g. ``"\text{Linear}_1"``.
        given: LaTeX of its input, the output of the row before (``"z_{1}"``).
        lhs: LaTeX of its output's name (``"z_{2}"``).
        formula: the output in display symbols (a matrix expression); None for the loss.
        rhs: LaTeX of the output in $x, y, W^{(i)}, b^{(i)}$.
        shape: the output's shape, None for the scalar loss.
    """

    layer: str
    given: str
    lhs: str
    formula: sp.MatrixExpr | None
    rhs: str
    shape: tuple[int, int] | None


def rows(f: str, g: str, loss: str, sym: dict) -> list[Row]:
    """The five rows of 1.1.b: Linear 1, f, Linear 2, g, the loss; sym as `sample.symbols`."""
    D = shown_symbols(sym)
    z1 = sp.MatAdd(D["W1"] * D["x"], D["b1"])
    z2 = applied(f, z1)
    z3 = sp.MatAdd(D["W2"] * z2, D["b2"])
    y_hat = applied(g, z3)
    outputs = [(r"\text{Linear}_1", "x", "z_{1}", z1), ("f", "z_{1}", "z_{2}", z2),
               (r"\text{Linear}_2", "z_{2}", "z_{3}", z3), ("g", "z_{3}", r"\hat{y}", y_hat)]
    out = [Row(layer, given, lhs, e, tex(e, order="none"), e.shape)
           for layer, given, lhs, e in outputs]
    loss_tex = LOSSES[loss].vector_tex(out[-1].rhs, "y")
    return out + [Row(r"\text{loss}", r"\hat{y},\ y", r"\ell", None, loss_tex, None)]


def check(f: str, g: str, loss: str, sym: dict) -> bool:
    """Whether each output formula, evaluated at `sym`, equals `sample.forward`'s value (the
    loss row, a template, is not among them)."""
    D = shown_symbols(sym)
    bind = {D[k]: sym[k] for k in ("x", "W1", "b1", "W2", "b2")}
    bind.update({function(a): ACTIVATIONS[a].at for a in (f, g)})
    values = forward(f, g, sym)
    names = {"z_{1}": "z1", "z_{2}": "z2", "z_{3}": "z3", r"\hat{y}": "y_hat"}
    return all(evaluate(row.formula, bind) == values[names[row.lhs]]
               for row in rows(f, g, loss, sym) if row.formula is not None)


def latex(f: str, g: str, loss: str, sym: dict) -> str:
    r"""The rows as one display: ``\begin{array}{lll} layer & input & output ...``, with shapes
    in the homework's letters (m, K), since the answer holds at every size."""
    letters = {sym["W1"].rows: "m", sym["W2"].rows: "K"}
    lines = [r"\text{layer} & \text{input} & \text{output} & \text{shape}"]
    for row in rows(f, g, loss, sym):
        shape = "1" if row.shape is None else rf"{letters[row.shape[0]]} \times 1"
        lines.append(rf"{row.layer} & {row.given} & {row.lhs} = {row.rhs} & {shape}")
    return r"\begin{array}{llll}" + r" \\ ".join(lines) + r"\end{array}"
