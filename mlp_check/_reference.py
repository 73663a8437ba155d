r"""What a candidate is held against: torch's own modules and losses, differentiated by autograd.

`autograd_reference` builds the homework's `nn.Sequential` twin, puts the case's weights into it as
the course's tests do (`twin.linear1.weight.data = W1`), and lets autograd compute every quantity
in float64. `by_hand` recomputes the gradients with the registry's derivatives, optionally with a
known mistake built in, so a diagnosis can test "your numbers are what this mistake gives".
"""

from __future__ import annotations

from types import SimpleNamespace

from torch import Tensor, nn

from mlp import ACTIVATIONS, Activation
from mlp.twin import make_twin, torch_loss, twin_grads

from ._cases import Case

QUANTITIES = ("y_hat", "J", "dJdy_hat", "dJdW1", "dJdb1", "dJdW2", "dJdb2")
GRADS = ("dJdW1", "dJdb1", "dJdW2", "dJdb2")
# The function of the homework that computes each quantity.
FUNCTION = {"y_hat": "MLP.forward", "J": "{loss}_loss", "dJdy_hat": "{loss}_loss",
            **dict.fromkeys(GRADS, "MLP.backward")}
# Which parameter of the homework each gradient belongs to.
PARAMETER = {"dJdW1": "W1", "dJdb1": "b1", "dJdW2": "W2", "dJdb2": "b2"}


def twin(case: Case, parameters: dict[str, Tensor]) -> nn.Sequential:
    """The homework's `nn.Sequential` twin, sharing `parameters` as the course puts them in
    (`twin.linear1.weight.data = W1`), so it computes in the parameters' dtype."""
    net = SimpleNamespace(parameters=parameters, f_function=case.f, g_function=case.g)
    return make_twin(net, share=True)


def autograd_reference(case: Case, inputs: dict[str, Tensor]) -> dict[str, Tensor]:
    r"""Every quantity of `QUANTITIES` for `case`, by the twin and autograd, in float64.

    Args:
        case: the configuration.
        inputs: x (N, n), y (N, K), W1 (m, n), b1 (m,), W2 (K, m), b2 (K,).

    Returns:
        y_hat (N, K), J (), dJdy_hat (N, K), and dJdW1, dJdb1, dJdW2, dJdb2 shaped as W1 ... b2.
    """
    net = twin(case, {k: inputs[k].double().clone() for k in PARAMETER.values()})
    y_hat = net(inputs["x"].double())
    y_hat.retain_grad()
    J = torch_loss(case.loss)(y_hat, inputs["y"].double())
    J.backward()
    return dict(y_hat=y_hat.detach(), J=J.detach(), dJdy_hat=y_hat.grad, **twin_grads(net))


def forward_by_hand(f: str, g: str, inputs: dict[str, Tensor]) -> Tensor:
    """y_hat (N, K) of the network with activations f and g."""
    z1 = ACTIVATIONS[f].forward(inputs["x"] @ inputs["W1"].mT + inputs["b1"])
    return ACTIVATIONS[g].forward(z1 @ inputs["W2"].mT + inputs["b2"])


def _through(a: Activation, grad: Tensor, at: Tensor) -> Tensor:
    """`grad` back through the activation `a` with its derivative taken at `at`: times a'(at)
    for an element-wise one, its vector-Jacobian product at `at` for one that is not (softmax,
    which `--activations` may grade)."""
    if a.elementwise:
        return grad * a.derivative(at)
    return a.vector_jacobian_product(grad, at, a.forward(at))


def by_hand(case: Case, inputs: dict[str, Tensor], dJdy_hat: Tensor,
            at_output: frozenset[str] = frozenset()) -> dict[str, Tensor]:
    r"""dJdW1, dJdb1, dJdW2, dJdb2 by hand, with each layer in `at_output` ("f", "g") making
    the classic mistake: its derivative taken at its output $z = a(s)$, $a'(z)$, not at $s$.

    $$\delta_2 = \frac{\partial J}{\partial \hat y} \odot g'(s_2), \quad
    \frac{\partial J}{\partial W^{(2)}} = \delta_2^\top z_1, \quad
    \delta_1 = (\delta_2 W^{(2)}) \odot f'(s_1), \quad
    \frac{\partial J}{\partial W^{(1)}} = \delta_1^\top x,$$

    and each bias gradient is its $\delta$ summed over the batch.

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
    s1 = x @ W1.mT + b1
    z1 = f.forward(s1)
    s2 = z1 @ W2.mT + b2
    y_hat = g.forward(s2)
    delta2 = _through(g, dJdy_hat, y_hat if "g" in at_output else s2)
    delta1 = _through(f, delta2 @ W2, z1 if "f" in at_output else s1)
    return dict(dJdW1=delta1.mT @ x, dJdb1=delta1.sum(0), dJdW2=delta2.mT @ z1,
                dJdb2=delta2.sum(0))
