r"""SymPy to torch, and three witnesses of every gradient: SymPy, `mlp` by hand, torch autograd.

The only module of `derivations` that imports torch. `to_torch` turns a derived SymPy matrix
into a torch function with `lambdify(..., modules="torch")`; the other functions evaluate the
derivations on tensors so the tests can hold them against `mlp` and autograd:

```python
from derivations import torch_bridge as tb
sym = tb.symbolic_gradients("relu", "identity", "mse", x, y, params)   # dict of tensors
ref = tb.autograd_gradients("relu", "identity", "mse", x, y, params)
```

Inputs follow `mlp`: x (N, n), y (N, K), params = `MLP.parameters` (W1 (m, n), b1 (m,),
W2 (K, m), b2 (K,)); gradients come back keyed dJdW1, dJdb1, dJdW2, dJdb2, in those shapes.
The autograd witness is `mlp.twin`'s, the one twin every check uses.

Saturation: a float64 sigmoid rounds to exactly 1.0 once its argument is $u \gtrsim 36.7$;
there torch clamps BCE's log at -100 and its gradient's denominator at $10^{-12}$, and the
sigmoid's derivative $\hat Y (1 - \hat Y)$ is 0, while the exact values are finite and
nonzero. The three witnesses agree only away from that regime, and
`tests/derivations/test_torch_bridge.py` shows the edge.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from types import SimpleNamespace

import sympy as sp
import torch
from torch import Tensor

import mlp
from mlp.twin import make_twin, torch_loss, twin_grads

from . import activations, losses, network


def _float64(v):
    return v if isinstance(v, Tensor) else torch.tensor(v, dtype=torch.float64)


# `lambdify`'s modules for torch. SymPy prints sqrt(2) as torch.sqrt(2) and pi^(-1/2) as
# torch.pow(pi, -1/2), which torch refuses for Python numbers: constants are computed in Python,
# tensors in torch. And torch.where(c, 1, 1/100) would make a float32 tensor: its numbers
# become float64 first.
TORCH_MODULES = [{"sqrt": lambda v: torch.sqrt(v) if isinstance(v, Tensor) else math.sqrt(v),
             "pow": lambda a, b: torch.pow(a, b) if isinstance(a, Tensor) or
             isinstance(b, Tensor) else a ** b,
             "where": lambda c, a, b: torch.where(c, _float64(a), _float64(b))}, "torch"]


def to_torch(expr: sp.MatrixBase | dict[str, sp.MatrixBase],
             args: list[sp.MatrixBase]) -> Callable[..., Tensor | dict[str, Tensor]]:
    """A torch function of tensors shaped like `args`, returning tensors shaped like `expr`.

    Args:
        expr: a SymPy matrix whose entries are expressions in the entries of `args`, or a dict
            of such matrices (compiled together, sharing common subexpressions).
        args: SymPy matrices of symbols; the function takes one tensor per matrix, with as many
            elements (read row-major, so a (m,) bias fits an (m, 1) column).

    Returns:
        `fn(*tensors)`: a tensor of shape `expr.shape` (or a dict of them, keyed as `expr`), in
        the first tensor's dtype and device.
    """
    outputs = expr if isinstance(expr, dict) else {None: expr}
    flat = [entry for matrix in outputs.values() for entry in matrix]
    # cse=True: the gradients share most of their subexpressions; without it, printing the
    # nested ReLU Piecewise of a relu/relu network alone takes seconds.
    fn = sp.lambdify([list(a) for a in args], flat, modules=TORCH_MODULES, cse=True)

    def call(*tensors: Tensor) -> Tensor | dict[str, Tensor]:
        like = tensors[0]
        # Constants come back as Python numbers and indicators as integer tensors.
        values = iter([torch.as_tensor(v, dtype=like.dtype, device=like.device)
                       for v in fn(*(t.reshape(-1) for t in tensors))])
        out = {k: torch.stack([next(values) for _ in range(len(m))]).reshape(m.shape)
               for k, m in outputs.items()}
        return out if isinstance(expr, dict) else out[None]

    return call


def activation(name: str) -> tuple[Callable[[Tensor], Tensor], Callable[[Tensor], Tensor]]:
    """(a, a') of `activations.ACTIVATIONS[name]` as element-wise torch functions, any shape.

    a' is the proven closed form (e.g. sigma (1 - sigma); ReLU' = 1[s > 0], 0 at 0)."""
    act = activations.ACTIVATIONS[name]

    def lift(expr: sp.Expr) -> Callable[[Tensor], Tensor]:
        fn = sp.lambdify([activations.u], expr, modules=TORCH_MODULES)
        return lambda t: torch.as_tensor(fn(t), dtype=t.dtype, device=t.device).expand(t.shape)

    return lift(act.value), lift(act.derivative_at(activations.u))


@cache
def _loss(loss: losses.SymbolicLoss, n: int, k: int) -> tuple[Callable, Callable]:
    y_hat, y = losses.targets(n, k)
    return (to_torch(sp.ImmutableMatrix([[loss.J(y_hat, y)]]), [y, y_hat]),
            to_torch(loss.gradient(y_hat, y), [y, y_hat]))


def loss(name: str, y: Tensor, y_hat: Tensor) -> tuple[Tensor, Tensor]:
    """(J, dJdy_hat) from the SymPy loss at the shape of y, as `mlp.LOSSES[name].fn(y, y_hat)`.

    Args:
        name: a key of `losses.LOSSES`.
        y: targets, (N, K).
        y_hat: predictions, (N, K).

    Returns:
        `(J, dJdy_hat)`: J 0-dim, dJdy_hat (N, K).
    """
    J, grad = _loss(losses.LOSSES[name], *y.shape)
    return J(y, y_hat).reshape(()), grad(y, y_hat)


@cache
def _gradients(config: tuple[str, str, str], entries: tuple,
               size: tuple[int, int, int, int]) -> Callable:
    # `entries` (the registry's objects) key the cache, so an entry registered again under the
    # same name is derived again.
    sym = network.symbols(*size)
    args = [sym[k] for k in ("x", "y", *network.PARAMETERS)]
    # The matrix-form steps hold for element-wise f and g; otherwise diff J entry by entry.
    derive = network.gradients if config in network.configurations() else \
        network.gradients_by_entry
    return to_torch(derive(*config, sym), args)


def symbolic_gradients(f: str, g: str, loss_name: str, x: Tensor, y: Tensor,
                       params: dict[str, Tensor]) -> dict[str, Tensor]:
    """`network.gradients` (or, with an activation that is not element-wise,
    `network.gradients_by_entry`), derived at the inputs' sizes (cached), evaluated on them."""
    entries = (activations.ACTIVATIONS[f], activations.ACTIVATIONS[g], losses.LOSSES[loss_name])
    fn = _gradients((f, g, loss_name), entries,
                    (*x.shape, params["W1"].shape[0], y.shape[1]))
    grads = fn(x, y, *(params[p] for p in network.PARAMETERS))
    return {k: v.reshape(params[k[3:]].shape) for k, v in grads.items()}


def mlp_gradients(f: str, g: str, loss_name: str, x: Tensor, y: Tensor,
                  params: dict[str, Tensor]) -> dict[str, Tensor]:
    """`mlp.MLP`'s hand-written backward pass on these parameters (copied; nothing mutated)."""
    n_in, n_hidden, n_out = x.shape[1], params["W1"].shape[0], y.shape[1]
    net = mlp.MLP(n_in, n_hidden, f, n_hidden, n_out, g, dtype=x.dtype,
                  generator=torch.Generator(device=x.device))
    net.parameters = {k: v.detach().clone() for k, v in params.items()}
    net.grads = {f"dJd{k}": torch.zeros_like(v) for k, v in net.parameters.items()}
    _, dJdy_hat = mlp.LOSSES[loss_name].fn(y, net.forward(x))
    net.backward(dJdy_hat)
    return dict(net.grads)


def autograd_gradients(f: str, g: str, loss_name: str, x: Tensor, y: Tensor,
                       params: dict[str, Tensor]) -> dict[str, Tensor]:
    """autograd through `mlp.twin.make_twin` (torch's own modules) and torch's loss."""
    twin = make_twin(SimpleNamespace(parameters=params, f_function=f, g_function=g))
    torch_loss(loss_name)(twin(x), y).backward()
    return twin_grads(twin)
