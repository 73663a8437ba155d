r"""The configurations the checker runs, and the seeded inputs each one gets.

Every pair (f, g) of `ACTIVATIONS` with every loss of `LOSSES` that accepts g's output: MSE takes
any, BCE needs $\hat y \in (0, 1)$, which only the sigmoid gives. With three activations and two
losses that is 9 + 3 = 12 cases.

The sizes make every usual mistake show and tell it apart from the others: batch N > 1 and out
K > 1 so a wrong reduction changes the result; N = 5 and K = 3 are distinct odd primes, so the
factors $2^a N^b K^c$ a wrong reduction leaves are all distinct; and no weight matrix is square,
so a transposed gradient has the wrong shape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from mlp import ACTIVATIONS, LOSSES, linear_forward


@dataclass(frozen=True)
class Sizes:
    """batch N, input n, hidden m, output K: x is (N, n), W1 (m, n), W2 (K, m), y_hat (N, K)."""

    batch: int = 5
    n_in: int = 4
    hidden: int = 6
    n_out: int = 3


SIZES = Sizes()

# The output activations each loss accepts; a loss not named here accepts every activation.
LOSS_OUTPUTS: dict[str, tuple[str, ...]] = {"bce": ("sigmoid",)}


@dataclass(frozen=True)
class Case:
    """One configuration: hidden activation f, output activation g, loss (registry keys)."""

    f: str
    g: str
    loss: str

    @property
    def label(self) -> str:
        return f"{self.f}/{self.g}/{self.loss}"


CASES: tuple[Case, ...] = tuple(
    Case(f, g, loss)
    for loss in LOSSES for f in ACTIVATIONS for g in ACTIVATIONS
    if g in LOSS_OUTPUTS.get(loss, tuple(ACTIVATIONS))
)


def _gaussian(shape: tuple[int, ...], gen: torch.Generator) -> Tensor:
    return torch.randn(shape, dtype=torch.float64, generator=gen)


def _labels(shape: tuple[int, ...], gen: torch.Generator) -> Tensor:
    # 0/1 targets, as the course's BCE test draws them.
    return (torch.rand(shape, dtype=torch.float64, generator=gen) < 0.5).double()


# How each loss's targets y are drawn; a loss not named here gets Gaussian targets.
TARGETS: dict[str, Callable[[tuple[int, ...], torch.Generator], Tensor]] = {
    "mse": _gaussian, "bce": _labels,
}


def make_inputs(case: Case, gen: torch.Generator, sizes: Sizes = SIZES) -> dict[str, Tensor]:
    r"""x (N, n), y (N, K), W1 (m, n), b1 (m,), W2 (K, m), b2 (K,), all float64.

    Weights are scaled by $1/\sqrt{\text{fan-in}}$ so that the sigmoid stays away from
    saturation, where every implementation's rounding would grow.
    """
    N, n, m, K = sizes.batch, sizes.n_in, sizes.hidden, sizes.n_out
    return dict(
        x=_gaussian((N, n), gen),
        y=TARGETS.get(case.loss, _gaussian)((N, K), gen),
        W1=_gaussian((m, n), gen) / n**0.5, b1=_gaussian((m,), gen) / 2,
        W2=_gaussian((K, m), gen) / m**0.5, b2=_gaussian((K,), gen) / 2,
    )


def lively(case: Case, inputs: dict[str, Tensor]) -> bool:
    """Every hidden and output unit's pre-activation takes both signs over the batch.

    Otherwise a ReLU could pass no gradient through a unit, or through the whole net (then a
    gradient of zero equals twice itself), and some mistakes would not show.
    """
    s1 = linear_forward(inputs["x"], inputs["W1"], inputs["b1"])
    s2 = linear_forward(ACTIVATIONS[case.f].forward(s1), inputs["W2"], inputs["b2"])
    return all(bool(((s > 0).any(0) & (s < 0).any(0)).all()) for s in (s1, s2))


def all_inputs(seed: int, sizes: Sizes = SIZES) -> list[dict[str, Tensor]]:
    """The inputs of every case in `CASES`, drawn in order from one generator seeded `seed`;
    a draw that is not `lively` is drawn again."""
    gen = torch.Generator().manual_seed(seed)
    out = []
    for case in CASES:
        inputs = make_inputs(case, gen, sizes)
        while not lively(case, inputs):
            inputs = make_inputs(case, gen, sizes)
        out.append(inputs)
    return out
