r"""Known wrong loss formulas, each tested against the numbers: "your J is what this gives".

Each `Mistake` computes J or dJdy_hat from the case's y and torch's $\hat y$ with one slip built
in, with torch's $1/(NK)$ kept, so the slip is named apart from the reduction. A tensor matches a
mistake up to a constant factor (the factor is then named too); a scalar J only exactly, since
any scalar is a multiple of any other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from ._ratios import constant_factor, describe_factor, named


@dataclass(frozen=True)
class Mistake:
    """One slip: the loss and quantity it is about, what it is, and what it computes."""

    loss: str
    quantity: str
    text: str
    fn: Callable[[Tensor, Tensor], Tensor]  # (y, y_hat) -> the quantity with the slip


def _mean(t: Tensor) -> Tensor:
    return t.mean()


def _per_entry(t: Tensor) -> Tensor:
    return t / t.numel()


LOG_1MP = "log(1 - y_hat)"
MISTAKES: tuple[Mistake, ...] = (
    Mistake("bce", "J", f"it uses log(1 + y_hat) where the BCE has {LOG_1MP}",
            lambda y, p: _mean(-(y * p.log() + (1 - y) * torch.log1p(p)))),
    Mistake("bce", "J", f"the sign of its (1 - y)·{LOG_1MP} term is flipped",
            lambda y, p: _mean(-(y * p.log() - (1 - y) * torch.log1p(-p)))),
    Mistake("bce", "J", "the sign of its y·log(y_hat) term is flipped",
            lambda y, p: _mean(-(-y * p.log() + (1 - y) * torch.log1p(-p)))),
    Mistake("bce", "J", f"it has only the y·log(y_hat) term; (1 - y)·{LOG_1MP} is missing",
            lambda y, p: _mean(-y * p.log())),
    Mistake("bce", "J", f"it has only the (1 - y)·{LOG_1MP} term; y·log(y_hat) is missing",
            lambda y, p: _mean(-(1 - y) * torch.log1p(-p))),
    Mistake("bce", "J", "it takes log10 where the BCE takes the natural log",
            lambda y, p: _mean(-(y * p.log10() + (1 - y) * torch.log10(1 - p)))),
    Mistake("bce", "dJdy_hat", "it is (y_hat - y)/(N·K), the gradient with respect to the "
            "sigmoid's input s2; with respect to y_hat it is divided by y_hat(1 - y_hat)",
            lambda y, p: _per_entry(p - y)),
    Mistake("bce", "dJdy_hat", "it is 1/y_hat, the derivative of log(y_hat) alone",
            lambda y, p: _per_entry(1 / p)),
    Mistake("bce", "dJdy_hat", "it is -y/y_hat, the gradient of the y·log(y_hat) term alone",
            lambda y, p: _per_entry(-y / p)),
    Mistake("bce", "dJdy_hat", f"it is (1 - y)/(1 - y_hat), the gradient of the "
            f"(1 - y)·{LOG_1MP} term alone", lambda y, p: _per_entry((1 - y) / (1 - p))),
    Mistake("bce", "dJdy_hat", "the sign of its (1 - y)/(1 - y_hat) term is flipped: "
            "-y/y_hat - (1 - y)/(1 - y_hat)", lambda y, p: _per_entry(-y / p - (1 - y) / (1 - p))),
    Mistake("bce", "dJdy_hat", "it is the gradient of log(1 + y_hat) in place of "
            f"{LOG_1MP}: -y/y_hat - (1 - y)/(1 + y_hat)",
            lambda y, p: _per_entry(-y / p - (1 - y) / (1 + p))),
    Mistake("mse", "J", "it is the mean of |y_hat - y|, not of its square",
            lambda y, p: _mean((p - y).abs())),
    Mistake("mse", "J", "it is the square root of the mean square (an RMSE)",
            lambda y, p: _mean((p - y) ** 2).sqrt()),
    Mistake("mse", "dJdy_hat", "it is sign(y_hat - y)/(N·K), the gradient of a mean |y_hat - y|",
            lambda y, p: _per_entry(torch.sign(p - y))),
    Mistake("mse", "dJdy_hat", "it is (y_hat - y)²/(N·K): the square where the gradient has "
            "2(y_hat - y)", lambda y, p: _per_entry((p - y) ** 2)),
)


def _same_up_to_factor(slip: Tensor, expected: Tensor, tol: float) -> bool:
    alpha = constant_factor(slip, expected, tol)
    if expected.numel() > 1 or alpha is None:
        return alpha is not None
    return abs(alpha - 1) <= 10 * tol or named(alpha, tol) is not None


def known_mistake(loss: str, q: str, got: Tensor, y: Tensor, y_hat: Tensor, expected: Tensor,
                  tol: float) -> str | None:
    """What the first matching mistake says, with its factor when it is not 1, or None."""
    for m in MISTAKES:
        if (m.loss, m.quantity) != (loss, q):
            continue
        slip = m.fn(y, y_hat)
        if not bool(slip.isfinite().all()) or _same_up_to_factor(slip, expected, tol):
            continue  # undefined here, or no different from torch's up to a factor
        alpha = constant_factor(got, slip, tol)
        if alpha is None or (got.numel() == 1 and abs(alpha - 1) > 10 * tol):
            continue  # a scalar is a multiple of any other: only the slip itself counts
        text = m.text
        if abs(alpha - 1) > 10 * tol:
            text += f", and {describe_factor(q, loss, alpha, tol, ()) or f'{alpha:.4g} times'}"
        return text
    return None
