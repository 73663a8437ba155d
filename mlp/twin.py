r"""torch's own counterpart of each registry entry, for the autograd twins that check `mlp`.

The tests, `mlp.check` and `mlp.train` all build an `nn.Sequential` twin of the hand-written
network and let autograd differentiate it; they take its activations and losses from here, so a
new registry entry needs its torch counterpart in one place only. An activation with no torch
module is still differentiated by autograd, through the registry's own forward.
"""

from __future__ import annotations

from collections.abc import Callable

import torch.nn.functional as F
from torch import Tensor, nn

from .activations import ACTIVATIONS

TORCH_ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "identity": nn.Identity,
}
"""Registry name -> torch module class."""
TORCH_LOSSES: dict[str, Callable[[Tensor, Tensor], Tensor]] = {
    "mse": F.mse_loss, "bce": F.binary_cross_entropy,
}
"""Registry name -> torch loss, called `(y_hat, y)` as torch orders them, mean reduction."""


class Elementwise(nn.Module):
    """An activation with no torch module: autograd differentiates its registry forward."""

    def __init__(self, name: str):
        super().__init__()
        self.fn = ACTIVATIONS[name].forward

    def forward(self, s: Tensor) -> Tensor:
        return self.fn(s)


def torch_activation(name: str) -> nn.Module:
    """A fresh torch module computing the activation `name` (a key of `ACTIVATIONS`)."""
    return TORCH_ACTIVATIONS[name]() if name in TORCH_ACTIVATIONS else Elementwise(name)
