"""mlp.deep: the deeper stack of hand-written layers, against MLP and against autograd."""

import math

import pytest
import torch

from mlp import ACTIVATIONS, COURSE_ACTIVATIONS, LOSSES, MLP, BackwardBeforeForwardError
from mlp.deep import DeepMLP
from mlp.train import TORCH_LOSSES, make_twin, train, train_autograd
from mlp.twin import twin_grads

from .reference import assert_rel_close
from .strategies import CONFIGURATIONS, SIMPLEX_LOSSES, UNIT_INTERVAL_LOSSES

DT = torch.float64
N = 32
# The same products on the same data may still differ in the last bit between two calls: MKL's
# kernels pick a summation order by the buffers' memory alignment and the thread count, and the
# order differs across CPUs (1 ulp on an AMD EPYC). So these compare in norm within 1e-14, ~50
# ulp in float64, far below any real error, which is O(1) relative.
SAME_OPS = 1e-14
HEADS = sorted({(g, loss) for _, g, loss in CONFIGURATIONS})  # each (g, loss) the losses accept
WIDTHS = [(3, 2), (3, 7, 2), (3, 7, 5, 2), (3, 7, 5, 6, 2)]  # L = 1 ... 4 affine layers


def gen(seed):
    return torch.Generator().manual_seed(seed)


def data(widths, loss_name, seed=0):
    x = torch.randn(N, widths[0], generator=gen(seed), dtype=DT)
    y = torch.rand(N, widths[-1], generator=gen(seed + 1), dtype=DT)
    if loss_name in SIMPLEX_LOSSES:
        return x, y / y.sum(-1, keepdim=True)  # probability rows
    return x, (y > 0.5).to(DT) if loss_name in UNIT_INTERVAL_LOSSES else y


def grads_by_autograd(net, x, y, loss_name):
    twin = make_twin(net)
    TORCH_LOSSES[loss_name](twin(x), y).backward()
    return twin_grads(twin)


@pytest.mark.parametrize("g", ACTIVATIONS)
@pytest.mark.parametrize("f", ACTIVATIONS)
def test_two_layers_are_exactly_the_homework_mlp(f, g):
    deep = DeepMLP((3, 6, 2), f, g, dtype=DT, generator=gen(5))
    net = MLP(3, 6, f, 6, 2, g, dtype=DT, generator=gen(5))
    assert deep.parameters.keys() == net.parameters.keys()
    assert all(torch.equal(deep.parameters[k], v) for k, v in net.parameters.items())
    x, y = data((3, 6, 2), "mse")
    assert_rel_close(deep.forward(x), net.forward(x), SAME_OPS, "y_hat")
    dJdy_hat = LOSSES["mse"].fn(y, net.cache["y_hat"])[1]
    deep.backward(dJdy_hat)
    net.backward(dJdy_hat)
    assert deep.grads.keys() == net.grads.keys()
    for k, v in net.grads.items():
        assert_rel_close(deep.grads[k], v, SAME_OPS, k)


@pytest.mark.parametrize("widths", WIDTHS, ids=lambda w: f"L{len(w) - 1}")
@pytest.mark.parametrize(("g", "loss_name"), HEADS)
@pytest.mark.parametrize("f", ACTIVATIONS)
def test_gradients_match_autograd(f, g, loss_name, widths):
    net = DeepMLP(widths, f, g, dtype=DT, generator=gen(2))
    x, y = data(widths, loss_name)
    _, dJdy_hat = LOSSES[loss_name].fn(y, net.forward(x))
    net.backward(dJdy_hat)
    expected = grads_by_autograd(net, x, y, loss_name)
    assert net.grads.keys() == expected.keys()
    for k, grad in net.grads.items():
        torch.testing.assert_close(grad, expected[k], rtol=1e-12, atol=1e-15)
    assert any(bool(grad.abs().sum() > 0) for grad in net.grads.values())


# The course's three: with tanh, softplus, SiLU or GELU this stack at lr = 0.5 reaches the edge
# of stability after 110-150 steps, where the two runs, equal to 1e-16 until then, part
# exponentially while J still falls; test_gradients_match_autograd checks every step's math.
@pytest.mark.parametrize("f", COURSE_ACTIVATIONS)
def test_training_a_deep_stack_matches_autograd_for_200_steps(f):
    widths = (3, 8, 8, 8, 1)
    net = DeepMLP(widths, f, "sigmoid", gain=math.sqrt(2), dtype=DT, generator=gen(3))
    twin = make_twin(net)
    x, y = data(widths, "bce")
    by_hand = train(net, x, y, "bce", 0.5, 200)
    torch.testing.assert_close(by_hand, train_autograd(twin, x, y, "bce", 0.5, 200),
                               rtol=1e-10, atol=1e-12)
    assert by_hand[-1] < by_hand[0]


def test_cache_names_every_layer():
    net = DeepMLP((3, 4, 5, 2), "relu", "sigmoid", dtype=DT, generator=gen(0))
    x, _ = data((3, 4, 5, 2), "mse")
    y_hat = net.forward(x)
    assert list(net.cache) == ["x", "z1", "z2", "z3", "z4", "z5", "y_hat"]
    assert net.cache["y_hat"] is y_hat
    c, p = net.cache, net.parameters
    # Odd z: an affine layer's output (the pre-activation); even z: f of the one before.
    torch.testing.assert_close(c["z1"], c["x"] @ p["W1"].T + p["b1"], rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(c["z2"], torch.relu(c["z1"]), rtol=0, atol=0)
    torch.testing.assert_close(c["z3"], c["z2"] @ p["W2"].T + p["b2"], rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(c["z4"], torch.relu(c["z3"]), rtol=0, atol=0)
    torch.testing.assert_close(y_hat, torch.sigmoid(c["z5"]), rtol=0, atol=0)


@pytest.mark.parametrize("gain", [1.0, math.sqrt(2), 4.0])
def test_gain_scales_weights_by_gain_over_sqrt_fan_in_and_zeroes_biases(gain):
    net = DeepMLP((400, 300, 200), "relu", "identity", gain=gain, dtype=DT, generator=gen(0))
    for layer, fan_in in ((1, 400), (2, 300)):
        W = net.parameters[f"W{layer}"]
        # 6e4+ draws: the sample std is within 1% of the true one far beyond 5 sigma.
        assert W.std().item() == pytest.approx(gain / math.sqrt(fan_in), rel=0.01)
        assert abs(W.mean().item()) < 0.01 * gain / math.sqrt(fan_in)
        b = net.parameters[f"b{layer}"]
        assert b.shape == (W.shape[0],) and not bool(b.any())


def test_backward_accumulates_and_clear_resets():
    widths = (3, 4, 2)
    net = DeepMLP(widths, "sigmoid", "identity", dtype=DT, generator=gen(0))
    x, y = data(widths, "mse")
    _, dJdy_hat = LOSSES["mse"].fn(y, net.forward(x))
    net.backward(dJdy_hat)
    once = {k: v.clone() for k, v in net.grads.items()}
    net.backward(dJdy_hat)
    for k, v in once.items():  # accumulated by addmm_, whose rounding depends on the kernel
        assert_rel_close(net.grads[k], 2 * v, SAME_OPS, k)
    net.clear_grad_and_cache()
    assert net.cache == {}
    assert all(bool((v == 0).all()) for v in net.grads.values())
    with pytest.raises(BackwardBeforeForwardError, match="forward"):
        net.backward(dJdy_hat)


@pytest.mark.parametrize(("args", "kwargs", "error", "match"), [
    (((3,), "relu", "identity"), {}, ValueError, "at least"),
    (((3, 0, 2), "relu", "identity"), {}, ValueError, r"widths\[1\]"),
    (((3, 4, 2), "no_such_activation", "identity"), {}, ValueError, "f_function"),
    (((3, 4, 2), "relu", 1), {}, TypeError, "g_function"),
    (((3, 4, 2), "relu", "identity"), {"dtype": torch.int64}, TypeError, "dtype"),
])
def test_bad_construction_raises(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        DeepMLP(*args, **kwargs)


@pytest.mark.parametrize("x", [torch.zeros(5, 4), torch.zeros(3), torch.zeros(0, 3)],
                         ids=["wrong-width", "1-D", "empty"])
def test_bad_input_raises(x):
    net = DeepMLP((3, 4, 2), "relu", "identity")
    with pytest.raises(ValueError, match="x must have shape"):
        net.forward(x)


def test_bad_upstream_gradient_raises():
    net = DeepMLP((3, 4, 2), "relu", "identity", dtype=DT)
    net.forward(torch.zeros(5, 3, dtype=DT))
    with pytest.raises(ValueError, match="dJdy_hat"):
        net.backward(torch.zeros(5, 3, dtype=DT))
    with pytest.raises(TypeError, match="dJdy_hat"):
        net.backward(torch.zeros(5, 2, dtype=torch.float32))
