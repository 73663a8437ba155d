r"""The homework's two-layer network, Linear -> f -> Linear -> g, with backprop written by hand.

For a batch $x \in \mathbb{R}^{N \times n}$ (one sample per row) the forward pass is

$$s_1 = x W^{(1)\top} + b^{(1)}, \quad z_1 = f(s_1), \quad
s_2 = z_1 W^{(2)\top} + b^{(2)}, \quad \hat y = g(s_2).$$

Each row is the single-sample math $s_1 = W^{(1)} x + b^{(1)}$ transposed: the column vectors of
the theory are the rows of the tensors. The backward pass, for $\delta_2 = \partial J/\partial s_2$
and $\delta_1 = \partial J/\partial s_1$, both (N, width):

$$\delta_2 = \frac{\partial J}{\partial \hat y} \odot g'(s_2), \quad
\frac{\partial J}{\partial W^{(2)}} = \delta_2^\top z_1, \quad
\frac{\partial J}{\partial b^{(2)}} = \mathbf{1}^\top \delta_2,$$

$$\delta_1 = (\delta_2 W^{(2)}) \odot f'(s_1), \quad
\frac{\partial J}{\partial W^{(1)}} = \delta_1^\top x, \quad
\frac{\partial J}{\partial b^{(1)}} = \mathbf{1}^\top \delta_1.$$
"""

from __future__ import annotations

import torch
from torch import Tensor

from . import _validate as validate
from ._network import BackwardBeforeForwardError, ModifiedAfterForwardError, Network
from .linear import linear_backward, linear_forward

__all__ = ["MLP", "BackwardBeforeForwardError", "ModifiedAfterForwardError"]


class MLP(Network):
    r"""Linear_1 -> f -> Linear_2 -> g, with the homework's API exactly.

    Args:
        linear_1_in_features: $n$, the width of the input x.
        linear_1_out_features: the hidden width $m$.
        f_function: the hidden activation, a key of `ACTIVATIONS` ("relu", "sigmoid", "identity").
        linear_2_in_features: must equal `linear_1_out_features`.
        linear_2_out_features: $K$, the width of the output $\hat y$.
        g_function: the output activation, a key of `ACTIVATIONS`.
        dtype: keyword-only; the parameters' floating dtype (default: torch's default dtype).
        device: keyword-only; where the parameters live.
        generator: keyword-only; a `torch.Generator` for reproducible weights.

    Attributes:
        parameters: W1 (m, n), b1 (m,), W2 (K, m), b2 (K,), drawn with `torch.randn`.
            W is stored (out, in), as `nn.Linear` stores it.
        grads: dJdW1, dJdb1, dJdW2, dJdb2, the same shapes, zero at first.
        cache: what forward keeps for backward: x, s1, z1, s2, y_hat.
    """

    def __init__(self, linear_1_in_features: int, linear_1_out_features: int, f_function: str,
                 linear_2_in_features: int, linear_2_out_features: int, g_function: str, *,
                 dtype: torch.dtype | None = None, device: torch.device | str | None = None,
                 generator: torch.Generator | None = None) -> None:
        n_in = validate.positive_int("linear_1_in_features", linear_1_in_features)
        n_hidden = validate.positive_int("linear_1_out_features", linear_1_out_features)
        n_hidden_2 = validate.positive_int("linear_2_in_features", linear_2_in_features)
        n_out = validate.positive_int("linear_2_out_features", linear_2_out_features)
        if n_hidden_2 != n_hidden:
            raise ValueError(f"linear_2_in_features must equal linear_1_out_features ({n_hidden}) "
                             f"so the layers chain, got {n_hidden_2}")
        super().__init__((n_in, n_hidden, n_out), f_function, g_function,
                         dtype=dtype, device=device, generator=generator)

    def forward(self, x: Tensor) -> Tensor:
        r"""Run the batch through the network and cache what backward needs.

        Args:
            x: shape (N, n), the batch, one sample per row; same dtype and device as W1.

        Returns:
            $\hat y$, shape (N, K).
        """
        p = self.parameters
        x = self.take_input(x)
        s1 = linear_forward(x, p["W1"], p["b1"])   # (N, m)
        z1 = self.f.forward(s1)
        s2 = linear_forward(z1, p["W2"], p["b2"])  # (N, K)
        y_hat = self.g.forward(s2)
        self.keep(dict(x=x, s1=s1, z1=z1, s2=s2, y_hat=y_hat))
        return y_hat

    def backward(self, dJdy_hat: Tensor) -> None:
        r"""Add the gradients of J for this batch to `grads`, as autograd accumulates.

        Args:
            dJdy_hat: $\partial J / \partial \hat y$, shape (N, K), as the loss returns it.
        """
        dJdy_hat = self.take_upstream(dJdy_hat)
        c, p, g = self.cache, self.parameters, self.grads

        delta2 = self.g.backward(dJdy_hat, c["s2"], c["y_hat"])  # dJ/ds2: (N, K)
        dJdz1 = linear_backward(delta2, c["z1"], p["W2"], g["dJdW2"], g["dJdb2"])  # (N, m)
        delta1 = self.f.backward(dJdz1, c["s1"], c["z1"])        # dJ/ds1: (N, m)
        # dJ/dx is not needed: x is data, not a parameter, so skip that product.
        linear_backward(delta1, c["x"], p["W1"], g["dJdW1"], g["dJdb1"], input_grad=False)
