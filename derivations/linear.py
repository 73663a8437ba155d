r"""The affine layer $s = x W\T + \ones b\T$ on a batch: Jacobians, backprop's products.

Layout: every matrix is flattened row-major, $\operatorname{vec}(M)$ (`vec`, the order of
`Tensor.reshape(-1)`), and a Jacobian is in numerator layout: row $i$ is output entry $i$,
column $j$ is input entry $j$. With $x$ (N, in), $W$ (out, in), $b$ (out, 1), $s$ (N, out):

- $\partial \operatorname{vec}(s) / \partial \operatorname{vec}(x) = I_N \otimes W$, (N out, N in);
- $\partial \operatorname{vec}(s) / \partial \operatorname{vec}(W) = (x \otimes I_{out})\,P$,
  (N out, out in), where the permutation $P$ (`commutation`) turns the row-major
  $\operatorname{vec}(W)$ into the column-major one: entry $x_{ni}$ where the output's column
  equals the weight's row, 0 elsewhere;
- $\partial \operatorname{vec}(s) / \partial b = \ones_N \otimes I_{out}$, (N out, out).

Backprop never forms them. For a scalar $J$ with $\delta = \nabla_s J$ (N, out), the chain
rule $\operatorname{vec}(\delta)\T\,\partial\operatorname{vec}(s)/\partial\,\cdot$ collapses to
$\nabla_W J = \delta\T x$, $\nabla_b J = \delta\T \ones$ (the column sums of $\delta$) and
$\nabla_x J = \delta W$. `identities` proves all six claims.
"""

from __future__ import annotations

import sympy as sp

from .identity import Identity, evaluate
from .latex import display, matrix


def vec(M: sp.MatrixBase) -> sp.ImmutableMatrix:
    """The entries of `M` read row-major, as one column (the order of `Tensor.reshape(-1)`)."""
    return sp.ImmutableMatrix(M.rows * M.cols, 1, list(M))


def symbols(batch: int = 2, n_in: int = 3, n_out: int = 4) -> dict[str, sp.ImmutableMatrix]:
    r"""x (batch, n_in), W (n_out, n_in), b (n_out, 1) and an upstream $\delta$ (batch, n_out)."""
    return dict(x=matrix("x", batch, n_in), W=matrix("W", n_out, n_in),
                b=matrix("b", n_out, 1, vector=True), delta=matrix(r"\delta", batch, n_out))


def forward(x: sp.MatrixBase, W: sp.MatrixBase, b: sp.MatrixBase) -> sp.ImmutableMatrix:
    r"""$s = x W\T + \ones b\T$: x (N, in), W (out, in), b (out, 1) -> s (N, out)."""
    return sp.ImmutableMatrix(x * W.T + sp.ones(x.rows, 1) * b.T)


def jacobians(sym: dict) -> dict[str, sp.ImmutableMatrix]:
    r"""$\partial\operatorname{vec}(s)/\partial\operatorname{vec}(v)$, v in x, W, b, by `jacobian`.

    Returns:
        dict keyed ``"x"`` (N out, N in), ``"W"`` (N out, out in), ``"b"`` (N out, out).
    """
    s = vec(forward(sym["x"], sym["W"], sym["b"]))
    return {v: sp.ImmutableMatrix(s.jacobian(vec(sym[v]))) for v in ("x", "W", "b")}


def commutation(rows: int, cols: int) -> sp.ImmutableMatrix:
    r"""The permutation $P$ with $P \operatorname{vec}(M) = \operatorname{vec}(M\T)$.

    Args:
        rows: the rows of M.
        cols: the columns of M.

    Returns:
        P, (rows cols, rows cols), entries 0 and 1.
    """
    P = sp.zeros(rows * cols, rows * cols)
    for i in range(rows):
        for j in range(cols):
            P[j * rows + i, i * cols + j] = 1
    return sp.ImmutableMatrix(P)


def _chain(delta: sp.MatrixBase, jac: sp.MatrixBase, like: sp.MatrixBase) -> sp.ImmutableMatrix:
    """vec(delta)^T jac, a row, read back into the shape of `like`."""
    return sp.ImmutableMatrix((vec(delta).T * jac).reshape(like.rows, like.cols))


def identities(sym: dict) -> dict[str, Identity]:
    r"""The Jacobians' structure and backprop's three products, each derived against its formula.

    Args:
        sym: as `symbols` returns.

    Returns:
        dict with keys ``"dsdx"`` ($I_N \otimes W$), ``"dsdW"`` ($(x \otimes I)P$),
        ``"dsdb"`` ($\ones_N \otimes I$),
        ``"dJdW"`` ($\delta\T x$, (out, in)), ``"dJdb"`` ($\delta\T\ones$, (out, 1)),
        ``"dJdx"`` ($\delta W$, (N, in)). For the products, `derived` is the chain rule through
        the full Jacobian from `jacobians`.
    """
    x, W, b, delta = sym["x"], sym["W"], sym["b"], sym["delta"]
    n, n_out = x.rows, W.rows
    jac = jacobians(sym)
    show = {"x": display("x", *x.shape), "W": display("W", *W.shape),
            r"\delta": display(r"\delta", *delta.shape), "1": display(r"\ones_{N}", n, 1),
            "I_N": display("I_{N}", n, n), "I": display("I_{out}", n_out, n_out),
            "P": display("P", W.rows * W.cols, W.rows * W.cols)}
    bind = {show["x"]: x, show["W"]: W, show[r"\delta"]: delta, show["1"]: sp.ones(n, 1),
            show["I_N"]: sp.eye(n), show["I"]: sp.eye(n_out), show["P"]: commutation(*W.shape)}
    d_vec = r"\frac{\partial \operatorname{vec}(s)}{\partial \operatorname{vec}(%s)}"
    claims = [
        ("dsdx", d_vec % "x", sp.KroneckerProduct(show["I_N"], show["W"]), jac["x"]),
        ("dsdW", d_vec % "W", sp.KroneckerProduct(show["x"], show["I"]) * show["P"], jac["W"]),
        ("dsdb", r"\frac{\partial \operatorname{vec}(s)}{\partial b}",
         sp.KroneckerProduct(show["1"], show["I"]), jac["b"]),
        ("dJdW", r"\nabla_{W} J", show[r"\delta"].T * show["x"],
         _chain(delta, jac["W"], W)),
        ("dJdb", r"\nabla_{b} J", show[r"\delta"].T * show["1"],
         _chain(delta, jac["b"], b)),
        ("dJdx", r"\nabla_{x} J", show[r"\delta"] * show["W"],
         _chain(delta, jac["x"], x)),
    ]
    return {name: Identity(name, lhs, formula, evaluate(formula, bind), derived)
            for name, lhs, formula, derived in claims}
