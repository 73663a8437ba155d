r"""Activations, each one value and its derivative side by side, in one registry.

An element-wise activation maps a pre-activation $s$ to $z = a(s)$ entry by entry, so its
Jacobian $\partial z / \partial s = \diag(a'(s))$ is diagonal and backprop never
forms it: it multiplies the upstream gradient by $a'(s)$ entry by entry. An activation that
mixes the entries of a row (softmax, `mlp.softmax`) brings its own vector-Jacobian product.

`ACTIVATIONS` is the single registry; `MLP`, `DeepMLP`, the autograd twin (`mlp.twin`), the
tests and the site iterate over it. A new activation is one call, plus its SymPy entry
(`derivations.activations.register`):

```python
register_activation(Activation(
    "softsign", lambda s: s / (1 + s.abs()), lambda s: (1 + s.abs()) ** -2,
    r"\frac{s}{1 + |s|}", r"\frac{1}{(1 + |s|)^2}", torch_module="Softsign"))
```
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass(frozen=True)
class Activation:
    r"""One activation $a$: its value, its derivative, their formulas, its torch counterpart.

    Attributes:
        name: the key in `ACTIVATIONS`, as `MLP` takes it (`f_function`, `g_function`).
        forward: $s \mapsto a(s)$, (N, K) to (N, K).
        derivative: $s \mapsto a'(s)$, taken at the pre-activation $s$ (never at the output):
            (N, K) to (N, K) for an element-wise $a$; for one that is not, the Jacobian of
            each row, (N, K) to (N, K, K).
        formula: $a(s)$ in LaTeX.
        derivative_formula: $a'(s)$ in LaTeX.
        derivative_from_output: optional $z \mapsto a'(s)$ written through the forward's output
            $z = a(s)$, which backward has cached, so it need not recompute $a(s)$. It must
            equal `derivative(s)`; the tests check that for every entry.
        torch_module: the name of torch's own module for $a$ in `torch.nn` (``"Tanh"``), which
            the autograd twin uses; None lets autograd differentiate `forward` instead.
        torch_args: the arguments that module takes, e.g. the slope of `nn.LeakyReLU`.
        course: whether the homework's course has it, and so `mlp-check` grades it.
        vector_jacobian_product: for an activation that is not element-wise,
            $(\partial J/\partial z, s, z) \mapsto \partial J/\partial s$ without forming the
            Jacobian; None for an element-wise one.
    """

    name: str
    forward: Callable[[Tensor], Tensor]
    derivative: Callable[[Tensor], Tensor]
    formula: str
    derivative_formula: str
    derivative_from_output: Callable[[Tensor], Tensor | float] | None = None
    torch_module: str | None = None
    torch_args: tuple = ()
    course: bool = False
    vector_jacobian_product: Callable[[Tensor, Tensor, Tensor], Tensor] | None = None

    @property
    def elementwise(self) -> bool:
        """Whether $z_{nk}$ depends on $s_{nk}$ only, so that the Jacobian is diagonal."""
        return self.vector_jacobian_product is None

    def backward(self, grad_output: Tensor, s: Tensor, z: Tensor) -> Tensor:
        r"""$\partial J/\partial s$: $\partial J/\partial z \odot a'(s)$ when element-wise.

        Args:
            grad_output: $\partial J/\partial z$, same shape as `s`.
            s: the pre-activation the forward pass saw.
            z: the forward pass's output $a(s)$.

        Returns:
            $\partial J/\partial s$, same shape as `s`.
        """
        if self.vector_jacobian_product is not None:
            return self.vector_jacobian_product(grad_output, s, z)
        if self.derivative_from_output is None:
            return grad_output * self.derivative(s)
        return grad_output * self.derivative_from_output(z)


ACTIVATIONS: dict[str, Activation] = {}
"""Name -> `Activation`: the course's three, then those `mlp.more_activations` and
`mlp.softmax` register."""


def register_activation(activation: Activation) -> Activation:
    """Add `activation` to `ACTIVATIONS` under its name; an existing name is refused."""
    if not isinstance(activation, Activation):
        raise TypeError(f"expected an Activation, got {type(activation).__name__}")
    if activation.name in ACTIVATIONS:
        raise ValueError(f"an activation named {activation.name!r} is already registered")
    ACTIVATIONS[activation.name] = activation
    return activation


def unregister_activation(name: str) -> Activation:
    """Remove `name` from `ACTIVATIONS` and return its entry; the course's three stay."""
    if ACTIVATIONS[name].course:
        raise ValueError(f"{name!r} is one of the course's activations and stays registered")
    return ACTIVATIONS.pop(name)


def _relu_derivative(s: Tensor) -> Tensor:
    # 1[s > 0], so ReLU'(0) = 0: torch's convention (its ReLU passes gradient only where s > 0).
    # Written into a tensor of s's dtype directly: a bool mask and a cast cost ~7x as much on
    # this CPU build (benchmarks/README.md).
    return torch.gt(s, 0, out=torch.empty_like(s))


def _sigmoid_derivative(s: Tensor) -> Tensor:
    sig = torch.sigmoid(s)
    return sig * (1 - sig)


def _sigmoid_derivative_from_output(z: Tensor) -> Tensor:
    # sigma'(s) = sigma(s)(1 - sigma(s)) = z(1 - z), from the cached output z = sigma(s).
    return (1 - z).mul_(z)


def _identity(s: Tensor) -> Tensor:
    return s


for _entry in (
    Activation("relu", torch.relu, _relu_derivative, r"(s)^+ = \max(0, s)", r"\mathbb{1}[s > 0]",
               torch_module="ReLU", course=True),
    Activation("sigmoid", torch.sigmoid, _sigmoid_derivative,
               r"\sigma(s) = \frac{1}{1 + e^{-s}}", r"\sigma(s)\,(1 - \sigma(s))",
               derivative_from_output=_sigmoid_derivative_from_output,
               torch_module="Sigmoid", course=True),
    Activation("identity", _identity, torch.ones_like, r"s", r"1",
               derivative_from_output=lambda z: 1, torch_module="Identity", course=True),
):
    register_activation(_entry)

COURSE_ACTIVATIONS: tuple[str, ...] = tuple(n for n, a in ACTIVATIONS.items() if a.course)
"""The course's activations, ("relu", "sigmoid", "identity"): what the homework API must accept
and what `mlp-check` grades unless asked for more."""
