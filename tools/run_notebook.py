"""Execute jupytext notebooks as the site build does, and print each cell's text output.

    .venv/bin/python tools/run_notebook.py docs/notebooks/<name>.py [...]

Fails (exit 1) on the first cell that raises. Uses this interpreter's own kernel, so no kernel
spec needs installing. Prints the wall time of each notebook.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import jupytext
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def run(path: Path) -> float:
    nb = jupytext.read(path)
    start = time.perf_counter()
    NotebookClient(nb, kernel_name="python3", timeout=600,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    elapsed = time.perf_counter() - start
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("text") or out.get("data", {}).get("text/latex") or ""
            if text:
                print(text.rstrip())
    return elapsed


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        try:
            print(f"{arg}: {run(Path(arg)):.1f} s")
        except CellExecutionError as err:
            print(f"{arg}: FAILED\n{err}")
            sys.exit(1)
