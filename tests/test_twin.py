"""mlp/twin.py: the one autograd twin, read from the registries' torch counterparts."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from torch import nn

from mlp import ACTIVATIONS, LOSSES, MLP, register_activation, unregister_activation
from mlp.deep import DeepMLP
from mlp.twin import (
    TORCH_ACTIVATIONS,
    TORCH_LOSSES,
    Elementwise,
    make_twin,
    torch_activation,
    torch_loss,
    twin_grads,
)

from .strategies import loss_pair

F64 = torch.float64


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_each_activation_has_torchs_own_module(name):
    module = torch_activation(name)
    assert type(module) is getattr(nn, ACTIVATIONS[name].torch_module)
    s = torch.linspace(-6, 6, 25, dtype=F64).reshape(5, 5)
    torch.testing.assert_close(module(s), ACTIVATIONS[name].forward(s), rtol=1e-14, atol=1e-16)


def test_leaky_relu_module_takes_the_entry_slope():
    assert torch_activation("leaky_relu").negative_slope == 0.01


def test_views_follow_the_registries():
    assert list(TORCH_ACTIVATIONS) == list(ACTIVATIONS)
    assert list(TORCH_LOSSES) == list(LOSSES)
    assert isinstance(TORCH_ACTIVATIONS["tanh"](), nn.Tanh)
    with pytest.raises(KeyError):
        TORCH_LOSSES["hinge"]


def test_an_entry_without_a_torch_module_is_differentiated_through_its_forward():
    register_activation(dataclasses.replace(ACTIVATIONS["tanh"], name="tanh2", torch_module=None))
    try:
        module = torch_activation("tanh2")
        assert isinstance(module, Elementwise)
        s = torch.randn(3, 4, dtype=F64, requires_grad=True)
        module(s).sum().backward()
        torch.testing.assert_close(s.grad, 1 - torch.tanh(s.detach()) ** 2, rtol=1e-14, atol=0)
    finally:
        unregister_activation("tanh2")


@pytest.mark.parametrize("name", list(LOSSES))
def test_torch_loss_equals_the_registry_loss(name):
    y, y_hat = loss_pair(name, (6, 4), F64, torch.Generator().manual_seed(0))
    torch.testing.assert_close(torch_loss(name)(y_hat, y), LOSSES[name].fn(y, y_hat)[0],
                               rtol=1e-13, atol=0)


def test_cross_entropy_twin_is_torchs_loss_on_the_logits():
    # F.cross_entropy(log softmax(s), y) = F.cross_entropy(s, y): a row's logits may shift.
    gen = torch.Generator().manual_seed(1)
    s, y = torch.randn(5, 3, dtype=F64, generator=gen), torch.rand(5, 3, dtype=F64, generator=gen)
    torch.testing.assert_close(torch_loss("cross_entropy")(torch.softmax(s, -1), y),
                               nn.CrossEntropyLoss()(s, y), rtol=1e-14, atol=0)


def test_two_layers_are_named_as_the_homework_names_them():
    net = MLP(3, 4, "relu", 4, 2, "sigmoid", dtype=F64, generator=torch.Generator().manual_seed(0))
    assert list(make_twin(net)._modules) == ["linear1", "f", "linear2", "g"]
    deep = DeepMLP((3, 4, 5, 2), "tanh", "identity", dtype=F64)
    assert list(make_twin(deep)._modules) == ["linear1", "f1", "linear2", "f2", "linear3", "g"]


@pytest.mark.parametrize("share", [False, True])
def test_copies_or_shares_the_weights(share):
    net = MLP(3, 4, "gelu", 4, 2, "softmax", dtype=F64, generator=torch.Generator().manual_seed(0))
    twin = make_twin(net, share=share)
    W1 = net.parameters["W1"]
    assert twin.linear1.weight.dtype == F64 and torch.equal(twin.linear1.weight.detach(), W1)
    assert (twin.linear1.weight.data_ptr() == W1.data_ptr()) == share
    x = torch.randn(5, 3, dtype=F64)
    torch.testing.assert_close(twin(x), net.forward(x), rtol=1e-14, atol=0)


def test_twin_grads_are_keyed_as_the_nets_grads():
    deep = DeepMLP((3, 4, 5, 2), "silu", "identity", dtype=F64,
                   generator=torch.Generator().manual_seed(0))
    twin = make_twin(deep)
    torch_loss("mse")(twin(torch.randn(6, 3, dtype=F64)), torch.zeros(6, 2, dtype=F64)).backward()
    grads = twin_grads(twin)
    assert grads.keys() == deep.grads.keys()
    assert all(grads[k].shape == deep.grads[k].shape for k in grads)
