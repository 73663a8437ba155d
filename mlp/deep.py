r"""A deeper stack of the same hand-written layers: Linear -> f -> ... -> Linear -> g.

The names continue the homework's $z_1, z_2, z_3$: with $L$ affine layers, $z_0 = x$ and, for
$l = 1, \dots, L$, the odd-numbered $z$ are the affine layers' outputs (pre-activations) and
the even-numbered ones the hidden activations' outputs. For a batch, rows are samples:

$$Z_{2l-1} = Z_{2l-2} {W^{(l)}}\T + \ones_N {b^{(l)}}\T, \qquad
Z_{2l} = f(Z_{2l-1}) \ (l < L), \qquad \hat Y = g(Z_{2L-1}).$$

With $L = 2$ these are the homework's $z_1, z_2, z_3, \hat y$, and `MLP`'s cache keys. Backward
runs the two-layer recursion once per layer, from $\nabla_{Z_{2L-1}} J$ down:

$$\nabla_{Z_{2l-2}} J = \nabla_{Z_{2l-1}} J \, W^{(l)}, \quad
\nabla_{Z_{2l-3}} J = \nabla_{Z_{2l-2}} J \had f'(Z_{2l-3}), \quad
\nabla_{W^{(l)}} J = (\nabla_{Z_{2l-1}} J)\T Z_{2l-2}, \quad
\nabla_{b^{(l)}} J = (\nabla_{Z_{2l-1}} J)\T \ones_N.$$

Each layer multiplies by $f'(Z_{2l-3})$ entry by entry: a factor at most $1/4$ for the sigmoid
and exactly 0 or 1 for ReLU, which is what homework 1.2.c is about.
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
        cache: after a forward pass, x, z1, z2, ..., z{2L-1}, y_hat: z{2l-1} the output of
            layer l's affine map (the pre-activation), z{2l} = f(z{2l-1}), y_hat =
            g(z{2L-1}). With L = 2: x, z1, z2, z3, y_hat, as `MLP`.
    """

    @property
    def n_layers(self) -> int:
        """$L$, the number of affine layers."""
        return len(self.widths) - 1

    def forward(self, x: Tensor) -> Tensor:
        r"""x: (N, n), same dtype and device as W1. Returns $\hat y$: (N, K)."""
        p, L = self.parameters, self.n_layers
        out = self.take_input(x)
        cache = dict(x=out)
        for layer in range(1, L + 1):
            pre = linear_forward(out, p[f"W{layer}"], p[f"b{layer}"])  # z{2l-1}: (N, m_l)
            out = (self.g if layer == L else self.f).forward(pre)
            cache[f"z{2 * layer - 1}"] = pre
            cache["y_hat" if layer == L else f"z{2 * layer}"] = out
        self.keep(cache)
        return out

    def backward(self, dJdy_hat: Tensor) -> None:
        r"""Add the gradients of J to `grads`. dJdy_hat: $\partial J/\partial\hat y$, (N, K)."""
        dJdy_hat = self.take_upstream(dJdy_hat)
        c, p, g, L = self.cache, self.parameters, self.grads, self.n_layers

        dJdz = self.g.backward(dJdy_hat, c[f"z{2 * L - 1}"], c["y_hat"])  # (N, K)
        for layer in range(L, 0, -1):
            # dJdz is dJ/dz{2l-1}; the layer's input is z{2l-2} (x for the first layer).
            layer_input = c["x"] if layer == 1 else c[f"z{2 * layer - 2}"]
            dJdinput, dJdW, dJdb = linear_backward(dJdz, layer_input, p[f"W{layer}"],
                                                   input_grad=layer > 1)
            g[f"dJdW{layer}"] += dJdW
            g[f"dJdb{layer}"] += dJdb
            if layer > 1:  # dJ/dz{2l-3} = dJ/dz{2l-2} * f'(z{2l-3})
                dJdz = self.f.backward(dJdinput, c[f"z{2 * layer - 3}"], layer_input)
