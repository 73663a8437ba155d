r"""Processes by their parent, read from /proc: how the zygote finds and kills every descendant
the candidate started, `os.setsid()` or not. Imported by the zygote as a script module and by
the parent as part of the package, so it imports only the stdlib.
"""

import os
import signal
import time


def children(pid):
    """The pids whose parent is `pid` (Linux /proc; empty where there is none)."""
    out = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return out
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as file:
                fields = file.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue  # it ended while we looked
        if int(fields[1]) == pid:
            out.append(int(entry))
    return out


def descendants(pid):
    """Every process below `pid`, children first."""
    out, frontier = [], [pid]
    while frontier:
        kids = [k for p in frontier for k in children(p)]
        out += kids
        frontier = kids
    return out


def kill(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def sweep(keep=(), limit=5.0):
    """Kill every child of this process but `keep`, and reap them; their own children, which a
    subreaper inherits as each parent dies, go in the next round. Returns how many were killed."""
    me, killed, deadline = os.getpid(), 0, time.monotonic() + limit
    while time.monotonic() < deadline:
        kids = [k for k in children(me) if k not in keep]
        if not kids:
            break
        kill(kids)
        killed += len(kids)
        for kid in kids:
            while time.monotonic() < deadline:
                try:
                    if os.waitpid(kid, os.WNOHANG)[0] != 0:
                        break
                except ChildProcessError:
                    break
                time.sleep(0.001)
    return killed
