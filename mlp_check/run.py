r"""Running one file's units in worker processes: zygotes, jobs, time limits, and the batch.

What a run of one file leaves for the report: its limits, and per unit what came back.

The parent's side of the processes: zygotes (see `_zygote`), and one `Job` per worker run.

A zygote's stdout is read line by line on a thread of its own. A line counts only if it carries
the zygote's token or the current job's, parses as JSON and has the fields its event needs
(`FIELDS`); everything else the candidate may write into the pipe is counted as noise and dropped.

Zygotes for this process: started early, each lent to one file at a time, replaced when one
dies, closed at exit (each kills whatever its workers left behind). Imports no torch, so the
command line can start them before it imports torch itself.

Run one file's units in worker processes: a time limit per call, a budget per file, a memory
cap, and never a hang or a crash of the grader.

A worker runs the units in order. When a call hangs (no word within the limit) or the worker
dies (`os._exit`, a segfault), that unit is marked, the worker and everything it started are
killed, and a new worker goes on from the next unit. A function that hangs, or ends its process,
twice in a row is not called again: the units after it report it as not run. When the file's
budget is spent, the units left are not run either, so no file takes much longer than the budget.

`check_file` and `check_files`: run the plan on each file, compare, diagnose, report.

The sandbox, as far as the machine allows (`sandbox()`; the report's header lists what is in
force, `protections`). Where Debian's bubblewrap works, the zygote runs inside it: the file
system read-only but for this process's scratch folder (`scratch_root`), a /tmp of its own, the
grader's home hidden, no network, its own PID namespace. The graded file runs from a copy of its
folder in a scratch folder of its own. As root, each worker drops to the user nobody before the
file's code runs, so it can signal none of the grader's processes. Where the cgroup v1 memory
controller is writable, each zygote and everything it forks sit in a group of their own, capped
at the zygote's own use plus `Limits.memory`; elsewhere each process is capped and a worker may
start only `PROCESSES` more. `MLP_CHECK_NO_SANDBOX=1` turns all of it off.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import queue
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .worker import procs

if TYPE_CHECKING:
    from .plan import Case, Plan
    from .verdict import Finding, Report


# --- outcome ----------------------------------------------------------------------------------

@dataclass
class UnitOutcome:
    """What the parent collected from the worker for one unit."""

    values: dict = field(default_factory=dict)
    raised: list[str] = field(default_factory=list)
    failure: str | None = None  # why it stopped early: a timeout, a death, the time budget


@dataclass(frozen=True)
class Limits:
    """Seconds per call, per import of the file, per file; bytes of address space per worker."""

    call: float = 3.0
    load: float = 15.0
    budget: float = 20.0
    memory: int = 4 * 2**30


@dataclass
class Outcome:
    """A file's units, or why it could not be run; what it did that the report should say."""

    units: list[UnitOutcome]
    unusable: str | None = None
    missing_module: str = ""
    memory: str | None = None  # the step that hit the memory cap
    autograd: list[tuple[int, str, str, str]] = field(default_factory=list)
    noise: int = 0  # lines in the grader's channel that were not the grader's
    skipped: dict[str, str] = field(default_factory=dict)


# --- process ----------------------------------------------------------------------------------

READY_LIMIT = 120.0  # seconds a fresh zygote may take to import torch: the machine's, not ours
EXIT_LIMIT = 10.0  # seconds a killed worker may take to be reported gone
LINE_LIMIT = 1 << 24
# What the zygote inherits of this process's environment: how to find programs and packages,
# the locale, and torch's kernel choice (which the results may depend on); nothing else.
KEPT_ENVIRONMENT = ("PATH", "PYTHONPATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "SYSTEMROOT",
                    "ATEN_CPU_CAPABILITY")
TIMEOUT = "timeout"
# Every event and the fields it must carry, with their types; the zygote's own events first.
ZYGOTE_FIELDS = {"ready": {"pid": int}, "forked": {"pid": int}, "exited": {"status": int}}
FIELDS = {"loaded": {}, "unusable": {"error": str, "module": str}, "memory": {"step": str},
          "step": {"unit": int, "step": str}, "values": {"unit": int, "values": dict},
          "raised": {"unit": int, "step": str, "message": str}, "done": {"unit": int},
          "hold": {},
          "autograd": {"step": str, "entry": str, "where": str}}


# What of a file's text may reach a report: no control character (a terminal escape, a NUL,
# what XML 1.0 forbids) and no lone surrogate (which no UTF-8 output can encode); each is
# written as its escape instead, "\x1b" or "\ud800". Newlines and tabs stay.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


ESCAPED = re.compile(rb"\\u(00[01]|007[fF]|008|009|[dD][89a-fA-F]|[fF]{3}[eEfF])")


def clean(value):
    """`value` with every string in it made safe for every format (see `UNSAFE`)."""
    if isinstance(value, str):
        return UNSAFE.sub(lambda m: m[0].encode("unicode_escape", "backslashreplace")
                          .decode("ascii"), value)
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


# --- sandbox ----------------------------------------------------------------------------------

NOBODY = "nobody"  # the unprivileged user a file's code runs as when the grader is root
CGROUP_MEMORY = Path("/sys/fs/cgroup/memory")  # cgroup v1's memory controller
PROCESSES = 64  # without a cgroup: how many processes a worker may add to its user's
COPY_LIMIT = 10 * 2**20  # bytes of a sibling file copied into the sandbox with the graded file


@dataclass(frozen=True)
class Sandbox:
    """What shuts a file's code in here: bubblewrap's path, the memory cgroup's root, the user
    and group ids its code drops to (root only). None where the machine has not got it."""

    bwrap: str | None = None
    cgroup: Path | None = None
    user: tuple[int, int] | None = None

    @property
    def copies(self) -> bool:
        """Whether the file runs from a copy in its own scratch folder (all it may write)."""
        return self.bwrap is not None or self.user is not None


@functools.cache
def scratch_root() -> Path:
    """This process's folder for the plan's payload and each file's scratch folder: the one
    folder a sandboxed worker sees of the grader's, removed at exit."""
    root = Path(tempfile.mkdtemp(prefix="mlp-check-"))
    root.chmod(0o755)
    atexit.register(shutil.rmtree, root, True)
    return root


def bwrap_args(bwrap: str, root: bool) -> list[str]:
    """bubblewrap around the zygote: the file system read-only but for the scratch root, a /tmp
    of its own, no network, its own PID namespace (the grader is not there to signal), its own
    session (no terminal to type into), gone with the grader. As root bwrap keeps only the
    capabilities the worker needs to drop to the unprivileged user."""
    scratch = str(scratch_root())
    caps = ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"] if root else []
    # The grader's home and /tmp are hidden behind empty ones; what Python needs of them (pyenv
    # keeps the interpreter and its standard library in the home, a clone in /tmp its venv)
    # comes back read-only.
    home = os.path.realpath(os.path.expanduser("~"))
    # An editable install finds this package by a path hook, not by sys.path: its folder too.
    package = str(Path(__file__).resolve().parent)
    needed = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                            package, *sys.path) if p and os.path.isdir(p)}
    # a folder inside another needed one comes back with it
    needed = {p for p in needed if not any(p.startswith(q + os.sep) for q in needed)}
    masks = ["/tmp"] + ([home] if home not in ("/", "/tmp") and os.path.isdir(home) else [])
    hide = []
    for mask in masks:
        hide += ["--tmpfs", mask]
        made: set[str] = set()
        for p in sorted(p for p in needed if p.startswith(mask + os.sep)):
            # bwrap makes a mount point's missing parents 0700: each made 0755 first
            for a in map(str, reversed(Path(p).parents)):
                if a.startswith(mask + os.sep) and a not in made:
                    made.add(a)
                    hide += ["--perms", "0755", "--dir", a]
            hide += ["--ro-bind", p, p]
    return [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
            *hide, "--bind", scratch, scratch, "--unshare-net", "--unshare-pid", "--unshare-ipc",
            "--unshare-uts", "--die-with-parent", "--new-session", *caps, "--"]


# What the worker does before a file's code runs, and an import that must then still work.
DROP_PROBE = ("import os, sys; from mlp_check.worker.procs import drop_privileges; "
              "drop_privileges(int(sys.argv[1]), int(sys.argv[2])); import encodings.idna")


@functools.cache
def sandbox() -> Sandbox:
    """What this machine offers (see `Sandbox`); $MLP_CHECK_NO_SANDBOX=1 turns it all off."""
    if os.environ.get("MLP_CHECK_NO_SANDBOX") or not hasattr(os, "fork"):
        return Sandbox()
    root = os.geteuid() == 0
    user = None
    if root:
        import pwd
        try:
            entry = pwd.getpwnam(NOBODY)
            user = (entry.pw_uid, entry.pw_gid)
        except KeyError:
            pass
    bwrap = shutil.which("bwrap")
    here = str(Path(__file__).resolve().parent.parent)
    drop = [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {here!r}); "
            + DROP_PROBE, *map(str, user)] if user is not None else None
    # Present is not enough: bwrap needs namespaces the machine may refuse, and the unprivileged
    # user must still read Python's own files. One probe answers both where it succeeds.
    if bwrap is not None and drop is not None and _works(bwrap_args(bwrap, root) + drop):
        return Sandbox(bwrap, cgroup_root(root), user)
    if bwrap is not None:
        bwrap = bwrap if _works([*bwrap_args(bwrap, root), "true"]) else None
    if drop is not None:
        user = user if _works(bwrap_args(bwrap, root) + drop if bwrap else drop) else None
    return Sandbox(bwrap, cgroup_root(root), user)


def cgroup_root(root: bool) -> Path | None:
    """The cgroup v1 memory controller's root, where this process may make groups in it."""
    return CGROUP_MEMORY if root and os.access(CGROUP_MEMORY / "cgroup.procs", os.W_OK) \
        else None


def _works(argv: list[str]) -> bool:
    try:
        return subprocess.run(argv, capture_output=True, timeout=60,
                              cwd=tempfile.gettempdir()).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class Cgroup:
    """A memory cgroup (v1) for one zygote and everything it forks: the cap holds for a file's
    whole process tree, and the kernel's OOM killer says when it was hit."""

    def __init__(self, root: Path):
        for stale in root.glob("mlp-check-*-*"):  # left by a grader killed before its atexit
            try:
                os.kill(int(stale.name.split("-")[2]), 0)
            except ProcessLookupError:
                try:
                    stale.rmdir()
                except OSError:
                    pass
            except (ValueError, OSError):
                pass
        self.path = root / f"mlp-check-{os.getpid()}-{secrets.token_hex(4)}"
        self.path.mkdir()

    def limit(self, extra: int) -> None:
        """Cap the group at what it holds now (the zygote, torch imported) plus `extra` bytes."""
        limit = str(int((self.path / "memory.usage_in_bytes").read_text()) + extra)
        swap = self.path / "memory.memsw.limit_in_bytes"  # memory + swap: no escape to swap
        files = [self.path / "memory.limit_in_bytes"] + ([swap] if swap.exists() else [])
        for order in (files, files[::-1]):  # memsw must stay >= the memory limit
            try:
                for f in order:
                    f.write_text(limit)
                return
            except OSError:
                continue

    def oom_kills(self) -> int:
        try:
            for line in (self.path / "memory.oom_control").read_text().splitlines():
                if line.startswith("oom_kill "):
                    return int(line.split()[1])
            return int((self.path / "memory.failcnt").read_text())
        except (OSError, ValueError):
            return 0

    def remove(self) -> None:
        for _ in range(50):  # the last processes may take a moment to leave
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.05)


def protections(limits: Limits | None = None) -> tuple[list[str], list[str]]:
    """What shuts a file's code in on this machine, and what does not: (in force, missing)."""
    limits, box = limits or Limits(), sandbox()
    gb = f"{limits.memory / 2**30:g} GB"
    on = [f"{limits.call:g} s per call and {limits.budget:g} s per file"]
    off = []
    if not limits.memory:
        off.append("no memory cap (--memory 0)")
    elif box.cgroup is not None:
        on.append(f"{gb} of memory over its whole process tree (cgroup)")
    else:  # RLIMIT_NPROC binds no root process
        root_code = hasattr(os, "geteuid") and os.geteuid() == 0 and box.user is None
        on.append(f"{gb} of address space per process" + ("" if root_code else
                  f" and at most {PROCESSES} more processes"))
        off.append("no memory cap over its whole process tree (no cgroup)"
                   + ("; no limit on its processes (it runs as root)" if root_code else ""))
    on += ["every process it starts killed", "autograd trapped", "a minimal environment",
           "its text escaped in every format"]
    if box.bwrap is not None:
        on.append("bubblewrap: a read-only file system but its own scratch folder, a private "
                  "/tmp, no network, its own PID namespace")
    else:
        off.append("no network or file-system isolation (no bubblewrap sandbox)")
    if box.user is not None:
        on.append(f"it runs as the unprivileged user {NOBODY}")
    elif hasattr(os, "geteuid") and os.geteuid() == 0:
        off.append("it runs as root, as the grader does")
    return on, off


def parse(line: bytes, token: str, fields: dict) -> dict | None:
    """The message after the last `token` on the line, if it is one of `fields`' events, its
    strings `clean`."""
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
    # json.dumps writes each control character and surrogate as a \u escape: only a line that
    # has one needs the walk through every value (a seed's thousands of numbers have none).
    return clean(message) if ESCAPED.search(line) else message


class Zygote:
    """The zygote process, and a thread that turns its valid lines into a queue of messages."""

    def __init__(self, wait: bool = True):
        self.token, self.job_token, self.noise = secrets.token_hex(16), "", 0
        # A minimal environment: the student's code sees none of the grader's variables.
        env = {k: os.environ[k] for k in KEPT_ENVIRONMENT if k in os.environ}
        env |= {"MLP_CHECK_TOKEN": self.token, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg",
                "HOME": tempfile.gettempdir()}
        box = sandbox()
        argv = [sys.executable, "-P", "-m", "mlp_check.worker"]
        if box.bwrap is not None:  # in its own PID namespace the grader is not its parent
            argv = bwrap_args(box.bwrap, os.geteuid() == 0) + argv
        else:
            env["MLP_CHECK_PARENT"] = str(os.getpid())
        self.cgroup = Cgroup(box.cgroup) if box.cgroup is not None else None
        if self.cgroup is not None:  # in the group before it runs anything, so all it forks is
            self.cgroup.limit(Limits().memory)
            argv = ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"',
                    str(self.cgroup.path / "cgroup.procs"), *argv]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir(), env=env)
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
            procs.kill(procs.descendants(self.proc.pid))
            self.proc.kill()
            self.proc.wait()
        if self.cgroup is not None:
            self.cgroup.remove()


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
            pid = procs.host_pid(self.zygote.proc.pid, self.pid)
            if pid is not None:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        while self.alive and self.receive(deadline) not in (None, TIMEOUT):
            pass
        if self.alive:
            self.zygote.close()


# --- pool -------------------------------------------------------------------------------------

_idle: queue.Queue = queue.Queue()
_all: list[Zygote] = []
_lock = threading.Lock()


def spawn(n: int) -> None:
    """Make sure `n` zygotes exist; new ones import torch meanwhile, side by side."""
    with _lock:
        for _ in range(n - len(_all)):
            zygote = Zygote(wait=False)
            _all.append(zygote)
            _idle.put(zygote)


class Lease:
    """A zygote for one file: `lease()` gives a live one, replacing it if it died."""

    def __init__(self):
        self.zygote: Zygote = _idle.get()
        if not self.zygote.ready:
            self.zygote.wait_ready()

    def __call__(self) -> Zygote:
        if not self.zygote.alive():
            self.zygote.close()
            fresh = Zygote()
            with _lock:
                _all[_all.index(self.zygote)] = fresh
            self.zygote = fresh
        return self.zygote

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc) -> None:
        _idle.put(self.zygote)


@atexit.register
def close() -> None:
    with _lock:
        for z in _all:
            z.close()
        _all.clear()
        while not _idle.empty():
            _idle.get_nowait()


# --- runner -----------------------------------------------------------------------------------

SETUP = "the grader's own setup"  # before the unit's first call: no function to give up on


def death(job: Job) -> str:
    """How a worker ended, with the last line it wrote to stderr."""
    status = job.status
    how = ("the grader lost its worker" if status is None
           else f"killed by signal {signal.Signals(-status).name}" if status < 0
           else f"exited with status {status}")
    stderr = job.stderr
    lines = stderr.read_text(errors="replace").strip().splitlines() if stderr.exists() else []
    return clean(f"{how} ({lines[-1][:200]})") if lines else how


class FileRun:
    def __init__(self, zygote, path: Path, payload: Path, n_units: int, limits: Limits,
                 progress=None):
        self.zygote, self.path, self.payload, self.limits = zygote, path, payload, limits
        self.out = Outcome([UnitOutcome() for _ in range(n_units)])
        self.streak: Counter = Counter()
        self.progress = progress or (lambda n: None)
        self.deadline = time.monotonic() + limits.budget
        self.box, self.step = sandbox(), "importing the file"
        self.graded = path

    def copy(self) -> Path:
        """The file and its folder's other files, copied into a scratch folder of its own
        (owned by the user its code runs as): all a sandboxed file may write, and its cwd."""
        folder = Path(tempfile.mkdtemp(prefix="file-", dir=scratch_root()))
        for f in self.path.parent.iterdir():
            try:
                if f.is_file() and (f == self.path or f.stat().st_size <= COPY_LIMIT):
                    shutil.copyfile(f, folder / f.name)
                elif f.is_dir() and (f / "__init__.py").is_file():  # a package of its own
                    shutil.copytree(f, folder / f.name, symlinks=True,
                                    ignore=shutil.ignore_patterns("__pycache__"))
            except OSError:
                pass
        if self.box.user is not None:
            for f in [folder, *folder.rglob("*")]:
                os.chown(f, *self.box.user, follow_symlinks=False)
        return folder / self.path.name

    def job(self, start: int) -> Job:
        stderr = self.payload.with_name(f"stderr-{id(self)}-{start}.txt")
        box, limits = self.box, self.limits
        zygote = self.zygote()
        if zygote.cgroup is not None and limits.memory:
            zygote.cgroup.limit(limits.memory)
        self.ooms = zygote.cgroup.oom_kills() if zygote.cgroup is not None else 0
        job = Job(zygote, {"path": str(self.graded), "payload": str(self.payload),
                           "start": start, "skip": self.out.skipped, "stderr": str(stderr),
                           "memory": limits.memory,
                           "processes": PROCESSES if box.cgroup is None else 0,
                           "uid": box.user[0] if box.user else None,
                           "gid": box.user[1] if box.user else None})
        job.stderr = stderr
        return job

    def run(self) -> Outcome:
        start, n = 0, len(self.out.units)
        if self.box.copies:
            self.graded = self.copy()
        try:
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
                    cgroup = job.zygote.cgroup
                    if cgroup is not None and cgroup.oom_kills() > self.ooms \
                            and self.out.memory is None:  # the cap over its whole tree was hit
                        self.out.memory = self.step
        finally:
            if self.graded != self.path:
                shutil.rmtree(self.graded.parent, ignore_errors=True)
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
                self.step = step
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


# --- check ------------------------------------------------------------------------------------

# The pip package of modules whose import name is not their package's name.
PIP_NAMES = {"sklearn": "scikit-learn", "cv2": "opencv-python", "PIL": "Pillow",
             "yaml": "PyYAML", "skimage": "scikit-image", "bs4": "beautifulsoup4"}


def unreadable(path: Path) -> str | None:
    """Why the file cannot even be compiled (no process is started for that), or None."""
    if not path.is_file():
        return "it is not a file" if path.exists() else "no such file"
    try:
        compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    except SyntaxError as exc:
        where = f" ({path.name}:{exc.lineno}: {exc.text.strip()})" if exc.text else ""
        return clean(f"{type(exc).__name__}: {exc.msg}{where}")
    except (ValueError, OSError) as exc:
        return clean("".join(traceback.format_exception_only(exc)).strip())
    return None


def why_unusable(out: Outcome, limits: Limits) -> str | None:
    if out.memory is not None:
        return f"it used more than {limits.memory / 2**30:g} GB of memory (in {out.memory}); " \
               f"--memory sets the cap"
    if out.missing_module:
        top = out.missing_module.split(".")[0]
        return f"it imports {out.missing_module}, which this environment lacks: " \
               f"`{Path(sys.executable).name} -m pip install {PIP_NAMES.get(top, top)}` installs " \
               f"it. None of the file's own code reached the grader: importing it stopped there"
    return out.unusable


def file_findings(plan: Plan, out: Outcome) -> list[Finding]:
    from .diagnose import say
    from .verdict import Got

    found = [say("autograd", step=step, entry=entry, where=where) for i, step, entry, where
             in dict.fromkeys(out.autograd) if plan.units[i]["kind"] != "case"]
    probe = out.units[plan.index("probe")].values
    J, dJ = Got.decode(probe.get("J", {"kind": "skipped", "message": ""})), \
        Got.decode(probe.get("dJdy_hat", {"kind": "skipped", "message": ""}))
    bad = [q for q, g in (("J", J), ("dJdy_hat", dJ)) if g.kind == "value"
           and not bool(g.tensor.isfinite().all())]
    if bad:
        found.append(say("bce_unclamped", bad, names=", ".join(bad)))
    found += [say("gave_up", why=why) for why in out.skipped.values()]
    if out.noise:
        found.append(say("noise", count=out.noise))
    return found


def edge_findings(plan: Plan, out: Outcome) -> list[Finding]:
    """A note for each edge (`plan.EDGES`) where a result differs from torch's. Given only to a
    file whose graded cases all agree with torch (else the failures already say what is wrong);
    an edge whose function raised or hung says nothing here either."""
    from .diagnose import say
    from .plan import EDGE_QUANTITIES, EDGES
    from .verdict import Got, judge

    found = []
    for i, edge in enumerate(EDGES):
        values = out.units[plan.index("edge", i)].values
        got = {"y_hat": values.get("y_hat"), **(values.get("grads1") or {})}
        wrong = []
        for q in EDGE_QUANTITIES:
            if not isinstance(got.get(q), dict):
                continue
            g = Got.decode(got[q])
            if g.kind == "value" and judge(g, plan.edges[i][q], "float32").status != "ok":
                wrong.append((q, g))
        if wrong:
            how = ", ".join(f"{q}: " + ("NaN or inf" if not bool(g.tensor.isfinite().all())
                                        else f"shape {tuple(g.tensor.shape)}, torch's "
                                             f"{tuple(plan.edges[i][q].shape)}"
                                        if g.tensor.shape != plan.edges[i][q].shape
                                        else "other values") for q, g in wrong)
            names = [q for q, _ in wrong]
            found.append(say(edge.code, names, names=", ".join(names),
                             differ="differs" if len(names) == 1 else "differ", how=how))
    return found


def grade(plan: Plan, path: Path, out: Outcome, strict: bool) -> Report:
    from .diagnose import diagnose, disagreements, seed_findings
    from .plan import COURSE_TESTS, DTYPES, activations_of
    from .verdict import CaseResult, Report, assemble, course_result

    cases, graded = [], activations_of(plan.cases)
    for i, case in enumerate(plan.cases):
        runs = {d: assemble(d, out.units[plan.index("case", i, d)], plan.expected[i][d],
                            plan.inputs[i][d]) for d in DTYPES}
        units = {plan.index("case", i, d) for d in DTYPES}
        calls = [(step, entry, where) for u, step, entry, where in out.autograd if u in units]
        r = CaseResult(case, runs["float32"], runs["float64"], calls, activations=graded)
        r.findings = diagnose(r)
        cases.append(r)
    course = [course_result(t, out.units[plan.index("course", i)])
              for i, t in enumerate(COURSE_TESTS)]
    found = seed_findings(course, plan.seed) + file_findings(plan, out)
    if all(r.ok() for r in cases) and not any(f.kind == "failure" for f in found):
        found += edge_findings(plan, out)
    return Report(path, cases, course, None, plan.seed, strict, found,
                  disagreements(course, cases))


def _check(path: Path, plan: Plan, limits: Limits, strict: bool, progress) -> Report:
    from .verdict import Report

    start, done = time.monotonic(), [0]

    def advance(n: int) -> None:
        done[0] += n
        progress(n)

    try:
        why = unreadable(path)
        if why is None:
            with Lease() as lease:
                out = run_file(lease, path, plan.payload, len(plan.units), limits, advance)
            why = why_unusable(out, limits)
        report = Report(path, [], [], why, plan.seed, strict) if why else \
            grade(plan, path, out, strict)
    except Exception:  # noqa: BLE001 - one file must not stop a batch, even for the grader's bug
        report = Report(path, [], [], f"mlp-check itself failed on this file; please report "
                                      f"it:\n{traceback.format_exc()}", plan.seed, strict)
    progress(max(0, len(plan.units) - done[0]))  # the units it never reached: the bar ends full
    report.seconds = time.monotonic() - start
    return report


DEFAULT_LIMITS = Limits()


def graded_cases(activations: str | Iterable[str] | None = None) -> tuple[Case, ...]:
    """The cases over `activations` ("relu,tanh", a list, "all"; None: the course's three,
    `CASES`). Raises ValueError for a name `mlp.ACTIVATIONS` does not hold."""
    from .plan import CASES, activation_names, cases_for
    return CASES if activations is None else cases_for(activation_names(activations))


def check_files(paths: list[str | Path], *, seed: int = 0, limits: Limits = DEFAULT_LIMITS,
                strict: bool = False, jobs: int = 1,
                progress: Callable[[int], None] | None = None,
                activations: str | Iterable[str] | None = None) -> Iterator[Report]:
    """Grade each file, `jobs` at a time, yielding the reports in the order of `paths`.

    `activations` names the registered activations whose cases are graded (see
    `graded_cases`; default the course's three); the course's three tests always run.
    `progress(n)` hears of every n units done (each file has `units_per_file(seed,
    activations)`)."""
    from .plan import make_plan
    plan = make_plan(seed, graded_cases(activations))
    progress = progress or (lambda n: None)
    paths = [Path(p).resolve() for p in paths]
    spawn(max(1, min(jobs, len(paths))))
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(_check, p, plan, limits, strict, progress) for p in paths]
        for future in futures:
            yield future.result()


def check_file(path: str | Path, *, seed: int = 0, limits: Limits = DEFAULT_LIMITS,
               strict: bool = False, activations: str | Iterable[str] | None = None) -> Report:
    """Grade one file; never raises for a bad file. See `check_files`."""
    return next(check_files([path], seed=seed, limits=limits, strict=strict,
                            activations=activations))


def units_per_file(seed: int = 0, activations: str | Iterable[str] | None = None) -> int:
    from .plan import make_plan
    return len(make_plan(seed, graded_cases(activations)).units)
