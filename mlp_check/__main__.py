"""`python -m mlp_check PATH...`: see `mlp_check`.

Beside a student's `mlp.py`, `python -m` puts the current folder first on the import path, where
that file would pass for the network package `mlp` that the grader imports: take the folder off
the path (as `python -P` does) before anything imports `mlp`.
"""

import os
import sys

if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from mlp_check.cli import main  # noqa: E402 - only once the path is safe

if __name__ == "__main__":
    if hasattr(sys.stdout, "reconfigure"):  # a console that cannot print ✓ gets ? instead
        sys.stdout.reconfigure(errors="replace")
    raise SystemExit(main())
