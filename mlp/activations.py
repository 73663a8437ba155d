r"""Activations, each one value and its derivative side by side, in one registry.

An element-wise activation $a$ maps its argument $u$ (a pre-activation, $z_1$ or $z_3$) to
$a(u)$ entry by entry, so its Jacobian $\diag(a'(u))$ is diagonal and backprop never forms
it: it multiplies the upstream gradient by $a'(u)$ entry by entry, a tensor of $u$'s shape.
An activation that mixes the entries of a row (softmax, `mlp.softmax`) has no such derivative;
it brings its own vector-Jacobian product instead.

`ACTIVATIONS` is the single registry; `MLP`, `DeepMLP`, the autograd twin (`mlp.twin`), the
tests and the site iterate over it. A new activation is one call, plus its SymPy entry
(`derivations.activations.register`), which is where its formula lives: the site prints every
formula from there, so none is typed here.

```python
register_activation(Activation(
    "softsign", lambda u: u / (1 + u.abs()), lambda u: (1 + u.abs()) ** -2,
    torch_module="Softsign"))
```
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass(frozen=True)
class Activation:
    r"""One activation $a$: its value, its derivative, its torch counterpart.

    Its formulas are not here: `derivations.activations` holds $a$ as a SymPy expression, from
    which the site prints $a(u)$ and $a'(u)$ (`derivations.latex.tex`).

    Attributes:
        name: the key in `ACTIVATIONS`, as `MLP` takes it (`f_function`, `g_function`).
        forward: $u \mapsto a(u)$, (N, K) to (N, K).
        derivative: $u \mapsto a'(u)$ entry by entry, taken at the argument $u$ (never at the
            output), of $u$'s shape; None for an activation that is not element-wise.
        derivative_from_output: optional $a(u) \mapsto a'(u)$, $a'$ written through the
            forward's output, which backward has cached, so it need not recompute $a(u)$. It
            must equal `derivative(u)`, shape included; the tests check that for every entry.
        torch_module: the name of torch's own module for $a$ in `torch.nn` (``"Tanh"``), which
            the autograd twin uses; None lets autograd differentiate `forward` instead.
        torch_args: the arguments that module takes, e.g. the slope of `nn.LeakyReLU`.
        course: whether the homework's course has it, and so `mlp-check` grades it.
        vector_jacobian_product: for an activation that is not element-wise,
            $(\partial J/\partial a, u, a(u)) \mapsto \partial J/\partial u$ without forming
            the Jacobian; None for an element-wise one.
    """

    name: str
    forward: Callable[[Tensor], Tensor]
    derivative: Callable[[Tensor], Tensor] | None
    derivative_from_output: Callable[[Tensor], Tensor] | None = None
    torch_module: str | None = None
    torch_args: tuple = ()
    course: bool = False
    vector_jacobian_product: Callable[[Tensor, Tensor, Tensor], Tensor] | None = None

    def __post_init__(self) -> None:
        if (self.derivative is None) == (self.vector_jacobian_product is None):
            raise ValueError(f"activation {self.name!r} needs exactly one of derivative "
                             f"(element-wise) and vector_jacobian_product (row-mixing)")

    @property
    def elementwise(self) -> bool:
        """Whether entry $(p, k)$ of $a(u)$ depends on $u_{pk}$ only: a diagonal Jacobian."""
        return self.vector_jacobian_product is None

    def backward(self, grad_output: Tensor, u: Tensor, out: Tensor) -> Tensor:
        r"""$\partial J/\partial u = \partial J/\partial a \had a'(u)$ when element-wise.

        Args:
            grad_output: $\partial J/\partial a$, the gradient at the output, (N, K).
            u: the argument the forward pass saw, (N, K).
            out: the forward pass's output $a(u)$, (N, K).

        Returns:
            $\partial J/\partial u$, (N, K).
        """
        if not self.elementwise:
            return self.vector_jacobian_product(grad_output, u, out)
        if self.derivative_from_output is not None:
            return grad_output * self.derivative_from_output(out)
        return grad_output * self.derivative(u)


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


def _relu_derivative(u: Tensor) -> Tensor:
    # 1[u > 0], so ReLU'(0) = 0: torch's convention (its ReLU passes gradient only where u > 0).
    return (u > 0).to(u.dtype)


def _sigmoid_derivative(u: Tensor) -> Tensor:
    sig = torch.sigmoid(u)
    return sig * (1 - sig)


def _sigmoid_derivative_from_output(out: Tensor) -> Tensor:
    # sigma'(u) = sigma(u) (1 - sigma(u)), from the cached output sigma(u).
    return out * (1 - out)


def _identity(u: Tensor) -> Tensor:
    return u


for _entry in (
    Activation("relu", torch.relu, _relu_derivative, torch_module="ReLU", course=True),
    Activation("sigmoid", torch.sigmoid, _sigmoid_derivative,
               derivative_from_output=_sigmoid_derivative_from_output,
               torch_module="Sigmoid", course=True),
    Activation("identity", _identity, torch.ones_like, torch_module="Identity", course=True),
):
    register_activation(_entry)

COURSE_ACTIVATIONS: tuple[str, ...] = tuple(n for n, a in ACTIVATIONS.items() if a.course)
"""The course's activations, ("relu", "sigmoid", "identity"): what the homework API must accept
and what `mlp-check` grades unless asked for more."""
