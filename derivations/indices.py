r"""The network in index notation, with symbolic sizes $N, n, m, K$ (`derivations.all_sizes`).

With SymPy's `IndexedBase` and `Sum`, entry by entry and 1-based, sample $p$ in row $p$:

$$Z_{1,pj} = \sum_{i=1}^{n} X_{pi} W^{(1)}_{ji} + b^{(1)}_{j},\quad
Z_{3,pk} = \sum_{j=1}^{m} f(Z_{1,pj}) W^{(2)}_{kj} + b^{(2)}_{k},\quad
J = \frac{1}{NK}\sum_{p=1}^{N}\sum_{k=1}^{K} \phi\big(g(Z_{3,pk}), Y_{pk}\big),$$

with $f$, $g$ and the per-entry loss $\phi$ undefined functions. `entry` writes the entry of a
matrix formula as SymPy expands it; `canonical` brings an expression with sums, derivatives and
Kronecker deltas to one normal form, so that two equal sides print the same.
"""

from __future__ import annotations

import sympy as sp
from sympy.concrete.delta import deltasummation
from sympy.matrices.expressions.matexpr import MatrixElement

N, n, m, K = sp.symbols("N n m K", integer=True, positive=True)
INDEX = {N: sp.Symbol("p", integer=True), n: sp.Symbol("i", integer=True),
         m: sp.Symbol("j", integer=True), K: sp.Symbol("k", integer=True)}
"""The index that runs over each size: the sample $p$, the input $i$, the hidden unit $j$, the
output $k$. An entry of a matrix is named by the indices of its two sizes."""
PRIMED = {d: sp.Symbol(f"{i.name}'", integer=True) for d, i in INDEX.items()}
"""A second index over each size, for the sums of the chain rule: $p'$, $k'$, ..."""
# The offsets of an entry and the rest of its size, `all_sizes`' trick: entry 1 + u of a size
# 1 + u + r (any entry of any size); never printed.
u, v, r, w = sp.symbols("o_1 o_2 e_1 e_2", integer=True, nonnegative=True)
f, g, phi = sp.Function("f"), sp.Function("g"), sp.Function(r"\phi")
PRIME = {f: sp.Function("f'"), g: sp.Function("g'"), phi: sp.Function(r"\phi'")}
X, Y = sp.IndexedBase("X"), sp.IndexedBase("Y")
W1, b1, W2, b2 = (sp.IndexedBase(t) for t in ("W^{(1)}", "b^{(1)}", "W^{(2)}", "b^{(2)}"))
Z1_free, Z2_free, Z3_free = (sp.IndexedBase(f"Z_{{{i}}}") for i in (1, 2, 3))
r"""$Z_1$, $Z_2$, $Z_3$ as bases of their own, for $\partial J/\partial Z$ and the chain rule."""


def model(size: dict, free: str | None = None) -> dict:
    r"""The network in index notation at sizes `size` (keys N, n, m, K), as functions of
    1-based indices: ``z1(p, j)``, ``z2(p, j)``, ``z3(p, k)``, ``y_hat(p, k)`` and the scalar
    ``J``. With ``free="z3"`` (``"z2"``, ``"z1"``), $Z_3$ ($Z_2$, $Z_1$) is an `IndexedBase` of
    its own, as the deltas and the chain rule's local derivatives need."""
    p_, i, j, k = (INDEX[d] for d in (N, n, m, K))

    def z1(a, c):
        if free == "z1":
            return Z1_free[a, c]
        return sp.Sum(X[a, i] * W1[c, i], (i, 1, size[n])) + b1[c]

    def z2(a, c):
        return Z2_free[a, c] if free == "z2" else f(z1(a, c))

    def z3(a, c):
        if free == "z3":
            return Z3_free[a, c]
        return sp.Sum(z2(a, j) * W2[c, j], (j, 1, size[m])) + b2[c]

    def y_hat(a, c):
        return g(z3(a, c))

    J = sp.Sum(phi(y_hat(p_, k), Y[p_, k]), (k, 1, size[K]), (p_, 1, size[N]))
    return dict(z1=z1, z2=z2, z3=z3, y_hat=y_hat, J=J / (size[N] * size[K]))


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
