r"""The two losses, as torch defines them: a mean over all $N \times K$ entries of the batch.

Each returns the scalar $J$ and $\partial J / \partial \hat y$, the gradient that `MLP.backward`
takes. The homework writes its losses per sample; torch's mean divides by $N K$ instead, so every
gradient here carries a factor $1/(NK)$ that the per-sample formulas do not.

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
    flat = diff.reshape(-1)
    # One pass, no temporary: sum of squares as a dot product. diff.square().mean() gives the
    # same J to rounding but allocates an (N, K) temporary, which cost 4% of a whole training
    # step at (512, 1024 -> 1024 -> 1024) in benchmarks/.
    J = torch.dot(flat, flat) / diff.numel()
    dJdy_hat = diff.mul_(2.0 / diff.numel())
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
    log_p = torch.log(y_hat).clamp_(min=LOG_FLOOR)
    log_1mp = torch.log1p(-y_hat).clamp_(min=LOG_FLOOR)
    J = -(y * log_p + (1 - y) * log_1mp).mean()
    denom = (y_hat * (1 - y_hat)).clamp_(min=GRAD_EPS)
    dJdy_hat = (y_hat - y).div_(denom).div_(y_hat.numel())
    return J, dJdy_hat


@dataclass(frozen=True)
class Loss:
    """One loss: its function `(y, y_hat) -> (J, dJdy_hat)` and its formula in LaTeX."""

    name: str
    fn: Callable[[Tensor, Tensor], tuple[Tensor, Tensor]]
    formula: str


LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", mse_loss, r"\frac{1}{NK}\sum_{n,k}(\hat y_{nk} - y_{nk})^2"),
    "bce": Loss("bce", bce_loss, r"-\frac{1}{NK}\sum_{n,k}\left[y_{nk}\log\hat y_{nk}"
                                 r" + (1 - y_{nk})\log(1 - \hat y_{nk})\right]"),
}
