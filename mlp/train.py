r"""The five steps of homework 1.1.a, and SGD loops built from them: by hand and with autograd.

One SGD step on a batch $(x, y)$, $x$ (N, n) and $y$ (N, K), with learning rate $\eta$:

1. forward: $\hat y = g(W^{(2)} f(W^{(1)} x + b^{(1)}) + b^{(2)})$, row by row;
2. loss: $J = \ell(\hat y, y)$, torch's mean over the $N K$ entries;
3. zero the gradients: $\partial J/\partial\theta \leftarrow 0$ for every parameter $\theta$;
4. backward: $\partial J/\partial\theta$ for $\theta \in \{W^{(1)}, b^{(1)}, W^{(2)}, b^{(2)}\}$;
5. update: $\theta \leftarrow \theta - \eta\,\partial J/\partial\theta$.

`train` runs them on the hand-written network (`MLP`, or `DeepMLP` from `mlp.deep`);
`train_autograd` runs the same five steps on an `nn.Sequential` twin (`mlp.twin.make_twin`) with
`torch.optim.SGD`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import torch
from torch import Tensor, nn

from .losses import LOSSES
from .twin import (  # noqa: F401 (the twin lives in mlp.twin; these stay importable from here)
    TORCH_ACTIVATIONS,
    TORCH_LOSSES,
    make_twin,
    torch_activation,
    torch_loss,
)

if TYPE_CHECKING:
    from .deep import DeepMLP
    from .model import MLP



def forward(net, x: Tensor) -> Tensor:
    r"""Step 1: $\hat y$ = net(x). x: (N, n); returns $\hat y$: (N, K). Caches what step 4 needs."""
    return net.forward(x)


def loss(name: str, y: Tensor, y_hat: Tensor) -> tuple[Tensor, Tensor]:
    r"""Step 2: $J$ and $\partial J/\partial\hat y$, y and y_hat (N, K); `name` a key of LOSSES."""
    return LOSSES[name].fn(y, y_hat)


def zero_grad(net) -> None:
    r"""Step 3: $\partial J/\partial\theta \leftarrow 0$ in place, as `optimizer.zero_grad()`.

    Not `net.clear_grad_and_cache()`: that would also drop the cache step 1 just filled.
    """
    for grad in net.grads.values():
        grad.zero_()


def backward(net, dJdy_hat: Tensor) -> None:
    r"""Step 4: add $\partial J/\partial\theta$ to `net.grads`. dJdy_hat: (N, K)."""
    net.backward(dJdy_hat)


def sgd_update(net, lr: float) -> None:
    r"""Step 5: $\theta \leftarrow \theta - \eta\,\partial J/\partial\theta$ in place, as
    `torch.optim.SGD` without momentum. Each `net.parameters[k]` takes `net.grads["dJd" + k]`."""
    for name, theta in net.parameters.items():
        theta.sub_(net.grads[f"dJd{name}"], alpha=lr)


def train_step(net, x: Tensor, y: Tensor, loss_name: str, lr: float) -> Tensor:
    r"""The five steps once. x: (N, n), y: (N, K). Returns $J$ (0-dim) before the update."""
    y_hat = forward(net, x)                  # 1
    J, dJdy_hat = loss(loss_name, y, y_hat)  # 2
    zero_grad(net)                           # 3
    backward(net, dJdy_hat)                  # 4
    sgd_update(net, lr)                      # 5
    return J


def _no_progress(it: Iterable) -> Iterable:
    return it


def train(net: MLP | DeepMLP, x: Tensor, y: Tensor, loss_name: str, lr: float, steps: int,
          progress: Callable[[Iterable], Iterable] = _no_progress) -> Tensor:
    r"""Full-batch SGD on the hand-written network, `steps` times `train_step`.

    Args:
        net: an `MLP` or `DeepMLP`; its parameters are updated in place.
        x: (N, n). y: (N, K). loss_name: a key of `LOSSES`. lr: $\eta$.
        progress: wraps the step range, e.g. `tqdm.auto.tqdm`.

    Returns:
        (steps,), $J$ at each step, before that step's update.
    """
    return torch.stack([train_step(net, x, y, loss_name, lr) for _ in progress(range(steps))])


def train_autograd(twin: nn.Module, x: Tensor, y: Tensor, loss_name: str, lr: float, steps: int,
                   progress: Callable[[Iterable], Iterable] = _no_progress) -> Tensor:
    r"""The same five steps with autograd: `twin(x)`, the torch loss, `optimizer.zero_grad()`,
    `J.backward()`, `optimizer.step()` with `torch.optim.SGD(lr=lr)`.

    Args and returns as `train`; `twin` is updated in place.
    """
    optimizer = torch.optim.SGD(twin.parameters(), lr=lr)
    loss_fn = torch_loss(loss_name)
    losses = []
    for _ in progress(range(steps)):
        y_hat = twin(x)          # 1
        J = loss_fn(y_hat, y)    # 2
        optimizer.zero_grad()    # 3
        J.backward()             # 4
        optimizer.step()         # 5
        losses.append(J.detach())
    return torch.stack(losses)
