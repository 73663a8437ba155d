r"""Backprop through Linear -> f -> Linear -> g, written by hand in torch, with no autograd.

```python
from mlp import MLP, mse_loss, bce_loss
```

`ACTIVATIONS` and `LOSSES` are the registries every other part of the project iterates over;
`register_activation` adds to the first. `COURSE_ACTIVATIONS` and `COURSE_LOSSES` are the
course's own entries, the ones `mlp-check` grades.
"""

from . import more_activations, softmax  # noqa: F401 (each registers its activations)
from .activations import (
    ACTIVATIONS,
    COURSE_ACTIVATIONS,
    Activation,
    register_activation,
    unregister_activation,
)
from .linear import linear_backward, linear_forward
from .losses import COURSE_LOSSES, LOSSES, Loss, bce_loss, cross_entropy_loss, mse_loss
from .model import MLP, BackwardBeforeForwardError, ModifiedAfterForwardError

__all__ = [
    "ACTIVATIONS", "COURSE_ACTIVATIONS", "COURSE_LOSSES", "LOSSES", "MLP", "Activation",
    "BackwardBeforeForwardError", "Loss", "ModifiedAfterForwardError",
    "bce_loss", "cross_entropy_loss", "linear_backward", "linear_forward", "mse_loss",
    "register_activation", "unregister_activation",
]
