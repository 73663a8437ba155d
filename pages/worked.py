r"""The worked example of 1.1: one sample small enough to follow by hand.

$n = 2$ inputs, $m = 3$ hidden units, $K = 2$ outputs, $f = (\cdot)^+$, $g = \operatorname{id}$,
$\ell = \lVert \hat y - y \rVert^2$, every entry a small integer, and the first hidden unit off
($z_{1,1} = -1$), so that the ReLU's zero shows in the backward pass. Every value is computed
exactly by `derivations.sample` at these integers: the forward pass by `forward`, the
Jacobians and the four gradients in numerator layout by `jacobians` and `numerator_gradients`,
each gradient first held against `diff` of $\ell$ at the point. The page then checks them
against `mlp` and autograd.
"""

from __future__ import annotations

import sympy as sp

from derivations import sample

SIZES = dict(n_in=2, n_hidden=3, n_out=2)
CONFIG = ("relu", "identity", "mse")
VALUES = dict(x=[[1], [2]], y=[[2], [0]],
              W1=[[1, -1], [2, 0], [-1, 1]], b1=[[0], [-1], [1]],
              W2=[[1, -1, 1], [0, 2, -1]], b2=[[0], [1]])
"""The inputs, as nested lists (columns for the vectors), in `sample.symbols`' keys."""

FORWARD = ("x", "z1", "z2", "z3", "y_hat", "l")
"""The forward values, input to loss."""
BACKWARD = ("dl_dyhat", "dyhat_dz3", "dl_dz3", "dl_dz2", "dz2_dz1", "dl_dz1",
            "dl_dW2", "dl_db2", "dl_dW1", "dl_db1")
r"""The backward quantities, loss to input, in numerator layout: each derivative of $\ell$ a row
(or, by a matrix $\theta$, the transpose of $\theta$'s shape)."""


def example() -> dict[str, sp.ImmutableMatrix | sp.Integer]:
    """Every forward value and every backward quantity of the example, exact.

    Returns:
        the keys of `VALUES`, `FORWARD` and `BACKWARD` -> an `ImmutableMatrix` of integers
        (``"l"``, the loss, a number). Raises AssertionError if a gradient's formula disagrees
        with `diff` of the loss at the point, or a value is not an integer.
    """
    f, g, loss = CONFIG
    sym = sample.symbols(**SIZES)
    point = {s: sp.Integer(v) for key, rows in VALUES.items()
             for s, v in zip(sym[key], sp.Matrix(rows), strict=True)}
    jac = sample.jacobians(f, g, loss, sym)
    grads = sample.numerator_gradients(f, g, loss, sym, jac)
    for claim in grads.values():
        assert claim.holds(at=point), f"{claim.name} disagrees with diff at the example"

    def at(m):
        return m.xreplace(point)

    out = {key: sp.ImmutableMatrix(rows) for key, rows in VALUES.items()}
    out.update({key: sp.ImmutableMatrix(at(v)) for key, v in sample.forward(f, g, sym).items()})
    out["l"] = at(sample.objective(f, g, loss, sym))
    out["dl_dyhat"] = sp.ImmutableMatrix(at(jac["dldy_hat"].closed_form))
    out["dyhat_dz3"] = sp.ImmutableMatrix(at(jac["dy_hatdz3"].closed_form))
    out["dz2_dz1"] = sp.ImmutableMatrix(at(jac["dz2dz1"].closed_form))
    out["dl_dz3"] = out["dl_dyhat"] * out["dyhat_dz3"]
    out["dl_dz2"] = out["dl_dz3"] * out["W2"]
    out["dl_dz1"] = out["dl_dz2"] * out["dz2_dz1"]
    out.update({key: sp.ImmutableMatrix(at(c.closed_form)) for key, c in grads.items()})
    for key, value in out.items():
        entries = [value] if key == "l" else list(value)
        assert all(v.is_integer for v in entries), f"{key} is not in integers: {value}"
    return out


def hidden_unit_off(values: dict) -> list[int]:
    """The hidden units (1-based) whose pre-activation is below 0, where ReLU passes nothing."""
    return [i + 1 for i, v in enumerate(values["z1"]) if v < 0]


def row_text(m: sp.MatrixBase) -> str:
    """A matrix as one line of plain text, NumPy-like: ``[1 -1; 2 0]``; a column ``[1; 2]``.

    Minus signs are U+2212, as typeset minus signs are."""
    rows = [" ".join(str(v).replace("-", "\N{MINUS SIGN}") for v in m.row(i))
            for i in range(m.rows)]
    return "[" + "; ".join(rows) + "]"
