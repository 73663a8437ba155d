"""What the tests hold `mlp` against: torch's own modules and losses, differentiated by autograd.

The twin network is built as the homework's tests build it: an `nn.Sequential` of named layers
whose weights *share storage* with the hand-written net (`twin.linear1.weight.data = W1`).
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict

from torch import Tensor, nn

from mlp import Activation
from mlp.twin import TORCH_ACTIVATIONS, TORCH_LOSSES, torch_activation  # noqa: F401

# Which twin parameter each of the net's gradients belongs to.
TWIN_PARAMETER = {
    "dJdW1": ("linear1", "weight"), "dJdb1": ("linear1", "bias"),
    "dJdW2": ("linear2", "weight"), "dJdb2": ("linear2", "bias"),
}


def twin_of(net) -> nn.Sequential:
    """The `nn.Sequential` twin of `net`, sharing its parameters' storage."""
    W1, W2 = net.parameters["W1"], net.parameters["W2"]
    kw = dict(dtype=W1.dtype, device=W1.device)
    twin = nn.Sequential(OrderedDict([
        ("linear1", nn.Linear(W1.shape[1], W1.shape[0], **kw)),
        ("f", torch_activation(net.f_function)),
        ("linear2", nn.Linear(W2.shape[1], W2.shape[0], **kw)),
        ("g", torch_activation(net.g_function)),
    ]))
    twin.linear1.weight.data = net.parameters["W1"]
    twin.linear1.bias.data = net.parameters["b1"]
    twin.linear2.weight.data = net.parameters["W2"]
    twin.linear2.bias.data = net.parameters["b2"]
    return twin


def twin_grads(twin: nn.Sequential) -> dict[str, Tensor]:
    return {k: getattr(getattr(twin, layer), p).grad for k, (layer, p) in TWIN_PARAMETER.items()}


def autograd_run(net, x: Tensor, y: Tensor, loss_name: str):
    """(y_hat, J, grads) of the twin, by autograd and torch's loss."""
    twin = twin_of(net)
    y_hat = twin(x)
    J = TORCH_LOSSES[loss_name](y_hat, y)
    J.backward()
    return y_hat.detach(), J.detach(), twin_grads(twin)


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
