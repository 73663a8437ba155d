"""What the tests hold `mlp` against: torch's own modules and losses, differentiated by autograd.

The twin is `mlp.twin.make_twin`, the one twin of the project; `twin_of` is the homework tests'
variant of it, whose weights *share storage* with the hand-written net
(`twin.linear1.weight.data = W1`).
"""

from __future__ import annotations

import dataclasses

from torch import Tensor, nn

from mlp import Activation
from mlp.twin import (  # noqa: F401 (re-exported for the tests)
    TORCH_ACTIVATIONS,
    TORCH_LOSSES,
    autograd_run,
    make_twin,
    torch_activation,
    torch_loss,
    twin_grads,
)


def twin_of(net) -> nn.Sequential:
    """The `nn.Sequential` twin of `net`, sharing its parameters' storage."""
    return make_twin(net, share=True)


def assert_rel_close(actual: Tensor, expected: Tensor, rtol: float, what: str) -> None:
    r"""Same shape and dtype, and $\lVert a - e \rVert \le rtol \cdot \lVert e \rVert$ in norm.

    Args:
        actual: $a$, what mlp computed. expected: $e$, the reference, same shape.
    """
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype} != {expected.dtype}"
    err, scale = (actual - expected).norm().item(), expected.norm().item()
    assert err <= rtol * scale, f"{what}: |error| {err:.3e} > {rtol:g} * |expected| {scale:.3e}"


def derivative_at_output(a: Activation) -> Activation:
    """The classic bug, for tests that must catch it: a'(z) at the output z = a(s), not a'(s)."""
    return dataclasses.replace(
        a, derivative=lambda s: a.derivative(a.forward(s)),
        derivative_from_output=lambda z: a.derivative(z),
    )
