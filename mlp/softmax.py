r"""Softmax, the one activation here that is not element-wise, and the registry entry for it.

Each row of a batch maps to probabilities; for one row, as a column $u \in \mathbb{R}^K$,
$a = \operatorname{softmax}(u)$, $a_k = e^{u_k} / \sum_j e^{u_j}$. Every $a_k$ depends on every
$u_j$, so the Jacobian of a row is the full, symmetric $K \times K$ matrix

$$\frac{\partial a}{\partial u} = \diag(a) - a a\T,$$

and backprop's product with the upstream gradient $v = \nabla_a J$ is

$$\left(\diag(a) - a a\T\right) v = a \had \left(v - (a\T v)\,\ones_K\right):$$

one dot product per row instead of a $K \times K$ matrix. For the batch, rows (N, K), that is
`softmax_vector_jacobian_product`, the registry entry's own product: the entry has no
element-wise `derivative`. `softmax_jacobian` forms the Jacobians, for the tests and the site
only. `derivations.softmax` proves both.
"""

from __future__ import annotations

import torch
from torch import Tensor

from .activations import Activation, register_activation


def softmax(u: Tensor) -> Tensor:
    r"""$a_{pk} = e^{u_{pk}} / \sum_j e^{u_{pj}}$ along each row. u: (N, K); returns (N, K)."""
    return torch.softmax(u, dim=-1)


def softmax_jacobian(u: Tensor) -> Tensor:
    r"""$\diag(a_p) - a_p a_p\T$ for each row $a_p$ of softmax(u): (N, K, K).

    $N K^2$ numbers: backprop never forms them (`softmax_vector_jacobian_product`)."""
    a = softmax(u)
    return torch.diag_embed(a) - a.unsqueeze(-1) * a.unsqueeze(-2)


def softmax_vector_jacobian_product(grad_output: Tensor, u: Tensor, out: Tensor) -> Tensor:
    r"""$\nabla_u J = a \had (v - (v \had a)\,\ones_K \ones_K\T)$, row by row.

    Args:
        grad_output: $v = \nabla_a J$, (N, K).
        u: the argument, (N, K); unused, as $a$ holds all the Jacobian needs.
        out: $a$ = softmax(u), (N, K), cached by forward.

    Returns:
        (N, K), each row $v_p (\diag(a_p) - a_p a_p\T)$: $O(NK)$ work, not $O(NK^2)$.
    """
    row_dot = (grad_output * out).sum(dim=-1, keepdim=True)  # a_p^T v_p, (N, 1)
    return out * (grad_output - row_dot)


SOFTMAX = register_activation(Activation(
    "softmax", softmax, None, torch_module="Softmax", torch_args=(-1,),
    vector_jacobian_product=softmax_vector_jacobian_product))
"""The registry's entry: softmax along the last dimension, each row of a batch on its own."""
