r"""The affine layer $Z = X W\T + \ones_N b\T$ on a batch: Jacobians, backprop's products.

Layout: every matrix is flattened row-major, $\operatorname{vec}(M)$ (`vec`, the order of
`Tensor.reshape(-1)`), and a Jacobian is in numerator layout: row $i$ is output entry $i$,
column $j$ is input entry $j$. With $X$ (N, in), $W$ (out, in), $b$ (out, 1), $Z$ (N, out):

- $\partial \operatorname{vec}(Z) / \partial \operatorname{vec}(X) = I_N \otimes W$, (N out, N in);
- $\partial \operatorname{vec}(Z) / \partial \operatorname{vec}(W) = (X \otimes I_{out})\,P$,
  (N out, out in), where the permutation $P$ (`commutation`) turns the row-major
  $\operatorname{vec}(W)$ into the column-major one: entry $X_{pi}$ where the output's column
  equals the weight's row, 0 elsewhere;
- $\partial \operatorname{vec}(Z) / \partial b = \ones_N \otimes I_{out}$, (N out, out).

Backprop never forms them. For a scalar $J$ with the upstream gradient $\Delta = \nabla_Z J$
(N, out), the chain rule
$\operatorname{vec}(\Delta)\T\,\partial\operatorname{vec}(Z)/\partial\,\cdot$ collapses to
$\nabla_W J = \Delta\T X$, $\nabla_b J = \Delta\T \ones_N$ (the column sums of $\Delta$) and
$\nabla_X J = \Delta W$. `identities` proves all six claims.
"""

from __future__ import annotations

import sympy as sp

from .identity import Identity, evaluate
from .latex import display, matrix


def vec(M: sp.MatrixBase) -> sp.ImmutableMatrix:
    """The entries of `M` read row-major, as one column (the order of `Tensor.reshape(-1)`)."""
    return sp.ImmutableMatrix(M.rows * M.cols, 1, list(M))


def symbols(batch: int = 2, n_in: int = 3, n_out: int = 4) -> dict[str, sp.ImmutableMatrix]:
    r"""x = $X$ (batch, n_in), W (n_out, n_in), b (n_out, 1) and an upstream
    $\Delta$ (batch, n_out), keyed ``"delta"``."""
    return dict(x=matrix("X", batch, n_in), W=matrix("W", n_out, n_in),
                b=matrix("b", n_out, 1, vector=True), delta=matrix(r"\Delta", batch, n_out))


def forward(x: sp.MatrixBase, W: sp.MatrixBase, b: sp.MatrixBase) -> sp.ImmutableMatrix:
    r"""$Z = X W\T + \ones_N b\T$: x (N, in), W (out, in), b (out, 1) -> Z (N, out)."""
    return sp.ImmutableMatrix(x * W.T + sp.ones(x.rows, 1) * b.T)


def jacobians(sym: dict) -> dict[str, sp.ImmutableMatrix]:
    r"""$\partial\operatorname{vec}(Z)/\partial\operatorname{vec}(v)$, v in X, W, b, by `jacobian`.

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
        dict with keys ``"dZdx"`` ($I_N \otimes W$), ``"dZdW"`` ($(X \otimes I)P$),
        ``"dZdb"`` ($\ones_N \otimes I$),
        ``"dJdW"`` ($\Delta\T X$, (out, in)), ``"dJdb"`` ($\Delta\T\ones_N$, (out, 1)),
        ``"dJdx"`` ($\Delta W$, (N, in)). For the products, `derived` is the chain rule through
        the full Jacobian from `jacobians`.
    """
    x, W, b, delta = sym["x"], sym["W"], sym["b"], sym["delta"]
    n, n_out = x.rows, W.rows
    jac = jacobians(sym)
    show = {"x": display("X", *x.shape), "W": display("W", *W.shape),
            "Delta": display(r"\Delta", *delta.shape), "1": display(r"\ones_{N}", n, 1),
            "I_N": display("I_{N}", n, n), "I": display("I_{out}", n_out, n_out),
            "P": display("P", W.rows * W.cols, W.rows * W.cols)}
    bind = {show["x"]: x, show["W"]: W, show["Delta"]: delta, show["1"]: sp.ones(n, 1),
            show["I_N"]: sp.eye(n), show["I"]: sp.eye(n_out), show["P"]: commutation(*W.shape)}
    d_vec = r"\frac{\partial \operatorname{vec}(Z)}{\partial \operatorname{vec}(%s)}"
    claims = [
        ("dZdx", d_vec % "X", sp.KroneckerProduct(show["I_N"], show["W"]), jac["x"]),
        ("dZdW", d_vec % "W", sp.KroneckerProduct(show["x"], show["I"]) * show["P"], jac["W"]),
        ("dZdb", r"\frac{\partial \operatorname{vec}(Z)}{\partial b}",
         sp.KroneckerProduct(show["1"], show["I"]), jac["b"]),
        ("dJdW", r"\nabla_{W} J", show["Delta"].T * show["x"],
         _chain(delta, jac["W"], W)),
        ("dJdb", r"\nabla_{b} J", show["Delta"].T * show["1"],
         _chain(delta, jac["b"], b)),
        ("dJdx", r"\nabla_{X} J", show["Delta"] * show["W"],
         _chain(delta, jac["x"], x)),
    ]
    return {name: Identity(name, lhs, formula, evaluate(formula, bind), derived)
            for name, lhs, formula, derived in claims}
