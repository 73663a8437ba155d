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
    # Detached, as the networks detach x: J and dJdy_hat carry no autograd graph.
    y = validate.tensor_input("y", y)
    y_hat = validate.tensor_input("y_hat", y_hat)
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

    $$J = \frac{1}{NK} \sum_{p,k} (\hat Y_{pk} - Y_{pk})^2, \qquad
    \nabla_{\hat Y} J = \frac{2}{NK} (\hat Y - Y)$$

    Args:
        y: targets, shape (N, K).
        y_hat: predictions, shape (N, K), same dtype and device as `y`.

    Returns:
        `(J, dJdy_hat)`: J a 0-dim tensor, dJdy_hat of shape (N, K).
    """
    y, y_hat = _check_pair(y, y_hat)
    diff = y_hat - y
    J = (diff * diff).mean()
    dJdy_hat = diff * (2 / diff.numel())
    return J, dJdy_hat


def bce_loss(y: Tensor, y_hat: Tensor) -> tuple[Tensor, Tensor]:
    r"""Binary cross-entropy, equal to `F.binary_cross_entropy(y_hat, y)`, clamps included.

    $$J = -\frac{1}{NK} \sum_{p,k} \big[ Y_{pk} \log \hat Y_{pk}
    + (1 - Y_{pk}) \log (1 - \hat Y_{pk}) \big], \qquad
    (\nabla_{\hat Y} J)_{pk} = \frac{1}{NK}
    \frac{\hat Y_{pk} - Y_{pk}}{\max(\hat Y_{pk} (1 - \hat Y_{pk}), 10^{-12})}$$

    Each log is clamped at $-100$ as torch does, so $J$ is finite where $\hat Y_{pk} \in \{0, 1\}$;
    the $10^{-12}$ is float32's nearest value, `GRAD_EPS`, as in torch, for float64 inputs too.

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
    r"""Cross-entropy of probability rows; with $\hat Y = \operatorname{softmax}(Z_3)$ it equals
    `nn.CrossEntropyLoss()(z3, y)`, torch's loss on the logits $Z_3$.

    $$J = -\frac{1}{N} \sum_{p,k} Y_{pk} \log \hat Y_{pk}, \qquad
    (\nabla_{\hat Y} J)_{pk} = -\frac{1}{N} \frac{Y_{pk}}{\hat Y_{pk}}$$

    An entry with $Y_{pk} = 0$ adds 0 to both, even where $\hat Y_{pk} = 0$. Each row of
    $\hat Y$ must be a probability vector (entries in [0, 1] that sum to 1, to $\sqrt{\epsilon}$
    of its dtype), as softmax gives; each row of $Y$ one-hot or any probabilities in [0, 1].

    Args:
        y: targets, shape (N, K) (or (K,), one row).
        y_hat: predictions, shape (N, K), same dtype and device as `y`.

    Returns:
        `(J, dJdy_hat)`: J a 0-dim tensor, dJdy_hat of shape (N, K).
    """
    y, y_hat = _check_pair(y, y_hat)
    if y_hat.dim() not in (1, 2):  # torch's cross-entropy reads dim 1 of a 3-d input as K
        raise ValueError(f"y_hat must have shape (N, K) or (K,) (probability rows), got "
                         f"{tuple(y_hat.shape)}")
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
    r"""One loss: its function `(y, y_hat) -> (J, dJdy_hat)` and its torch counterpart.

    Its formula is not here: `derivations.losses` holds it as SymPy, from which the site prints
    it.

    Attributes:
        name: the key in `LOSSES`.
        fn: the loss.
        torch_loss: the name of torch's own loss in `torch.nn.functional`, called
            `(y_hat, y)` with mean reduction, which the autograd twin uses.
        torch_takes_log: whether that torch loss is given $\log \hat y$ rather than $\hat y$:
            `F.cross_entropy` takes logits, and $\log \hat y$ is one choice of them.
        course: whether the homework's course has it, and so `mlp-check` grades it.
    """

    name: str
    fn: Callable[[Tensor, Tensor], tuple[Tensor, Tensor]]
    torch_loss: str
    torch_takes_log: bool = False
    course: bool = False


LOSSES: dict[str, Loss] = {loss.name: loss for loss in (
    Loss("mse", mse_loss, "mse_loss", course=True),
    Loss("bce", bce_loss, "binary_cross_entropy", course=True),
    Loss("cross_entropy", cross_entropy_loss, "cross_entropy", torch_takes_log=True),
)}

COURSE_LOSSES: tuple[str, ...] = tuple(n for n, loss in LOSSES.items() if loss.course)
"""The course's losses, ("mse", "bce"): what `mlp-check` grades unless asked for more."""
