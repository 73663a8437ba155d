"""mlp/_network.py: what MLP and DeepMLP share, tested on both classes alike."""

from __future__ import annotations

import pytest
import torch

from mlp import LOSSES, MLP, BackwardBeforeForwardError, ModifiedAfterForwardError
from mlp.deep import DeepMLP

DT = torch.float64
BUILDERS = {
    "MLP": lambda **kw: MLP(3, 4, "sigmoid", 4, 2, "sigmoid", dtype=DT, **kw),
    "DeepMLP": lambda **kw: DeepMLP((3, 4, 5, 2), "sigmoid", "sigmoid", dtype=DT, **kw),
}
both = pytest.mark.parametrize("build", BUILDERS.values(), ids=BUILDERS.keys())


def ran(net, x):
    """One forward and loss on x; returns dJdy_hat."""
    y = torch.full((x.shape[0], 2), 0.25, dtype=DT)
    return LOSSES["bce"].fn(y, net.forward(x))[1]


@both
def test_inputs_that_require_grad_record_no_graph(build):
    net = build(generator=torch.Generator().manual_seed(0))
    x = torch.randn(5, 3, dtype=DT, requires_grad=True)
    y_hat = net.forward(x)
    net.backward(torch.ones_like(y_hat, requires_grad=True))
    assert y_hat.grad_fn is None and not y_hat.requires_grad
    for name, t in {**net.cache, **net.grads, **net.parameters}.items():
        assert t.grad_fn is None and not t.requires_grad, f"{name} is part of a graph"


@both
def test_training_with_inputs_that_require_grad_keeps_no_graph(build):
    from mlp.train import train
    net = build(generator=torch.Generator().manual_seed(0))
    x = torch.randn(5, 3, dtype=DT, requires_grad=True)
    y = torch.full((5, 2), 0.25, dtype=DT, requires_grad=True)
    train(net, x, y, "bce", 0.1, 3)
    assert all(not t.requires_grad for t in net.parameters.values())


@both
@pytest.mark.parametrize("name", ["x", "y_hat", "z1", "z2"])
def test_a_cache_modified_in_place_is_refused(build, name):
    net = build(generator=torch.Generator().manual_seed(0))
    x = torch.randn(5, 3, dtype=DT)
    dJdy_hat = ran(net, x)
    (x if name == "x" else net.cache[name]).mul_(1.5)
    expected = rf"^{name} was modified in place after forward.*\({name}\.clone\(\)\)$"
    with pytest.raises(ModifiedAfterForwardError, match=expected):
        net.backward(dJdy_hat)
    assert all(not bool(g.any()) for g in net.grads.values()), "nothing may be written"


@both
def test_a_view_modified_in_place_is_refused_and_a_new_forward_clears_it(build):
    net = build(generator=torch.Generator().manual_seed(0))
    x = torch.randn(5, 3, dtype=DT)
    dJdy_hat = ran(net, x)
    x[0].zero_()  # a view shares its base's version counter
    with pytest.raises(ModifiedAfterForwardError, match="^x was modified"):
        net.backward(dJdy_hat)
    net.backward(ran(net, x))  # forward again on the modified x: fine


@both
def test_clear_zeroes_in_place_and_empties_the_cache(build):
    net = build(generator=torch.Generator().manual_seed(0))
    net.backward(ran(net, torch.randn(5, 3, dtype=DT)))
    grads = dict(net.grads)
    assert all(bool(g.any()) for g in grads.values())
    net.clear_grad_and_cache()
    assert net.cache == {}
    for k, g in net.grads.items():
        assert g is grads[k] and not bool(g.any()), f"{k} must be zeroed in place"
    with pytest.raises(BackwardBeforeForwardError, match="^backward needs the cache of a forward"):
        net.backward(torch.zeros(5, 2, dtype=DT))


@both
def test_parameters_land_on_the_device_asked_for(build):
    net = build(device="meta")
    assert all(t.device.type == "meta" for t in (*net.parameters.values(), *net.grads.values()))
    y_hat = net.forward(torch.empty(7, 3, dtype=DT, device="meta"))
    assert y_hat.device.type == "meta" and y_hat.shape == (7, 2)


@both
@pytest.mark.parametrize("x", [torch.zeros(5, 4), torch.zeros(3), torch.zeros(0, 3)],
                         ids=["wrong-width", "1-D", "empty"])
def test_bad_x_names_the_expected_shape(build, x):
    net = build()
    with pytest.raises(ValueError) as err:
        net.forward(x.to(DT))
    assert str(err.value) == f"x must have shape (batch >= 1, 3), got {tuple(x.shape)}"


def matrix_products(run) -> int:
    """How many matrix products torch runs inside `run()`, counted by its profiler."""
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        run()
    products = {"aten::mm", "aten::addmm", "aten::addmm_", "aten::bmm", "aten::dot"}
    return sum(e.count for e in prof.key_averages() if e.key in products)


@both
def test_backward_skips_the_gradient_of_x(build):
    # Per layer dJ/dW is one product and dJ/dz_prev another, except at the first layer: x is
    # data, so dJ/dx would be work thrown away. L layers: 2L - 1 products.
    net = build(generator=torch.Generator().manual_seed(0))
    dJdy_hat = ran(net, torch.randn(5, 3, dtype=DT))
    n_layers = len(net.widths) - 1
    assert matrix_products(lambda: net.backward(dJdy_hat)) == 2 * n_layers - 1
