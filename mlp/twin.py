r"""The autograd twin: the same network in torch's own modules, differentiated by autograd.

The tests, `mlp.train`, the benchmarks, `derivations.torch_bridge` and the grader hold `mlp`
against it. Everything here is read from the registries: each `Activation.torch_module` (with
its `torch_args`) names the module, each `Loss.torch_loss` the function, so a new registry entry
reaches the twin with no edit here.

```python
twin = make_twin(net)                    # linear1, f, linear2, g: copies of net's weights
J = torch_loss("mse")(twin(x), y)
J.backward()
grads = twin_grads(twin)                 # {"dJdW1": ..., "dJdb1": ..., "dJdW2": ..., "dJdb2": ...}
```
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .activations import ACTIVATIONS
from .losses import LOSSES


class Elementwise(nn.Module):
    """An activation with no torch module: autograd differentiates its registry forward."""

    def __init__(self, name: str):
        super().__init__()
        self.fn = ACTIVATIONS[name].forward

    def forward(self, u: Tensor) -> Tensor:
        return self.fn(u)


def torch_activation(name: str) -> nn.Module:
    """A fresh torch module computing the activation `name` (a key of `ACTIVATIONS`)."""
    a = ACTIVATIONS[name]
    return Elementwise(name) if a.torch_module is None else getattr(nn, a.torch_module)(
        *a.torch_args)


def torch_loss(name: str) -> Callable[[Tensor, Tensor], Tensor]:
    r"""torch's loss for `name` (a key of `LOSSES`), called `(y_hat, y)`, mean reduction.

    For cross-entropy that is `F.cross_entropy(log y_hat, y)`: torch's loss on the logits
    $\log \hat Y$, equal to it on the logits $Z_3$ of $\hat Y = \operatorname{softmax}(Z_3)$, since
    it does not change when a row of logits is shifted by a constant."""
    loss = LOSSES[name]
    fn = getattr(F, loss.torch_loss)
    return (lambda y_hat, y: fn(torch.log(y_hat), y)) if loss.torch_takes_log else fn


class _View(Mapping):
    """A read-only name -> value view of a registry, current after every registration."""

    def __init__(self, registry: Mapping, value: Callable[[str], object]):
        self._registry, self._value = registry, value

    def __getitem__(self, name: str):
        if name not in self._registry:
            raise KeyError(name)
        return self._value(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._registry)

    def __len__(self) -> int:
        return len(self._registry)


TORCH_ACTIVATIONS: Mapping[str, Callable[[], nn.Module]] = _View(
    ACTIVATIONS, lambda name: lambda: torch_activation(name))
"""Registry name -> a factory of its torch module, read from `ACTIVATIONS`."""
TORCH_LOSSES: Mapping[str, Callable[[Tensor, Tensor], Tensor]] = _View(LOSSES, torch_loss)
"""Registry name -> torch's loss, called `(y_hat, y)`, read from `LOSSES`."""


def make_twin(net: object, *, share: bool = False) -> nn.Sequential:
    r"""An `nn.Sequential` twin of `net`: linear1, f, linear2, g (deeper: f1, f2, ...).

    Args:
        net: an `MLP` or `DeepMLP`, or any object with `parameters` W1, b1, ..., WL, bL
            (W stored (out, in), as `nn.Linear` stores it) and activation names `f_function`,
            `g_function`.
        share: False puts copies of the weights in, so training one network leaves the other
            alone; True makes the twin's parameters share storage with `net`'s, as the
            homework's tests do (`twin.linear1.weight.data = W1`).

    Returns:
        The twin, in `net`'s dtype and device.
    """
    n_layers = len(net.parameters) // 2
    modules = OrderedDict()
    for i in range(1, n_layers + 1):
        W, b = net.parameters[f"W{i}"], net.parameters[f"b{i}"]
        linear = nn.Linear(W.shape[1], W.shape[0], dtype=W.dtype, device=W.device)
        if share:
            linear.weight.data, linear.bias.data = W, b
        else:
            with torch.no_grad():
                linear.weight.copy_(W)
                linear.bias.copy_(b)
        modules[f"linear{i}"] = linear
        if i < n_layers:  # "f" between two layers, as the homework names it; f1, f2, ... deeper
            modules["f" if n_layers == 2 else f"f{i}"] = torch_activation(net.f_function)
    modules["g"] = torch_activation(net.g_function)
    return nn.Sequential(modules)


def twin_grads(twin: nn.Sequential) -> dict[str, Tensor]:
    """The gradients autograd left in the twin, keyed as `net.grads`: dJdW1, dJdb1, ..."""
    return {f"dJd{p}{name.removeprefix('linear')}": getattr(module, attr).grad
            for name, module in twin.named_children() if name.startswith("linear")
            for p, attr in (("W", "weight"), ("b", "bias"))}


def autograd_run(net: object, x: Tensor, y: Tensor,
                 loss_name: str) -> tuple[Tensor, Tensor, dict]:
    """(y_hat, J, grads) of a fresh twin of `net` (copies) on (x, y), by torch's loss and
    autograd; grads keyed as `net.grads`."""
    twin = make_twin(net)
    y_hat = twin(x)
    J = torch_loss(loss_name)(y_hat, y)
    J.backward()
    return y_hat.detach(), J.detach(), twin_grads(twin)
