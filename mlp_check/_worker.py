"""The worker: one candidate file's units, in a process of its own forked by `_zygote`.

`serve` shuts the candidate in before loading it: stdin and stdout go to /dev/null, stderr to a
file, every other inherited file descriptor but the channel is closed, the address space is
capped (`RLIMIT_AS`, so a runaway allocation fails as "out of memory" instead of taking the
machine), and autograd's entry points are trapped (`_trap`). It then loads the file under a
module name of its own and runs the units from `job["start"]`, sending through the channel:

- `loaded`, or `unusable` with the error (and the missing module's name, if that was it);
- per unit, `step` before each call (so a hang can be named), `values` as results come,
  `raised` for each exception, `autograd` for each trapped call (after `hold`, while torch
  imports what autograd needs), and `done`;
- `memory` when the cap was hit, and nothing after it.

Every line starts with the job's token; the parent drops any line that does not, so whatever
the candidate writes into the channel cannot pass for a result. Worker side: only torch and the
stdlib.
"""

import importlib.machinery
import importlib.util
import json
import os
import resource
import sys

import _steps
import _trap
import torch
from _units import RUNNERS


class Channel:
    """Writes `<token> <json>` lines to the parent; only from the worker's own process."""

    def __init__(self, fd, token):
        self.fd, self.prefix, self.pid = fd, token.encode() + b" ", os.getpid()

    def emit(self, **message):
        if os.getpid() != self.pid:  # a copy the candidate forked: not ours to speak for
            os._exit(0)
        data = self.prefix + json.dumps(message).encode() + b"\n"
        try:
            while data:
                data = data[os.write(self.fd, data):]
        except OSError:  # the candidate closed it: nothing more can be said
            os._exit(4)


def isolate(job, channel_fd):
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.dup2(os.open(job["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
    for fd in [int(f) for f in os.listdir("/proc/self/fd")] if os.path.isdir("/proc/self/fd") \
            else []:
        if fd > 2 and fd != channel_fd:
            try:
                os.close(fd)
            except OSError:
                pass
    if job.get("memory"):
        resource.setrlimit(resource.RLIMIT_AS, (job["memory"], job["memory"]))
    torch.set_num_threads(1)  # tiny tensors: threads would only contend for the cores
    os.environ["MPLBACKEND"] = "Agg"  # a candidate that imports pyplot opens no window


def load(path):
    name = "_mlp_check_candidate"
    loader = importlib.machinery.SourceFileLoader(name, path)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader))
    sys.modules[name] = module
    loader.exec_module(module)
    return module


def serve(job, channel_fd):
    """Check the file `job["path"]` on the units of `job["payload"]` from `job["start"]`."""
    channel = Channel(channel_fd, job["token"])
    emit = channel.emit
    isolate(job, channel_fd)
    payload = torch.load(job["payload"], weights_only=True)
    folder = os.path.dirname(os.path.abspath(job["path"]))
    os.chdir(folder)
    sys.path.append(folder)  # for the candidate's own helper modules
    current = _steps.CURRENT
    _trap.install(folder, lambda entry, where: emit(
        event="autograd", step=current["step"] or "importing the file", entry=entry,
        where=where), lambda: emit(event="hold"))
    try:
        module = load(job["path"])
    except BaseException as exc:  # noqa: BLE001 - whatever it is, it is the answer
        if _steps.is_memory(exc):
            emit(event="memory", step="importing the file")
            os._exit(3)
        missing = exc.name if isinstance(exc, ModuleNotFoundError) and exc.name else ""
        emit(event="unusable", error="importing it " + _steps.describe(exc, folder),
             module=missing)
        return
    if not callable(getattr(module, "MLP", None)):
        emit(event="unusable", error="it defines no class MLP", module="")
        return
    emit(event="loaded")
    for index in range(job["start"], len(payload["units"])):
        spec = payload["units"][index]
        unit = _steps.Unit(emit, index, folder, job["skip"])
        try:
            RUNNERS[spec["kind"]](unit, module, spec)
        except _steps.OutOfMemory as exc:
            emit(event="memory", step=str(exc))
            os._exit(3)
        emit(event="done", unit=index)
