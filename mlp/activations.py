r"""Element-wise activations, each one value and its derivative side by side.

An activation maps a pre-activation $s$ to $z = a(s)$ entry by entry, so its Jacobian
$\partial z / \partial s = \operatorname{diag}(a'(s))$ is diagonal and backprop never forms it:
it multiplies the upstream gradient by $a'(s)$ entry by entry.

`ACTIVATIONS` is the single registry. The model, the tests, the derivations and the site
iterate over it, so a new activation is one entry here:

```python
ACTIVATIONS["tanh"] = Activation(
    "tanh", torch.tanh, lambda s: 1 - torch.tanh(s) ** 2, r"\tanh(s)", r"1 - \tanh^2(s)",
    derivative_from_output=lambda z: 1 - z**2,
)
```
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass(frozen=True)
class Activation:
    r"""One element-wise activation $a$: its value, its derivative and their formulas.

    Attributes:
        name: the key in `ACTIVATIONS`, as `MLP` takes it (`f_function`, `g_function`).
        forward: $s \mapsto a(s)$, any shape to the same shape.
        derivative: $s \mapsto a'(s)$, taken at the pre-activation $s$ (never at the output).
        formula: $a(s)$ in LaTeX.
        derivative_formula: $a'(s)$ in LaTeX.
        derivative_from_output: optional $z \mapsto a'(s)$ written through the forward's output
            $z = a(s)$, which backward has cached, so it need not recompute $a(s)$. It must
            equal `derivative(s)`; the tests check that for every entry.
    """

    name: str
    forward: Callable[[Tensor], Tensor]
    derivative: Callable[[Tensor], Tensor]
    formula: str
    derivative_formula: str
    derivative_from_output: Callable[[Tensor], Tensor | float] | None = None

    def backward(self, grad_output: Tensor, s: Tensor, z: Tensor) -> Tensor:
        r"""$\partial J/\partial s = \partial J/\partial z \odot a'(s)$.

        Args:
            grad_output: $\partial J/\partial z$, same shape as `s`.
            s: the pre-activation the forward pass saw.
            z: the forward pass's output $a(s)$.

        Returns:
            $\partial J/\partial s$, same shape as `s`.
        """
        if self.derivative_from_output is None:
            return grad_output * self.derivative(s)
        return grad_output * self.derivative_from_output(z)


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


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            "relu", torch.relu, _relu_derivative,
            r"(s)^+ = \max(0, s)", r"\mathbb{1}[s > 0]",
        ),
        Activation(
            "sigmoid", torch.sigmoid, _sigmoid_derivative,
            r"\sigma(s) = \frac{1}{1 + e^{-s}}", r"\sigma(s)\,(1 - \sigma(s))",
            derivative_from_output=_sigmoid_derivative_from_output,
        ),
        Activation(
            "identity", _identity, torch.ones_like, r"s", r"1",
            derivative_from_output=lambda z: 1,
        ),
    )
}
