r"""The affine layer $s = x W^\top + b$ on a batch, forward and backward side by side.

The single-sample math writes $s = W x + b$ for column vectors; a batch stacks samples as rows,
so the same map reads $s = x W^\top + b$ with $x$ (N, in), $W$ (out, in) as `nn.Linear` stores
it, $b$ (out,) broadcast over the rows, and $s$ (N, out).
"""

from __future__ import annotations

import torch
from torch import Tensor


def linear_forward(x: Tensor, W: Tensor, b: Tensor) -> Tensor:
    r"""$s = x W^\top + b$.

    Args:
        x: (N, in). W: (out, in). b: (out,).

    Returns:
        s: (N, out).
    """
    return torch.addmm(b, x, W.T)


def linear_backward(grad_output: Tensor, x: Tensor, W: Tensor, grad_weight: Tensor,
                    grad_bias: Tensor, *, input_grad: bool = True) -> Tensor | None:
    r"""Add the gradients of W and b in place; return the gradient of x.

    With $\delta = \partial J/\partial s$ (`grad_output`):

    $$\frac{\partial J}{\partial W} \mathrel{+}= \delta^\top x, \quad
    \frac{\partial J}{\partial b} \mathrel{+}= \mathbf{1}^\top \delta, \quad
    \frac{\partial J}{\partial x} = \delta W.$$

    Args:
        grad_output: $\delta$, (N, out).
        x: the layer's input, (N, in).
        W: (out, in).
        grad_weight: (out, in), added to in place, as autograd accumulates.
        grad_bias: (out,), added to in place.
        input_grad: whether to compute $\partial J/\partial x$; the first layer skips it.

    Returns:
        $\partial J/\partial x$, (N, in), or None when `input_grad` is false.
    """
    grad_weight.addmm_(grad_output.T, x)
    grad_bias.add_(grad_output.sum(0))
    return grad_output @ W if input_grad else None
