r"""Softmax and cross-entropy: the first Jacobian that is not diagonal, derived and proven.

For one row, as a column $s \in \mathbb{R}^K$, $z = \operatorname{softmax}(s)$,
$z_k = e^{s_k}/\sum_j e^{s_j}$.

- `jacobian_identity`: `Matrix.jacobian` of $z$ by $s$ equals $\diag(z) - z z\T$,
  entry $(i, j)$ equal to $z_i (\delta_{ij} - z_j)$;
- `vjp_identity`: a row $g$ times that matrix equals $z \had (g - (g \had z)\ones\ones\T)$, the
  product `mlp.softmax` computes, for a batch of rows;
- `fused_identity`: with $\hat y = z$ at the output, cross-entropy
  $J = -\frac1N \sum_{n,k} y_{nk} \log \hat y_{nk}$ and rows of $y$ that sum to 1,
  $\partial J/\partial s_2 = (\hat y - y)/N$.

`SOFTMAX` is the registry entry (`derivations.activations.ACTIVATIONS["softmax"]`): its output
interval is (0, 1), and `configurations` finds that its rows sum to 1, as cross-entropy needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .activations import register
from .identity import Identity, evaluate
from .latex import display, equation, matrix, tex
from .losses import LOSSES

N, K = sp.symbols("N K", positive=True, integer=True)
"""The batch size and the number of classes, for the shapes shown."""


@dataclass(frozen=True)
class Softmax:
    r"""Softmax along each row: the registry entry, with `jacobian` in place of `prime`."""

    name: str = "softmax"
    tex: str = r"\operatorname{softmax}"
    interval: sp.Set = sp.Interval.open(0, 1)
    elementwise = False

    @property
    def probabilities(self) -> bool:
        """Every output lies in (0, 1)."""
        return bool(self.interval.is_subset(sp.Interval(0, 1)))

    def row(self, v: sp.MatrixBase) -> sp.ImmutableMatrix:
        """softmax of one vector (row or column), same shape."""
        e = v.applyfunc(sp.exp)
        return sp.ImmutableMatrix(e / sum(e))

    def __call__(self, M: sp.MatrixBase) -> sp.ImmutableMatrix:
        """softmax of each row of `M`, same shape."""
        return sp.ImmutableMatrix.vstack(*(self.row(M[i, :]) for i in range(M.rows)))

    def jacobian(self, v: sp.MatrixBase) -> sp.ImmutableMatrix:
        r"""$\diag(z) - z z\T$ at $z$ = softmax(`v`), the closed form, (K, K)."""
        z = sp.Matrix(self.row(v)).reshape(len(v), 1)
        return sp.ImmutableMatrix(sp.diag(*z) - z * z.T)


SOFTMAX = Softmax()
register(SOFTMAX)


def jacobian_identity(n_out: int = 3) -> Identity:
    r"""`Matrix.jacobian` of softmax at a row of `n_out` symbols against
    $\diag(z) - z z\T$; `formula` has no size in it."""
    s = matrix("s", n_out, 1, vector=True)
    z = display("z", n_out, 1)
    diag_z = display(r"\diag(z)", n_out, n_out)
    derived = sp.ImmutableMatrix(SOFTMAX.row(s)).jacobian(s)
    formula = sp.MatAdd(diag_z, -z * z.T, evaluate=False)
    return Identity("softmax jacobian", r"\frac{\partial z}{\partial s}", formula,
                    SOFTMAX.jacobian(s), sp.ImmutableMatrix(derived))


def entry_identity() -> Identity:
    r"""Entry $(i, j)$ of the Jacobian: $\partial z_i/\partial s_j = z_i(\delta_{ij} - z_j)$, for
    $i = j$ and $i \ne j$ (rows 1 and 2 of a row of three)."""
    s = matrix("s", 3, 1, vector=True)
    z = SOFTMAX.row(s)
    i, j = sp.symbols("i j", integer=True, positive=True)
    zi, zj = sp.Symbol("z_{i}", positive=True), sp.Symbol("z_{j}", positive=True)
    derived = sp.ImmutableMatrix([[sp.diff(z[0], s[0]), sp.diff(z[0], s[1])]])
    closed = sp.ImmutableMatrix([[z[0] * (1 - z[0]), -z[0] * z[1]]])
    formula = sp.Mul(zi, sp.Add(sp.KroneckerDelta(i, j), -zj, evaluate=False), evaluate=False)
    return Identity("softmax entry", r"\frac{\partial z_{i}}{\partial s_{j}}", formula, closed,
                    derived)


def vjp_identity(batch: int = 2, n_out: int = 3) -> Identity:
    r"""For a batch, each row $g_n (\diag(z_n) - z_n z_n\T)$ against
    $z \had (g - (g \had z)\ones\ones\T)$: the product backprop computes, no Jacobian formed."""
    g, s = matrix("g", batch, n_out), matrix("s", batch, n_out)
    z = SOFTMAX(s)
    derived = sp.ImmutableMatrix.vstack(*(g[n, :] * SOFTMAX.jacobian(s[n, :])
                                          for n in range(batch)))
    G, Z, one = (display("g", batch, n_out), display("z", batch, n_out),
                 display(r"\ones", n_out, 1))
    formula = sp.HadamardProduct(
        Z, sp.MatAdd(G, -sp.HadamardProduct(G, Z) * one * one.T, evaluate=False))
    closed = evaluate(formula, {G: g, Z: z, one: sp.ones(n_out, 1)})
    return Identity("softmax vjp", r"\frac{\partial J}{\partial s}", formula, closed, derived)


def fused_identity(batch: int = 2, n_out: int = 3) -> Identity:
    r"""$\partial J/\partial s_2 = (\hat y - y)/N$ for cross-entropy after $\hat y$ =
    softmax($s_2$), rows of $y$ summing to 1: `diff` of $J$ by each entry of $s_2$, with
    $y_{nK} = 1 - \sum_{k<K} y_{nk}$ put in."""
    s, y = matrix("s", batch, n_out), matrix("y", batch, n_out)
    last = {y[n, n_out - 1]: 1 - sum(y[n, :n_out - 1]) for n in range(batch)}
    z = SOFTMAX(s)
    J = LOSSES["cross_entropy"].J(z, y).xreplace(last)
    derived = sp.ImmutableMatrix(batch, n_out, [sp.diff(J, v) for v in s])
    closed = ((z - y) / batch).xreplace(last)
    y_hat, Y = display(r"\hat{y}", batch, n_out), display("y", batch, n_out)
    formula = sp.MatMul(1 / N, sp.MatAdd(y_hat, -Y, evaluate=False), evaluate=False)
    return Identity("softmax+cross_entropy", r"\frac{\partial J}{\partial s_{2}}", formula,
                    sp.ImmutableMatrix(closed), derived)


def latex(claim: Identity, shape: tuple | None = None) -> str:
    r"""``lhs = formula``, the formula's terms in the order written, with `shape` (symbols, e.g.
    $(N \times K)$) in place of the size the identity was proven at."""
    return equation(claim.lhs, tex(claim.formula, order="none"), shape)
