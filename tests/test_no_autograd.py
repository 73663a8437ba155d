"""No autograd anywhere in mlp: not in its source, and no graph built at run time."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import torch

import mlp
from mlp import LOSSES, MLP

from .reference import twin_of
from .strategies import NETWORK_CASES, targets

MLP_DIR = Path(mlp.__file__).parent
# The reference side: the autograd twin and the autograd training loop exist to check the rest.
REFERENCE_FILES = {"twin.py", "train.py"}
# Every other module of mlp/ is network code, new ones included.
OWN_FILES = sorted(p.name for p in MLP_DIR.glob("*.py") if p.name not in REFERENCE_FILES)
FORBIDDEN_ATTRIBUTES = {"requires_grad", "requires_grad_", "grad", "grad_fn", "autograd", "func",
                        "_C", "ops"}
FORBIDDEN_MODULES = ("torch.autograd", "torch.func", "functorch", "torch._C", "torch.ops",
                     "torch.nn")


def autograd_uses(path: Path) -> list[str]:
    """Code (not comments or docstrings) in `path` that reaches for autograd, one line each."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [
                f"{node.module}.{a.name}" for a in node.names]
            found += [m for m in modules if m.startswith(FORBIDDEN_MODULES)
                      or m.split(".")[-1] in {"autograd", "func", "_C", "ops", "nn"}]
        elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            found.append(ast.unparse(node))
        elif isinstance(node, ast.keyword) and node.arg in FORBIDDEN_ATTRIBUTES:
            found.append(f"{node.arg}={ast.unparse(node.value)}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "backward" and len(node.args) != 3):
            # Activation.backward(grad_output, s, z) takes three; Tensor.backward() does not.
            found.append(ast.unparse(node))
    return found


def test_the_scan_covers_the_network_code():
    assert {"model.py", "deep.py", "_network.py", "activations.py", "linear.py"} <= set(OWN_FILES)


@pytest.mark.parametrize("name", OWN_FILES)
def test_source_reaches_for_no_autograd(name):
    assert autograd_uses(MLP_DIR / name) == []


def test_the_source_check_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import torch.func\nfrom torch import autograd\n"
                   "x.requires_grad_()\nJ.backward()\ntorch.autograd.grad(J, x)\n"
                   "w = torch.zeros(2, requires_grad=True)\n"
                   "torch.ops.aten.threshold_backward(g, s, 0)\ntorch._C._nn.gelu(s)\n"
                   "import torch.nn.functional as F\nfrom torch import nn\n")
    assert sorted(autograd_uses(bad)) == sorted([
        "torch.func", "torch.autograd", "x.requires_grad_", "J.backward()", "torch.autograd.grad",
        "torch.autograd", "requires_grad=True", "torch.ops", "torch._C",
        "torch.nn.functional", "torch.nn"])


@pytest.mark.parametrize("f_name,g_name,loss_name", NETWORK_CASES)
def test_forward_and_backward_build_no_graph(f_name, g_name, loss_name, generator, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("mlp called autograd")
    monkeypatch.setattr(torch.Tensor, "backward", refuse)
    monkeypatch.setattr(torch.autograd, "backward", refuse)
    monkeypatch.setattr(torch.autograd, "grad", refuse)

    net = MLP(3, 4, f_name, 4, 2, g_name, dtype=torch.float64, generator=generator)
    twin_of(net)  # the homework's tests share the storage with Parameters that require grad
    x = torch.randn(5, 3, dtype=torch.float64, generator=generator)
    y = targets((5, 2), torch.float64, generator)
    with torch.enable_grad():
        y_hat = net.forward(x)
        J, dJdy_hat = LOSSES[loss_name].fn(y, y_hat)
        net.backward(dJdy_hat)
    outputs = {"J": J, "dJdy_hat": dJdy_hat, "returned y_hat": y_hat,
               **net.cache, **net.grads, **net.parameters}
    for name, t in outputs.items():
        assert t.grad_fn is None and not t.requires_grad, f"{name} is part of an autograd graph"


def test_inputs_that_require_grad_record_no_graph(generator):
    net = MLP(3, 4, "sigmoid", 4, 2, "sigmoid", dtype=torch.float64, generator=generator)
    x = torch.randn(5, 3, dtype=torch.float64, generator=generator, requires_grad=True)
    y_hat = net.forward(x)
    dJdy_hat = torch.ones_like(y_hat, requires_grad=True)
    net.backward(dJdy_hat)
    assert y_hat.grad_fn is None and not y_hat.requires_grad
    assert all(v.grad_fn is None for v in net.cache.values())
    assert all(not g.requires_grad for g in net.grads.values())


@pytest.mark.parametrize("loss_name", LOSSES)
def test_losses_given_inputs_that_require_grad_record_no_graph(loss_name, generator):
    # The losses detach y and y_hat through the helper the networks use for x and dJdy_hat.
    y, y_hat = (targets((5, 2), torch.float64, generator) for _ in range(2))
    y_hat.requires_grad_()
    y.requires_grad_()
    with torch.enable_grad():
        J, dJdy_hat = LOSSES[loss_name].fn(y, y_hat)
    for name, t in (("J", J), ("dJdy_hat", dJdy_hat)):
        assert t.grad_fn is None and not t.requires_grad, f"{loss_name}: {name} has a graph"
    assert y_hat.requires_grad and y_hat.grad is None  # the caller's tensor is untouched
