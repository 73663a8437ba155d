"""The parent's side of the processes: zygotes (see `_zygote`), and one `Job` per worker run.

A zygote's stdout is read line by line on a thread of its own. A line counts only if it carries
the zygote's token or the current job's, parses as JSON and has the fields its event needs
(`FIELDS`); everything else the candidate may write into the pipe is counted as noise and dropped.
"""

from __future__ import annotations

import json
import os
import queue
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import _procs

ZYGOTE = Path(__file__).with_name("_zygote.py")
READY_LIMIT = 120.0  # seconds a fresh zygote may take to import torch: the machine's, not ours
EXIT_LIMIT = 10.0  # seconds a killed worker may take to be reported gone
LINE_LIMIT = 1 << 24
TIMEOUT = "timeout"
# Every event and the fields it must carry, with their types; the zygote's own events first.
ZYGOTE_FIELDS = {"ready": {"pid": int}, "forked": {"pid": int}, "exited": {"status": int}}
FIELDS = {"loaded": {}, "unusable": {"error": str, "module": str}, "memory": {"step": str},
          "step": {"unit": int, "step": str}, "values": {"unit": int, "values": dict},
          "raised": {"unit": int, "step": str, "message": str}, "done": {"unit": int},
          "hold": {},
          "autograd": {"step": str, "entry": str, "where": str}}


def parse(line: bytes, token: str, fields: dict) -> dict | None:
    """The message after the last `token` on the line, if it is one of `fields`' events."""
    at = line.rfind(token.encode()) if token else -1
    if at < 0:
        return None
    try:
        message = json.loads(line[at + len(token):])
    except ValueError:
        return None
    spec = fields.get(message.get("event")) if isinstance(message, dict) else None
    if spec is None or any(not isinstance(message.get(k), t) or isinstance(message.get(k), bool)
                           for k, t in spec.items()):
        return None
    return message


class Zygote:
    """The zygote process, and a thread that turns its valid lines into a queue of messages."""

    def __init__(self, wait: bool = True):
        self.token, self.job_token, self.noise = secrets.token_hex(16), "", 0
        env = {**os.environ, "MLP_CHECK_TOKEN": self.token, "MLP_CHECK_PARENT": str(os.getpid()),
               "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
        self.proc = subprocess.Popen([sys.executable, str(ZYGOTE)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     cwd=tempfile.gettempdir(), env=env)
        self.messages: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.ready = False
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        ready = self.receive(time.monotonic() + READY_LIMIT)
        self.ready = isinstance(ready, dict) and ready.get("event") == "ready"

    def _read(self) -> None:
        while line := self.proc.stdout.readline(LINE_LIMIT):
            message = parse(line, self.token, ZYGOTE_FIELDS) or parse(line, self.job_token, FIELDS)
            if message is None:
                self.noise += 1
            else:
                self.messages.put(message)
        self.messages.put(None)

    def receive(self, deadline: float) -> dict | None | str:
        """The next message; None once the zygote has died; TIMEOUT past `deadline`."""
        try:
            return self.messages.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return TIMEOUT

    def alive(self) -> bool:
        return self.ready and self.proc.poll() is None

    def send(self, job: dict) -> bool:
        self.job_token, self.noise = job["token"], 0
        while not self.messages.empty():  # what a killed worker said last is not the new job's
            self.messages.get_nowait()
        try:
            self.proc.stdin.write((json.dumps(job) + "\n").encode())
            self.proc.stdin.flush()
            return True
        except OSError:
            return False

    def close(self) -> None:
        """Ask the zygote to go (it kills what is left of its jobs); kill it if it does not."""
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=EXIT_LIMIT if self.ready else 0)
        except (OSError, subprocess.TimeoutExpired):
            _procs.kill(_procs.descendants(self.proc.pid))
            self.proc.kill()
            self.proc.wait()


class Job:
    """One worker's run, read message by message."""

    def __init__(self, zygote: Zygote, job: dict):
        self.zygote, self.pid, self.status = zygote, None, None
        self.alive = zygote.send({**job, "token": secrets.token_hex(16)})

    def receive(self, deadline: float) -> dict | None | str:
        """The worker's next message; None once it has ended (its exit status in `status`)."""
        while self.alive:
            message = self.zygote.receive(deadline)
            if message is None or message == TIMEOUT:
                self.alive = message == TIMEOUT
                return message
            if message["event"] == "exited":
                self.alive, self.status = False, message["status"]
                return None
            if message["event"] == "forked":
                self.pid = message["pid"]
            elif message["event"] != "ready":
                return message
        return None

    def end(self) -> None:
        """Kill the worker if it still runs; wait for the zygote to report it (and all it
        started) gone. A zygote that does not is killed with everything below it."""
        deadline = time.monotonic() + EXIT_LIMIT
        while self.alive and self.pid is None and self.receive(min(
                deadline, time.monotonic() + 1)) not in (None, TIMEOUT):
            pass
        if self.alive and self.pid is not None:  # a zombie until the zygote reports it
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
        while self.alive and self.receive(deadline) not in (None, TIMEOUT):
            pass
        if self.alive:
            self.zygote.close()
