r"""Backprop's six steps proven for every size, in index notation with symbolic $N, n, m, K$.

`network.identities` checks the six steps at one concrete size. Here the network is the one of
`derivations.indices`, written entry by entry with symbolic sizes and undefined $f$, $g$ and
per-entry loss $\phi$: so the proof covers every size, every differentiable activation and
every loss that is a mean of one term per entry, MSE and BCE among them.

For each step, `prove()`:

1. takes the step's matrix formula from `network.steps` on `MatrixSymbol`s of symbolic shape,
   and lets SymPy write its entry $(p, q)$ as a sum (`indices.entry`);
2. puts in each factor's entry: $\partial J/\partial\hat y \to \phi'(\hat y, y)/(NK)$,
   $g'(s_2) \to g'(s_{2,ak})$, and the earlier steps' entries for $\delta_2$ and $\delta_1$;
3. differentiates $J$ by the entry $(p, q)$ of the parameter (of $s_2$ or $s_1$ for a delta)
   with `diff`, which leaves Kronecker deltas;
4. brings both sides to one normal form (`indices.canonical`, which sums the deltas out with
   SymPy's `deltasummation`) and requires them identical.

A Kronecker sum collapses only where SymPy can tell that $1 \le p \le$ its size. So the index
is written $p = 1 + u$ and the size $p + r$ with $u, r \ge 0$: every condition is then true by
the symbols' assumptions, and an identity in $u, r$ holds for every size and every entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from . import indices as ix
from . import network
from .indices import PRIME, K, N, f, g, m, n, p, q
from .latex import equation, tex

TARGET = {"delta2": ix.s2_free, "dJdW2": ix.W2, "dJdb2": ix.b2, "delta1": ix.s1_free,
          "dJdW1": ix.W1, "dJdb1": ix.b1}
"""What each step differentiates $J$ by."""


def _bind(size: dict, net: dict, steps: Callable[[dict], list]) -> tuple[dict, dict]:
    """The display symbols at `size`, and each one's entry (1-based) in the model `net`; the
    deltas' entries are those of their own steps' formulas, so each step builds on the last."""
    D = network.display_symbols(size[N], size[n], size[m], size[K])
    formulas = {name: formula for name, _, formula in steps(D)}
    s1, s2 = net["s1"], net["s2"]
    scale = size[N] * size[K]
    bind = {
        D["x"]: lambda a, i: ix.x[a, i], D["W2"]: lambda k, j: ix.W2[k, j],
        D["one"]: lambda a, _: 1, D["z1"]: lambda a, j: f(s1(a, j)),
        D["dJdy_hat"]: lambda a, k: PRIME[ix.phi](g(s2(a, k)), ix.y[a, k]) / scale,
        D["g_prime"]: lambda a, k: PRIME[g](s2(a, k)),
        D["f_prime"]: lambda a, j: PRIME[f](s1(a, j)),
        **{D[d]: (lambda a, c, d=d: ix.entry(formulas[d], size, bind, a, c))
           for d in ("delta2", "delta1")},
    }
    return D, bind


def _shown(D: dict) -> dict:
    r"""Each display symbol's entry as the site prints it: ``\delta_{2,ap}``, ``g'(s_{2,ak})``."""
    def indexed(t):
        base = sp.IndexedBase(t.name)
        return (lambda a, c: base[a]) if t.shape[1] == 1 else (lambda a, c: base[a, c])

    shown = {t: indexed(t) for t in D.values()}
    shown.update({D["one"]: lambda a, c: 1,
                  D["g_prime"]: lambda a, c: PRIME[g](ix.s2_free[a, c]),
                  D["f_prime"]: lambda a, c: PRIME[f](ix.s1_free[a, c])})
    return shown


@dataclass(frozen=True)
class Step:
    r"""One step proven for every size: its matrix formula, its entry and both sides.

    Attributes:
        name: as in `network.steps`, e.g. ``"dJdW1"``.
        lhs: LaTeX of the left side.
        formula: the matrix formula, `MatrixSymbol`s of symbolic shape (N, n, m, K).
        entry: its entry $(p, q)$ in the display symbols' entries (``\delta_{1,ap}``).
        claim, derived: the entry and `diff` of $J$, at $p = 1 + u$, $q = 1 + v$, in
            `indices.canonical` form.
    """

    name: str
    lhs: str
    formula: sp.MatrixExpr
    entry: sp.Expr
    claim: sp.Expr
    derived: sp.Expr

    def holds(self) -> bool:
        """Whether the two sides are identical: then the step holds for every size."""
        return sp.expand(self.claim - self.derived) == 0

    def readable(self, e: sp.Expr) -> sp.Expr:
        """`e` (`claim` or `derived`) written in p, q and the sizes again."""
        rows, cols = self.formula.shape
        e = e.xreplace({ix.u: p - 1, ix.v: q - 1, ix.r: rows - p, ix.w: cols - q})
        sizes_only = {N, n, m, K, p, q}
        return e.replace(lambda t: t.is_Add and t.free_symbols <= sizes_only,
                         lambda t: sp.factor(sp.expand(t)))

    def entry_latex(self) -> str:
        r"""``\frac{\partial J}{\partial W^{(2)}_{pq}} = \sum_{a=1}^{N} ...``: the derivative
        and the entry of the formula it is proven equal to."""
        target = TARGET[self.name]
        at = target[p] if self.formula.shape[1] == 1 else target[p, q]
        return rf"\frac{{\partial J}}{{\partial {tex(at)}}} = {tex(self.entry)}"

    def latex(self) -> str:
        r"""The matrix formula with its symbolic shape: ``... = \delta_{1}\T x \quad
        (m \times n)``."""
        return equation(self.lhs, tex(self.formula), self.formula.shape)


def prove(steps: Callable[[dict], list] = network.steps) -> dict[str, Step]:
    """The six steps in backprop's order, each checked for every N, n, m, K and every entry.

    Args:
        steps: `D -> [(name, lhs, formula)]`, as `network.steps`; the tests pass wrong ones.

    Returns:
        dict keyed by step name; `Step.holds()` says whether the step is proven.
    """
    size = {N: N, n: n, m: m, K: K}
    general = steps(network.display_symbols(N, n, m, K))
    shown = _shown(network.display_symbols(N, n, m, K))
    out = {}
    for index, (name, lhs, formula) in enumerate(general):
        rows, cols = formula.shape
        vector = cols == 1
        # Entry (1 + u, 1 + v) of a (1 + u + r) x (1 + v + w) matrix: any entry of any size.
        sized = {d: 1 + ix.u + ix.r if d == rows else 1 + ix.v + ix.w if d == cols else d
                 for d in size}
        net = ix.model(sized, free={"delta2": "s2", "delta1": "s1"}.get(name))
        D, bind = _bind(sized, net, steps)
        at = (1 + ix.u,) if vector else (1 + ix.u, 1 + ix.v)
        claim = ix.entry(steps(D)[index][2], sized, bind, at[0], 1 if vector else at[1])
        derived = sp.diff(net["J"], TARGET[name][at])
        out[name] = Step(name, lhs, formula, ix.entry(formula, size, shown, p, 1 if vector else q),
                         ix.canonical(claim), ix.canonical(derived))
    return out
