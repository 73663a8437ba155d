r"""`mlp-check`: grade a homework `mlp.py` the way the course's tests do, then say what is wrong.

```
mlp-check mlp.py                    # beside your own mlp.py
python -m mlp_check PATH... [--jobs N] [--format text|json|csv|junit|gradescope] [--strict]
```

The tolerance rule every verdict uses is `mlp_check.tolerance.tolerance_for`. Everything else is
imported on first use, so that `python -m mlp_check` can first take the current folder (where a
student's `mlp.py` would shadow the network package `mlp`) off the import path.
"""

from __future__ import annotations

import importlib

from .tolerance import DIGITS_KEPT, tolerance_for

# Public name -> the module that defines it, imported when the name is first read.
_LAZY = {
    "main": "._cli", "check_file": "._check", "Report": "._check", "to_json": "._render",
    "to_text": "._render", "CASES": "._cases", "SIZES": "._cases", "Case": "._cases",
    "QUANTITIES": "._reference",
}

__all__ = ["DIGITS_KEPT", "tolerance_for", *_LAZY]


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'mlp_check' has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name], __name__), name)
