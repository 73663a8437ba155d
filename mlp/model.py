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

from . import _validate as check
from .activations import ACTIVATIONS
from .linear import linear_backward, linear_forward


class BackwardBeforeForwardError(RuntimeError, ValueError):
    """`backward` was called with nothing cached: call `forward` first.

    A RuntimeError (a wrong call order) that is also a ValueError, so code that catches bad
    input catches it too.
    """


class MLP:
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
        n_in = check.positive_int("linear_1_in_features", linear_1_in_features)
        n_hidden = check.positive_int("linear_1_out_features", linear_1_out_features)
        n_hidden_2 = check.positive_int("linear_2_in_features", linear_2_in_features)
        n_out = check.positive_int("linear_2_out_features", linear_2_out_features)
        if n_hidden_2 != n_hidden:
            raise ValueError(f"linear_2_in_features must equal linear_1_out_features ({n_hidden}) "
                             f"so the layers chain, got {n_hidden_2}")
        self.f = check.choice("f_function", f_function, ACTIVATIONS)
        self.g = check.choice("g_function", g_function, ACTIVATIONS)
        self.f_function, self.g_function = f_function, g_function
        kw = dict(dtype=check.as_dtype("dtype", dtype), device=device)

        self.parameters = dict(
            W1=torch.randn(n_hidden, n_in, generator=generator, **kw),
            b1=torch.randn(n_hidden, generator=generator, **kw),
            W2=torch.randn(n_out, n_hidden, generator=generator, **kw),
            b2=torch.randn(n_out, generator=generator, **kw),
        )
        self.grads = {f"dJd{k}": torch.zeros_like(v) for k, v in self.parameters.items()}
        self.cache = dict()

    def forward(self, x: Tensor) -> Tensor:
        r"""Run the batch through the network and cache what backward needs.

        Args:
            x: shape (N, n), the batch, one sample per row; same dtype and device as W1.

        Returns:
            $\hat y$, shape (N, K).
        """
        p = self.parameters
        W1, b1, W2, b2 = p["W1"], p["b1"], p["W2"], p["b2"]
        check.float_tensor("x", x)
        if x.dim() != 2:
            raise ValueError(f"x must be 2-D (batch, {W1.shape[1]}), got shape {tuple(x.shape)}")
        if x.shape[1] != W1.shape[1] or x.shape[0] == 0:
            raise ValueError(f"x must have shape (batch >= 1, {W1.shape[1]}), got "
                             f"{tuple(x.shape)}")
        check.same_kind("x", x, W1, "W1")
        x = x.detach()  # an x that requires grad must not make torch record a graph here

        s1 = linear_forward(x, W1, b1)  # (N, m)
        z1 = self.f.forward(s1)
        s2 = linear_forward(z1, W2, b2)  # (N, K)
        y_hat = self.g.forward(s2)
        self.cache = dict(x=x, s1=s1, z1=z1, s2=s2, y_hat=y_hat)
        return y_hat

    def backward(self, dJdy_hat: Tensor) -> None:
        r"""Add the gradients of J for this batch to `grads`, as autograd accumulates.

        Args:
            dJdy_hat: $\partial J / \partial \hat y$, shape (N, K), as the loss returns it.
        """
        if not self.cache:
            raise BackwardBeforeForwardError("backward needs the cache of a forward pass; "
                                             "call forward(x) first")
        c = self.cache
        check.float_tensor("dJdy_hat", dJdy_hat)
        check.shape("dJdy_hat", dJdy_hat, tuple(c["y_hat"].shape), "the shape of y_hat")
        check.same_kind("dJdy_hat", dJdy_hat, c["y_hat"], "y_hat")
        dJdy_hat = dJdy_hat.detach()
        p, g = self.parameters, self.grads

        delta2 = self.g.backward(dJdy_hat, c["s2"], c["y_hat"])  # dJ/ds2: (N, K)
        dJdz1 = linear_backward(delta2, c["z1"], p["W2"], g["dJdW2"], g["dJdb2"])  # (N, m)
        delta1 = self.f.backward(dJdz1, c["s1"], c["z1"])        # dJ/ds1: (N, m)
        # dJ/dx is not needed: x is data, not a parameter, so skip that product.
        linear_backward(delta1, c["x"], p["W1"], g["dJdW1"], g["dJdb1"], input_grad=False)

    def clear_grad_and_cache(self) -> None:
        """Zero every gradient in place and empty the cache."""
        for grad in self.grads.values():
            grad.zero_()
        self.cache = dict()
