r"""The zygote: imports torch once, then forks one worker (`serve.serve`) per job.

The parent runs it as `python -P -m mlp_check.worker` from a temporary folder, so the
candidate's folder is not on its path (`-P`: no current folder either). It answers `ready`, then
for each job line on stdin forks a worker, says `forked` with its pid, waits for it and sends
`exited` with its status. A fork costs milliseconds where a torch import costs seconds, so a
hang or a crash costs one fork.

The zygote is a child subreaper (Linux `PR_SET_CHILD_SUBREAPER`): whatever the candidate starts,
even a process that left the worker's session with `os.setsid()`, becomes the zygote's child once
its parent dies, and is killed before `exited` is sent. Every line carries the zygote's token,
which the parent checks, so a worker's stray writes cannot pass for the zygote.
"""

import json
import os
import signal
import sys

from . import procs, serve

try:  # imported once here rather than in every worker: homework files often import numpy
    import numpy  # noqa: F401
except ImportError:
    pass

from .procs import PR_SET_CHILD_SUBREAPER, PR_SET_PDEATHSIG, prctl

TOKEN = os.environ.pop("MLP_CHECK_TOKEN", "")


def stop(signum, frame):
    raise SystemExit(0)


def run(job, channel, emit):
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # the worker never outlives the zygote
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            serve.serve(job, channel)
        finally:
            os._exit(0)
    emit(event="forked", pid=pid)
    try:  # wait for its end, but leave it a zombie so that its pid is not reused meanwhile
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    finally:
        procs.kill([pid])
        procs.sweep(keep=(pid,))
        _, status = os.waitpid(pid, 0)
    emit(event="exited", status=os.waitstatus_to_exitcode(status))


def main():
    channel = os.dup(1)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)

    def emit(**message):
        os.write(channel, f"{TOKEN} {json.dumps(message)}\n".encode())

    prctl(PR_SET_CHILD_SUBREAPER, 1)
    prctl(PR_SET_PDEATHSIG, signal.SIGTERM)  # the parent gone: sweep, then go
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if str(os.getppid()) != os.environ.get("MLP_CHECK_PARENT", str(os.getppid())):
        return
    emit(event="ready", pid=os.getpid())
    try:
        for line in sys.stdin.buffer:
            job = json.loads(line)
            if not hasattr(os, "fork"):
                return serve.serve(job, channel)
            run(job, channel, emit)
    finally:
        procs.sweep()


if __name__ == "__main__":
    main()
