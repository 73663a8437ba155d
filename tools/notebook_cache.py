"""The executed-notebook cache: where a notebook's executed copy lives, and what its key covers.

The key hashes the notebook, every file of the code it can import (`CODE`), the pinned
packages, the Python version, the code that executes it, and what picks torch's kernels (the CPU
model and `NUMERICS_ENV`): a change to any of them runs the notebook again (tools/notebooks.py).
Each notebook's last run time is kept, so the longest start first; a copy a day old that no run
of every page used is dropped.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "notebooks"
# What an executed notebook depends on besides itself: the code it imports, the pinned
# packages, and the code that runs it.
CODE = ["mlp", "mlp_check", "tests/corpus", "derivations", "pages", "benchmarks",
        "docs/examples", "constraints.txt", "tools/notebooks.py", "tools/notebook_cache.py"]
KEY_VERSION = b"executed-notebook-v3"
# Settings that change which kernels torch runs, and so the last bits of a float result.
NUMERICS_ENV = ("ATEN_CPU_CAPABILITY", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "MKL_CBWR",
                "CUDA_VISIBLE_DEVICES")
STALE_AFTER_S = 24 * 3600


def _cpu_model() -> bytes:
    """The first CPU's model and instruction-set flags (what torch picks its kernels by)."""
    try:
        first = Path("/proc/cpuinfo").read_text().split("\n\n")[0].splitlines()
    except OSError:
        return platform.processor().encode()
    return "\n".join(line for line in first if line.startswith(("model name", "flags"))).encode()


def code_files() -> list[Path]:
    """Every file of `CODE`, in a fixed order."""
    files = []
    for top in CODE:
        paths = [ROOT / top] if (ROOT / top).is_file() else sorted((ROOT / top).rglob("*"))
        files += [p for p in paths if p.is_file() and "__pycache__" not in p.parts]
    return files


def code_digest() -> bytes:
    digest = hashlib.sha256(KEY_VERSION + sys.version.encode() + _cpu_model())
    for name in NUMERICS_ENV:
        digest.update(f"{name}={os.environ.get(name)}\0".encode())
    for path in code_files():
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.digest()


def executed_path(notebook: Path, code: bytes, cache: Path = CACHE) -> Path:
    key = hashlib.sha256(code + notebook.name.encode() + b"\0" + notebook.read_bytes())
    return cache / key.hexdigest()[:24] / (notebook.stem + ".ipynb")


_lock = threading.Lock()


def durations(cache: Path) -> dict[str, float]:
    """Each notebook's last run time, so the longest start first."""
    try:
        return json.loads((cache / "durations.json").read_text())
    except (OSError, ValueError):
        return {}


def record_duration(name: str, seconds: float, cache: Path) -> None:
    with _lock:
        data = durations(cache) | {name: round(seconds, 2)}
        cache.mkdir(parents=True, exist_ok=True)
        partial = cache / f".durations.{os.getpid()}"
        partial.write_text(json.dumps(data, indent=0, sort_keys=True))
        os.replace(partial, cache / "durations.json")


def prune(keep: set[Path], cache: Path = CACHE) -> None:
    """Drop executed notebooks a day old that this run did not use."""
    now = time.time()
    for folder in cache.glob("*/"):
        if folder not in keep and now - folder.stat().st_mtime > STALE_AFTER_S:
            shutil.rmtree(folder, ignore_errors=True)
