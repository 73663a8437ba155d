r"""The homework's two-layer network, Linear -> f -> Linear -> g, with backprop written by hand.

The homework's names, one sample $x \in \mathbb{R}^n$ as a column:
$z_1 = W^{(1)} x + b^{(1)}$, $z_2 = f(z_1)$, $z_3 = W^{(2)} z_2 + b^{(2)}$, $\hat y = g(z_3)$.
A batch stacks the samples as rows, $X \in \mathbb{R}^{N \times n}$, so the same map reads

$$Z_1 = X {W^{(1)}}\T + \ones_N {b^{(1)}}\T, \quad Z_2 = f(Z_1), \quad
Z_3 = Z_2 {W^{(2)}}\T + \ones_N {b^{(2)}}\T, \quad \hat Y = g(Z_3),$$

each row the single-sample math transposed. The code's tensors are these, keyed in `cache` as
`x`, `z1`, `z2`, `z3`, `y_hat`. The backward pass, with $\Delta_3 = \nabla_{Z_3} J$ (N, K) and
$\Delta_1 = \nabla_{Z_1} J$ (N, m), the code's `dJdz3` and `dJdz1`:

$$\Delta_3 = \nabla_{\hat Y} J \had g'(Z_3) \ (\text{element-wise } g), \quad
\nabla_{W^{(2)}} J = \Delta_3\T Z_2, \quad
\nabla_{b^{(2)}} J = \Delta_3\T \ones_N,$$

$$\nabla_{Z_2} J = \Delta_3 W^{(2)}, \quad \Delta_1 = \nabla_{Z_2} J \had f'(Z_1), \quad
\nabla_{W^{(1)}} J = \Delta_1\T X, \quad
\nabla_{b^{(1)}} J = \Delta_1\T \ones_N.$$

Each $\nabla_\theta J$ has $\theta$'s shape, as torch's `.grad`; it is the transpose of the
numerator-layout $\partial J/\partial\theta$. The derivatives $g'$ and $f'$ are taken at the
pre-activations $Z_3$ and $Z_1$, never at the outputs.
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
        cache: what forward keeps for backward: x, z1 (Linear_1's output, the
            pre-activation), z2 = f(z1), z3 (Linear_2's output), y_hat = g(z3).
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
        z1 = linear_forward(x, p["W1"], p["b1"])   # (N, m)
        z2 = self.f.forward(z1)                    # (N, m)
        z3 = linear_forward(z2, p["W2"], p["b2"])  # (N, K)
        y_hat = self.g.forward(z3)                 # (N, K)
        self.keep(dict(x=x, z1=z1, z2=z2, z3=z3, y_hat=y_hat))
        return y_hat

    def backward(self, dJdy_hat: Tensor) -> None:
        r"""Add the gradients of J for this batch to `grads`, as autograd accumulates.

        Args:
            dJdy_hat: $\partial J / \partial \hat y$, shape (N, K), as the loss returns it.
        """
        dJdy_hat = self.take_upstream(dJdy_hat)
        c, p, g = self.cache, self.parameters, self.grads

        dJdz3 = self.g.backward(dJdy_hat, c["z3"], c["y_hat"])  # (N, K)
        dJdz2, dJdW2, dJdb2 = linear_backward(dJdz3, c["z2"], p["W2"])  # (N, m), (K, m), (K,)
        dJdz1 = self.f.backward(dJdz2, c["z1"], c["z2"])        # (N, m)
        # dJ/dx is not needed: x is data, not a parameter, so skip that product.
        _, dJdW1, dJdb1 = linear_backward(dJdz1, c["x"], p["W1"], input_grad=False)
        # Added, not assigned: gradients accumulate over backward calls, as autograd's do.
        g["dJdW1"] += dJdW1
        g["dJdb1"] += dJdb1
        g["dJdW2"] += dJdW2
        g["dJdb2"] += dJdb2
