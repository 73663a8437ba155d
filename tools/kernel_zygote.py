r"""Notebook kernels forked from one process that has already imported the heavy modules.

Starting a kernel and importing torch, SymPy and matplotlib costs each notebook about 2.7 s of
CPU: more than most notebooks' own work. So a build starts one zygote that imports them (and
ipykernel) once, and runs nothing else: no user code, no thread, no socket but
its own. Each notebook's kernel is a fork of it, a fresh process that has run no other
notebook's code, with the imports already done.

jupyter_client starts kernels from a kernel spec (`kernel_spec_dir`); ours runs
`python -m tools.kernel_zygote launch {connection_file}`, a small launcher that asks the zygote
for a fork and stands in for it: it passes on signals (an interrupt) and exits with the kernel's
status, and the kernel exits when its launcher dies (a killed build leaves no kernel behind).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KERNEL_NAME = "backprop-fork"
# fork() without exec is safe with torch & co on Linux; the kernel watches its launcher through
# a pidfd (Linux only). Elsewhere each notebook starts a plain kernel.
SUPPORTED = sys.platform.startswith("linux") and hasattr(os, "pidfd_open")
SOCKET_ENV = "BACKPROP_KERNEL_ZYGOTE"
# Third-party only: the project's own modules are imported by each notebook, in its own order.
# Not pyplot nor the inline backend: imported before the kernel's shell exists, the backend
# would never hook itself in, and figures would vanish from the pages.
PRELOAD = ["ipykernel.kernelapp", "numpy", "torch", "sympy", "matplotlib.figure",
           "matplotlib.backends.backend_agg", "IPython.display"]


class Zygote:
    """A zygote process, and the kernel spec that forks it.

    `Zygote.shared()` is the one a process uses: `make serve` keeps it across rebuilds, so a
    notebook edit skips the imports too.
    """

    _shared: Zygote | None = None

    @classmethod
    def shared(cls) -> Zygote:
        if cls._shared is None or cls._shared.process.poll() is not None:
            cls._shared = cls()
            atexit.register(cls._shared.close)
        return cls._shared

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="kernel-zygote-"))
        self.socket = self.folder / "zygote.sock"
        self.process = subprocess.Popen([sys.executable, "-m", "tools.kernel_zygote", "serve",
                                         str(self.socket)], cwd=ROOT, stdin=subprocess.DEVNULL)
        spec = self.folder / "kernels" / KERNEL_NAME
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "tools.kernel_zygote", "launch", "{connection_file}"],
            "display_name": "Python 3 (forked)", "language": "python",
            "env": {SOCKET_ENV: str(self.socket), "PYTHONPATH": str(ROOT)}}))
        # jupyter_client finds kernel specs on JUPYTER_PATH, first entry first.
        os.environ["JUPYTER_PATH"] = os.pathsep.join(
            [str(self.folder)] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep)
                                  if p])

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


def serve(path: str) -> None:
    """Import PRELOAD, then fork a kernel for each launcher that connects."""
    # matplotlib reads its backend when imported: the one ipykernel sets for its kernels.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for name in PRELOAD:
        try:
            __import__(name)
        except Exception:  # noqa: BLE001 -- the notebook's own import will report it
            pass
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen()
    waiting: dict[int, socket.socket] = {}  # kernel pid -> its launcher's connection
    signal.signal(signal.SIGTERM, lambda *_: _stop(server, waiting))
    while True:
        if select.select([server], [], [], 0.05)[0]:
            conn, _ = server.accept()
            request = json.loads(conn.makefile().readline())
            pid = os.fork()
            if pid == 0:  # the kernel keeps no other kernel's launcher connected
                for other in [server, conn, *waiting.values()]:
                    other.close()
                _kernel(request)
            with contextlib.suppress(OSError):
                conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
            waiting[pid] = conn
        for pid in list(waiting):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                conn = waiting.pop(pid)
                with contextlib.suppress(OSError):  # a killed launcher hears nothing
                    conn.sendall(json.dumps({"exit": os.waitstatus_to_exitcode(status)})
                                 .encode() + b"\n")
                conn.close()


def _stop(server, waiting) -> None:
    for pid in waiting:
        os.kill(pid, signal.SIGKILL)
    server.close()
    os._exit(0)


def _kernel(request: dict) -> None:
    """In the fork: become the kernel that `request`'s launcher stands in for."""
    os.setsid()
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    launcher = os.pidfd_open(request["launcher_pid"])
    import threading

    def die_with_launcher():
        select.select([launcher], [], [])
        os._exit(1)

    threading.Thread(target=die_with_launcher, daemon=True).start()
    from ipykernel import kernelapp

    # A parent handle: the kernel also exits when the zygote does (and prints no banner).
    sys.argv = [kernelapp.__file__, "-f", request["connection_file"],
                f"--IPKernelApp.parent_handle={os.getppid()}"]
    kernelapp.IPKernelApp.launch_instance(argv=sys.argv[1:])
    os._exit(0)


def launch(connection_file: str) -> int:
    """Stand in for a forked kernel: pass signals on, exit with its status."""
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    for _ in range(1200):  # the zygote may still be importing torch
        try:
            client.connect(os.environ[SOCKET_ENV])
            break
        except (FileNotFoundError, ConnectionRefusedError):
            time.sleep(0.05)
    else:
        raise SystemExit(f"no kernel zygote answers at {os.environ[SOCKET_ENV]}")
    client.sendall(json.dumps({"connection_file": os.path.abspath(connection_file),
                               "cwd": os.getcwd(), "env": dict(os.environ),
                               "launcher_pid": os.getpid()}).encode() + b"\n")
    answers = client.makefile()
    kernel = json.loads(answers.readline())["pid"]
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(sig, lambda signum, _: os.kill(kernel, signum))
    line = answers.readline()
    return json.loads(line)["exit"] if line else 1


if __name__ == "__main__":
    command, argument = sys.argv[1:3]
    if command == "serve":
        serve(argument)
    else:
        sys.exit(launch(argument))
