r"""LaTeX in the site's notation: the printer every code-printed formula goes through.

`tex(expr)` is `sympy.latex` with `SitePrinter`, which writes the macros of
`derivations.notation.KATEX_MACROS` instead of SymPy's own symbols: a transpose is ``W\T``, not
``W^{T}``, and a Hadamard product ``a \had b``, not ``a \circ b``. The hand-written formulas of
the site use the same macros, so a symbol looks the same whoever wrote it.

Symbols carry their LaTeX in their name (``W^{(1)}_{12}``), so no `symbol_names` table can
drift from the code. Entry indices start at 1.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from .notation import KATEX_MACROS

TRANSPOSE, HADAMARD = r"\T", r"\had"
assert {TRANSPOSE, HADAMARD} <= KATEX_MACROS.keys()


class SitePrinter(LatexPrinter):
    r"""`sympy`'s LaTeX printer with the site's macros for transpose and Hadamard product.

    - ``Transpose(W)`` prints ``W\T``; a name with a superscript is braced, ``{W^{(1)}}\T``, and
      a product or a fraction is put in parentheses, ``\left(\Delta_{3} W^{(2)}\right)\T``;
    - ``HadamardProduct(a, b)`` prints ``a \had b``;
    - an `Indexed` entry of a base that has a subscript takes its indices inside it:
      ``\Delta_{1}[p, j]`` prints ``\Delta_{1,pj}``, never a double subscript;
    - an undefined function named with a prime, ``f'``, prints as ``f'\left(u\right)``; one
      named ``(\cdot)^{+}`` (ReLU, as the homework writes it) as ``\left(u\right)^{+}``;
    - ``M.applyfunc(F)`` (entry by entry) prints as ``F\left(M\right)``;
    - an indicator ``Piecewise((1, c), (0, True))`` prints as ``\mathbb{1}\left[c\right]``.
    """

    def _print_Transpose(self, expr):
        arg = expr.arg
        inner = self._print(arg)
        if not isinstance(arg, sp.MatrixSymbol) or r"\frac" in inner:
            return rf"\left({inner}\right){TRANSPOSE}"
        return f"{{{inner}}}{TRANSPOSE}" if "^" in inner else f"{inner}{TRANSPOSE}"

    def _print_HadamardProduct(self, expr):
        # A product inside a Hadamard product keeps its parentheses: (\Delta_3 W) \had f'(Z_1).
        return f" {HADAMARD} ".join(self.parenthesize(arg, PRECEDENCE["Pow"], strict=True)
                                      for arg in expr.args)

    def _print_Function(self, expr, exp=None):
        name = expr.func.__name__
        args = ", ".join(self._print(a) for a in expr.args)
        if r"(\cdot)" in name:  # ReLU, written (\cdot)^+ as the homework does: (u)^+
            return _applied(name, args) + (f"^{{{exp}}}" if exp else "")
        if not name.endswith("'"):  # f', g', \phi': derivatives of undefined functions
            return super()._print_Function(expr, exp)
        return rf"{name}\left({args}\right)" + (f"^{{{exp}}}" if exp else "")

    def _print_Piecewise(self, expr):
        # An indicator, Piecewise((1, c), (0, True)), prints as \mathbb{1}[c]: ReLU's derivative.
        if len(expr.args) == 2 and expr.args[0].expr == 1 and expr.args[1] == (0, True):
            return rf"\mathbb{{1}}\left[{self._print(expr.args[0].cond)}\right]"
        return super()._print_Piecewise(expr)

    def _print_ElementwiseApplyFunction(self, expr):
        # M.applyfunc(F) for an undefined F: F(M), as the site writes f(Z_1), not F_o(M).
        name = expr.function.expr.func.__name__
        if r"(\cdot)" in name:
            return _applied(name, self._print(expr.expr))
        return rf"{self._print(expr.function.expr.func)}\left({self._print(expr.expr)}\right)"

    def _print_Indexed(self, expr):
        base = self._print(expr.base.label)
        parts = [self._print(i) for i in expr.indices]
        index = "".join(parts) if all(len(p) == 1 for p in parts) else ",".join(parts)
        if r"\frac" in base or r"\nabla" in base:
            return rf"\left({base}\right)_{{{index}}}"
        if base.endswith("}") and "_{" in base:
            return f"{base[:-1]},{index}}}"
        return f"{base}_{{{index}}}"


def _applied(name: str, arg: str) -> str:
    r"""A function named with ``(\cdot)`` applied to `arg`: ``(\cdot)^{+}`` ->
    ``\left(arg\right)^{+}``, its derivative ``(\cdot)^{+}'`` ->
    ``\left((\cdot)^{+}\right)'\left(arg\right)``."""
    if name.endswith("'"):
        return rf"\left({name[:-1]}\right)'\left({arg}\right)"
    return name.replace(r"(\cdot)", rf"\left({arg}\right)")


def tex(expr, **settings) -> str:
    r"""`expr` in LaTeX, printed by `SitePrinter` (settings as for `sympy.latex`)."""
    return SitePrinter(settings).doprint(expr)


def _index(*idx: int, wide: bool) -> str:
    return ",".join(map(str, idx)) if wide else "".join(map(str, idx))


def matrix(base: str, rows: int, cols: int, *, vector: bool = False) -> sp.ImmutableMatrix:
    r"""A rows x cols matrix of real symbols named ``base_{ij}`` (1-based).

    Args:
        base: LaTeX of the matrix name, e.g. ``"X"``, ``"W^{(1)}"``, ``r"\Delta"``.
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
        # A base that has a subscript already, Z_{3}, takes the index inside it: Z_{3,11}.
        return sp.Symbol(f"{base[:-1]},{index}}}" if nested else f"{base}_{{{index}}}",
                         real=True)

    if vector:
        return sp.ImmutableMatrix(rows, 1, [name(i + 1) for i in range(rows)])
    return sp.ImmutableMatrix(rows, cols, [name(i + 1, j + 1) for i in range(rows)
                                           for j in range(cols)])


def display(name: str, rows, cols) -> sp.MatrixSymbol:
    r"""A `MatrixSymbol` that `tex` prints as `name`; sizes may be integers or SymPy symbols.

    A name like ``Z_1`` is wrapped in braces, ``{Z_1}``: SymPy prints a name that has a brace as
    it is, instead of splitting it into sub- and superscripts itself.
    """
    split = "{" not in name and ("_" in name or "^" in name)
    return sp.MatrixSymbol(f"{{{name}}}" if split else name, rows, cols)


def display_symbols(n_in, n_hidden, n_out, batch=None) -> dict[str, sp.MatrixSymbol]:
    r"""The display symbols of the homework's formulas, keyed as the values they stand for.

    With no `batch`, one sample's, column vectors in lowercase ($x$, $z_1$, $W^{(1)}$,
    $\partial \ell / \partial \hat y$, ...); with `batch` $= N$, a batch's, samples as rows in
    uppercase ($X$, $Z_2$, $\ones_N$, $\nabla_{\hat Y} J$, $\Delta_3$, ...). Sizes may be
    integers or SymPy symbols (`derivations.all_sizes` uses symbolic ones).
    """
    n, m, K = n_in, n_hidden, n_out
    if batch is None:
        return dict(
            x=display("x", n, 1), W1=display("W^{(1)}", m, n), b1=display("b^{(1)}", m, 1),
            W2=display("W^{(2)}", K, m), b2=display("b^{(2)}", K, 1), y=display("y", K, 1),
            z1=display("z_{1}", m, 1), z2=display("z_{2}", m, 1), z3=display("z_{3}", K, 1),
            dldy_hat=display(r"\frac{\partial \ell}{\partial \hat{y}}", 1, K),
            dy_hatdz3=display(r"\frac{\partial \hat{y}}{\partial z_{3}}", K, K),
            dz2dz1=display(r"\frac{\partial z_{2}}{\partial z_{1}}", m, m))
    N = batch
    return dict(x=display("X", N, n), z2=display("Z_{2}", N, m), W2=display("W^{(2)}", K, m),
                one=display(r"\ones_{N}", N, 1),
                dJdy_hat=display(r"\nabla_{\hat{Y}} J", N, K),
                g_prime=display("g'(Z_{3})", N, K), f_prime=display("f'(Z_{1})", N, m),
                dJdz3=display(r"\Delta_{3}", N, K), dJdz1=display(r"\Delta_{1}", N, m))


def shape_tex(shape: tuple | None) -> str:
    r"""``(r \times c)`` for a matrix, ``(r,)`` for a vector stored with one index, as torch
    stores a bias and its gradient; ``""`` for a scalar."""
    if shape is None:
        return ""
    if len(shape) == 1:
        return rf"({tex(shape[0])},)"
    return rf"({tex(shape[0])} \times {tex(shape[1])})"


def equation(lhs: str, rhs: str, shape: tuple | None = None) -> str:
    r"""``lhs = rhs``, with ``\quad (r \times c)`` appended when a shape is given."""
    tail = "" if shape is None else rf" \quad {shape_tex(shape)}"
    return f"{lhs} = {rhs}{tail}"
