"""mlp.train: the five steps by hand against the same five steps with autograd and torch.optim."""

import pytest
import torch

from mlp import ACTIVATIONS, LOSSES, MLP
from mlp.train import (
    TORCH_ACTIVATIONS,
    TORCH_LOSSES,
    make_twin,
    train,
    train_autograd,
    train_step,
    zero_grad,
)
from mlp.twin import twin_grads

from .strategies import CONFIGURATIONS, SIMPLEX_LOSSES, UNIT_INTERVAL_LOSSES, loss_pair

DT = torch.float64
N, N_IN, WIDTH, K = 64, 3, 16, 2
LR = 1e-3
# (g, loss): every output activation with every loss that accepts its outputs (the sigmoid's
# and softmax's for BCE, softmax's for cross-entropy), computed from the registries.
HEADS = sorted({(g, loss) for _, g, loss in CONFIGURATIONS})
# One configuration trains for 200 steps, where rounding has the longest to drift; the others
# for 20, where a wrong gradient already shows from the second step on.
LONG_RUN, LONG_STEPS, STEPS = ("relu", "sigmoid", "bce"), 200, 20


def data(loss_name, seed=0):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(N, N_IN, generator=gen, dtype=DT)
    target = torch.stack([torch.sin(x.sum(1)), x[:, 0] * x[:, 1]], 1)
    if loss_name in SIMPLEX_LOSSES:
        return x, torch.softmax(3 * target, 1)  # probability rows
    return x, (target > 0).to(DT) if loss_name in UNIT_INTERVAL_LOSSES else target


def net_for(f, g, seed=1):
    return MLP(N_IN, WIDTH, f, WIDTH, K, g, dtype=DT, generator=torch.Generator().manual_seed(seed))


def autograd_grads(net, x, y, loss_name):
    """dJ/dtheta at net's current weights, by autograd on a fresh twin, keyed as net.grads."""
    twin = make_twin(net)
    TORCH_LOSSES[loss_name](twin(x), y).backward()
    return twin_grads(twin)


def y_hat_at(parameters, net, x):
    """y_hat of `net`'s architecture at the given parameters, without touching `net`."""
    p = parameters
    return net.g.forward(net.f.forward(x @ p["W1"].T + p["b1"]) @ p["W2"].T + p["b2"])


def test_twin_registries_have_the_same_keys():
    assert TORCH_ACTIVATIONS.keys() == ACTIVATIONS.keys()
    assert TORCH_LOSSES.keys() == LOSSES.keys()


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_twin_activation_is_the_same_function(name):
    s = torch.linspace(-5, 5, 101, dtype=DT)
    torch.testing.assert_close(TORCH_ACTIVATIONS[name]()(s), ACTIVATIONS[name].forward(s),
                               rtol=1e-15, atol=0)


@pytest.mark.parametrize("name", LOSSES)
def test_twin_loss_is_the_same_function(name):
    y, y_hat = loss_pair(name, (N, K), DT, torch.Generator().manual_seed(0))  # in its domain
    torch.testing.assert_close(TORCH_LOSSES[name](y_hat, y), LOSSES[name].fn(y, y_hat)[0],
                               rtol=1e-14, atol=0)


@pytest.mark.parametrize("f", ACTIVATIONS)
def test_twin_computes_the_same_function_from_copied_weights(f):
    net = net_for(f, "sigmoid")
    twin = make_twin(net)
    x, _ = data("mse")
    torch.testing.assert_close(twin(x), net.forward(x), rtol=1e-14, atol=0)
    assert list(twin.state_dict()) == ["linear1.weight", "linear1.bias",
                                       "linear2.weight", "linear2.bias"]
    # Copies, not views: training the net must leave the twin's initial weights alone.
    before = twin.linear1.weight.detach().clone()
    net.parameters["W1"].add_(1.0)
    assert torch.equal(twin.linear1.weight.detach(), before)


def test_the_long_run_is_one_of_the_configurations():
    assert LONG_RUN[0] in ACTIVATIONS and LONG_RUN[1:] in HEADS


@pytest.mark.parametrize(("g", "loss_name"), HEADS)
@pytest.mark.parametrize("f", ACTIVATIONS)
def test_loss_curves_agree_step_by_step(f, g, loss_name):
    steps = LONG_STEPS if (f, g, loss_name) == LONG_RUN else STEPS
    x, y = data(loss_name)
    net = net_for(f, g)
    twin = make_twin(net)
    by_hand = train(net, x, y, loss_name, LR, steps)
    by_autograd = train_autograd(twin, x, y, loss_name, LR, steps)

    assert by_hand.shape == by_autograd.shape == (steps,)
    assert by_hand.dtype == DT
    torch.testing.assert_close(by_hand, by_autograd, rtol=1e-10, atol=1e-12)
    # Same weights at the end, not only the same losses.
    for i in (1, 2):
        lin = getattr(twin, f"linear{i}")
        torch.testing.assert_close(net.parameters[f"W{i}"], lin.weight.detach(),
                                   rtol=1e-10, atol=1e-12)
        torch.testing.assert_close(net.parameters[f"b{i}"], lin.bias.detach(),
                                   rtol=1e-10, atol=1e-12)
    # It trains: a sign error in the update would make the loss climb.
    assert by_hand[-1] < by_hand[0]
    assert (by_hand.diff() <= 1e-12 * by_hand[:-1]).float().mean() > 0.9


@pytest.mark.parametrize(("g", "loss_name"), HEADS)
def test_each_step_is_theta_minus_lr_times_this_steps_gradient(g, loss_name):
    x, y = data(loss_name)
    net = net_for("relu", g)
    lr = 0.05
    for _ in range(3):  # several steps: stale gradients that are not zeroed would show here
        before = {k: v.clone() for k, v in net.parameters.items()}
        expected = autograd_grads(net, x, y, loss_name)
        J = train_step(net, x, y, loss_name, lr)
        torch.testing.assert_close(J, LOSSES[loss_name].fn(y, y_hat_at(before, net, x))[0],
                                   rtol=1e-14, atol=0)
        for k, theta in net.parameters.items():
            torch.testing.assert_close(net.grads[f"dJd{k}"], expected[f"dJd{k}"],
                                       rtol=1e-12, atol=1e-15)
            torch.testing.assert_close(theta, before[k] - lr * expected[f"dJd{k}"],
                                       rtol=1e-14, atol=1e-15)
            assert not torch.equal(theta, before[k])


def test_zero_grad_keeps_the_cache_of_the_forward_pass():
    x, y = data("mse")
    net = net_for("sigmoid", "identity")
    net.forward(x)
    for grad in net.grads.values():
        grad.fill_(7.0)
    zero_grad(net)
    assert all(bool((grad == 0).all()) for grad in net.grads.values())
    assert net.cache, "step 3 must not drop what step 1 cached for step 4"
    net.backward(LOSSES["mse"].fn(y, net.cache["y_hat"])[1])
    assert any(bool(grad.abs().sum() > 0) for grad in net.grads.values())


def test_zero_learning_rate_leaves_the_network_unchanged():
    x, y = data("mse")
    net = net_for("relu", "identity")
    before = {k: v.clone() for k, v in net.parameters.items()}
    losses = train(net, x, y, "mse", 0.0, 5)
    assert all(torch.equal(before[k], v) for k, v in net.parameters.items())
    assert bool((losses == losses[0]).all())


def test_progress_wraps_the_step_range():
    seen = []

    def progress(it):
        seen.append(len(it))
        return it

    x, y = data("mse")
    net = net_for("relu", "identity")
    train(net, x, y, "mse", LR, 7, progress=progress)
    train_autograd(make_twin(net), x, y, "mse", LR, 4, progress=progress)
    assert seen == [7, 4]
