"""mlp/model.py: the homework's API and state contract, and what each call may write."""

from __future__ import annotations

import inspect

import pytest
import torch
import torch.nn.functional as F

from mlp import MLP, mse_loss

from .reference import assert_rel_close, twin_grads
from .strategies import DTYPES, network, targets

F64 = torch.float64
HOMEWORK_ARGUMENTS = ["linear_1_in_features", "linear_1_out_features", "f_function",
                      "linear_2_in_features", "linear_2_out_features", "g_function"]


def test_signature_is_the_homeworks_with_keyword_only_extras():
    parameters = inspect.signature(MLP).parameters.values()
    assert [(p.name, p.kind) for p in parameters] == [
        *((name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in HOMEWORK_ARGUMENTS),
        *((name, inspect.Parameter.KEYWORD_ONLY) for name in ("dtype", "device", "generator")),
    ]
    with pytest.raises(TypeError):
        MLP(2, 20, "relu", 20, 5, "identity", torch.float64)


def test_backward_twice_doubles_the_grads_as_autograd_does(generator, twin):
    net, x = network("relu", "sigmoid", (5, 3, 4, 2), generator)
    y = targets((5, 2), F64, generator)
    net.backward(mse_loss(y, net.forward(x))[1])
    once = {k: grad.clone() for k, grad in net.grads.items()}
    net.backward(mse_loss(y, net.forward(x))[1])  # no clear in between
    reference = twin(net)
    for _ in range(2):
        F.mse_loss(reference(x), y).backward()
    for k, grad in net.grads.items():
        assert_rel_close(grad, 2 * once[k], 1e-12, k)
        assert_rel_close(grad, twin_grads(reference)[k], 1e-12, k)


def test_clear_grad_and_cache_zeroes_in_place_and_empties_the_cache(net):
    grads = dict(net.grads)
    assert net.cache and all(g.abs().sum() > 0 for g in grads.values())
    net.clear_grad_and_cache()
    assert net.cache == {}
    for k, grad in net.grads.items():
        assert grad is grads[k], f"{k} was replaced rather than zeroed in place"
        assert torch.equal(grad, torch.zeros_like(grad))


def test_forward_and_backward_never_write_to_parameters(generator, twin):
    net, x = network("relu", "relu", (4, 3, 5, 2), generator)
    reference = twin(net)  # shares the storage, as the homework's tests do
    params = dict(net.parameters)
    before = {k: (p.clone(), p.data_ptr(), p._version) for k, p in params.items()}
    net.forward(x)
    net.backward(torch.randn(4, 2, dtype=F64, generator=generator))
    for k, (value, ptr, version) in before.items():
        p = net.parameters[k]
        assert p is params[k] and p.data_ptr() == ptr and p._version == version, k
        assert torch.equal(p, value), k
    assert reference.linear1.weight.data_ptr() == before["W1"][1]


def snapshot(tensors):
    return {k: (t, t.clone(), t._version) for k, t in tensors.items()}


def assert_untouched(before):
    for k, (t, value, version) in before.items():
        assert t._version == version and torch.equal(t, value), f"{k} was written to"


def test_backward_writes_to_nothing_but_the_grads(generator):
    # Not to dJdy_hat (the caller's), nor to the cache (a second backward reuses it).
    net, x = network("sigmoid", "relu", (4, 3, 5, 2), generator)
    net.forward(x)
    dJdy_hat = torch.randn(4, 2, dtype=F64, generator=generator)
    before = snapshot(dict(dJdy_hat=dJdy_hat, **net.cache))
    net.backward(dJdy_hat)
    assert_untouched(before)


def test_forward_writes_to_nothing_but_the_cache(generator):
    net, x = network("relu", "sigmoid", (4, 3, 5, 2), generator)
    before = snapshot(dict(x=x))
    net.forward(x)
    assert_untouched(before)


def test_non_contiguous_inputs_give_the_same_results(generator):
    net, x = network("relu", "sigmoid", (4, 3, 5, 2), generator)
    dJdy_hat = torch.randn(4, 2, dtype=F64, generator=generator)
    x_t, dJdy_hat_t = x.T.contiguous().T, dJdy_hat.T.contiguous().T  # same values, strided
    assert not x_t.is_contiguous() and not dJdy_hat_t.is_contiguous()
    results = []
    for inputs in ((x, dJdy_hat), (x_t, dJdy_hat_t)):
        net.clear_grad_and_cache()
        y_hat = net.forward(inputs[0])
        net.backward(inputs[1])
        results.append((y_hat, {k: g.clone() for k, g in net.grads.items()}))
    assert_rel_close(results[1][0], results[0][0], 1e-14, "y_hat")
    for k, grad in results[0][1].items():
        assert_rel_close(results[1][1][k], grad, 1e-14, k)


def test_parameters_grads_and_cache_have_the_homeworks_shapes():
    net = MLP(2, 20, "relu", 20, 5, "identity")
    shapes = dict(W1=(20, 2), b1=(20,), W2=(5, 20), b2=(5,))
    assert {k: tuple(v.shape) for k, v in net.parameters.items()} == shapes
    assert {k: tuple(v.shape) for k, v in net.grads.items()} == {f"dJd{k}": v
                                                                  for k, v in shapes.items()}
    assert all(torch.equal(g, torch.zeros_like(g)) for g in net.grads.values())
    assert net.cache == {}
    assert net.forward(torch.randn(10, 2)).shape == (10, 5)


def test_parameters_are_drawn_with_torch_randn_in_the_homeworks_order():
    torch.manual_seed(0)
    net = MLP(2, 20, "relu", 20, 5, "identity")
    torch.manual_seed(0)
    expected = dict(W1=torch.randn(20, 2), b1=torch.randn(20), W2=torch.randn(5, 20),
                    b2=torch.randn(5))
    for k, value in expected.items():
        assert torch.equal(net.parameters[k], value), k


def test_generator_gives_reproducible_weights_and_leaves_the_global_rng_alone():
    def draw(seed):
        return MLP(3, 4, "relu", 4, 2, "sigmoid", generator=torch.Generator().manual_seed(seed))
    state = torch.get_rng_state()
    first, again, other = draw(7), draw(7), draw(8)
    assert torch.equal(torch.get_rng_state(), state)
    for k in first.parameters:
        assert torch.equal(first.parameters[k], again.parameters[k]), k
        assert not torch.equal(first.parameters[k], other.parameters[k]), k


@pytest.mark.parametrize("dtype", DTYPES)
def test_dtype_keyword_sets_every_tensor_dtype(dtype, generator):
    net, x = network("sigmoid", "relu", (3, 2, 4, 5), generator, dtype=dtype)
    y_hat = net.forward(x)
    net.backward(torch.ones_like(y_hat))
    tensors = (*net.parameters.values(), *net.grads.values(), *net.cache.values())
    assert all(t.dtype == dtype for t in tensors)


def test_default_dtype_is_torchs_default():
    net = MLP(3, 4, "relu", 4, 2, "sigmoid")
    assert all(p.dtype == torch.get_default_dtype() for p in net.parameters.values())


DEVICES = ["cpu", "meta", pytest.param("cuda", marks=pytest.mark.skipif(
    not torch.cuda.is_available(), reason="no CUDA device here"))]


@pytest.mark.parametrize("device", DEVICES)
def test_device_keyword_puts_every_tensor_on_the_device(device):
    # "meta" tensors carry shape, dtype and device but no data: a device check that runs anywhere.
    net = MLP(3, 4, "relu", 4, 2, "sigmoid", dtype=F64, device=device)
    y_hat = net.forward(torch.randn(5, 3, dtype=F64, device=device))
    net.backward(torch.ones_like(y_hat))
    tensors = (*net.parameters.values(), *net.grads.values(), *net.cache.values())
    assert all(t.device.type == device for t in tensors)
    assert y_hat.shape == (5, 2)
