"""The zygote: imports torch once, then forks one worker (`_worker.serve`) per job.

The parent runs it as a script (`python _zygote.py`), so neither this package nor the candidate's
folder is on its path. It answers `{"event": "ready"}`, then for each job line on stdin forks a
worker and, once the worker has ended, sends `{"event": "exited", "status": s}`. A fork costs
milliseconds where a torch import costs seconds: the parent restarts a worker after each hang or
crash, and keeps one zygote for every file it checks. Where there is no fork (Windows) the
zygote serves one job itself and exits, and the parent starts another.
"""

import json
import os
import sys

import _worker  # this script's folder is still on the path here

del sys.path[0]  # ... and no longer: the candidate's imports must not see it


def main():
    channel = os.fdopen(os.dup(1), "w", buffering=1)  # line-buffered: a message is a line
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)

    def emit(**message):
        channel.write(json.dumps(message) + "\n")

    emit(event="ready")
    for line in sys.stdin:
        job = json.loads(line)
        if not hasattr(os, "fork"):
            return _worker.serve(job, emit)
        pid = os.fork()
        if pid == 0:
            try:
                _worker.serve(job, emit)
            finally:
                channel.flush()
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        emit(event="exited", status=os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main()
