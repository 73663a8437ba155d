"""mlp/losses.py: every registry entry against torch's loss, its autograd and finite differences."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from mlp import LOSSES, Loss

from .reference import TORCH_LOSSES
from .strategies import DTYPES, LOSS_NAMES, PROPERTY, UNIT_INTERVAL_LOSSES, loss_inputs


class LossFunction(torch.autograd.Function):
    """J = loss(y, y_hat), differentiated in y_hat through the dJdy_hat the loss returns."""

    @staticmethod
    def forward(ctx, y_hat, y, loss: Loss):
        J, dJdy_hat = loss.fn(y, y_hat)
        ctx.save_for_backward(dJdy_hat)
        return J

    @staticmethod
    def backward(ctx, grad_output):
        (dJdy_hat,) = ctx.saved_tensors
        return grad_output * dJdy_hat, None, None


def torch_loss(name: str, y: torch.Tensor, y_hat: torch.Tensor):
    """(J, dJ/dy_hat) from torch's own loss and autograd."""
    y_hat = y_hat.detach().clone().requires_grad_()
    J = TORCH_LOSSES[name](y_hat, y)
    J.backward()
    return J.detach(), y_hat.grad


def assert_equals_torch(name, y, y_hat, rtol):
    J, dJdy_hat = LOSSES[name].fn(y, y_hat)
    J_torch, dJdy_hat_torch = torch_loss(name, y, y_hat)
    assert J.shape == () and dJdy_hat.shape == y_hat.shape
    torch.testing.assert_close(J, J_torch, rtol=rtol, atol=0)
    torch.testing.assert_close(dJdy_hat, dJdy_hat_torch, rtol=rtol, atol=0)


def inputs(name, shape, dtype, generator):
    """(y, y_hat) inside the loss's domain, kept off its edges."""
    if name in UNIT_INTERVAL_LOSSES:
        y = torch.rand(shape, dtype=dtype, generator=generator)
        return y, 0.05 + 0.9 * torch.rand(shape, dtype=dtype, generator=generator)
    return tuple(3 * torch.randn(shape, dtype=dtype, generator=generator) for _ in range(2))


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_registry_key_is_the_loss_name(name):
    assert LOSSES[name].name == name


def test_every_loss_has_a_torch_reference():
    missing = set(LOSSES) - set(TORCH_LOSSES)
    assert not missing, f"add torch's definition of {missing} to tests/reference.py"


@pytest.mark.parametrize("name", LOSS_NAMES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_equals_torch(name, dtype, generator):
    y, y_hat = inputs(name, (7, 3), dtype, generator)
    assert_equals_torch(name, y, y_hat, rtol=1e-12 if dtype == torch.float64 else 1e-6)


@pytest.mark.parametrize("name", LOSS_NAMES)
@PROPERTY
@given(data=st.data())
def test_equals_torch_over_shapes_and_values(name, data):
    y, y_hat = data.draw(loss_inputs(name))
    assert_equals_torch(name, y, y_hat, rtol=1e-12)


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_gradient_passes_gradcheck(name, generator):
    y, y_hat = inputs(name, (4, 3), torch.float64, generator)
    assert torch.autograd.gradcheck(LossFunction.apply, (y_hat.requires_grad_(), y, LOSSES[name]))


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_equals_torch_at_the_edges(dtype):
    # y_hat in {0, 1} hits torch's log clamp at -100 (and its gradient clamp); 1e-30 hits the log
    # clamp only in float64; 1e-13 hits only the gradient's denominator clamp at 1e-12.
    edges = torch.tensor([0.0, 1.0, 1e-30, 1e-13, 1 - 2**-40], dtype=dtype)
    labels = torch.tensor([0.0, 1.0, 0.25], dtype=dtype)
    y_hat, y = (t.flatten() for t in torch.meshgrid(edges, labels, indexing="ij"))
    J, dJdy_hat = LOSSES["bce"].fn(y, y_hat)
    assert torch.isfinite(J) and torch.isfinite(dJdy_hat).all()
    assert_equals_torch("bce", y, y_hat, rtol=1e-12 if dtype == torch.float64 else 1e-6)


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_leaves_its_inputs_unchanged(name, generator):
    # The model caches y_hat for its backward pass, so a loss must not write to it.
    y, y_hat = inputs(name, (5, 2), torch.float64, generator)
    y_before, y_hat_before = y.clone(), y_hat.clone()
    versions = y._version, y_hat._version
    LOSSES[name].fn(y, y_hat)
    assert torch.equal(y, y_before) and torch.equal(y_hat, y_hat_before)
    assert (y._version, y_hat._version) == versions


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_meta_tensors_give_shapes_and_skip_value_checks(name):
    # Meta tensors carry shape, dtype and device but no values: there is nothing to check.
    y = torch.empty(4, 3, dtype=torch.float64, device="meta")
    J, dJdy_hat = LOSSES[name].fn(y, torch.empty_like(y))
    assert J.shape == () and dJdy_hat.shape == (4, 3)
    assert J.device.type == dJdy_hat.device.type == "meta"
