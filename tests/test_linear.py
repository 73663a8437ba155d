"""mlp/linear.py: the affine layer against F.linear, autograd and finite differences."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from mlp import linear_backward, linear_forward

from .strategies import DTYPES, PROPERTY, float_tensors, sizes


class LinearFunction(torch.autograd.Function):
    """s = x W^T + b, differentiated through the hand-written `linear_backward`."""

    @staticmethod
    def forward(ctx, x, W, b):
        ctx.save_for_backward(x, W)
        return linear_forward(x, W, b)

    @staticmethod
    def backward(ctx, grad_output):
        x, W = ctx.saved_tensors
        return linear_backward(grad_output, x, W)


def layer(batch, n_in, n_out, generator, dtype=torch.float64):
    """(x, W, b, grad_output) for one layer, drawn from `generator`."""
    def draw(*shape):
        return torch.randn(*shape, dtype=dtype, generator=generator)
    return draw(batch, n_in), draw(n_out, n_in), draw(n_out), draw(batch, n_out)


def autograd_grads(x, W, b, grad_output):
    """(dJ/dx, dJ/dW, dJ/db) of F.linear by autograd, for dJ/ds = grad_output."""
    x, W, b = (t.detach().clone().requires_grad_() for t in (x, W, b))
    F.linear(x, W, b).backward(grad_output)
    return x.grad, W.grad, b.grad


@pytest.mark.parametrize("dtype", DTYPES)
def test_forward_equals_f_linear(dtype, generator):
    x, W, b, _ = layer(6, 4, 3, generator, dtype)
    s = linear_forward(x, W, b)
    assert s.shape == (6, 3) and s.dtype == dtype
    torch.testing.assert_close(s, F.linear(x, W, b), rtol=1e-12 if dtype == torch.float64
                               else 1e-6, atol=0)


@pytest.mark.parametrize("batch", [1, 5])
def test_backward_passes_gradcheck(batch, generator):
    x, W, b, _ = (t.requires_grad_() for t in layer(batch, 4, 3, generator))
    assert torch.autograd.gradcheck(LinearFunction.apply, (x, W, b))


@PROPERTY
@given(data=st.data())
def test_backward_equals_autograd(data):
    batch, n_in, n_out = data.draw(sizes), data.draw(sizes), data.draw(sizes)
    x = data.draw(float_tensors((batch, n_in), -10.0, 10.0))
    W = data.draw(float_tensors((n_out, n_in), -10.0, 10.0))
    grad_output = data.draw(float_tensors((batch, n_out), -10.0, 10.0))
    b = torch.zeros(n_out, dtype=torch.float64)
    for manual, expected in zip(linear_backward(grad_output, x, W),
                                autograd_grads(x, W, b, grad_output), strict=True):
        torch.testing.assert_close(manual, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("input_grad", [True, False])
def test_backward_returns_its_gradients_and_writes_nothing(input_grad, generator):
    x, W, b, grad_output = layer(5, 4, 3, generator)
    inputs_before = [t.clone() for t in (x, W, grad_output)]

    grad_input, grad_weight, grad_bias = linear_backward(grad_output, x, W,
                                                         input_grad=input_grad)

    expected_input, expected_weight, expected_bias = autograd_grads(x, W, b, grad_output)
    assert grad_weight.shape == W.shape and grad_bias.shape == b.shape
    torch.testing.assert_close(grad_weight, expected_weight, rtol=1e-12, atol=0)
    torch.testing.assert_close(grad_bias, expected_bias, rtol=1e-12, atol=0)
    if input_grad:
        torch.testing.assert_close(grad_input, expected_input, rtol=1e-12, atol=0)
    else:
        assert grad_input is None
    for before, after in zip(inputs_before, (x, W, grad_output), strict=True):
        assert torch.equal(before, after), "linear_backward wrote to one of its inputs"
