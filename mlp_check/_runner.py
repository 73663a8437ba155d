"""Run one file's units in worker processes: a time limit per call, a budget per file, a memory
cap, and never a hang or a crash of the grader.

A worker runs the units in order. When a call hangs (no word within the limit) or the worker
dies (`os._exit`, a segfault), that unit is marked, the worker and everything it started are
killed, and a new worker goes on from the next unit. A function that hangs, or ends its process,
twice in a row is not called again: the units after it report it as not run. When the file's
budget is spent, the units left are not run either, so no file takes much longer than the budget.
"""

from __future__ import annotations

import signal
import time
from collections import Counter
from pathlib import Path

from ._outcome import Limits, Outcome, UnitOutcome
from ._process import TIMEOUT, Job

SETUP = "the grader's own setup"  # before the unit's first call: no function to give up on


def death(job: Job) -> str:
    """How a worker ended, with the last line it wrote to stderr."""
    status = job.status
    how = ("the grader lost its worker" if status is None
           else f"killed by signal {signal.Signals(-status).name}" if status < 0
           else f"exited with status {status}")
    stderr = job.stderr
    lines = stderr.read_text(errors="replace").strip().splitlines() if stderr.exists() else []
    return f"{how} ({lines[-1][:200]})" if lines else how


class FileRun:
    def __init__(self, zygote, path: Path, payload: Path, n_units: int, limits: Limits,
                 progress=None):
        self.zygote, self.path, self.payload, self.limits = zygote, path, payload, limits
        self.out = Outcome([UnitOutcome() for _ in range(n_units)])
        self.streak: Counter = Counter()
        self.progress = progress or (lambda n: None)
        self.deadline = time.monotonic() + limits.budget

    def job(self, start: int) -> Job:
        stderr = self.payload.with_name(f"stderr-{id(self)}-{start}.txt")
        job = Job(self.zygote(), {"path": str(self.path), "payload": str(self.payload),
                                  "start": start, "skip": self.out.skipped,
                                  "stderr": str(stderr), "memory": self.limits.memory})
        job.stderr = stderr
        return job

    def run(self) -> Outcome:
        start, n = 0, len(self.out.units)
        while start < n and self.out.unusable is None and self.out.memory is None:
            if time.monotonic() >= self.deadline:
                for u in self.out.units[start:]:
                    u.failure = f"not run: grading the file took its budget of " \
                                f"{self.limits.budget:g} s"
                self.progress(n - start)
                break
            job = self.job(start)
            try:
                start = self.follow(job, start)
            finally:
                job.end()
                self.out.noise += job.zygote.noise
        return self.out

    def follow(self, job: Job, start: int) -> int:
        loaded = job.receive(min(time.monotonic() + self.limits.load, self.deadline))
        if isinstance(loaded, dict) and loaded["event"] == "loaded":
            return self.collect(job, start)
        if isinstance(loaded, dict) and loaded["event"] == "memory":
            self.out.memory = loaded["step"]
            return start
        why = (loaded["error"] if isinstance(loaded, dict) and loaded["event"] == "unusable"
               else f"importing {self.path.name} did not finish within "
                    f"{self.limits.load:g} s" if loaded == TIMEOUT
               else f"the process died while importing {self.path.name}: "
                    f"{death(job)}" if loaded is None
               else f"importing {self.path.name} sent {loaded['event']!r}")
        if start == 0:
            self.out.unusable = why
            self.out.missing_module = loaded.get("module", "") if isinstance(loaded, dict) else ""
            return start
        self.out.units[start].failure = why
        self.progress(1)
        return start + 1

    def stopped(self, unit: UnitOutcome, what: str, died: bool, job: Job) -> None:
        """Say why the unit stopped at `what`; a function that hangs, or ends its process,
        twice in a row is not called again."""
        limit = self.limits.call
        if died:
            unit.failure = f"the process died during {what}: {death(job)}"
            again = f"{what} ended its process twice in a row"
        elif time.monotonic() >= self.deadline:
            unit.failure = f"{what} was still running when the file's budget of " \
                           f"{self.limits.budget:g} s ran out"
            return
        else:
            unit.failure = f"{what} did not return within {limit:g} s (an endless loop?)"
            again = f"{what} did not return within {limit:g} s, twice in a row"
        self.streak[what] += 1
        if self.streak[what] >= 2 and what != SETUP:
            self.out.skipped[what] = again

    def collect(self, job: Job, index: int) -> int:
        """Store the worker's messages from unit `index`; return where the next worker goes on."""
        n, step, limit = len(self.out.units), None, self.limits.call
        deadline = time.monotonic() + limit
        while index < n:
            message = job.receive(min(deadline, self.deadline))
            unit = self.out.units[index]
            if message == TIMEOUT or message is None:
                self.stopped(unit, step or SETUP, message is None, job)
                self.progress(1)
                return index + 1
            event = message["event"]
            if event == "memory":
                self.out.memory = message["step"]
                return n
            if event == "hold":  # torch imports what autograd needs: an import's time for it
                deadline = time.monotonic() + self.limits.load
            elif event == "autograd":  # reported once that import is done: a new clock
                self.out.autograd.append((index, message["step"], message["entry"],
                                          message["where"]))
                deadline = time.monotonic() + limit
            elif message.get("unit") != index:
                continue  # out of order: not this worker's to say
            elif event == "step":
                if step is not None:
                    self.streak[step] = 0  # it returned
                step, deadline = message["step"], time.monotonic() + limit
            elif event == "values":
                unit.values.update(message["values"])
            elif event == "raised":
                unit.raised.append(message["message"])
            elif event == "done":
                if step is not None:
                    self.streak[step] = 0
                step, index, deadline = None, index + 1, time.monotonic() + limit
                self.progress(1)
        return index


def run_file(zygote, path: Path, payload: Path, n_units: int, limits: Limits,
             progress=None) -> Outcome:
    """Run the units of `payload` on the file at `path`, with `zygote()` giving a live zygote."""
    return FileRun(zygote, path, payload, n_units, limits, progress).run()

