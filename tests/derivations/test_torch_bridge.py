"""Three witnesses agree to 1e-10 relative in float64: SymPy (lambdified), mlp by hand, autograd.

Every activation, every loss, and the network configurations of `tests.strategies.NETWORK_CASES`
(every activation as f and as g, every loss; the full grid runs numerically in
tests/test_configurations.py), on random inputs away from saturation; `test_saturation_edge`
shows what happens at it.
"""

import ast
from pathlib import Path

import pytest
import sympy as sp
import torch

import mlp
from derivations import losses, network
from derivations import torch_bridge as tb
from derivations.activations import ACTIVATIONS
from mlp.twin import TORCH_LOSSES, torch_loss

from ..strategies import NETWORK_CASES, SIMPLEX_LOSSES, loss_pair

DT = torch.float64
RTOL = 1e-10
ELEMENTWISE = [n for n, a in ACTIVATIONS.items() if a.elementwise]
# With an activation that is not element-wise SymPy differentiates J entry by entry, 10-30 s a
# configuration: such an f is checked with element-wise g, such a g with the loss that needs
# it (cross-entropy); MSE and BCE after softmax run in the numeric grid.
CONFIGS = [(f, g, loss) for f, g, loss in NETWORK_CASES
           if g in ELEMENTWISE or losses.LOSSES[loss].simplex]
IDS = ["-".join(c) for c in CONFIGS]


def assert_close(actual, expected, what=""):
    """Norm-wise relative error <= RTOL (exact equality when the reference is 0)."""
    assert actual.shape == expected.shape and actual.dtype == expected.dtype == DT, what
    err, scale = (actual - expected).norm().item(), expected.norm().item()
    assert err <= RTOL * scale, f"{what}: |diff| = {err:.3e}, |ref| = {scale:.3e}"


def gen(seed):
    return torch.Generator().manual_seed(seed)


def test_torch_only_in_the_bridge():
    # The derivations are pure SymPy: only this module may import torch (or mlp, which does).
    package = Path(tb.__file__).parent
    for path in sorted(package.glob("*.py")):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
        assert path.name == "torch_bridge.py" or not imported & {"torch", "mlp"}, path.name


def test_autograd_losses_match_the_registry():
    assert set(TORCH_LOSSES) == set(mlp.LOSSES) == set(losses.LOSSES)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_activation_three_ways(name):
    s = 3 * torch.randn(64, generator=gen(1), dtype=DT)
    assert s.abs().min() > 1e-6  # no ReLU kink
    forward, derivative = tb.activation(name)
    ref = mlp.ACTIVATIONS[name]
    leaf = s.clone().requires_grad_()
    (auto,) = torch.autograd.grad(ref.forward(leaf).sum(), leaf)
    assert_close(forward(s), ref.forward(s), "value")
    assert_close(derivative(s), auto, "symbolic a' vs autograd")
    assert_close(ref.derivative(s), auto, "mlp a' vs autograd")
    grad_out = torch.randn(64, generator=gen(2), dtype=DT)
    assert_close(ref.backward(grad_out, s, ref.forward(s)), grad_out * derivative(s), "backward")


def test_relu_at_zero_three_ways():
    zero = torch.zeros(3, dtype=DT)
    leaf = zero.clone().requires_grad_()
    (auto,) = torch.autograd.grad(torch.relu(leaf).sum(), leaf)
    _, derivative = tb.activation("relu")
    assert derivative(zero).tolist() == mlp.ACTIVATIONS["relu"].derivative(zero).tolist() \
        == auto.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("name", list(losses.LOSSES))
def test_loss_three_ways(name):
    y, y_hat = loss_pair(name, (4, 3), DT, gen(3))
    J, grad = tb.loss(name, y, y_hat)
    J_mlp, grad_mlp = mlp.LOSSES[name].fn(y, y_hat)
    leaf = y_hat.clone().requires_grad_()
    J_auto = torch_loss(name)(leaf, y)
    (grad_auto,) = torch.autograd.grad(J_auto, leaf)
    for value, what in ((J, "symbolic J"), (J_mlp, "mlp J")):
        assert_close(value, J_auto.detach(), what)
    if name in SIMPLEX_LOSSES:
        # torch's loss on log y_hat normalises each row: its dJ/dy_hat differs from -y/(N y_hat)
        # by a constant per row, which a step within the rows' simplex does not see.
        grad, grad_mlp, grad_auto = (g - g.mean(-1, keepdim=True)
                                     for g in (grad, grad_mlp, grad_auto))
    assert_close(grad, grad_auto, "symbolic dJ/dy_hat")
    assert_close(grad_mlp, grad_auto, "mlp dJ/dy_hat")


def inputs(config, seed):
    """Random float64 x, y and parameters at the default size, checked clear of saturation."""
    n, n_in, m, K = network.DEFAULT_SIZE.values()
    g = gen(seed)
    x = torch.randn(n, n_in, generator=g, dtype=DT)
    params = dict(W1=torch.randn(m, n_in, generator=g, dtype=DT),
                  b1=torch.randn(m, generator=g, dtype=DT),
                  W2=torch.randn(K, m, generator=g, dtype=DT),
                  b2=torch.randn(K, generator=g, dtype=DT))
    y = torch.rand(n, K, generator=g, dtype=DT)
    y = {"bce": (y < 0.5).to(DT), "cross_entropy": y / y.sum(-1, keepdim=True)}.get(config[2],
                                                                                 2 * y - 1)
    s1 = x @ params["W1"].T + params["b1"]
    s2 = mlp.ACTIVATIONS[config[0]].forward(s1) @ params["W2"].T + params["b2"]
    # Meaningful for all three: no pre-activation on a ReLU kink, no sigmoid near 0 or 1.
    assert s1.abs().min() > 1e-6 and s2.abs().min() > 1e-6 and s1.abs().max() < 20
    assert s2.abs().max() < 20
    return x, y, params


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
@pytest.mark.parametrize("seed", [0, 1])
def test_network_three_ways(config, seed):
    x, y, params = inputs(config, seed)
    auto = tb.autograd_gradients(*config, x, y, params)
    sym = tb.symbolic_gradients(*config, x, y, params)
    hand = tb.mlp_gradients(*config, x, y, params)
    assert set(sym) == set(hand) == set(auto) == {f"dJd{p}" for p in network.PARAMETERS}
    for k in auto:
        assert auto[k].norm() > 0 or config[1] == "relu", k  # only a dead ReLU output gives 0
        assert_close(sym[k], auto[k], f"symbolic {k}")
        assert_close(hand[k], auto[k], f"mlp {k}")


def test_to_torch_shapes_dtype_and_constants():
    a, b = sp.symbols("a b", real=True)
    fn = tb.to_torch({"m": sp.ImmutableMatrix([[a + b, 1], [0, a * b]]),
                      "c": sp.ImmutableMatrix([[sp.Piecewise((1, a > 0), (0, True))]])},
                     [sp.ImmutableMatrix([a]), sp.ImmutableMatrix([b])])
    out = fn(torch.tensor([2.0], dtype=DT), torch.tensor([3.0], dtype=DT))
    assert out["m"].dtype == out["c"].dtype == DT
    assert out["m"].tolist() == [[5.0, 1.0], [0.0, 6.0]] and out["c"].tolist() == [[1.0]]


def test_saturation_edge():
    """s2 = 40: float64 sigmoid rounds to exactly 1.0, and the witnesses part ways.

    Exact: J = log(1 + e^40) ~ 40 and dJ/db2 = sigma(40) - y ~ 1. torch clamps log(0) at -100
    (J = 100) and the sigmoid's derivative y_hat (1 - y_hat) is 0, so mlp and autograd return a
    zero gradient. SymPy's chain rule cancels y_hat (1 - y_hat) symbolically (the fused
    (y_hat - y) form), so its lambdified gradient stays right while its lambdified J is inf.
    """
    x, y = torch.tensor([[0.3]], dtype=DT), torch.tensor([[0.0]], dtype=DT)
    params = dict(W1=torch.tensor([[0.5]], dtype=DT), b1=torch.tensor([0.1], dtype=DT),
                  W2=torch.tensor([[0.0]], dtype=DT), b2=torch.tensor([40.0], dtype=DT))
    y_hat = torch.sigmoid(params["b2"]).reshape(1, 1)
    assert y_hat.item() == 1.0

    s2 = sp.Integer(40)
    exact_J = sp.log(1 + sp.exp(s2))                       # -log(1 - sigma(40))
    exact_grad = 1 / (1 + sp.exp(-s2))                     # sigma(40) - 0
    assert abs(float(exact_J) - 40) < 1e-15 and exact_grad < 1
    J_torch = torch_loss("bce")(y_hat, y)
    assert J_torch.item() == mlp.bce_loss(y, y_hat)[0].item() == -mlp.losses.LOG_FLOOR
    assert tb.loss("bce", y, y_hat)[0].item() == float("inf")

    args = ("relu", "sigmoid", "bce", x, y, params)
    assert tb.autograd_gradients(*args)["dJdb2"].item() == 0.0
    assert tb.mlp_gradients(*args)["dJdb2"].item() == 0.0
    assert tb.symbolic_gradients(*args)["dJdb2"].item() == float(exact_grad) == 1.0
