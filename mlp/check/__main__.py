"""`python -m mlp.check PATH`: see `mlp.check`."""

import sys

from . import main

if __name__ == "__main__":
    if hasattr(sys.stdout, "reconfigure"):  # a console that cannot print ✓ gets ? instead
        sys.stdout.reconfigure(errors="replace")
    raise SystemExit(main())
