r"""The losses in SymPy: torch's batch mean, the homework's per-sample form, and dJ/dy_hat.

Every loss is built from one per-entry term $\phi(\hat y, y)$; `LOSSES` (same keys as
`mlp.LOSSES`) holds that term and a claimed closed form of its derivative
$\phi'(\hat y, y) = \partial\phi/\partial\hat y$.

- torch (and `mlp`), on a batch: $J = \frac{1}{NK}\sum_{p,k} \phi(\hat Y_{pk}, Y_{pk})$, a mean
  over all $N K$ entries, so $\partial J/\partial \hat Y_{pk} = \frac{1}{NK}\,\phi'(\hat Y_{pk},
  Y_{pk})$.
- the homework, one sample: MSE $\ell = \lVert\hat y - y\rVert^2$ sums $\phi$ over the $K$
  outputs, BCE averages it: $\ell = \frac{1}{K}\sum_k \phi(\hat y_k, y_k)$.

- cross-entropy, as torch's: $J = -\frac{1}{N}\sum_{p,k} Y_{pk}\log\hat Y_{pk}$, a mean over the
  $N$ rows; per sample it sums over the $K$ classes.

Each loss says where $\hat Y$ must lie (`domain`, and `simplex` for rows that sum to 1), from
which `derivations.configurations` computes the output activations it accepts.

With $N = 1$ the two differ by a constant factor, $K$ for MSE and 1 for BCE and cross-entropy:
`per_sample_factor` computes it and `per_sample_identity` proves $\ell = c\,J$ at $N = 1$.
The claims are proven by `gradient_identity`, and the fused sigmoid + BCE result
$\partial J/\partial Z_3 = (\hat Y - Y)/(NK)$ by `fused_sigmoid_bce`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from .activations import ACTIVATIONS
from .identity import Identity
from .latex import matrix, tex

N, K = sp.symbols("N K", positive=True, integer=True)
"""The batch size and the output width, as symbols for the displayed formulas."""


@dataclass(frozen=True)
class SymbolicLoss:
    r"""One loss: its entry-wise term and the claimed derivative of that term.

    Attributes:
        name: the key, as in `mlp.LOSSES`.
        tex: LaTeX name of the per-sample loss, e.g. ``r"\ell_{\mathrm{MSE}}"``.
        term: `(y_hat, y) -> ` $\phi$ for one entry (scalars in, scalar out).
        claim: `(y_hat, y) -> ` $\phi'$, the derivative of the term by $\hat y$, closed form.
        vector_tex: `(y_hat, y) -> ` LaTeX of the per-sample loss of two column vectors,
            given as LaTeX, e.g. $\lVert \hat y - y\rVert^2$.
        sample_mean: whether the homework's per-sample loss averages over the K outputs
            (BCE) rather than summing them (MSE).
        domain: the set each $\hat Y_{pk}$ must lie in, e.g. [0, 1] for BCE.
        simplex: whether each row of $\hat Y$ must also sum to 1 (cross-entropy).
        batch_mean: whether $J$ is a mean over the $N$ rows (torch's cross-entropy) rather than
            over all $N K$ entries (MSE, BCE).
    """

    name: str
    tex: str
    term: Callable[[sp.Expr, sp.Expr], sp.Expr]
    claim: Callable[[sp.Expr, sp.Expr], sp.Expr]
    vector_tex: Callable[[str, str], str]
    sample_mean: bool
    domain: sp.Set = sp.S.Reals
    simplex: bool = False
    batch_mean: bool = False

    def count(self, rows, cols):
        """What $J$ divides the sum of terms by: $N$ or $N K$ (numbers or symbols)."""
        return rows if self.batch_mean else rows * cols

    def J(self, y_hat: sp.MatrixBase, y: sp.MatrixBase) -> sp.Expr:
        r"""torch's loss: $J = \frac{1}{NK}\sum_{p,k}\phi(\hat Y_{pk}, Y_{pk})$, or
        $\frac{1}{N}\sum_{p,k}$ when `batch_mean`; y_hat, y (N, K)."""
        return sum(map(self.term, y_hat, y)) / self.count(y_hat.rows, y_hat.cols)

    def gradient(self, y_hat: sp.MatrixBase, y: sp.MatrixBase) -> sp.ImmutableMatrix:
        r"""$\nabla_{\hat Y} J$ (N, K) from the claim: $\frac{1}{NK}\phi'$ (or $\frac1N\phi'$)
        entry-wise."""
        scale = sp.Rational(1, self.count(y_hat.rows, y_hat.cols))
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
                     lambda y_hat, y: sp.Mul(2, y_hat - y, evaluate=False),  # printed 2(ŷ - y)
                     lambda y_hat, y: rf"\left\lVert {y_hat} - {y} \right\rVert^{{2}}",
                     sample_mean=False),
        SymbolicLoss("bce", r"\ell_{\mathrm{BCE}}", _bce,
                     lambda y_hat, y: (y_hat - y) / (y_hat * (1 - y_hat)),
                     lambda y_hat, y: (rf"-\frac{{1}}{{K}}\left({y}\T \log {y_hat} + "
                                       rf"(\ones_{{K}} - {y})\T "
                                       rf"\log\left(\ones_{{K}} - {y_hat}\right)\right)"),
                     sample_mean=True, domain=sp.Interval(0, 1)),
        # torch's cross-entropy: a mean over the N rows of a sum over the K classes.
        SymbolicLoss("cross_entropy", r"\ell_{\mathrm{CE}}", lambda y_hat, y: -y * sp.log(y_hat),
                     lambda y_hat, y: -y / y_hat, lambda y_hat, y: rf"-{y}\T \log {y_hat}",
                     sample_mean=False, domain=sp.Interval(0, 1), simplex=True, batch_mean=True),
    )
}


def definition_latex(name: str, per_sample: bool = False) -> str:
    r"""The loss as SymPy prints it: torch's $J$ (mean over $N K$) or the homework's $\ell$.

    E.g. ``J = \frac{\sum_{p=1}^{N} \sum_{k=1}^{K} \left(\hat{Y}_{pk} - Y_{pk}\right)^{2}}{K N}``.
    """
    loss = LOSSES[name]
    p, k = sp.symbols("p k", integer=True, positive=True)
    if per_sample:
        y_hat_k, y_k = sp.Symbol(r"\hat{y}_{k}", real=True), sp.Symbol("y_{k}", real=True)
        total = sp.Sum(loss.term(y_hat_k, y_k), (k, 1, K))
        return rf"\ell = {tex(total / K if loss.sample_mean else total)}"
    y_hat_pk, y_pk = _entry()
    total = sp.Sum(sp.Sum(loss.term(y_hat_pk, y_pk), (k, 1, K)), (p, 1, N))
    return rf"J = {tex(total / loss.count(N, K))}"


def targets(batch: int, n_out: int) -> tuple[sp.ImmutableMatrix, sp.ImmutableMatrix]:
    r"""Symbols $\hat Y$ and $Y$, both (batch, n_out), named ``\hat{Y}_{pk}`` and ``Y_{pk}``."""
    return matrix(r"\hat{Y}", batch, n_out), matrix("Y", batch, n_out)


def _entry() -> tuple[sp.Symbol, sp.Symbol]:
    return sp.Symbol(r"\hat{Y}_{pk}", real=True), sp.Symbol("Y_{pk}", real=True)


def _per_entry(formula: sp.Expr, y_hat: sp.MatrixBase, y: sp.MatrixBase) -> sp.ImmutableMatrix:
    """`formula` in the entry symbols, at every entry of y_hat, y, with N and K their sizes."""
    y_hat_pk, y_pk = _entry()
    sizes = {N: y_hat.rows, K: y_hat.cols}
    return sp.ImmutableMatrix(y_hat.rows, y_hat.cols, [
        formula.xreplace({y_hat_pk: a, y_pk: b, **sizes}) for a, b in zip(y_hat, y, strict=True)])


def gradient_identity(name: str, batch: int = 2, n_out: int = 5) -> Identity:
    r"""$\partial J/\partial \hat Y_{pk}$ by `diff` of $J$, entry by entry, against the claim.

    Returns:
        `Identity` named `name`, (batch, n_out); `formula` is the entry $(p, k)$ with symbolic
        $N$, $K$, e.g. $\frac{2(\hat Y_{pk} - Y_{pk})}{NK}$ for MSE, and the closed form is
        that formula at every entry, $N$ and $K$ set to the sizes.
    """
    loss = LOSSES[name]
    y_hat, y = targets(batch, n_out)
    J = loss.J(y_hat, y)
    derived = sp.ImmutableMatrix(batch, n_out, [sp.diff(J, v) for v in y_hat])
    formula = loss.claim(*_entry()) / loss.count(N, K)
    return Identity(name, r"\frac{\partial J}{\partial \hat{Y}_{pk}}", formula,
                    _per_entry(formula, y_hat, y), derived)


def fused_sigmoid_bce(batch: int = 2, n_out: int = 5) -> Identity:
    r"""With $\hat Y = \sigma(Z_3)$ and BCE, $\partial J/\partial Z_{3,pk} = (\hat Y_{pk} -
    Y_{pk})/(NK)$.

    `derived` differentiates $J(\sigma(Z_3), Y)$ by each entry of $Z_3$; the
    $\hat Y(1 - \hat Y)$ of BCE's derivative cancels $\sigma'$. Returns an `Identity`
    (batch, n_out).
    """
    z3, y = matrix("Z_{3}", batch, n_out), targets(batch, n_out)[1]
    y_hat = ACTIVATIONS["sigmoid"](z3)
    J = LOSSES["bce"].J(y_hat, y)
    derived = sp.ImmutableMatrix(batch, n_out, [sp.diff(J, v) for v in z3])
    y_hat_pk, y_pk = _entry()
    formula = (y_hat_pk - y_pk) / (N * K)
    return Identity("sigmoid+bce", r"\frac{\partial J}{\partial Z_{3,pk}}", formula,
                    _per_entry(formula, y_hat, y), derived)


def per_sample_factor(name: str, n_out: int = 5) -> sp.Expr:
    r"""$\ell_{\text{homework}} / J$ for one sample ($N = 1$): K for MSE, 1 for BCE.

    Computed by dividing the two SymPy expressions; raises if the ratio depends on the data.
    """
    loss = LOSSES[name]
    y_hat, y = targets(1, n_out)
    ratio = sp.simplify(loss.per_sample(y_hat.T, y.T) / loss.J(y_hat, y))
    if ratio.free_symbols:
        raise ValueError(f"{name}: the ratio {ratio} depends on the data")
    return ratio


def per_sample_identity(name: str, n_out: int = 5) -> Identity:
    r"""The homework's $\ell$ of one sample against $c\,J$ at $N = 1$: $c = K$ for MSE, 1 for BCE.

    The sample's columns are the batch's one row transposed, $\hat y = \hat Y\T$, $y = Y\T$;
    `derived` is $\ell(\hat y, y)$, `closed_form` is $c$ times torch's $J(\hat Y, Y)$, and the
    formula prints $K J$ (or $J$). `holds()` proves it for every value, at output width `n_out`.
    """
    loss = LOSSES[name]
    y_hat, y = targets(1, n_out)
    c = per_sample_factor(name, n_out)
    formula = sp.Symbol("K J") if c != 1 else sp.Symbol("J")  # a display symbol, printed as is
    return Identity(f"{name} per sample", r"\ell", formula, c * loss.J(y_hat, y),
                    loss.per_sample(y_hat.T, y.T))
