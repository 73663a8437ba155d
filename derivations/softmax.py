r"""Softmax and cross-entropy: the first Jacobian that is not diagonal, derived and proven.

For one row, as a column $u \in \mathbb{R}^K$ (the generic argument),
$a = \operatorname{softmax}(u)$, $a_k = e^{u_k}/\sum_j e^{u_j}$.

- `jacobian_identity`: `Matrix.jacobian` of $a$ by $u$ equals $\diag(a) - a a\T$,
  entry $(i, j)$ equal to $a_i (\delta_{ij} - a_j)$, with Kronecker's $\delta_{ij}$;
- `vjp_identity`: as the output activation of a batch, $\hat Y = \operatorname{softmax}(Z_3)$
  row by row, each row of $\nabla_{\hat Y} J$ times that matrix gives
  $\Delta_3 = \hat Y \had (\nabla_{\hat Y} J - (\nabla_{\hat Y} J \had \hat Y)\ones_K\ones_K\T)$,
  the product `mlp.softmax` computes;
- `fused_identity`: cross-entropy $J = -\frac1N \sum_{p,k} Y_{pk} \log \hat Y_{pk}$ with rows
  of $Y$ that sum to 1 gives $\Delta_3 = \partial J/\partial Z_3 = (\hat Y - Y)/N$.

`SOFTMAX` is the registry entry (`derivations.activations.ACTIVATIONS["softmax"]`): its output
interval is (0, 1), and `configurations` finds that its rows sum to 1, as cross-entropy needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .activations import register
from .identity import Identity, evaluate
from .latex import display, equation, matrix, tex

N, K = sp.symbols("N K", positive=True, integer=True)
"""The batch size and the number of classes, for the shapes shown."""


@dataclass(frozen=True)
class Softmax:
    r"""Softmax along each row: the registry entry, with `jacobian` in place of `prime`."""

    name: str = "softmax"
    tex: str = r"\operatorname{softmax}"
    interval: sp.Set = sp.Interval.open(0, 1)
    elementwise = False

    def outputs(self) -> sp.Set:
        """The set the outputs lie in, as `SymbolicActivation.outputs`."""
        return self.interval

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
        r"""$\diag(a) - a a\T$ at $a$ = softmax(`v`), the closed form, (K, K)."""
        z = sp.Matrix(self.row(v)).reshape(len(v), 1)
        return sp.ImmutableMatrix(sp.diag(*z) - z * z.T)


SOFTMAX = Softmax()
register(SOFTMAX)


def jacobian_identity(n_out: int = 3) -> Identity:
    r"""`Matrix.jacobian` of softmax at a column of `n_out` symbols against
    $\diag(a) - a a\T$; `formula` has no size in it."""
    u = matrix("u", n_out, 1, vector=True)
    a = display("a", n_out, 1)
    diag_a = display(r"\diag(a)", n_out, n_out)
    derived = sp.ImmutableMatrix(SOFTMAX.row(u)).jacobian(u)
    formula = sp.MatAdd(diag_a, -a * a.T, evaluate=False)
    return Identity("softmax jacobian", r"\frac{\partial a}{\partial u}", formula,
                    SOFTMAX.jacobian(u), sp.ImmutableMatrix(derived))


def entry_identity() -> Identity:
    r"""Entry $(i, j)$ of the Jacobian: $\partial a_i/\partial u_j = a_i(\delta_{ij} - a_j)$, for
    $i = j$ and $i \ne j$ (rows 1 and 2 of a column of three)."""
    u = matrix("u", 3, 1, vector=True)
    a = SOFTMAX.row(u)
    i, j = sp.symbols("i j", integer=True, positive=True)
    ai, aj = sp.Symbol("a_{i}", positive=True), sp.Symbol("a_{j}", positive=True)
    derived = sp.ImmutableMatrix([[sp.diff(a[0], u[0]), sp.diff(a[0], u[1])]])
    closed = sp.ImmutableMatrix([[a[0] * (1 - a[0]), -a[0] * a[1]]])
    formula = sp.Mul(ai, sp.Add(sp.KroneckerDelta(i, j), -aj, evaluate=False), evaluate=False)
    return Identity("softmax entry", r"\frac{\partial a_{i}}{\partial u_{j}}", formula, closed,
                    derived)


def vjp_identity(batch: int = 2, n_out: int = 3) -> Identity:
    r"""For a batch, $\hat Y = \operatorname{softmax}(Z_3)$ by rows: each row $p$ of
    $\nabla_{\hat Y} J$ times the Jacobian at row $p$ of $Z_3$, against
    $\hat Y \had (\nabla_{\hat Y} J - (\nabla_{\hat Y} J \had \hat Y)\ones_K\ones_K\T)$: the
    product backprop computes, no Jacobian formed."""
    up, z3 = matrix(r"\nabla_{\hat{Y}} J", batch, n_out), matrix("Z_{3}", batch, n_out)
    y_hat = SOFTMAX(z3)
    derived = sp.ImmutableMatrix.vstack(*(up[p, :] * SOFTMAX.jacobian(z3[p, :])
                                          for p in range(batch)))
    G, Y_hat, one = (display(r"\nabla_{\hat{Y}} J", batch, n_out),
                     display(r"\hat{Y}", batch, n_out), display(r"\ones_{K}", n_out, 1))
    formula = sp.HadamardProduct(
        Y_hat, sp.MatAdd(G, -sp.HadamardProduct(G, Y_hat) * one * one.T, evaluate=False))
    closed = evaluate(formula, {G: up, Y_hat: y_hat, one: sp.ones(n_out, 1)})
    return Identity("softmax vjp", r"\Delta_{3} = \nabla_{Z_{3}} J", formula, closed, derived)


def fused_identity(batch: int = 2, n_out: int = 3) -> Identity:
    r"""$\partial J/\partial Z_3 = (\hat Y - Y)/N$ for cross-entropy after $\hat Y$ =
    softmax($Z_3$), rows of $Y$ summing to 1: `diff` of $J$ by each entry of $Z_3$, with
    $Y_{pK} = 1 - \sum_{k<K} Y_{pk}$ put in."""
    from .losses import LOSSES  # here: losses imports activations, which imports this module

    z3, y = matrix("Z_{3}", batch, n_out), matrix("Y", batch, n_out)
    last = {y[p, n_out - 1]: 1 - sum(y[p, :n_out - 1]) for p in range(batch)}
    y_hat_values = SOFTMAX(z3)
    J = LOSSES["cross_entropy"].J(y_hat_values, y).xreplace(last)
    derived = sp.ImmutableMatrix(batch, n_out, [sp.diff(J, v) for v in z3])
    closed = ((y_hat_values - y) / batch).xreplace(last)
    y_hat, Y = display(r"\hat{Y}", batch, n_out), display("Y", batch, n_out)
    formula = sp.MatMul(1 / N, sp.MatAdd(y_hat, -Y, evaluate=False), evaluate=False)
    return Identity("softmax+cross_entropy", r"\frac{\partial J}{\partial Z_{3}}", formula,
                    sp.ImmutableMatrix(closed), derived)


def latex(claim: Identity, shape: tuple | None = None) -> str:
    r"""``lhs = formula``, the formula's terms in the order written, with `shape` (symbols, e.g.
    $(N \times K)$) in place of the size the identity was proven at."""
    return equation(claim.lhs, tex(claim.formula, order="none"), shape)
