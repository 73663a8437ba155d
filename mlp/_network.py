r"""What `MLP` and `DeepMLP` share: drawing the parameters, taking x and dJdy_hat, clearing.

Both networks take their inputs through `take_input` and `take_upstream`, so both:

- refuse a non-tensor, a sparse (or any non-strided) layout, an integer dtype, a wrong shape,
  dtype or device, and an x with a NaN or infinite entry, each with an error naming x or
  dJdy_hat;
- record no autograd graph: an x or dJdy_hat that requires grad is detached first, by the same
  helper the losses use (`_validate.tensor_input`);
- refuse to run backward on a cache that was modified in place after forward. Torch raises
  "modified by an inplace operation" in that case; here each cached tensor's version counter
  (bumped by every in-place op on it or on a view of it) is compared, a few attribute reads.
  Like torch's, the check sees only what bumps the counter (`ModifiedAfterForwardError`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

import torch
from torch import Tensor

from . import _validate as validate
from .activations import ACTIVATIONS


class BackwardBeforeForwardError(RuntimeError, ValueError):
    """`backward` was called with nothing cached: call `forward` first.

    A RuntimeError (a wrong call order) that is also a ValueError, so code that catches bad
    input catches it too.
    """


class ModifiedAfterForwardError(RuntimeError):
    """A tensor that forward cached (x, z1, ..., y_hat) was modified in place before backward.

    The check compares each cached tensor's version counter, which every in-place torch op on
    the tensor or on a view of it bumps: `x.mul_(2)`, `x[0] = 1`, `x.add_(1)`. It sees nothing
    that bypasses that counter: writes through `x.data` (`x.data.add_(1)`), or through
    `x.numpy()` or any other buffer that shares x's memory outside torch. Torch's autograd
    check ("modified by an inplace operation") misses exactly the same writes, so backward
    then silently uses the new values, here as in torch.
    """


class Network:
    r"""Parameters, gradients and cache of a stack of affine layers, with f between and g last.

    Args:
        widths: $(n, m_1, \dots, K)$: the widths of x, of each hidden layer and of $\hat y$.
        f_function, g_function: keys of `ACTIVATIONS`.
        gain: None draws every W and b from $\mathcal N(0, 1)$; a number $a$ draws
            $W^{(l)}$ from $\mathcal N(0, a^2 / m_{l-1})$ and sets every $b^{(l)} = 0$.
        dtype, device, generator: where and how the parameters are drawn.
    """

    _versions: dict[str, int]  # set by `keep`; read only once the cache is full

    def __init__(self, widths: Sequence[int], f_function: str, g_function: str, *,
                 gain: float | None = None, dtype: torch.dtype | None = None,
                 device: torch.device | str | None = None,
                 generator: torch.Generator | None = None) -> None:
        widths = tuple(validate.positive_int(f"widths[{i}]", w) for i, w in enumerate(widths))
        if len(widths) < 2:
            raise ValueError(f"widths needs at least the input and output widths, got {widths}")
        self.f = validate.choice("f_function", f_function, ACTIVATIONS)
        self.g = validate.choice("g_function", g_function, ACTIVATIONS)
        self.f_function, self.g_function = f_function, g_function
        self.widths = widths
        kw = dict(dtype=validate.as_dtype("dtype", dtype), device=device)

        self.parameters = dict()
        for layer, (n_in, n_out) in enumerate(pairwise(widths), 1):
            W = torch.randn(n_out, n_in, generator=generator, **kw)
            if gain is None:
                b = torch.randn(n_out, generator=generator, **kw)
            else:
                W.mul_(gain / math.sqrt(n_in))
                b = torch.zeros(n_out, **kw)
            self.parameters[f"W{layer}"], self.parameters[f"b{layer}"] = W, b
        self.grads = {f"dJd{k}": torch.zeros_like(v) for k, v in self.parameters.items()}
        self.cache: dict[str, Tensor] = dict()

    def take_input(self, x: object) -> Tensor:
        """x checked against W1's width, dtype and device, checked finite, and detached."""
        W1 = self.parameters["W1"]
        x = validate.tensor_input("x", x)  # shares x's storage and version counter
        if x.dim() != 2 or x.shape[0] == 0 or x.shape[1] != W1.shape[1]:
            raise ValueError(f"x must have shape (batch >= 1, {W1.shape[1]}), got "
                             f"{tuple(x.shape)}")
        validate.same_kind("x", x, W1, "W1")
        validate.finite("x", x)
        return x

    def keep(self, cache: dict[str, Tensor]) -> None:
        """Cache what backward needs, with each tensor's version as forward left it."""
        self.cache = cache
        self._versions = {name: t._version for name, t in cache.items()}

    def take_upstream(self, dJdy_hat: object) -> Tensor:
        r"""$\partial J/\partial\hat y$ checked against the cache, and detached."""
        if not self.cache:
            raise BackwardBeforeForwardError("backward needs the cache of a forward pass; "
                                             "call forward(x) first")
        for name, version in self._versions.items():
            if self.cache[name]._version != version:
                raise ModifiedAfterForwardError(
                    f"{name} was modified in place after forward, so backward would use values "
                    f"forward never saw; call forward again, or change a copy ({name}.clone())")
        y_hat = self.cache["y_hat"]
        dJdy_hat = validate.tensor_input("dJdy_hat", dJdy_hat)
        validate.shape("dJdy_hat", dJdy_hat, tuple(y_hat.shape), "the shape of y_hat")
        validate.same_kind("dJdy_hat", dJdy_hat, y_hat, "y_hat")
        return dJdy_hat

    def clear_grad_and_cache(self) -> None:
        """Zero every gradient in place and empty the cache."""
        for grad in self.grads.values():
            grad.zero_()
        self.cache = dict()
