r"""One training step of the same network, four ways, each ready to be timed.

The network is the homework's regression case by default, Linear -> ReLU -> Linear -> identity
with the MSE loss, at a `Size` (batch $N$, widths $n \to m \to K$). Every way gets the same
weights and data, and its step does the whole of one step: clear, forward, loss, backward.

- `mlp`: `MLP.clear_grad_and_cache`, `forward`, `mse_loss`, `backward`: hand-written backprop.
- `autograd`: the `nn.Sequential` twin of `mlp.twin.make_twin`; `zero_grad()`, forward,
  `F.mse_loss`, `.backward()`.
- `func`: `torch.func.grad` of the same network written as a function of its parameters.
- `floor`: the five matrix products any backward of this network must do, two forward
  ($Z_1 = X {W^{(1)}}\T$, $Z_3 = Z_2 {W^{(2)}}\T$) and three backward
  ($\Delta_3\T Z_2$, $\Delta_3 W^{(2)}$, $\Delta_1\T X$), into preallocated outputs and
  with nothing between them. With no activation ($Z_2 = Z_1$), no bias and $\Delta_3 = Z_3$,
  they are the exact gradients of $J = \frac12 \lVert X {W^{(1)}}\T {W^{(2)}}\T \rVert^2$,
  which the tests check, so the floor is a real step of a smaller network, not five timed
  calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor

from mlp import ACTIVATIONS, MLP, mse_loss
from mlp.twin import make_twin, torch_loss, twin_grads


class Size(NamedTuple):
    """A batch of `batch` rows through `n_in -> n_hidden -> n_out`."""

    batch: int
    n_in: int
    n_hidden: int
    n_out: int

    @property
    def label(self) -> str:
        return f"({self.batch}, {self.n_in}->{self.n_hidden}->{self.n_out})"

    @property
    def flops(self) -> int:
        """Floating-point operations of the five products: 2 per multiply-add."""
        N, n, m, K = self
        return 2 * (2 * N * n * m + 3 * N * m * K)


@dataclass
class Way:
    """A way to take one step: `step()` runs it; `grads()` returns what the last step left."""

    name: str
    step: Callable[[], None]
    grads: Callable[[], dict[str, Tensor]]


def _setup(size: Size, f: str, g: str, dtype: torch.dtype,
           seed: int) -> tuple[MLP, Tensor, Tensor]:
    """The MLP (weights drawn as the homework draws them), a batch x and targets y."""
    gen = torch.Generator().manual_seed(seed)
    model = MLP(size.n_in, size.n_hidden, f, size.n_hidden, size.n_out, g,
                dtype=dtype, generator=gen)
    x = torch.randn(size.batch, size.n_in, dtype=dtype, generator=gen)
    y = torch.randn(size.batch, size.n_out, dtype=dtype, generator=gen)
    return model, x, y


def _copies(model: MLP) -> dict[str, Tensor]:
    # Copies, never shared storage: a shared W1 with requires_grad would make mlp's own
    # forward record a graph and pay for it.
    return {k: v.clone() for k, v in model.parameters.items()}


def make_mlp(size: Size, *, f: str = "relu", g: str = "identity",
             dtype: torch.dtype = torch.float32, seed: int = 0) -> Way:
    model, x, y = _setup(size, f, g, dtype, seed)

    def step() -> None:
        model.clear_grad_and_cache()
        y_hat = model.forward(x)
        _, dJdy_hat = mse_loss(y, y_hat)
        model.backward(dJdy_hat)

    return Way("mlp", step, lambda: {k.removeprefix("dJd"): v for k, v in model.grads.items()})


def make_autograd(size: Size, *, f: str = "relu", g: str = "identity",
                  dtype: torch.dtype = torch.float32, seed: int = 0) -> Way:
    model, x, y = _setup(size, f, g, dtype, seed)
    twin = make_twin(model)  # copies: mlp's own weights never join a graph
    mse = torch_loss("mse")

    def step() -> None:
        twin.zero_grad()  # set_to_none, the default: backward then writes fresh gradients
        J = mse(twin(x), y)
        J.backward()

    return Way("autograd", step,
               lambda: {k.removeprefix("dJd"): v for k, v in twin_grads(twin).items()})


def make_func(size: Size, *, f: str = "relu", g: str = "identity",
              dtype: torch.dtype = torch.float32, seed: int = 0) -> Way:
    model, x, y = _setup(size, f, g, dtype, seed)
    params = _copies(model)
    f_forward, g_forward = ACTIVATIONS[f].forward, ACTIVATIONS[g].forward

    def loss(p: dict[str, Tensor], x: Tensor, y: Tensor) -> Tensor:
        z2 = f_forward(F.linear(x, p["W1"], p["b1"]))
        return F.mse_loss(g_forward(F.linear(z2, p["W2"], p["b2"])), y)

    grad_of_loss = torch.func.grad(loss)
    last: dict[str, dict[str, Tensor]] = {}

    def step() -> None:
        last["grads"] = grad_of_loss(params, x, y)  # fresh gradients: nothing to clear

    return Way("func", step, lambda: last["grads"])


def make_floor(size: Size, *, f: str = "relu", g: str = "identity",
               dtype: torch.dtype = torch.float32, seed: int = 0) -> Way:
    model, x, _ = _setup(size, f, g, dtype, seed)
    W1, W2 = model.parameters["W1"], model.parameters["W2"]
    N, _, m, K = size
    z1 = torch.empty(N, m, dtype=dtype)    # z2 = z1: no activation
    z3 = torch.empty(N, K, dtype=dtype)    # dJdz3 = z3 for J = |z3|^2 / 2
    dJdz1 = torch.empty(N, m, dtype=dtype)
    grad_W1, grad_W2 = torch.empty_like(W1), torch.empty_like(W2)

    def step() -> None:
        torch.mm(x, W1.T, out=z1)
        torch.mm(z1, W2.T, out=z3)
        torch.mm(z3.T, z1, out=grad_W2)
        torch.mm(z3, W2, out=dJdz1)
        torch.mm(dJdz1.T, x, out=grad_W1)

    return Way("floor", step, lambda: {"W1": grad_W1, "W2": grad_W2})


# name -> (factory, label on the page)
WAYS: dict[str, tuple[Callable[..., Way], str]] = {
    "mlp": (make_mlp, "mlp (by hand)"),
    "autograd": (make_autograd, "nn.Sequential + autograd"),
    "func": (make_func, "torch.func.grad"),
    "floor": (make_floor, "floor: 5 matmuls"),
}
