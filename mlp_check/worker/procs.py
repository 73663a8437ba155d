r"""Processes by their parent, read from /proc: how the zygote finds and kills every descendant
the candidate started, `os.setsid()` or not. Imported by the zygote as a script module and by
the parent as part of the package, so it imports only the stdlib.
"""

import ctypes
import ctypes.util
import os
import signal
import time

PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36


def prctl(option, value):
    """Linux's prctl; a no-op where there is none."""
    try:
        ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError, TypeError):
        pass


def drop_privileges(uid, gid):
    """Become `uid`:`gid` with no supplementary groups, for good: a process of an unprivileged
    user cannot signal the grader's processes or write their files. Changing credentials clears
    the parent-death signal, so it is set again."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def own_processes():
    """How many processes this process's real user has (Linux /proc), for RLIMIT_NPROC."""
    uid, n = os.getuid(), 0
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0
    for entry in entries:
        if entry.isdigit():
            try:
                n += os.stat(f"/proc/{entry}").st_uid == uid
            except OSError:
                pass
    return n


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


def host_pid(root, pid):
    """The pid, as this process sees it, of the process below `root` that calls itself `pid`:
    in bubblewrap's PID namespace the zygote's numbers are not ours (the last of /proc's NSpid
    is the innermost). None when no such process is left."""
    for candidate in descendants(root):
        try:
            with open(f"/proc/{candidate}/status") as file:
                for line in file:
                    if line.startswith("NSpid:"):
                        if int(line.split()[-1]) == pid:
                            return candidate
                        break
        except (OSError, ValueError):
            continue
    return None


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
