r"""Softmax, the one activation here that is not element-wise, and the registry entry for it.

Each row of a batch maps to probabilities; for one row, as a column $s \in \mathbb{R}^K$,
$z = \operatorname{softmax}(s)$, $z_k = e^{s_k} / \sum_j e^{s_j}$. Every $z_k$ depends on every
$s_j$, so the Jacobian of a row is the full, symmetric $K \times K$ matrix

$$\frac{\partial z}{\partial s} = \diag(z) - z z\T,$$

and backprop's product with the upstream $g = \partial J/\partial z$ is

$$\left(\diag(z) - z z\T\right) g = z \had \left(g - (z\T g)\,\ones\right):$$

one dot product per row instead of a $K \times K$ matrix. For the batch, rows (N, K):
$z \had (g - (g \had z)\,\ones \ones\T)$, which `softmax_vector_jacobian_product` computes;
`derivative` forms the Jacobians, for the tests and the site only. `derivations.softmax`
proves both.
"""

from __future__ import annotations

import torch
from torch import Tensor

from .activations import Activation, register_activation


def softmax(s: Tensor) -> Tensor:
    r"""$z_{nk} = e^{s_{nk}} / \sum_j e^{s_{nj}}$ along each row. s: (N, K); returns (N, K)."""
    return torch.softmax(s, dim=-1)


def softmax_jacobian(s: Tensor) -> Tensor:
    r"""$\diag(z_n) - z_n z_n\T$ for each row $z_n$ of softmax(s): (N, K, K).

    $N K^2$ numbers: backprop never forms them (`softmax_vector_jacobian_product`)."""
    z = softmax(s)
    return torch.diag_embed(z) - z.unsqueeze(-1) * z.unsqueeze(-2)


def softmax_vector_jacobian_product(grad_output: Tensor, s: Tensor, z: Tensor) -> Tensor:
    r"""$\partial J/\partial s = z \had (g - (g \had z)\,\ones\ones\T)$, g = `grad_output`.

    Args:
        grad_output: $g = \partial J/\partial z$, (N, K).
        s: the pre-activation, (N, K); unused, as $z$ holds all the Jacobian needs.
        z: softmax(s), (N, K), cached by forward.

    Returns:
        (N, K), each row $g_n (\diag(z_n) - z_n z_n\T)$: $O(NK)$ work, not $O(NK^2)$.
    """
    return z * (grad_output - (grad_output * z).sum(dim=-1, keepdim=True))


SOFTMAX = register_activation(Activation(
    "softmax", softmax, softmax_jacobian,
    r"\operatorname{softmax}(s)_k = \frac{e^{s_k}}{\sum_j e^{s_j}}",
    r"\diag(z) - z z\T", torch_module="Softmax", torch_args=(-1,),
    vector_jacobian_product=softmax_vector_jacobian_product))
"""The registry's entry: $z$ along the last dimension, each row of a batch on its own."""
