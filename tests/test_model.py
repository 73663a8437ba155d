"""mlp/model.py: the network's numbers against its autograd twin and finite differences."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given

from mlp import ACTIVATIONS, LOSSES, MLP

from .reference import assert_rel_close, autograd_run, derivative_at_output
from .strategies import (
    ACTIVATION_NAMES,
    NETWORK_CASES,
    PROPERTY,
    SHAPES,
    away_from_zero,
    network,
    network_cases,
    shape_id,
    targets,
)

F64 = torch.float64


def assert_matches_autograd(net, x, y, loss_name, rtol):
    """One step by hand (forward, loss, backward) equals the twin's by autograd, within rtol."""
    y_hat = net.forward(x)
    J, dJdy_hat = LOSSES[loss_name].fn(y, y_hat)
    net.backward(dJdy_hat)
    y_hat_ref, J_ref, grads_ref = autograd_run(net, x, y, loss_name)
    assert_rel_close(y_hat, y_hat_ref, rtol, "y_hat")
    assert_rel_close(J, J_ref, rtol, "J")
    for k, grad in net.grads.items():
        assert_rel_close(grad, grads_ref[k], rtol, k)


@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
@pytest.mark.parametrize("f_name,g_name,loss_name", NETWORK_CASES)
def test_grid_matches_autograd(f_name, g_name, loss_name, shape, generator):
    net, x = network(f_name, g_name, shape, generator)
    y = targets((shape[0], shape[3]), F64, generator)
    assert_matches_autograd(net, x, y, loss_name, rtol=1e-8)


@PROPERTY
@given(case=network_cases())
def test_random_networks_match_autograd(case):
    net, _ = network(case.f_name, case.g_name, case.shape, torch.Generator().manual_seed(case.seed))
    assert_matches_autograd(net, case.x, case.y, case.loss_name, rtol=1e-8)


@pytest.mark.parametrize("f_name,g_name,loss_name", NETWORK_CASES)
def test_float32_matches_autograd(f_name, g_name, loss_name, generator):
    net, x = network(f_name, g_name, (10, 2, 20, 5), generator, dtype=torch.float32)
    y = targets((10, 5), torch.float32, generator)
    assert_matches_autograd(net, x, y, loss_name, rtol=1e-5)
    assert all(t.dtype == torch.float32 for t in (*net.grads.values(), *net.cache.values()))


class NetworkFunction(torch.autograd.Function):
    """y_hat = MLP(x) with W1, b1, W2, b2 as inputs, differentiated through `MLP.backward`."""

    @staticmethod
    def forward(ctx, x, W1, b1, W2, b2, f_name, g_name):
        net = MLP(W1.shape[1], W1.shape[0], f_name, W2.shape[1], W2.shape[0], g_name, dtype=F64)
        for name, value in dict(W1=W1, b1=b1, W2=W2, b2=b2).items():
            net.parameters[name].copy_(value)
        ctx.net = net
        return net.forward(x)

    @staticmethod
    def backward(ctx, grad_output):
        for grad in ctx.net.grads.values():  # gradcheck calls backward once per output entry
            grad.zero_()
        ctx.net.backward(grad_output)
        g = ctx.net.grads
        return None, *(g[k].clone() for k in ("dJdW1", "dJdb1", "dJdW2", "dJdb2")), None, None


@pytest.mark.parametrize("g_name", ACTIVATION_NAMES)
@pytest.mark.parametrize("f_name", ACTIVATION_NAMES)
def test_backward_passes_gradcheck(f_name, g_name, generator):
    # Inputs and weights of magnitude >= 0.1 keep the pre-activations of this seed off ReLU's kink.
    x, W1, b1, W2, b2 = (away_from_zero(shape, generator) for shape in
                         [(3, 2), (4, 2), (4,), (3, 4), (3,)])
    params = tuple(t.requires_grad_() for t in (W1, b1, W2, b2))
    assert torch.autograd.gradcheck(NetworkFunction.apply, (x, *params, f_name, g_name))


def test_derivative_is_taken_at_the_pre_activation(generator):
    # Large pre-activations, where sigma'(s) and sigma'(sigma(s)) differ most.
    net, x = network("sigmoid", "sigmoid", (6, 3, 5, 4), generator)
    x = 3 * x
    y = targets((6, 4), F64, generator)
    assert_matches_autograd(net, x, y, "bce", rtol=1e-8)
    net.clear_grad_and_cache()
    net.f = net.g = derivative_at_output(ACTIVATIONS["sigmoid"])
    with pytest.raises(AssertionError, match="dJdW"):
        assert_matches_autograd(net, x, y, "bce", rtol=1e-8)
