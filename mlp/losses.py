r"""The losses, as torch defines them, each returning $J$ and $\partial J/\partial \hat y$.

Each returns the scalar $J$ and $\partial J / \partial \hat y$, the gradient that `MLP.backward`
takes. MSE and BCE are a mean over all $N \times K$ entries of the batch, as torch's; the
homework writes them per sample, so every gradient here carries a factor $1/(NK)$ that the
per-sample formulas do not. Cross-entropy is a mean over the $N$ rows, as torch's.

`LOSSES` is the registry the tests, the derivations and the site iterate over.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from . import _validate as validate

# torch clamps each log of the BCE at -100, so J stays finite at y_hat in {0, 1} ...
LOG_FLOOR = -100.0
# ... and clamps the denominator y_hat (1 - y_hat) of its gradient at 1e-12, a C++ `float` in
# ATen, so at float32's 1e-12 (9.999999960041972e-13) for float64 inputs too.
GRAD_EPS = float(torch.tensor(1e-12, dtype=torch.float32))


def _check_pair(y: object, y_hat: object) -> tuple[Tensor, Tensor]:
    validate.float_tensor("y", y)
    validate.float_tensor("y_hat", y_hat)
    # No broadcasting: (N,) against (N, 1) would silently become an (N, N) loss.
    if y.shape != y_hat.shape:
        raise ValueError(f"y and y_hat must have the same shape, got y {tuple(y.shape)} and "
                         f"y_hat {tuple(y_hat.shape)}; reshape y to match y_hat")
    validate.same_kind("y", y, y_hat, "y_hat")
    if y_hat.numel() == 0:
        raise ValueError("y_hat must not be empty")
    return y, y_hat


def mse_loss(y: Tensor, y_hat: Tensor) -> tuple[Tensor, Tensor]:
    r"""Mean squared error, equal to `F.mse_loss(y_hat, y)`.

    $$J = \frac{1}{NK} \sum_{n,k} (\hat y_{nk} - y_{nk})^2, \qquad
    \frac{\partial J}{\partial \hat y} = \frac{2}{NK} (\hat y - y)$$

    Args:
        y: targets, shape (N, K).
        y_hat: predictions, shape (N, K), same dtype and device as `y`.

    Returns:
        `(J, dJdy_hat)`: J a 0-dim tensor, dJdy_hat of shape (N, K).
    """
    y, y_hat = _check_pair(y, y_hat)
    diff = y_hat - y
    J = (diff * diff).mean()
    dJdy_hat = 2 * diff / diff.numel()
    return J, dJdy_hat


def bce_loss(y: Tensor, y_hat: Tensor) -> tuple[Tensor, Tensor]:
    r"""Binary cross-entropy, equal to `F.binary_cross_entropy(y_hat, y)`, clamps included.

    $$J = -\frac{1}{NK} \sum_{n,k} \big[ y_{nk} \log \hat y_{nk}
    + (1 - y_{nk}) \log (1 - \hat y_{nk}) \big], \qquad
    \frac{\partial J}{\partial \hat y} = \frac{1}{NK}
    \frac{\hat y - y}{\max(\hat y (1 - \hat y), 10^{-12})}$$

    Each log is clamped at $-100$ as torch does, so $J$ is finite at $\hat y \in \{0, 1\}$; the
    $10^{-12}$ is float32's nearest value, `GRAD_EPS`, as in torch, for float64 inputs too.

    Args:
        y: targets in [0, 1], shape (N, K).
        y_hat: predictions in [0, 1], shape (N, K), same dtype and device as `y`.

    Returns:
        `(J, dJdy_hat)`: J a 0-dim tensor, dJdy_hat of shape (N, K).
    """
    y, y_hat = _check_pair(y, y_hat)
    if y_hat.device.type != "meta":  # a meta tensor has a shape but no values to check
        validate.in_unit_interval("y_hat", y_hat)
        validate.in_unit_interval("y", y)
    log_p = torch.log(y_hat).clamp(min=LOG_FLOOR)
    log_1mp = torch.log1p(-y_hat).clamp(min=LOG_FLOOR)
    J = -(y * log_p + (1 - y) * log_1mp).mean()
    denom = (y_hat * (1 - y_hat)).clamp(min=GRAD_EPS)
    dJdy_hat = (y_hat - y) / denom / y_hat.numel()
    return J, dJdy_hat


def cross_entropy_loss(y: Tensor, y_hat: Tensor) -> tuple[Tensor, Tensor]:
    r"""Cross-entropy of probability rows; with $\hat y$ = softmax(s) it equals
    `nn.CrossEntropyLoss()(s, y)`, torch's loss on the logits $s$.

    $$J = -\frac{1}{N} \sum_{n,k} y_{nk} \log \hat y_{nk}, \qquad
    \frac{\partial J}{\partial \hat y_{nk}} = -\frac{1}{N} \frac{y_{nk}}{\hat y_{nk}}$$

    An entry with $y_{nk} = 0$ adds 0 to both, even where $\hat y_{nk} = 0$. Each row of
    $\hat y$ must be a probability vector (entries in [0, 1] that sum to 1, to $\sqrt{\epsilon}$ of
    its dtype), as softmax gives; each row of $y$ one-hot or any probabilities in [0, 1].

    Args:
        y: targets, shape (N, K) (or (K,), one row).
        y_hat: predictions, shape (N, K), same dtype and device as `y`.

    Returns:
        `(J, dJdy_hat)`: J a 0-dim tensor, dJdy_hat of shape (N, K).
    """
    y, y_hat = _check_pair(y, y_hat)
    if y_hat.device.type != "meta":  # a meta tensor has a shape but no values to check
        validate.in_unit_interval("y_hat", y_hat)
        validate.in_unit_interval("y", y)
        validate.rows_sum_to_one("y_hat", y_hat)
    n = y_hat.numel() // y_hat.shape[-1]  # N rows; one, as torch's, for a (K,) y_hat
    J = -torch.xlogy(y, y_hat).sum() / n
    dJdy_hat = -torch.where(y == 0, 0.0, y / y_hat) / n
    return J, dJdy_hat


@dataclass(frozen=True)
class Loss:
    r"""One loss: its function `(y, y_hat) -> (J, dJdy_hat)`, its formula, its torch counterpart.

    Attributes:
        name: the key in `LOSSES`.
        fn: the loss.
        formula: $J$ in LaTeX.
        torch_loss: the name of torch's own loss in `torch.nn.functional`, called
            `(y_hat, y)` with mean reduction, which the autograd twin uses.
        torch_takes_log: whether that torch loss is given $\log \hat y$ rather than $\hat y$:
            `F.cross_entropy` takes logits, and $\log \hat y$ is one choice of them.
        course: whether the homework's course has it, and so `mlp-check` grades it.
    """

    name: str
    fn: Callable[[Tensor, Tensor], tuple[Tensor, Tensor]]
    formula: str
    torch_loss: str
    torch_takes_log: bool = False
    course: bool = False


LOSSES: dict[str, Loss] = {loss.name: loss for loss in (
    Loss("mse", mse_loss, r"\frac{1}{NK}\sum_{n,k}(\hat y_{nk} - y_{nk})^2", "mse_loss",
         course=True),
    Loss("bce", bce_loss, r"-\frac{1}{NK}\sum_{n,k}\left[y_{nk}\log\hat y_{nk}"
                          r" + (1 - y_{nk})\log(1 - \hat y_{nk})\right]",
         "binary_cross_entropy", course=True),
    Loss("cross_entropy", cross_entropy_loss,
         r"-\frac{1}{N}\sum_{n,k} y_{nk}\log\hat y_{nk}", "cross_entropy", torch_takes_log=True),
)}

COURSE_LOSSES: tuple[str, ...] = tuple(n for n, loss in LOSSES.items() if loss.course)
"""The course's losses, ("mse", "bce"): what `mlp-check` grades unless asked for more."""
