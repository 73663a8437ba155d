"""A new activation is two entries and nothing else: softsign, added at run time by the public
registration calls, is derived, run by hand, twinned and tabulated, then removed again."""

from __future__ import annotations

import pytest
import sympy as sp
import torch
from torch import nn

import mlp
from derivations import activations as symbolic
from derivations import network
from derivations import torch_bridge as tb
from derivations.configurations import configurations
from mlp.deep import DeepMLP
from mlp.twin import TORCH_ACTIVATIONS, autograd_run, make_twin
from pages import catalogue

from .reference import assert_rel_close

F64 = torch.float64
NUMERIC = mlp.Activation(
    "softsign", lambda u: u / (1 + u.abs()), lambda u: (1 + u.abs()) ** -2,
    torch_module="Softsign")
SYMBOLIC = symbolic.SymbolicActivation(
    "softsign", r"\operatorname{softsign}", symbolic.u / (1 + sp.Abs(symbolic.u)),
    sp.Interval.open(-1, 1))


@pytest.fixture
def softsign():
    """softsign in both registries for one test; both registries as before afterwards."""
    before = list(mlp.ACTIVATIONS), list(symbolic.ACTIVATIONS)
    mlp.register_activation(NUMERIC)
    symbolic.register(SYMBOLIC)
    try:
        yield
    finally:
        mlp.unregister_activation("softsign")
        symbolic.unregister("softsign")
    assert (list(mlp.ACTIVATIONS), list(symbolic.ACTIVATIONS)) == before


def test_configurations_take_it_in(softsign):
    configs = configurations()
    assert ("softsign", "softmax", "cross_entropy") in configs  # any f
    assert ("relu", "softsign", "mse") in configs
    # Its outputs lie in (-1, 1), not in [0, 1]: no BCE after it, and no cross-entropy.
    assert not [c for c in configs if c[1] == "softsign" and c[2] != "mse"]
    assert ("softsign", "softsign", "mse") in network.configurations()


@pytest.mark.parametrize("config", [("softsign", "sigmoid", "bce"),
                                    ("identity", "softsign", "mse")])
def test_three_witnesses_agree(softsign, config):
    gen = torch.Generator().manual_seed(3)
    n, n_in, m, K = network.DEFAULT_SIZE.values()
    x = torch.randn(n, n_in, dtype=F64, generator=gen)
    params = dict(W1=torch.randn(m, n_in, dtype=F64, generator=gen),
                  b1=torch.randn(m, dtype=F64, generator=gen),
                  W2=torch.randn(K, m, dtype=F64, generator=gen),
                  b2=torch.randn(K, dtype=F64, generator=gen))
    y = torch.rand(n, K, dtype=F64, generator=gen)
    auto = tb.autograd_gradients(*config, x, y, params)
    for witness in (tb.symbolic_gradients, tb.mlp_gradients):
        got = witness(*config, x, y, params)
        for k in auto:
            assert_rel_close(got[k], auto[k], 1e-10, f"{witness.__name__} {k}")


def test_the_twin_uses_torchs_softsign(softsign):
    net = DeepMLP((3, 4, 4, 2), "softsign", "softsign", dtype=F64,
                  generator=torch.Generator().manual_seed(0))
    twin = make_twin(net)
    assert isinstance(twin.f1, nn.Softsign) and isinstance(twin.g, nn.Softsign)
    assert "softsign" in TORCH_ACTIVATIONS
    x, y = torch.randn(5, 3, dtype=F64), torch.randn(5, 2, dtype=F64)
    _, dJdy_hat = mlp.LOSSES["mse"].fn(y, net.forward(x))
    net.backward(dJdy_hat)
    _, _, grads = autograd_run(net, x, y, "mse")
    for k, grad in net.grads.items():
        assert_rel_close(grad, grads[k], 1e-12, k)


def test_the_activations_table_has_its_row(softsign):
    rows = {r.name: r for r in catalogue.rows()}
    row = rows["softsign"]
    assert list(rows)[-1] == "softsign"
    assert row.interval == r"\left(-1, 1\right)"
    assert row.bound.value == 1.0 and row.bound.exact  # softsign'(0) = 1, its largest
    assert r"\operatorname{softsign}'\left(u\right)" in row.derivative
    assert "`softsign`" in catalogue.markdown([row])


def test_gone_after_unregistering():
    assert "softsign" not in mlp.ACTIVATIONS and "softsign" not in symbolic.ACTIVATIONS
    with pytest.raises(ValueError, match="f_function"):
        mlp.MLP(2, 3, "softsign", 3, 1, "identity")


def test_registration_refuses_a_name_twice_and_keeps_the_course():
    with pytest.raises(ValueError, match="already registered"):
        mlp.register_activation(mlp.ACTIVATIONS["tanh"])
    with pytest.raises(ValueError, match="already registered"):
        symbolic.register(symbolic.ACTIVATIONS["tanh"])
    with pytest.raises(ValueError, match="course"):
        mlp.unregister_activation("relu")
    with pytest.raises(TypeError) as err:
        mlp.register_activation(SYMBOLIC)
    assert str(err.value) == f"expected an Activation, got {type(SYMBOLIC).__name__}"
