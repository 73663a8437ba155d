r"""Backprop through Linear -> f -> Linear -> g -> loss, derived in SymPy and proven in code.

The formulas the homework and derivation pages print come from here, as an `Identity`: a
quantity derived the long way (`diff`, `Matrix.jacobian`), the compact closed form backprop uses,
and the formula that `latex.tex` prints; `Identity.holds()` proves the two equal,
`Identity.latex()` renders it.

Modules, in the order of the derivation:

- `activations`: sigmoid, ReLU $(\cdot)^+$, identity and their derivatives in a generic
  argument $u$ (`ACTIVATIONS`, `register`);
  `more_activations`: tanh, leaky ReLU, softplus, SiLU, GELU;
- `losses`: MSE, BCE and cross-entropy, torch's batch mean and the homework's per-sample form
  (`LOSSES`); `configurations`: which (f, g, loss) the losses accept, from the entries;
- `softmax`: softmax, its full Jacobian and the fused cross-entropy gradient;
- `linear`: the affine layer's Jacobians and the products they collapse to;
- `network`: the whole network on a batch, `symbols(...)` and `gradients(...)`;
- `indices` and `all_sizes`: the network in index notation with symbolic sizes, backprop's six
  steps proven for every size (`prove`) and derived in indices line by line (`derive`);
- `sample`: one sample in the homework's names and layout (1.1.c-1.1.d); `layers`: 1.1.b's
  forward pass in the inputs only; `network.one_sample` and `losses.per_sample_identity`: the
  step from the batch to one sample, proven;
- `identity`: the `Identity` record and `evaluate`, which turns a displayed formula into a
  concrete matrix; `exact`: exact zero tests (`is_zero`) and rational points;
- `notation`: the site's KaTeX macros and the symbols of each context; `latex`: the printer
  that writes them (`tex`), symbols named in the site's notation, equations with their shapes;
- `torch_bridge` (imports torch, so not imported here): lambdify to torch and the three-way
  comparison with `mlp` and autograd.

The registries have the same keys as `mlp.ACTIVATIONS` and `mlp.LOSSES`; importing
`derivations.activations` registers every entry (`more_activations`, `softmax`). The package
imports its modules lazily: `import derivations` costs nothing until a name is used. The
site's presentation of these results (tables, the Derive page's JSON) is in `pages/`.
"""

import importlib

__all__ = [
    "ACTIVATIONS", "LOSSES", "Identity", "activations", "all_sizes", "configurations", "exact",
    "identity", "indices", "latex", "layers", "linear", "losses", "more_activations", "network",
    "notation", "softmax",
]
_NAMES = {"ACTIVATIONS": "activations", "LOSSES": "losses", "Identity": "identity"}


def __getattr__(name: str):
    # Lazy: `import derivations` loads nothing; a module (and SymPy) loads when first named.
    if name in _NAMES:
        return getattr(importlib.import_module(f".{_NAMES[name]}", __name__), name)
    if name in __all__:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
