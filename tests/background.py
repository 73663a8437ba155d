"""A command run once per test session in the background, its result shared by every process.

The site build (its notebooks executed, then `mkdocs build --strict`) takes a minute or more.
Started as the first test starts, it runs while the unit tests do, and under `pytest -n` the
workers share one build: the first to get there starts it, and any of them reads its exit code
and log when it is done.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def shared_dir(config: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This run's temporary folder, the same for every pytest-xdist worker of the run."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if hasattr(config, "workerinput") else base  # workers: <run>/popen-gwN


@contextlib.contextmanager
def once(stem: Path, command: list[str], *, timeout: float, **popen) -> Iterator[None]:
    """Start `command` unless a process of this run already has; leave its exit code in
    `<stem>.rc` and its output in `<stem>.log`. On leaving, wait for it: another worker may
    still need it."""
    try:
        os.close(os.open(f"{stem}.lock", os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        yield
        return
    log = open(f"{stem}.log", "w")  # closed by `finish` once the command ends
    try:
        # A session of its own: a command that runs too long is killed with its children.
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, **popen)
    except OSError as error:
        proc = None
        log.write(f"could not start {command}: {error}\n")

    def finish():
        if proc is None:
            code = "not started"
        else:
            try:
                code = str(proc.wait(timeout=timeout))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                code = f"still running after {timeout:g} s, killed"
        log.close()
        Path(f"{stem}.rc.part").write_text(code)
        Path(f"{stem}.rc.part").replace(f"{stem}.rc")  # whole, or not there at all

    waiter = threading.Thread(target=finish, daemon=True)
    waiter.start()
    try:
        yield
    finally:
        waiter.join()


def result(stem: Path, *, timeout: float) -> tuple[str, str]:
    """(exit code, output) of the command `once` started, waiting for it to end."""
    deadline = time.monotonic() + timeout
    while not Path(f"{stem}.rc").exists():
        if not Path(f"{stem}.lock").exists():
            raise RuntimeError(f"nothing started {stem.name}: is the test that needs it "
                               "missing the fixture that starts it?")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{stem.name} gave no result within {timeout:g} s")
        time.sleep(0.2)
    return Path(f"{stem}.rc").read_text(), Path(f"{stem}.log").read_text()
