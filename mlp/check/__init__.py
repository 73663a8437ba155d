r"""Grade a homework `mlp.py` against autograd, quantity by quantity, and say what is wrong.

```
python -m mlp.check PATH [--json] [--seed N] [--timeout SECONDS]
```

PATH is any Python file with the homework's API: `MLP`, `mse_loss`, `bce_loss`. It is loaded
under a name of its own, in a child process with a time limit per case, so it can neither shadow
this package nor hang, crash or print into the report.

Every case of `CASES` (f, g in `ACTIVATIONS`; MSE; BCE where g is the sigmoid) puts the same
weights into the candidate's `parameters` and into the homework's `nn.Sequential` twin, and
compares y_hat, J, dJdy_hat, dJdW1, dJdb1, dJdW2 and dJdb2 with autograd's, in float64. Each
quantity is checked on its own: the loss gets torch's y_hat and backward gets torch's dJdy_hat,
so one mistake marks one column. The gradients are checked after one backward, after a second
one without clearing (torch's `.grad` adds up) and after `clear_grad_and_cache`.

Exit status: 0 when every case agrees, 1 when any does not, 2 when PATH cannot be used.
"""

from ._cases import CASES, SIZES, Case, Sizes
from ._check import DEFAULT_TIMEOUT, Report, check_file
from ._cli import main
from ._compare import RTOL, Check
from ._diagnose import DIAGNOSES
from ._reference import QUANTITIES
from ._render import to_json, to_text
from ._result import CaseResult, Finding

__all__ = ["CASES", "DEFAULT_TIMEOUT", "DIAGNOSES", "QUANTITIES", "RTOL", "SIZES", "Case",
           "CaseResult", "Check", "Finding", "Report", "Sizes", "check_file", "main", "to_json",
           "to_text"]
