r"""The two losses in SymPy: torch's batch mean, the homework's per-sample form, and dJ/dy_hat.

Every loss sums one entry-wise term $\ell(\hat y, y)$ over the output; `LOSSES` (same keys as
`mlp.LOSSES`) holds that term and a claimed closed form of $\partial\ell/\partial\hat y$.

- torch (and `mlp`): $J = \frac{1}{NK}\sum_{n,k} \ell(\hat y_{nk}, y_{nk})$, a mean over all
  $N K$ entries, so $\partial J/\partial \hat y_{nk} = \frac{1}{NK}\,\ell'(\hat y_{nk}, y_{nk})$.
- the homework, one sample: MSE $= \lVert\hat y - y\rVert^2$ sums over the $K$ outputs, BCE
  averages over them: $\frac{1}{K}\sum_k \ell(\hat y_k, y_k)$.

With $N = 1$ the two differ by a constant factor, $K$ for MSE and 1 for BCE:
`per_sample_factor` computes it. The claims are proven by `gradient_identity`, and the fused
sigmoid + BCE result $\partial J/\partial s_2 = (\hat y - y)/(NK)$ by `fused_sigmoid_bce`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from .activations import ACTIVATIONS
from .identity import Identity
from .latex import matrix

N, K = sp.symbols("N K", positive=True, integer=True)
"""The batch size and the output width, as symbols for the displayed formulas."""


@dataclass(frozen=True)
class SymbolicLoss:
    r"""One loss: its entry-wise term and the claimed derivative of that term.

    Attributes:
        name: the key, as in `mlp.LOSSES`.
        tex: LaTeX name, e.g. ``r"\ell_{\mathrm{MSE}}"``.
        term: `(y_hat, y) -> ` $\ell$ for one entry (scalars in, scalar out).
        claim: `(y_hat, y) -> ` $\partial \ell / \partial \hat y$ for one entry, the closed form.
        sample_mean: whether the homework's per-sample loss averages over the K outputs
            (BCE) rather than summing them (MSE).
        needs_probabilities: whether $\hat y$ must lie in (0, 1), i.e. g must be a sigmoid.
    """

    name: str
    tex: str
    term: Callable[[sp.Expr, sp.Expr], sp.Expr]
    claim: Callable[[sp.Expr, sp.Expr], sp.Expr]
    sample_mean: bool
    needs_probabilities: bool

    def J(self, y_hat: sp.MatrixBase, y: sp.MatrixBase) -> sp.Expr:
        r"""torch's loss: $J = \frac{1}{NK}\sum_{n,k}\ell(\hat y_{nk}, y_{nk})$; y_hat, y (N, K)."""
        return sum(map(self.term, y_hat, y)) / (y_hat.rows * y_hat.cols)

    def gradient(self, y_hat: sp.MatrixBase, y: sp.MatrixBase) -> sp.ImmutableMatrix:
        r"""$\partial J/\partial\hat y$ (N, K) from the claim: $\frac{1}{NK}\ell'$ entry-wise."""
        scale = sp.Rational(1, y_hat.rows * y_hat.cols)
        return sp.ImmutableMatrix(y_hat.rows, y_hat.cols,
                                  [scale * self.claim(a, b) for a, b in zip(y_hat, y, strict=True)])

    def per_sample(self, y_hat: sp.MatrixBase, y: sp.MatrixBase) -> sp.Expr:
        r"""The homework's loss of one sample; y_hat, y column vectors (K, 1)."""
        total = sum(map(self.term, y_hat, y))
        return total / y_hat.rows if self.sample_mean else total

    def per_sample_gradient(self, y_hat: sp.MatrixBase, y: sp.MatrixBase) -> sp.ImmutableMatrix:
        r"""$\partial\ell/\partial\hat y$ in numerator layout, a row (1, K), from the claim."""
        scale = sp.Rational(1, y_hat.rows) if self.sample_mean else sp.Integer(1)
        return sp.ImmutableMatrix(1, y_hat.rows, [scale * self.claim(a, b)
                                                  for a, b in zip(y_hat, y, strict=True)])


def _bce(y_hat, y):
    return -(y * sp.log(y_hat) + (1 - y) * sp.log(1 - y_hat))


LOSSES: dict[str, SymbolicLoss] = {
    loss.name: loss
    for loss in (
        SymbolicLoss("mse", r"\ell_{\mathrm{MSE}}", lambda y_hat, y: (y_hat - y) ** 2,
                     lambda y_hat, y: 2 * (y_hat - y), sample_mean=False,
                     needs_probabilities=False),
        SymbolicLoss("bce", r"\ell_{\mathrm{BCE}}", _bce,
                     lambda y_hat, y: (y_hat - y) / (y_hat * (1 - y_hat)), sample_mean=True,
                     needs_probabilities=True),
    )
}


def definition_latex(name: str, per_sample: bool = False) -> str:
    r"""The loss as SymPy prints it: torch's $J$ (mean over $N K$) or the homework's $\ell$.

    E.g. ``J = \frac{\sum_{n=1}^{N} \sum_{k=1}^{K} \left(\hat{y}_{nk} - y_{nk}\right)^{2}}{K N}``.
    """
    loss = LOSSES[name]
    n, k = sp.symbols("n k", integer=True, positive=True)
    if per_sample:
        y_hat_k, y_k = sp.Symbol(r"\hat{y}_{k}", real=True), sp.Symbol("y_{k}", real=True)
        total = sp.Sum(loss.term(y_hat_k, y_k), (k, 1, K))
        return rf"\ell = {sp.latex(total / K if loss.sample_mean else total)}"
    y_hat_nk, y_nk = _entry(r"\hat{y}")
    total = sp.Sum(sp.Sum(loss.term(y_hat_nk, y_nk), (k, 1, K)), (n, 1, N))
    return rf"J = {sp.latex(total / (N * K))}"


def targets(batch: int, n_out: int) -> tuple[sp.ImmutableMatrix, sp.ImmutableMatrix]:
    r"""Symbols $\hat y$ and $y$, both (batch, n_out), named ``\hat{y}_{nk}`` and ``y_{nk}``."""
    return matrix(r"\hat{y}", batch, n_out), matrix("y", batch, n_out)


def _entry(tex: str) -> tuple[sp.Symbol, sp.Symbol]:
    return sp.Symbol(rf"{tex}_{{nk}}", real=True), sp.Symbol("y_{nk}", real=True)


def gradient_identity(name: str, batch: int = 2, n_out: int = 3) -> Identity:
    r"""$\partial J/\partial \hat y$ by `diff` of $J$, entry by entry, against the closed form.

    Returns:
        `Identity` named `name`, (batch, n_out); `formula` is the entry $(n, k)$ with symbolic
        $N$, $K$, e.g. $\frac{2(\hat y_{nk} - y_{nk})}{NK}$ for MSE.
    """
    loss = LOSSES[name]
    y_hat, y = targets(batch, n_out)
    J = loss.J(y_hat, y)
    derived = sp.ImmutableMatrix(batch, n_out, [sp.diff(J, v) for v in y_hat])
    formula = loss.claim(*_entry(r"\hat{y}")) / (N * K)
    return Identity(name, r"\left(\frac{\partial J}{\partial \hat{y}}\right)_{nk}", formula,
                    loss.gradient(y_hat, y), derived)


def fused_sigmoid_bce(batch: int = 2, n_out: int = 3) -> Identity:
    r"""With $\hat y = \sigma(s_2)$ and BCE, $\partial J/\partial s_2 = (\hat y - y)/(NK)$.

    `derived` differentiates $J(\sigma(s_2), y)$ by each entry of $s_2$; the $\hat y(1 - \hat y)$
    of BCE's derivative cancels $\sigma'$. Returns an `Identity` (batch, n_out).
    """
    s2, y = matrix("s_{2}", batch, n_out), targets(batch, n_out)[1]
    y_hat = ACTIVATIONS["sigmoid"](s2)
    J = LOSSES["bce"].J(y_hat, y)
    derived = sp.ImmutableMatrix(batch, n_out, [sp.diff(J, v) for v in s2])
    closed = (y_hat - y) / (batch * n_out)
    y_hat_nk, y_nk = _entry(r"\hat{y}")
    return Identity("sigmoid+bce", r"\left(\frac{\partial J}{\partial s_{2}}\right)_{nk}",
                    (y_hat_nk - y_nk) / (N * K), sp.ImmutableMatrix(closed), derived)


def per_sample_factor(name: str, n_out: int = 3) -> sp.Expr:
    r"""$\ell_{\text{homework}} / J$ for one sample ($N = 1$): K for MSE, 1 for BCE.

    Computed by dividing the two SymPy expressions; raises if the ratio depends on the data.
    """
    loss = LOSSES[name]
    y_hat, y = targets(1, n_out)
    ratio = sp.simplify(loss.per_sample(y_hat.T, y.T) / loss.J(y_hat, y))
    if ratio.free_symbols:
        raise ValueError(f"{name}: the ratio {ratio} depends on the data")
    return ratio
