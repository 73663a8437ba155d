"""How long `mlp-check` takes on a right file, as a ratio to a bare `python -c "import torch"`,
the floor any grading pays: `python -m tests.check_speed [RUNS]`. The two are interleaved, run
after run, so that a machine shared with other work slows both alike; the medians and their ratio
are printed. Not a test: speed is measured here, never asserted."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RIGHT = Path(__file__).parent / "corpus" / "right_accumulates.py"


def wall(command: list[str], cwd: str) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=False, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(runs: int = 7) -> None:
    torch_only = [sys.executable, "-c", "import torch"]
    grade = [sys.executable, "-m", "mlp_check", str(RIGHT)]
    times: dict[str, list[float]] = {"import torch": [], "mlp-check": []}
    with tempfile.TemporaryDirectory() as cwd:
        wall(grade, cwd)  # the first run fills the file caches for both
        for i in range(runs):
            times["import torch"].append(wall(torch_only, cwd))
            times["mlp-check"].append(wall(grade, cwd))
            print(f"run {i + 1}/{runs}: import torch {times['import torch'][-1]:.2f} s, "
                  f"mlp-check {times['mlp-check'][-1]:.2f} s", file=sys.stderr)
    medians = {k: statistics.median(v) for k, v in times.items()}
    print(f"median import torch {medians['import torch']:.2f} s, mlp-check on a right file "
          f"{medians['mlp-check']:.2f} s: {medians['mlp-check'] / medians['import torch']:.2f}x")


if __name__ == "__main__":
    main(*map(int, sys.argv[1:2]))
