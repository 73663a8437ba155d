"""The cases every test draws from, in one place: registry-driven grids and hypothesis strategies.

Everything here is derived from the registries (`mlp.ACTIVATIONS`, `mlp.LOSSES` and their SymPy
entries), so a new registry entry is picked up by every test without touching a test body.

- `CONFIGURATIONS`: every (f, g, loss) the losses accept (`derivations.configurations`); the
  full grid runs at one tiny size (tests/test_configurations.py).
- `NETWORK_CASES`: a cover of it, `cover(CONFIGURATIONS)`: the course's own configurations, every
  activation as f (with g = identity, MSE) and every output activation with every loss that
  accepts it (with f = identity). Every slower test runs these.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest
import sympy as sp
import torch
from hypothesis import settings
from hypothesis import strategies as st

from derivations.configurations import configurations
from derivations.losses import LOSSES as SYMBOLIC_LOSSES
from mlp import ACTIVATIONS, COURSE_ACTIVATIONS, COURSE_LOSSES, LOSSES, MLP

# Modest and deterministic budgets: the whole suite shares 2 cores with other work.
PROPERTY = settings(max_examples=25, deadline=None, derandomize=True)

DTYPES = [pytest.param(torch.float32, id="float32"), pytest.param(torch.float64, id="float64")]
ALL_FLOAT_DTYPES = [pytest.param(dt, id=str(dt).removeprefix("torch."))
                    for dt in (torch.float16, torch.bfloat16, torch.float32, torch.float64)]

# What tests/test_inputs.py allows between mlp and torch's own module in each dtype, in units of
# the dtype's machine epsilon: torch rounds once (its CPU kernels compute float16 and bfloat16
# in float32), mlp rounds after each of its few ops, each error at most doubled by the next op;
# 8 eps leaves twice that room. Relative to the result, and absolute relative to the inputs'
# scale, since a sum such as GELU's 1 + erf(u / sqrt 2) cancels to much less than its terms.
ULPS = 8


def tolerance(dtype: torch.dtype, scale: float = 1.0) -> dict[str, float]:
    """`assert_close`'s rtol and atol in `dtype`: ULPS eps relative, ULPS eps times `scale`."""
    eps = torch.finfo(dtype).eps
    return dict(rtol=ULPS * eps, atol=ULPS * eps * scale)


ACTIVATION_NAMES = sorted(ACTIVATIONS)
LOSS_NAMES = sorted(LOSSES)

# Losses whose inputs are probabilities, and of those the ones that take probability rows
# (each summing to 1); every other loss takes any real y_hat and y. From the SymPy entries.
# Tuples in registry order, never sets: pytest-xdist's workers must collect the same order.
UNIT_INTERVAL_LOSSES = tuple(n for n, loss in SYMBOLIC_LOSSES.items()
                             if loss.domain.is_subset(sp.Interval(0, 1)))
SIMPLEX_LOSSES = tuple(n for n, loss in SYMBOLIC_LOSSES.items() if loss.simplex)
COURSE_CONFIGURATIONS = configurations(COURSE_ACTIVATIONS, COURSE_LOSSES)


def cover(configs: list[tuple[str, str, str]], partner: str = "identity") -> list[tuple]:
    """The course's configurations, each activation as f with g = `partner` and the first loss,
    and each accepted (g, loss) with f = `partner`: every entry once in every role, in the
    order of `configs`."""
    first_loss = configs[0][2]
    keep = set(COURSE_CONFIGURATIONS)
    keep |= {c for c in configs if c[1:] == (partner, first_loss) or c[0] == partner}
    return [c for c in configs if c in keep]


CONFIGURATIONS = configurations()
NETWORK_CASES = cover(CONFIGURATIONS)

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
    """Soft targets in [0, 1], each row summing to 1: valid for every loss."""
    return torch.softmax(2 * torch.randn(shape, dtype=dtype, generator=generator), dim=-1)


def loss_pair(name: str, shape: tuple[int, int], dtype: torch.dtype,
              generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """(y, y_hat) inside the loss's domain, kept off its edges: y_hat in [0.05, 0.95] for a
    probability loss, rows of a softmax for one on probability rows; else any reals."""
    if name in SIMPLEX_LOSSES:
        return tuple(torch.softmax(torch.randn(shape, dtype=dtype, generator=generator), -1)
                     for _ in range(2))
    if name in UNIT_INTERVAL_LOSSES:
        y = torch.rand(shape, dtype=dtype, generator=generator)
        return y, 0.05 + 0.9 * torch.rand(shape, dtype=dtype, generator=generator)
    return tuple(3 * torch.randn(shape, dtype=dtype, generator=generator) for _ in range(2))


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
    if loss_name in SIMPLEX_LOSSES:
        # Rows scaled to sum to 1; y_hat kept >= 1e-3 before that, so no log of 0 with y > 0.
        y = draw(st.one_of(float_tensors(shape, 0.0, 1.0), float_tensors(shape, 0.0, 1.0)
                           .map(lambda t: (t == t.max(-1, keepdim=True).values).double())))
        y_hat = draw(float_tensors(shape, 1e-3, 1.0))
        return y / y.sum(-1, keepdim=True).clamp(min=1e-300), y_hat / y_hat.sum(-1, keepdim=True)
    if loss_name in UNIT_INTERVAL_LOSSES:
        # Hard labels as the homework draws them, or soft ones; y_hat reaches 0 and 1 exactly.
        y = draw(st.one_of(float_tensors(shape, 0.0, 1.0),
                           float_tensors(shape, 0.0, 1.0).map(torch.round)))
        return y, draw(float_tensors(shape, 0.0, 1.0))
    return draw(float_tensors(shape, -1e3, 1e3)), draw(float_tensors(shape, -1e3, 1e3))


KINDS = ("dense", "sparse", "0-d", "empty")
"""The kinds of tensor tests/test_inputs.py hands every entry: (N, K) strided, the same as
sparse COO, a 0-d scalar, and an empty (0, K) batch."""


@st.composite
def tensors_of_kind(draw, kind: str, dtype: torch.dtype, min_value: float, max_value: float,
                    width: int | None = None) -> torch.Tensor:
    """A tensor of `kind` (one of KINDS) in `dtype`, each entry drawn in float64 and rounded."""
    K = width if width is not None else draw(sizes)
    shape = {"0-d": (), "empty": (0, K)}.get(kind, (draw(sizes), K))
    t = draw(float_tensors(shape, min_value, max_value)).to(dtype)
    return t.to_sparse() if kind == "sparse" else t


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
    """A random (f, g, loss) of all the configurations, random widths and batch, hypothesis-drawn
    x and y (rows summing to 1), seeded weights."""
    f_name, g_name, loss_name = draw(st.sampled_from(CONFIGURATIONS))
    shape = (draw(sizes), draw(sizes), draw(sizes), draw(sizes))
    batch, n_in, _, n_out = shape
    x = draw(float_tensors((batch, n_in), -3.0, 3.0))
    y = draw(float_tensors((batch, n_out), 1e-3, 1.0))
    y = y / y.sum(-1, keepdim=True)
    return NetworkCase(f_name, g_name, loss_name, shape, draw(seeds), x, y)
