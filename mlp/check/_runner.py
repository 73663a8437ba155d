"""Run a candidate in worker processes, with a time limit per case: never hang, never crash.

A worker runs the cases in order. When a case hangs (no result within the limit) or the worker
dies (os._exit, a segfault), that case is marked failed, the worker's process group is killed
and a new worker goes on from the next case.
"""

from __future__ import annotations

import time
from pathlib import Path

from ._process import LOCK, TIMEOUT, Run, death, live_zygote


def _collect(run: Run, results: list, start: int, timeout: float) -> int:
    """Store the worker's case results from `start`; return where the next worker goes on."""
    index, step, deadline = start, "starting the case", time.monotonic() + timeout
    while index < len(results):
        message = run.receive(deadline)
        if message == TIMEOUT:
            results[index] = {"failure": f"{step} did not return within {timeout:g} s "
                                         f"(an endless loop?)"}
            return index + 1
        if message is None:
            results[index] = {"failure": f"the process died during {step}: "
                                         f"{death(run.status, run.stderr)}"}
            return index + 1
        if message["event"] == "step":
            step = message["step"]
        elif message["event"] == "case":
            results[index], index = message, index + 1
            deadline = time.monotonic() + timeout
    return index


def _unusable(run: Run, message, path: Path, timeout: float) -> str:
    if message == TIMEOUT:
        return f"importing {path.name} did not finish within {timeout:g} s"
    if message is None:
        return f"the process died while importing {path.name}: {death(run.status, run.stderr)}"
    return message["error"]


def run_candidate(path: Path, payload_path: Path, n_cases: int,
                  timeout: float) -> tuple[str | None, list[dict]]:
    """Run every case; return (why the file cannot be used or None, one result per case).

    Each result is the worker's `case` message, or `{"failure": why}` for a case that hung or
    killed its process (or a file that imported once and then no longer does).
    """
    results: list = [None] * n_cases
    start = 0
    with LOCK:
        while start < n_cases:
            zygote = live_zygote()
            if not zygote.ready:
                return "could not start a Python process with torch", results
            run = Run(zygote, {"path": str(path), "payload": str(payload_path), "start": start,
                                "stderr": str(payload_path.with_name(f"stderr-{start}.txt"))})
            try:
                loaded = run.receive(time.monotonic() + timeout)
                if isinstance(loaded, dict) and loaded["event"] == "loaded":
                    start = _collect(run, results, start, timeout)
                elif start == 0:
                    return _unusable(run, loaded, path, timeout), results
                else:
                    results[start] = {"failure": _unusable(run, loaded, path, timeout)}
                    start += 1
            finally:
                run.end()
    return None, results
