r"""`mlp-check`: grade a homework `mlp.py` the way the course's tests do, then say what is wrong.

```
mlp-check mlp.py                    # beside your own mlp.py
python -m mlp_check PATH... [--jobs N] [--format text|json|csv|junit|gradescope] [--strict]
mlp-check mlp.py --activations relu,sigmoid,identity,tanh   # more than the course's three
```

The tolerance rule every verdict uses is `mlp_check.tolerance.tolerance_for`. Every name is
imported on first use: `python -m mlp_check` first takes the current folder (where a student's
`mlp.py` would shadow the network package `mlp`) off the import path, and the command starts its
worker processes before it imports torch itself.
"""

from __future__ import annotations

import importlib

# Public name -> the module that defines it, imported when the name is first read.
_LAZY = {
    "tolerance_for": ".tolerance", "DIGITS_KEPT": ".tolerance", "main": ".cli",
    "check_file": ".run", "check_files": ".run", "Report": ".verdict", "Limits": ".run",
    "to_json": ".output", "to_text": ".output", "CASES": ".plan", "SIZES": ".plan",
    "Case": ".plan", "COURSE_TESTS": ".plan", "QUANTITIES": ".plan",
}

__all__ = list(_LAZY)


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'mlp_check' has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name], __name__), name)
