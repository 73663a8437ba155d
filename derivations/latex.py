r"""LaTeX helpers: symbols named in the site's notation, and equations with their shapes.

Symbols carry their LaTeX in their name (``W^{(1)}_{12}``), so plain `sympy.latex` prints the
site's notation and no `symbol_names` table can drift from the code. Entry indices start at 1.
"""

from __future__ import annotations

import sympy as sp


def _index(*idx: int, wide: bool) -> str:
    return ",".join(map(str, idx)) if wide else "".join(map(str, idx))


def matrix(base: str, rows: int, cols: int, *, vector: bool = False) -> sp.ImmutableMatrix:
    r"""A rows x cols matrix of real symbols named ``base_{ij}`` (1-based).

    Args:
        base: LaTeX of the matrix name, e.g. ``"x"``, ``"W^{(1)}"``, ``r"\delta"``.
        rows: the number of rows.
        cols: the number of columns.
        vector: index entries by their row only (``b^{(1)}_{2}``), for a column vector.

    Returns:
        `ImmutableMatrix` (rows, cols); a comma separates indices once a size reaches 10.
    """
    wide = max(rows, cols) >= 10
    if vector and cols != 1:
        raise ValueError(f"a vector has one column, got {cols}")
    nested = base.endswith("}") and "_{" in base

    def name(*idx: int) -> sp.Symbol:
        index = _index(*idx, wide=wide)
        # A base that has a subscript already, s_{2}, takes the index inside it: s_{2,11}.
        return sp.Symbol(f"{base[:-1]},{index}}}" if nested else f"{base}_{{{index}}}",
                         real=True)

    if vector:
        return sp.ImmutableMatrix(rows, 1, [name(i + 1) for i in range(rows)])
    return sp.ImmutableMatrix(rows, cols, [name(i + 1, j + 1) for i in range(rows)
                                           for j in range(cols)])


def display(tex: str, rows: int, cols: int) -> sp.MatrixSymbol:
    r"""A `MatrixSymbol` that `sympy.latex` prints as `tex`.

    A name like ``s_1`` is wrapped in braces, ``{s_1}``: SymPy prints a name that has a brace as
    it is, instead of splitting it into sub- and superscripts itself.
    """
    split = "{" not in tex and ("_" in tex or "^" in tex)
    return sp.MatrixSymbol(f"{{{tex}}}" if split else tex, rows, cols)


def shape_tex(shape: tuple[int, int] | None) -> str:
    r"""``(r \times c)`` for a matrix, ``""`` for a scalar."""
    return "" if shape is None else rf"({shape[0]} \times {shape[1]})"


def equation(lhs: str, rhs: str, shape: tuple[int, int] | None = None) -> str:
    r"""``lhs = rhs``, with ``\quad (r \times c)`` appended when a shape is given."""
    tail = "" if shape is None else rf" \quad {shape_tex(shape)}"
    return f"{lhs} = {rhs}{tail}"

