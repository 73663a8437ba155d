r"""The affine layer on a batch, forward and backward side by side.

One sample, a column $x$, maps to $z = W x + b$. A batch stacks the samples as rows, $X$ (N, in),
so the same map reads $Z = X W\T + \ones_N b\T$, with $W$ (out, in) as `nn.Linear` stores it,
$b$ (out,) added to every row, and $Z$ (N, out).
"""

from __future__ import annotations

import torch
from torch import Tensor


def linear_forward(x: Tensor, W: Tensor, b: Tensor) -> Tensor:
    r"""$Z = X W\T + \ones_N b\T$.

    Args:
        x: $X$, (N, in). W: (out, in). b: (out,).

    Returns:
        $Z$, (N, out).
    """
    return torch.addmm(b, x, W.T)


def linear_backward(grad_output: Tensor, x: Tensor, W: Tensor, *,
                    input_grad: bool = True) -> tuple[Tensor | None, Tensor, Tensor]:
    r"""The gradients of the layer's input, weight and bias, from the gradient of its output.

    With $\Delta = \nabla_Z J$ (`grad_output`), each in the shape of what it differentiates:

    $$\nabla_X J = \Delta W, \qquad \nabla_W J = \Delta\T X, \qquad
    \nabla_b J = \Delta\T \ones_N.$$

    Args:
        grad_output: $\Delta$, (N, out).
        x: the layer's input $X$, (N, in).
        W: (out, in).
        input_grad: whether to compute $\nabla_X J$; the first layer's input is data, so it
            skips that product.

    Returns:
        `(grad_input, grad_weight, grad_bias)`: (N, in) or None when `input_grad` is false,
        (out, in), (out,). The caller adds the last two into its gradients.
    """
    grad_input = grad_output @ W if input_grad else None
    grad_weight = grad_output.T @ x
    grad_bias = grad_output.sum(dim=0)
    return grad_input, grad_weight, grad_bias
