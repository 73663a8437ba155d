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

from torch import Tensor

from ._network import Network
from .linear import linear_backward, linear_forward


class DeepMLP(Network):
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

    @property
    def n_layers(self) -> int:
        """$L$, the number of affine layers."""
        return len(self.widths) - 1

    def forward(self, x: Tensor) -> Tensor:
        r"""x: (N, n), same dtype and device as W1. Returns $\hat y$: (N, K)."""
        p, L = self.parameters, self.n_layers
        z = self.take_input(x)
        cache = dict(x=z)
        for layer in range(1, L + 1):
            s = linear_forward(z, p[f"W{layer}"], p[f"b{layer}"])  # (N, m_l)
            z = (self.g if layer == L else self.f).forward(s)
            cache[f"s{layer}"] = s
            cache["y_hat" if layer == L else f"z{layer}"] = z
        self.keep(cache)
        return z

    def backward(self, dJdy_hat: Tensor) -> None:
        r"""Add the gradients of J to `grads`. dJdy_hat: $\partial J/\partial\hat y$, (N, K)."""
        dJdy_hat = self.take_upstream(dJdy_hat)
        c, p, g, L = self.cache, self.parameters, self.grads, self.n_layers

        delta = self.g.backward(dJdy_hat, c[f"s{L}"], c["y_hat"])  # delta_L: (N, K)
        for layer in range(L, 0, -1):
            z_prev = c["x"] if layer == 1 else c[f"z{layer - 1}"]
            grad_z = linear_backward(delta, z_prev, p[f"W{layer}"], g[f"dJdW{layer}"],
                                     g[f"dJdb{layer}"], input_grad=layer > 1)
            if layer > 1:
                delta = self.f.backward(grad_z, c[f"s{layer - 1}"], z_prev)  # delta_{l-1}
