"""The cases every test draws from, in one place: registry-driven grids and hypothesis strategies.

Everything here is derived from `mlp.ACTIVATIONS` and `mlp.LOSSES`, so a new registry entry is
picked up by every test without touching a test body.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest
import torch
from hypothesis import settings
from hypothesis import strategies as st

from mlp import ACTIVATIONS, LOSSES, MLP

# Modest and deterministic budgets: the whole suite shares 2 cores with other work.
PROPERTY = settings(max_examples=25, deadline=None, derandomize=True)

DTYPES = [pytest.param(torch.float32, id="float32"), pytest.param(torch.float64, id="float64")]

ACTIVATION_NAMES = sorted(ACTIVATIONS)
LOSS_NAMES = sorted(LOSSES)

# Losses whose inputs are probabilities; every other loss takes any real y_hat and y.
UNIT_INTERVAL_LOSSES = {"bce"}


def output_in_unit_interval(name: str) -> bool:
    """Whether the activation maps every s to [0, 1], so a probability loss can follow it."""
    s = torch.linspace(-40.0, 40.0, 801, dtype=torch.float64)
    z = ACTIVATIONS[name].forward(s)
    return bool(((z >= 0) & (z <= 1)).all())


def loss_fits(loss_name: str, g_name: str) -> bool:
    return loss_name not in UNIT_INTERVAL_LOSSES or output_in_unit_interval(g_name)


# f x g x loss, keeping a probability loss only after an output activation that makes one.
NETWORK_CASES = [
    (f, g, loss)
    for f in ACTIVATION_NAMES for g in ACTIVATION_NAMES for loss in LOSS_NAMES
    if loss_fits(loss, g)
]

# (batch, linear_1_in_features, linear_1_out_features, linear_2_out_features)
SHAPES = [(1, 1, 1, 1), (1, 2, 20, 5), (10, 2, 20, 5), (10, 2, 20, 22), (7, 13, 3, 4)]


def shape_id(shape: tuple[int, ...]) -> str:
    batch, n_in, n_hidden, n_out = shape
    return f"N{batch}-{n_in}x{n_hidden}x{n_out}"


def network(f_name, g_name, shape, generator, dtype=torch.float64, **kw):
    """An MLP of `shape` (batch, in, hidden, out) and a batch x for it."""
    batch, n_in, n_hidden, n_out = shape
    net = MLP(n_in, n_hidden, f_name, n_hidden, n_out, g_name, dtype=dtype, generator=generator,
              **kw)
    return net, torch.randn(batch, n_in, dtype=dtype, generator=generator)


def targets(shape: tuple[int, ...], dtype: torch.dtype, generator: torch.Generator) -> torch.Tensor:
    """Soft targets in [0, 1]: valid for every loss, the probability ones included."""
    return torch.rand(shape, dtype=dtype, generator=generator)


def away_from_zero(shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
    """float64 values with 0.1 <= |s| <= 2.1, so finite differences never straddle ReLU's kink."""
    magnitude = 0.1 + 2 * torch.rand(shape, dtype=torch.float64, generator=generator)
    sign = torch.randint(0, 2, shape, generator=generator, dtype=torch.float64) * 2 - 1
    return magnitude * sign


# --- hypothesis strategies -------------------------------------------------------------------

sizes = st.integers(min_value=1, max_value=6)
seeds = st.integers(min_value=0, max_value=2**31 - 1)


@st.composite
def float_tensors(draw, shape: tuple[int, ...], min_value: float, max_value: float,
                  dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """A tensor of `shape` whose every entry hypothesis draws (edges and -0.0 included)."""
    values = draw(st.lists(
        st.floats(min_value, max_value, allow_nan=False, allow_infinity=False, width=64),
        min_size=math.prod(shape), max_size=math.prod(shape),
    ))
    return torch.tensor(values, dtype=dtype).reshape(shape)


@st.composite
def loss_inputs(draw, loss_name: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(y, y_hat) of one random shape (N, K), in the loss's domain, edges included."""
    shape = (draw(sizes), draw(sizes))
    if loss_name in UNIT_INTERVAL_LOSSES:
        # Hard labels as the homework draws them, or soft ones; y_hat reaches 0 and 1 exactly.
        y = draw(st.one_of(float_tensors(shape, 0.0, 1.0),
                           float_tensors(shape, 0.0, 1.0).map(torch.round)))
        return y, draw(float_tensors(shape, 0.0, 1.0))
    return draw(float_tensors(shape, -1e3, 1e3)), draw(float_tensors(shape, -1e3, 1e3))


@dataclass(frozen=True)
class NetworkCase:
    f_name: str
    g_name: str
    loss_name: str
    shape: tuple[int, int, int, int]
    seed: int
    x: torch.Tensor
    y: torch.Tensor


@st.composite
def network_cases(draw) -> NetworkCase:
    """A random (f, g, loss), random widths and batch, hypothesis-drawn x and y, seeded weights."""
    f_name, g_name, loss_name = draw(st.sampled_from(NETWORK_CASES))
    shape = (draw(sizes), draw(sizes), draw(sizes), draw(sizes))
    batch, n_in, _, n_out = shape
    x = draw(float_tensors((batch, n_in), -3.0, 3.0))
    y = draw(float_tensors((batch, n_out), 0.0, 1.0))
    return NetworkCase(f_name, g_name, loss_name, shape, draw(seeds), x, y)
