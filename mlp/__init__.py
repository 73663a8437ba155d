r"""Backprop through Linear -> f -> Linear -> g, written by hand in torch, with no autograd.

```python
from mlp import MLP, mse_loss, bce_loss
```

`ACTIVATIONS` and `LOSSES` are the registries every other part of the project iterates over.
"""

from .activations import ACTIVATIONS, Activation
from .linear import linear_backward, linear_forward
from .losses import LOSSES, Loss, bce_loss, mse_loss
from .model import MLP, BackwardBeforeForwardError, ModifiedAfterForwardError

__all__ = [
    "ACTIVATIONS", "LOSSES", "MLP", "Activation", "BackwardBeforeForwardError", "Loss",
    "ModifiedAfterForwardError",
    "bce_loss", "linear_backward", "linear_forward", "mse_loss",
]
