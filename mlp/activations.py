r"""Element-wise activations, each one value and its derivative side by side.

An activation maps a pre-activation $s$ to $z = a(s)$ entry by entry, so its Jacobian
$\partial z / \partial s = \operatorname{diag}(a'(s))$ is diagonal and backprop never forms it:
it multiplies the upstream gradient by $a'(s)$ entry by entry.

`ACTIVATIONS` is the single registry. The model, the tests, the derivations and the site
iterate over it, so a new activation is one entry here:

```python
ACTIVATIONS["tanh"] = Activation(
    "tanh", torch.tanh, lambda s: 1 - torch.tanh(s) ** 2, r"\tanh(s)", r"1 - \tanh^2(s)"
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
        fused_backward: optional `(grad_output, s, z) -> grad_input` that reuses the cached
            output $z = a(s)$ to save work; it must equal `grad_output * derivative(s)`.
    """

    name: str
    forward: Callable[[Tensor], Tensor]
    derivative: Callable[[Tensor], Tensor]
    formula: str
    derivative_formula: str
    fused_backward: Callable[[Tensor, Tensor, Tensor], Tensor] | None = None

    def backward(self, grad_output: Tensor, s: Tensor, z: Tensor) -> Tensor:
        r"""$\partial J/\partial s = \partial J/\partial z \odot a'(s)$.

        Args:
            grad_output: $\partial J/\partial z$, same shape as `s`.
            s: the pre-activation the forward pass saw.
            z: the forward pass's output $a(s)$.

        Returns:
            $\partial J/\partial s$, same shape as `s`.
        """
        if self.fused_backward is not None:
            return self.fused_backward(grad_output, s, z)
        return grad_output * self.derivative(s)


def _relu_derivative(s: Tensor) -> Tensor:
    # ReLU'(0) = 0, the subgradient torch picks (threshold_backward passes grad only where s > 0).
    return (s > 0).to(s.dtype)


def _relu_backward(grad_output: Tensor, s: Tensor, z: Tensor) -> Tensor:
    # threshold_backward(grad, s, 0) is grad where s > 0 and 0 elsewhere: the kernel autograd
    # itself runs for ReLU, in one pass. torch.where(s > 0, grad, 0.0) computes the same but
    # builds a bool mask first, and ran 20x slower at (256, 512) on one thread (benchmarks/).
    return torch.ops.aten.threshold_backward(grad_output, s, 0)


def _sigmoid_derivative(s: Tensor) -> Tensor:
    sig = torch.sigmoid(s)
    return sig * (1 - sig)


def _sigmoid_backward(grad_output: Tensor, s: Tensor, z: Tensor) -> Tensor:
    # sigma'(s) = sigma(s)(1 - sigma(s)) = z(1 - z): the derivative at s, from the cached z.
    # sigmoid_backward(grad, z) computes grad * (1 - z) * z in one pass (autograd's own kernel)
    # instead of three element-wise ops with two temporaries.
    return torch.ops.aten.sigmoid_backward(grad_output, z)


def _identity(s: Tensor) -> Tensor:
    return s


def _identity_backward(grad_output: Tensor, s: Tensor, z: Tensor) -> Tensor:
    return grad_output


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            "relu", torch.relu, _relu_derivative,
            r"(s)^+ = \max(0, s)", r"\mathbb{1}[s > 0]", _relu_backward,
        ),
        Activation(
            "sigmoid", torch.sigmoid, _sigmoid_derivative,
            r"\sigma(s) = \frac{1}{1 + e^{-s}}", r"\sigma(s)\,(1 - \sigma(s))", _sigmoid_backward,
        ),
        Activation(
            "identity", _identity, torch.ones_like, r"s", r"1", _identity_backward,
        ),
    )
}
