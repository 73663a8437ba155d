"""Wall time of a cold `make docs` and of `make test`, recorded into results.json.

Run by hand (`python -m benchmarks --record-build-times`), once the site exists: each command
takes minutes, so `make bench` does not run them. "Cold" means no `site/` left from an earlier
build and the notebook cache off (`NOTEBOOK_CACHE=false`), so every notebook executes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from . import machine, results

ROOT = Path(__file__).resolve().parents[1]
# name -> (command, extra environment, what to remove first)
COMMANDS = {
    "make docs (cold)": (["make", "docs"], {"NOTEBOOK_CACHE": "false"}, ["site"]),
    "make test": (["make", "test"], {}, []),
}


def record(commands: dict = COMMANDS, root: Path = ROOT, path: Path = results.PATH,
           echo=print) -> bool:
    """Run each command in `root`, time it, and store it under results["build_times"].

    Returns whether every command succeeded; a failed one is recorded too, with its code.
    """
    doc = results.load(path)
    build_times = doc.setdefault("build_times", {})
    ok = True
    for name, (command, env, remove) in commands.items():
        for rel in remove:
            shutil.rmtree(root / rel, ignore_errors=True)
        echo(f"{name}: {' '.join(command)} ...")
        start = time.perf_counter()
        code = subprocess.run(command, cwd=root, env=os.environ | env).returncode
        seconds = time.perf_counter() - start
        echo(f"{name}: {seconds:.1f} s, exit code {code}")
        ok &= code == 0
        build_times[name] = {
            "command": " ".join(f"{k}={v}" for k, v in env.items()).split() + command,
            "seconds": round(seconds, 2), "returncode": code,
            "recorded": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine.describe(),
        }
        results.write(doc, path)  # after each, so a later failure keeps the earlier figure
    return ok
