r"""Backprop through Linear -> f -> Linear -> g -> loss, derived in SymPy and proven in code.

The formulas the homework and derivation pages print come from here, as an `Identity`: a
quantity derived the long way (`diff`, `Matrix.jacobian`), the compact closed form backprop uses,
and the formula that `latex.tex` prints; `Identity.holds()` proves the two equal,
`Identity.latex()` renders it.

Modules, in the order of the derivation:

- `activations`: sigmoid, ReLU, identity and their derivatives (`ACTIVATIONS`, `register`);
  `more_activations`: tanh, leaky ReLU, softplus, SiLU, GELU;
- `losses`: MSE, BCE and cross-entropy, torch's batch mean and the homework's per-sample form
  (`LOSSES`); `configurations`: which (f, g, loss) the losses accept, from the entries;
- `softmax`: softmax, its full Jacobian and the fused cross-entropy gradient;
- `linear`: the affine layer's Jacobians and the products they collapse to;
- `network`: the whole network on a batch, `symbols(...)` and `gradients(...)`;
- `indices` and `all_sizes`: the network in index notation with symbolic sizes, and backprop's
  six steps proven for every size;
- `sample`: one sample in the homework's names and layout (1.1.c-1.1.d); `layers`: 1.1.b's
  forward pass in the inputs only;
- `identity`: the `Identity` record and `evaluate`, which turns a displayed formula into a
  concrete matrix; `exact`: exact zero tests (`is_zero`) and rational points;
- `notation`: the site's KaTeX macros and the symbols of each context; `latex`: the printer
  that writes them (`tex`), symbols named in the site's notation, equations with their shapes;
- `boxes`: the answer and common-mistake boxes of the homework pages;
- `torch_bridge` (imports torch, so not imported here): lambdify to torch and the three-way
  comparison with `mlp` and autograd.

The registries have the same keys as `mlp.ACTIVATIONS` and `mlp.LOSSES`.
"""

# more_activations and softmax register their entries in ACTIVATIONS when imported.
from . import (
    activations,
    configurations,
    exact,
    identity,
    latex,
    linear,
    losses,
    more_activations,
    network,
    sample,
    softmax,
)
from .activations import ACTIVATIONS
from .identity import Identity
from .losses import LOSSES

__all__ = [
    "ACTIVATIONS", "LOSSES", "Identity", "activations", "exact", "identity", "latex", "linear",
    "losses", "network", "sample", "configurations", "more_activations", "softmax",
]
