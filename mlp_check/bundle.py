"""`mlp-check --gradescope-autograder DIR`: an autograder for Gradescope, which runs each
submission in a container of its own (https://gradescope-autograders.readthedocs.io/en/latest/
specs/). DIR gets what its zip must hold at its root:

- the grader as a wheel built from this source tree, so the course grades with exactly this
  version (its own dependencies pin torch);
- `setup.sh`, run once as root when Gradescope builds the image: bubblewrap for the sandbox,
  then the wheel and its dependencies;
- `run_autograder`, run for each submission from /autograder: grades
  /autograder/submission/mlp.py into /autograder/results/results.json. The root is
  $MLP_CHECK_AUTOGRADER_ROOT where set (to try it outside a container) and the interpreter
  $MLP_CHECK_PYTHON (default python3).
"""

from __future__ import annotations

import importlib.metadata
import shlex
import subprocess
import sys
from pathlib import Path

SETUP = """\
#!/usr/bin/env bash
# Run once by Gradescope, as root, when it builds the autograder's image (Ubuntu).
set -euo pipefail
cd "$(dirname "$0")"
# The sandbox mlp-check puts student code in; it grades without it, and says so.
apt-get install -y -qq bubblewrap || echo "no bubblewrap: student code runs unsandboxed"
python3 -m pip install --extra-index-url https://download.pytorch.org/whl/cpu {requirements}
"""

RUN = """\
#!/usr/bin/env bash
# Run by Gradescope for each submission, from /autograder. results.json is written whatever the
# file does (a file that cannot be graded gets a zero with the reason), so this exits 0.
root="${{MLP_CHECK_AUTOGRADER_ROOT:-/autograder}}"
mkdir -p "$root/results"
"${{MLP_CHECK_PYTHON:-python3}}" -m mlp_check "$root/submission/{file}" --format gradescope \\
    --output "$root/results/results.json" || true
test -s "$root/results/results.json"
"""


def project_root() -> Path:
    """The source tree this package runs from: the grader the bundle pins is built from it."""
    root = Path(__file__).resolve().parent.parent
    if not (root / "pyproject.toml").is_file():
        raise SystemExit(f"mlp-check: --gradescope-autograder builds the grader from its source "
                         f"tree, and {root} has no pyproject.toml")
    return root


def write_bundle(folder: str | Path, file: str = "mlp.py") -> list[Path]:
    """Write the autograder's files into `folder`; return them."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.whl"):
        old.unlink()
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(folder), str(project_root())], check=True)
    wheel = next(folder.glob("*.whl"))
    pins = [f"./{wheel.name}"]
    try:  # homework files often import numpy: the version this grader was tested with
        pins.append(f"numpy=={importlib.metadata.version('numpy')}")
    except importlib.metadata.PackageNotFoundError:
        pass
    setup, run = folder / "setup.sh", folder / "run_autograder"
    setup.write_text(SETUP.format(requirements=" ".join(map(shlex.quote, pins))))
    run.write_text(RUN.format(file=file))
    for script in (setup, run):
        script.chmod(0o755)
    return [wheel, setup, run]
