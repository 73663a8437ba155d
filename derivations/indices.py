r"""The network in index notation, with symbolic sizes $N, n, m, K$ (`derivations.all_sizes`).

With SymPy's `IndexedBase` and `Sum`, entry by entry and 1-based:

$$s_{1,aj} = \sum_{i=1}^{n} x_{ai} W^{(1)}_{ji} + b^{(1)}_{j},\quad
s_{2,ak} = \sum_{j=1}^{m} f(s_{1,aj}) W^{(2)}_{kj} + b^{(2)}_{k},\quad
J = \frac{1}{NK}\sum_{a=1}^{N}\sum_{k=1}^{K} \phi\big(g(s_{2,ak}), y_{ak}\big),$$

with $f$, $g$ and the per-entry loss $\phi$ undefined functions. `entry` writes the entry of a
matrix formula as SymPy expands it; `canonical` brings an expression with sums, derivatives and
Kronecker deltas to one normal form, so that two equal sides print the same.
"""

from __future__ import annotations

import sympy as sp
from sympy.concrete.delta import deltasummation
from sympy.matrices.expressions.matexpr import MatrixElement

N, n, m, K = sp.symbols("N n m K", integer=True, positive=True)
INDEX = {N: sp.Symbol("a", integer=True), n: sp.Symbol("i", integer=True),
         m: sp.Symbol("j", integer=True), K: sp.Symbol("k", integer=True)}
"""The summation index that runs over each size."""
p, q = sp.symbols("p q", integer=True, positive=True)
u, v, r, w = sp.symbols("u v r w", integer=True, nonnegative=True)
f, g, phi = sp.Function("f"), sp.Function("g"), sp.Function(r"\phi")
PRIME = {f: sp.Function("f'"), g: sp.Function("g'"), phi: sp.Function(r"\phi'")}
x, y = sp.IndexedBase("x"), sp.IndexedBase("y")
W1, b1, W2, b2 = (sp.IndexedBase(t) for t in ("W^{(1)}", "b^{(1)}", "W^{(2)}", "b^{(2)}"))
s1_free, s2_free = sp.IndexedBase("s_{1}"), sp.IndexedBase("s_{2}")
r"""$s_1$, $s_2$ as bases of their own, for $\partial J/\partial s$."""


def model(size: dict, free: str | None = None) -> dict:
    r"""The network in index notation at sizes `size` (keys N, n, m, K), as functions of
    1-based indices: ``s1(a, j)``, ``s2(a, k)`` and the scalar ``J``. With ``free="s2"``
    (``"s1"``), $s_2$ ($s_1$) is an `IndexedBase` of its own, as the deltas need."""
    a, i, j, k = (INDEX[d] for d in (N, n, m, K))

    def s1(a_, j_):
        if free == "s1":
            return s1_free[a_, j_]
        return sp.Sum(x[a_, i] * W1[j_, i], (i, 1, size[n])) + b1[j_]

    def s2(a_, k_):
        if free == "s2":
            return s2_free[a_, k_]
        return sp.Sum(f(s1(a_, j)) * W2[k_, j], (j, 1, size[m])) + b2[k_]

    J = sp.Sum(phi(g(s2(a, k)), y[a, k]), (k, 1, size[K]), (a, 1, size[N]))
    return dict(s1=s1, s2=s2, J=J / (size[N] * size[K]))


def entry(formula: sp.MatrixExpr, size: dict, bind: dict, row, col) -> sp.Expr:
    r"""Entry (row, col), 1-based, of a matrix formula of `MatrixSymbol`s, as SymPy writes it.

    SymPy's `formula[row - 1, col - 1]` is 0-based; its sums become sums over the index of
    their size (`INDEX`) from 1, and each `MatrixSymbol` entry becomes `bind[symbol](r, c)`.
    """
    e = formula[row - 1, col - 1]
    names = {size[d] - 1: INDEX[d] for d in INDEX}

    def one_based(s: sp.Sum) -> sp.Expr:
        (dummy, lo, hi), = s.limits
        assert lo == 0 and hi in names, s
        return sp.Sum(s.function.xreplace({dummy: names[hi] - 1}), (names[hi], 1, hi + 1))

    e = e.replace(lambda t: isinstance(t, sp.Sum), one_based)
    return e.replace(lambda t: isinstance(t, MatrixElement),
                     lambda t: bind[t.parent](t.i + 1, t.j + 1))


def canonical(e: sp.Expr) -> sp.Expr:
    r"""`e` in one normal form: derivatives of $f, g, \phi$ as the functions $f', g', \phi'$,
    every factor that does not depend on a sum's index outside that sum, Kronecker deltas
    summed out (`deltasummation`), everything expanded."""
    def prime(d):
        if isinstance(d, sp.Subs):  # f'(expr) arrives as Subs(Derivative(f(xi), xi), xi, expr)
            return d.expr.xreplace(dict(zip(d.variables, d.point, strict=True)))
        (var, count), = d.variable_count
        assert count == 1 and d.expr.func in PRIME and d.expr.args[0] == var, d
        return PRIME[d.expr.func](*d.expr.args)

    def pull(s: sp.Sum) -> sp.Expr:
        body = s.function
        for limit in s.limits:
            body = _pull_one(body, limit)
        return body

    e = e.replace(lambda t: isinstance(t, sp.Derivative), prime)
    e = e.replace(lambda t: isinstance(t, sp.Subs), prime)
    before = None
    while before != e:
        before, e = e, sp.expand(e.replace(lambda t: isinstance(t, sp.Sum), pull))
    return e


def _pull_one(body: sp.Expr, limit: tuple) -> sp.Expr:
    if body.is_Add:
        return sp.Add(*[_pull_one(term, limit) for term in body.args])
    inside = [t for t in sp.Mul.make_args(body) if limit[0] in t.free_symbols]
    outside = [t for t in sp.Mul.make_args(body) if limit[0] not in t.free_symbols]
    inner = sp.Mul(*inside)
    if inner.has(sp.KroneckerDelta):
        return sp.Mul(*outside) * deltasummation(inner, limit)
    return sp.Mul(*outside) * sp.Sum(inner, limit)
