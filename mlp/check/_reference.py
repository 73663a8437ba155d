r"""What a candidate is held against: torch's own modules and losses, differentiated by autograd.

`autograd_reference` builds the homework's `nn.Sequential` twin, puts the case's weights into it as
the course's tests do (`twin.linear1.weight.data = W1`), and lets autograd compute every quantity
in float64. `by_hand` recomputes the gradients with `mlp`'s own layers, optionally with a known
mistake built in, so a diagnosis can test "your numbers are what this mistake gives".
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import Tensor, nn

from mlp import ACTIVATIONS, linear_backward, linear_forward
from mlp.twin import TORCH_LOSSES, torch_activation

from ._cases import Case

QUANTITIES = ("y_hat", "J", "dJdy_hat", "dJdW1", "dJdb1", "dJdW2", "dJdb2")
GRADS = ("dJdW1", "dJdb1", "dJdW2", "dJdb2")
# Which parameter of the homework each gradient belongs to, and where the twin keeps it.
PARAMETER = {"dJdW1": "W1", "dJdb1": "b1", "dJdW2": "W2", "dJdb2": "b2"}
TWIN_PARAMETER = {"W1": ("linear1", "weight"), "b1": ("linear1", "bias"),
                  "W2": ("linear2", "weight"), "b2": ("linear2", "bias")}

def autograd_reference(case: Case, inputs: dict[str, Tensor]) -> dict[str, Tensor]:
    r"""Every quantity of `QUANTITIES` for `case`, by the twin and autograd, in float64.

    Args:
        case: the configuration.
        inputs: x (N, n), y (N, K), W1 (m, n), b1 (m,), W2 (K, m), b2 (K,).

    Returns:
        y_hat (N, K), J (), dJdy_hat (N, K), and dJdW1, dJdb1, dJdW2, dJdb2 shaped as W1 ... b2.
    """
    x, y, W1, W2 = (inputs[k].double() for k in ("x", "y", "W1", "W2"))
    twin = nn.Sequential(OrderedDict([
        ("linear1", nn.Linear(W1.shape[1], W1.shape[0], dtype=torch.float64)),
        ("f", torch_activation(case.f)),
        ("linear2", nn.Linear(W2.shape[1], W2.shape[0], dtype=torch.float64)),
        ("g", torch_activation(case.g)),
    ]))
    for name, (layer, attr) in TWIN_PARAMETER.items():
        getattr(twin, layer).get_parameter(attr).data = inputs[name].double().clone()
    y_hat = twin(x)
    y_hat.retain_grad()
    J = TORCH_LOSSES[case.loss](y_hat, y)
    J.backward()
    out = dict(y_hat=y_hat.detach(), J=J.detach(), dJdy_hat=y_hat.grad)
    for grad, name in PARAMETER.items():
        layer, attr = TWIN_PARAMETER[name]
        out[grad] = getattr(twin, layer).get_parameter(attr).grad
    return out


def forward_by_hand(f: str, g: str, inputs: dict[str, Tensor]) -> Tensor:
    """y_hat (N, K) of the network with activations f and g, by `mlp`'s layers."""
    z1 = ACTIVATIONS[f].forward(linear_forward(inputs["x"], inputs["W1"], inputs["b1"]))
    return ACTIVATIONS[g].forward(linear_forward(z1, inputs["W2"], inputs["b2"]))


def by_hand(case: Case, inputs: dict[str, Tensor], dJdy_hat: Tensor,
            at_output: frozenset[str] = frozenset()) -> dict[str, Tensor]:
    r"""dJdW1, dJdb1, dJdW2, dJdb2 by hand, with each layer in `at_output` ("f", "g") making
    the classic mistake: its derivative taken at its output $z = a(s)$, $a'(z)$, not at $s$.

    Args:
        case: the configuration.
        inputs: as for `autograd_reference`, float64.
        dJdy_hat: (N, K), the gradient that backward receives.
        at_output: the layers whose derivative is evaluated at the output.

    Returns:
        The four gradients, shaped as W1, b1, W2, b2.
    """
    x, W1, b1, W2, b2 = (inputs[k] for k in ("x", "W1", "b1", "W2", "b2"))
    f, g = ACTIVATIONS[case.f], ACTIVATIONS[case.g]
    s1 = linear_forward(x, W1, b1)
    z1 = f.forward(s1)
    s2 = linear_forward(z1, W2, b2)
    y_hat = g.forward(s2)
    grads = {k: torch.zeros_like(inputs[p]) for k, p in PARAMETER.items()}
    delta2 = dJdy_hat * g.derivative(y_hat if "g" in at_output else s2)
    dJdz1 = linear_backward(delta2, z1, W2, grads["dJdW2"], grads["dJdb2"])
    delta1 = dJdz1 * f.derivative(z1 if "f" in at_output else s1)
    linear_backward(delta1, x, W1, grads["dJdW1"], grads["dJdb1"], input_grad=False)
    return grads
