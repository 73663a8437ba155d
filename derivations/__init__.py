r"""Backprop through Linear -> f -> Linear -> g -> loss, derived in SymPy and proven in code.

Every equation the site shows comes from here, as an `Identity`: a quantity derived the long way
(`diff`, `Matrix.jacobian`), the compact closed form backprop uses, and the formula that
`sympy.latex` prints; `Identity.holds()` proves the two equal, `Identity.latex()` renders it.

Modules, in the order of the derivation:

- `activations`: sigmoid, ReLU, identity and their derivatives (`ACTIVATIONS`);
- `losses`: MSE and BCE, torch's batch mean and the homework's per-sample form (`LOSSES`);
- `linear`: the affine layer's Jacobians and the products they collapse to;
- `network`: the whole network on a batch, `symbols(...)` and `gradients(...)`;
- `sample`: one sample in the homework's names and layout (1.1.b-1.1.d);
- `identity`: the `Identity` record and `evaluate`, which turns a displayed formula into a
  concrete matrix; `exact`: exact zero tests (`is_zero`) and rational points;
- `latex`: symbols named in the site's notation, equations with their shapes;
- `torch_bridge` (imports torch, so not imported here): lambdify to torch and the three-way
  comparison with `mlp` and autograd.

The registries have the same keys as `mlp.ACTIVATIONS` and `mlp.LOSSES`.
"""

from . import activations, exact, identity, latex, linear, losses, network, sample
from .activations import ACTIVATIONS
from .identity import Identity
from .losses import LOSSES

__all__ = [
    "ACTIVATIONS", "LOSSES", "Identity", "activations", "exact", "identity", "latex", "linear",
    "losses", "network", "sample",
]
