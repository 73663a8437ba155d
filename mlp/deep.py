r"""A deeper stack of the same hand-written layers: Linear -> f -> ... -> Linear -> g.

With $L$ affine layers, $z_0 = x$ and, for $l = 1, \dots, L$,

$$s_l = z_{l-1} W^{(l)\top} + b^{(l)}, \qquad z_l = f(s_l) \ (l < L), \qquad \hat y = g(s_L).$$

Backward runs the homework's two-layer recursion once per layer, with
$\delta_l = \partial J/\partial s_l$:

$$\delta_L = \frac{\partial J}{\partial \hat y} \odot g'(s_L), \quad
\delta_{l-1} = (\delta_l W^{(l)}) \odot f'(s_{l-1}), \quad
\frac{\partial J}{\partial W^{(l)}} = \delta_l^\top z_{l-1}, \quad
\frac{\partial J}{\partial b^{(l)}} = \mathbf{1}^\top \delta_l.$$

Each step multiplies by $f'(s_{l-1})$ entry by entry: a factor at most $1/4$ for the sigmoid and
exactly 0 or 1 for ReLU, which is what homework 1.2.c is about.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

from . import _validate as check
from .activations import ACTIVATIONS
from .linear import linear_backward, linear_forward
from .model import BackwardBeforeForwardError


class DeepMLP:
    r"""$L$ affine layers with the hidden activation f between them and g at the end.

    Same attributes and methods as `MLP`, so `mlp.train` trains either. With
    `widths=(n, m, K)` and no `gain` it draws the same weights as `MLP(n, m, f, m, K, g)` from
    the same generator, and computes the same thing.

    Args:
        widths: $(n, m_1, \dots, m_{L-1}, K)$, the width of x, of each hidden layer and of
            $\hat y$; at least two entries.
        f_function: hidden activation, a key of `ACTIVATIONS`.
        g_function: output activation, a key of `ACTIVATIONS`.
        gain: None draws every W and b from $\mathcal N(0, 1)$ as `MLP` does; a number $a$
            draws $W^{(l)}$ from $\mathcal N(0, a^2 / m_{l-1})$ and sets every $b^{(l)} = 0$
            ($a = \sqrt 2$ is He's initialisation for ReLU).
        dtype: as for `MLP`.
        device: as for `MLP`.
        generator: as for `MLP`.

    Attributes:
        parameters: W1 (m_1, n), b1 (m_1,), ..., WL (K, m_{L-1}), bL (K,).
        grads: dJdW1, dJdb1, ..., the same shapes, zero at first.
        cache: x, s1, z1, ..., sL, y_hat after a forward pass.
    """

    def __init__(self, widths: Sequence[int], f_function: str, g_function: str, *,
                 gain: float | None = None, dtype: torch.dtype | None = None,
                 device: torch.device | str | None = None,
                 generator: torch.Generator | None = None) -> None:
        widths = tuple(check.positive_int(f"widths[{i}]", w) for i, w in enumerate(widths))
        if len(widths) < 2:
            raise ValueError(f"widths needs at least the input and output widths, got {widths}")
        self.f = check.choice("f_function", f_function, ACTIVATIONS)
        self.g = check.choice("g_function", g_function, ACTIVATIONS)
        self.f_function, self.g_function = f_function, g_function
        self.widths = widths
        kw = dict(dtype=check.as_dtype("dtype", dtype), device=device)

        self.parameters = dict()
        for layer, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:], strict=True), 1):
            W = torch.randn(n_out, n_in, generator=generator, **kw)
            if gain is None:
                b = torch.randn(n_out, generator=generator, **kw)
            else:
                W.mul_(gain / math.sqrt(n_in))
                b = torch.zeros(n_out, **kw)
            self.parameters[f"W{layer}"], self.parameters[f"b{layer}"] = W, b
        self.grads = {f"dJd{k}": torch.zeros_like(v) for k, v in self.parameters.items()}
        self.cache = dict()

    @property
    def n_layers(self) -> int:
        """$L$, the number of affine layers."""
        return len(self.widths) - 1

    def forward(self, x: Tensor) -> Tensor:
        r"""x: (N, n), same dtype and device as W1. Returns $\hat y$: (N, K)."""
        p, L = self.parameters, self.n_layers
        check.float_tensor("x", x)
        if x.dim() != 2 or x.shape[0] == 0 or x.shape[1] != self.widths[0]:
            raise ValueError(f"x must have shape (batch >= 1, {self.widths[0]}), got "
                             f"{tuple(x.shape)}")
        check.same_kind("x", x, p["W1"], "W1")
        cache = dict(x=x)
        z = x
        for layer in range(1, L + 1):
            s = linear_forward(z, p[f"W{layer}"], p[f"b{layer}"])  # (N, m_l)
            z = (self.g if layer == L else self.f).forward(s)
            cache[f"s{layer}"] = s
            cache["y_hat" if layer == L else f"z{layer}"] = z
        self.cache = cache
        return z

    def backward(self, dJdy_hat: Tensor) -> None:
        r"""Add the gradients of J to `grads`. dJdy_hat: $\partial J/\partial\hat y$, (N, K)."""
        if not self.cache:
            raise BackwardBeforeForwardError("backward needs the cache of a forward pass; "
                                             "call forward(x) first")
        c, p, g, L = self.cache, self.parameters, self.grads, self.n_layers
        check.float_tensor("dJdy_hat", dJdy_hat)
        check.shape("dJdy_hat", dJdy_hat, tuple(c["y_hat"].shape), "the shape of y_hat")
        check.same_kind("dJdy_hat", dJdy_hat, c["y_hat"], "y_hat")

        delta = self.g.backward(dJdy_hat, c[f"s{L}"], c["y_hat"])  # delta_L: (N, K)
        for layer in range(L, 0, -1):
            z_prev = c["x"] if layer == 1 else c[f"z{layer - 1}"]
            grad_z = linear_backward(delta, z_prev, p[f"W{layer}"], g[f"dJdW{layer}"],
                                     g[f"dJdb{layer}"], input_grad=layer > 1)
            if layer > 1:
                delta = self.f.backward(grad_z, c[f"s{layer - 1}"], z_prev)  # delta_{l-1}

    def clear_grad_and_cache(self) -> None:
        """Zero every gradient in place and empty the cache."""
        for grad in self.grads.values():
            grad.zero_()
        self.cache = dict()
