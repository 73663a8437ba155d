"""mlp/losses.py: every registry entry against torch's loss, its autograd and finite differences."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from mlp import ACTIVATIONS, COURSE_LOSSES, LOSSES, Loss, cross_entropy_loss

from .reference import TORCH_LOSSES
from .strategies import DTYPES, LOSS_NAMES, PROPERTY, SIMPLEX_LOSSES, loss_inputs, loss_pair


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


def within_the_domain(name, grad):
    """On probability rows (cross-entropy) dJ/dy_hat is defined up to a constant per row: a
    step along the row's ones leaves the rows' simplex. Its part within the simplex, then."""
    return grad - grad.mean(-1, keepdim=True) if name in SIMPLEX_LOSSES else grad


def assert_equals_torch(name, y, y_hat, rtol):
    J, dJdy_hat = LOSSES[name].fn(y, y_hat)
    J_torch, dJdy_hat_torch = torch_loss(name, y, y_hat)
    assert J.shape == () and dJdy_hat.shape == y_hat.shape
    torch.testing.assert_close(J, J_torch, rtol=rtol, atol=0)
    # atol: the part within the simplex subtracts a row mean, which can cancel to ~0, so its
    # rounding is relative to the gradient before that.
    scale = max(dJdy_hat.abs().max().item(), dJdy_hat_torch.abs().max().item())
    torch.testing.assert_close(within_the_domain(name, dJdy_hat),
                               within_the_domain(name, dJdy_hat_torch), rtol=rtol,
                               atol=rtol * scale if name in SIMPLEX_LOSSES else 0)


inputs = loss_pair  # (y, y_hat) inside the loss's domain, off its edges


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
    if name not in SIMPLEX_LOSSES:
        assert torch.autograd.gradcheck(LossFunction.apply,
                                        (y_hat.requires_grad_(), y, LOSSES[name]))
        return
    # On probability rows, y_hat is a softmax of logits, so every step stays on the rows' simplex.
    logits = y_hat.log().requires_grad_()
    assert torch.autograd.gradcheck(
        lambda t: LossFunction.apply(torch.softmax(t, -1), y, LOSSES[name]), (logits,))


def test_course_losses():
    assert COURSE_LOSSES == ("mse", "bce")
    assert all(LOSSES[n].course for n in COURSE_LOSSES) and not LOSSES["cross_entropy"].course


@pytest.mark.parametrize("targets", ["one-hot", "probabilities"])
def test_cross_entropy_equals_torch_on_the_logits(targets, generator):
    # J(y, softmax(s)) = nn.CrossEntropyLoss()(s, y), and softmax's backward of dJ/dy_hat is
    # autograd's dJ/ds through torch's loss on the logits.
    s = 4 * torch.randn(6, 5, dtype=torch.float64, generator=generator)
    labels = torch.randint(0, 5, (6,), generator=generator)
    y = (torch.nn.functional.one_hot(labels, 5).double() if targets == "one-hot"
         else torch.softmax(torch.randn(6, 5, dtype=torch.float64, generator=generator), -1))
    leaf = s.clone().requires_grad_()
    J_torch = torch.nn.CrossEntropyLoss()(leaf, labels if targets == "one-hot" else y)
    J_torch.backward()
    softmax = ACTIVATIONS["softmax"]
    y_hat = softmax.forward(s)
    J, dJdy_hat = cross_entropy_loss(y, y_hat)
    torch.testing.assert_close(J, J_torch.detach(), rtol=1e-12, atol=0)
    torch.testing.assert_close(softmax.backward(dJdy_hat, s, y_hat), leaf.grad, rtol=1e-12,
                               atol=1e-15)
    torch.testing.assert_close(leaf.grad, (y_hat - y) / 6, rtol=1e-12, atol=1e-15)  # (p - y)/N


def test_cross_entropy_zero_targets_add_nothing_even_at_zero():
    # 0 log 0 = 0, as torch's xlogy: a class with y = 0 that softmax rounded to 0 costs nothing.
    y = torch.tensor([[1.0, 0.0, 0.0]], dtype=torch.float64)
    y_hat = torch.tensor([[1.0, 0.0, 0.0]], dtype=torch.float64)
    J, dJdy_hat = cross_entropy_loss(y, y_hat)
    assert J.item() == 0.0 and dJdy_hat.tolist() == [[-1.0, 0.0, 0.0]]


@pytest.mark.parametrize("y_hat", [[[0.5, 0.4]], [[0.6, 0.6]], [[0.5, 0.5], [0.3, 0.6]]])
def test_cross_entropy_takes_probability_rows(y_hat):
    # A sigmoid's outputs, or logits passed by mistake, are not probability rows.
    y_hat = torch.tensor(y_hat, dtype=torch.float64)
    with pytest.raises(ValueError, match="each row of y_hat must sum to 1"):
        cross_entropy_loss(torch.full_like(y_hat, 0.5), y_hat)


@pytest.mark.parametrize("shape", [(), (2, 3, 4)])
def test_cross_entropy_names_the_shapes_it_takes(shape):
    # A 0-d y_hat has no row; a 3-d one torch would read with K in dim 1, not in the last.
    y = torch.full(shape, 1.0 if shape == () else 0.25, dtype=torch.float64)
    with pytest.raises(ValueError) as err:
        cross_entropy_loss(y, y.clone())
    assert str(err.value) == (f"y_hat must have shape (N, K) or (K,) (probability rows), got "
                              f"{shape}")


def test_cross_entropy_of_one_row_is_torchs_unbatched_loss(generator):
    s = torch.randn(4, dtype=torch.float64, generator=generator)
    y = torch.softmax(torch.randn(4, dtype=torch.float64, generator=generator), -1)
    J, _ = cross_entropy_loss(y, torch.softmax(s, -1))
    torch.testing.assert_close(J, torch.nn.CrossEntropyLoss()(s, y), rtol=1e-12, atol=0)


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
