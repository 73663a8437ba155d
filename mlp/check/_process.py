"""The parent's side of the processes: one zygote (see `_zygote`) per parent, and its workers.

The zygote is started on first use and kept for every file this process checks, one at a time
(`LOCK`); a new one replaces it if it dies. `Run` follows one worker from its job to its end.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ZYGOTE = Path(__file__).with_name("_zygote.py")
# Seconds a fresh zygote may take to import torch: the machine's time, not the candidate's.
READY_LIMIT = 120.0
# Seconds a killed worker may take to be reported gone.
EXIT_LIMIT = 10.0
TIMEOUT = "timeout"


class _Zygote:
    """The zygote process, and a thread that turns its lines into a queue of messages."""

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, str(ZYGOTE)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     cwd=tempfile.gettempdir())
        self.messages: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.ready = isinstance(self.receive(time.monotonic() + READY_LIMIT), dict)

    def _read(self) -> None:
        for line in self.proc.stdout:
            try:
                self.messages.put(json.loads(line))
            except ValueError:
                continue  # only workers write here; a candidate that finds the pipe may not
        self.messages.put(None)

    def receive(self, deadline: float) -> dict | None | str:
        """The next message; None once the zygote has died; TIMEOUT past `deadline`."""
        try:
            return self.messages.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return TIMEOUT

    def send(self, job: dict) -> bool:
        try:
            self.proc.stdin.write((json.dumps(job) + "\n").encode())
            self.proc.stdin.flush()
            return True
        except OSError:
            return False

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


_zygote: _Zygote | None = None
LOCK = threading.Lock()


def live_zygote() -> _Zygote:
    global _zygote
    if _zygote is None or _zygote.proc.poll() is not None or not _zygote.ready:
        if _zygote is not None:
            _zygote.close()
        _zygote = _Zygote()
    return _zygote


@atexit.register
def _close() -> None:
    if _zygote is not None:
        _zygote.close()


def _kill(pid: int | None) -> None:
    if pid is None:
        return
    try:  # the whole group: whatever the candidate started dies with it
        os.killpg(pid, signal.SIGKILL)
    except (AttributeError, OSError):
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass


def death(status: int | None, stderr: Path) -> str:
    """How a worker ended, with the last line it wrote to stderr."""
    how = ("the checker's process died" if status is None
           else f"killed by signal {signal.Signals(-status).name}" if status < 0
           else f"exited with status {status}")
    lines = stderr.read_text(errors="replace").strip().splitlines() if stderr.exists() else []
    return f"{how} ({lines[-1][:200]})" if lines else how


class Run:
    """One worker's run from case `start`, read message by message."""

    def __init__(self, zygote: _Zygote, job: dict):
        self.zygote, self.stderr, self.pid = zygote, Path(job["stderr"]), None
        self.status: int | None = None
        self.alive = zygote.send(job)

    def receive(self, deadline: float) -> dict | None | str:
        """The worker's next message; None once it has ended (its status in `status`)."""
        while self.alive:
            message = self.zygote.receive(deadline)
            if message is None or message == TIMEOUT:
                self.alive = message == TIMEOUT
                return message
            if message["event"] == "exited":
                self.alive, self.status = False, message["status"]
                return None
            if message["event"] != "started":
                return message
            self.pid = message["pid"]
        return None

    def end(self) -> None:
        """Kill the worker if it still runs, and wait until the zygote says it is gone."""
        deadline = time.monotonic() + EXIT_LIMIT
        if self.alive:  # once the zygote has reaped it, its pid may belong to another process
            _kill(self.pid)
        while self.alive and self.receive(deadline) not in (None, TIMEOUT):
            pass
        if self.alive:  # no word from the zygote: it is stuck or dead, start a new one
            self.zygote.close()
