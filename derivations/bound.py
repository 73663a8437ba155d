r"""The best case for a gradient through $L$ layers: $M = \sup_u |f'(u)|$, searched, then checked.

Backprop multiplies by $f'(u_l)$ once per layer, at that layer's pre-activation $u_l$, so the
activations alone contribute $\prod_{l=1}^{L} |f'(u_l)| \le M^L$ (the weights' factors come on
top): with $M < 1$ that factor vanishes geometrically, with $M > 1$ it can grow. `sup_abs`
finds $M$ as:

1. the largest $|f'|$ on the grid $u = -10, -9.99, \dots, 10$ in float64;
2. refined by golden-section search between the grid point's neighbours;
3. against SymPy's `limit` of $f'$ as $u \to \pm\infty$, and at the edge of any interval where
   $f'$ has no real value ($\log u$ at 0), either of which can make $M$ larger or infinite;
4. given as an exact value when $|f'|$ at a nearby rational point (0, 1/2, ...) agrees with the
   numeric maximum to $10^{-12}$ in floating point: $\sigma'(0) = 1/4$. That agreement is a
   float comparison, not a proof that the supremum is that value.

It is a numeric search: a spike narrower than the grid step between -10 and 10 can be missed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import sympy as sp

GRID = [k / 100 for k in range(-1000, 1001)]
"""s from -10 to 10 in steps of 1/100."""
RTOL = 1e-12
# Float functions for lambdify: the derivative of Heaviside, which `math` lacks, is 0 but at 0.
FLOAT_MODULES = [{"DiracDelta": lambda x, k=0: 0.0 if x != 0 else math.inf}, "math"]


@dataclass(frozen=True)
class Bound:
    r"""$M = \sup_u |f'(u)|$ and where it is reached.

    Attributes:
        value: $M$ as a float; None when $|f'|$ is unbounded.
        tex: $M$ in LaTeX: exact (``\frac{1}{4}``) when `exact`, else 10 significant digits.
        exact: whether `tex` is an exact SymPy value.
        kind: ``"attained"`` (at a point), ``"limit"`` (approached) or ``"unbounded"``.
        where: LaTeX of where: ``s = 0``, ``s \approx 1.1915``, ``s \to \infty``.
    """

    value: float | None
    tex: str
    exact: bool
    kind: str
    where: str

    def as_dict(self) -> dict:
        return asdict(self)


def value_at(fn, x: float) -> float | None:
    """`fn(x)` as a finite float, or None (no real value, overflow, division by zero)."""
    try:
        v = fn(x)
    except (ArithmeticError, ValueError, TypeError):
        return None
    return float(v) if isinstance(v, (int, float)) and math.isfinite(v) else None


def _golden_max(g, lo: float, hi: float) -> float:
    """Argmax of a unimodal `g` on [lo, hi] to float precision."""
    r = (math.sqrt(5) - 1) / 2
    for _ in range(80):
        a, b = hi - r * (hi - lo), lo + r * (hi - lo)
        lo, hi = (a, hi) if g(a) < g(b) else (lo, b)
    return (lo + hi) / 2


def _limit(df: sp.Expr, s: sp.Symbol, at, direction: str = "+-") -> sp.Expr | None:
    r"""SymPy's limit of $f'$, or None where it fails or is not a real number or $\pm\infty$."""
    try:
        lim = sp.limit(df, s, at, dir=direction) if direction != "+-" else sp.limit(df, s, at)
    except Exception:  # noqa: BLE001 -- limit raises many types; an unknown limit is skipped
        return None
    ok = lim.is_extended_real and (lim.is_number or lim in (sp.oo, -sp.oo))
    return lim if ok else None


def _gap_edges(fn, absv: list) -> list[tuple[float, str]]:
    """Each boundary between a finite grid value and a gap, bisected: (point, side to approach)."""
    edges = []
    for i in range(len(GRID) - 1):
        if (absv[i] is None) != (absv[i + 1] is None):
            inside, outside = (GRID[i], GRID[i + 1]) if absv[i] is not None else (GRID[i + 1],
                                                                                 GRID[i])
            for _ in range(60):
                mid = (inside + outside) / 2
                inside, outside = (mid, outside) if value_at(fn, mid) is not None else (inside,
                                                                                     mid)
            edges.append((inside, "+" if inside > outside else "-"))
    return edges


def _exact(df: sp.Expr, s: sp.Symbol, x: float, m: float) -> tuple[sp.Expr, sp.Rational] | None:
    """$|f'(r)|$ at a rational r near x, if it equals m to `RTOL`."""
    for digits in range(4):
        r = sp.Rational(round(x * 10**digits), 10**digits)
        v = sp.Abs(df.subs(s, r))
        try:
            fv = float(v)
        except TypeError:
            continue
        if abs(fv - m) <= RTOL * max(1.0, m):
            return v, r
    return None


def sup_abs(df: sp.Expr, s: sp.Symbol) -> Bound:
    r"""$M = \sup_s |f'(s)|$ by the search above; `df` is $f'$ in the real symbol `s` (the
    site writes it $u$; the where-strings name it as the caller does)."""
    fn = sp.lambdify(s, df, modules=FLOAT_MODULES)
    absv = [None if (v := value_at(fn, x)) is None else abs(v) for x in GRID]
    if all(v is None for v in absv):
        return Bound(None, r"?", False, "unbounded", r"f' \text{ has no real value on } [-10, 10]")
    i = max((k for k in range(len(GRID)) if absv[k] is not None), key=lambda k: absv[k])
    lo, hi = GRID[max(i - 1, 0)], GRID[min(i + 1, len(GRID) - 1)]
    if absv[max(i - 1, 0)] is not None and absv[min(i + 1, len(GRID) - 1)] is not None:
        x = _golden_max(lambda t: -1.0 if (v := value_at(fn, t)) is None else abs(v), lo, hi)
        # On a plateau the search drifts to its edge (ReLU: to 0, where f' = 1/2): keep the grid.
        x = x if abs(value_at(fn, x) or 0.0) > absv[i] else GRID[i]
    else:
        x = GRID[i]
    m = abs(value_at(fn, x))
    name = sp.latex(s)  # the where-strings name the variable as the caller does
    approaches = [(sp.oo, "+-", rf"{name} \to \infty"), (-sp.oo, "+-", rf"{name} \to -\infty")]
    for edge, side in _gap_edges(fn, absv):
        point = sp.Rational(round(edge * 10**6), 10**6)
        approaches.append((point, side, rf"{name} \to {sp.latex(point)}^{{{side}}}"))
    best = None
    for at, side, words in approaches:
        lim = _limit(df, s, at, side)
        if lim is None:
            continue
        if lim in (sp.oo, -sp.oo):
            return Bound(None, r"\infty", False, "unbounded", words)
        if abs(float(lim)) > m * (1 + RTOL) and (best is None or abs(float(lim)) > best[0]):
            best = (abs(float(lim)), sp.Abs(lim), words)
    if best is not None:
        return Bound(best[0], sp.latex(best[1]), True, "limit", best[2])
    ties = sum(1 for v in absv if v is not None and abs(v - m) <= RTOL * max(1.0, m)) - 1
    more = rf" \text{{ and {ties} other grid point{'s' * (ties > 1)}}}" if ties > 0 else ""
    hit = _exact(df, s, x, m)
    if hit is not None:
        return Bound(float(hit[0]), sp.latex(hit[0]), True, "attained",
                     f"{name} = {sp.latex(hit[1])}{more}")
    return Bound(m, f"{m:.10g}", False, "attained", rf"{name} \approx {x:.4f}{more}")
