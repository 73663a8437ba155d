r"""The worker: one candidate file's units, in a process of its own forked by the zygote.

The worker's steps: call the candidate's functions in the course's order and encode results.

Every call goes through `Unit.call`, which announces the step (so that a hang can be named),
skips the functions the parent has given up on, and turns an exception into a record that names
the candidate's own file, line and source line. Worker side: imports only torch and the stdlib.

What the worker runs for each unit: a case in one dtype, one of the course's tests, a probe.

Each follows the course's order: `MLP(...)`, `clear_grad_and_cache()`, one forward, one loss,
one backward. A case's loss gets torch's y_hat and its backward torch's dJdy_hat, so each function
is judged alone; a course test runs end to end on the candidate's own weights, as the course
does. Worker side: imports only torch and the stdlib.

The worker: one candidate file's units, in a process of its own forked by `_zygote`.

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

import builtins
import importlib.machinery
import importlib.util
import json
import os
import resource
import sys
import traceback

import torch

from . import procs, trap

# --- steps ------------------------------------------------------------------------------------

PARAMETERS = ("W1", "b1", "W2", "b2")
GRADS = ("dJdW1", "dJdb1", "dJdW2", "dJdb2")
LABELS = {"MLP": "MLP(...)", "MLP.parameters": "setting MLP.parameters"}
MEMORY_WORDS = ("can't allocate memory", "not enough memory", "std::bad_alloc")


CURRENT = {"step": None}
IMPORT = builtins.__import__  # the grader's: put back after each of the file's calls


def own_imports():
    """Undo a file's patch of `builtins.__import__`, which the grader's own steps rely on."""
    if builtins.__import__ is not IMPORT:
        builtins.__import__ = IMPORT  # the candidate's function running now, for the autograd trap


class OutOfMemory(BaseException):
    """The candidate hit the memory cap; the worker reports it and stops."""


def record(kind, message):
    return {"kind": kind, "message": message}


def encode(value, what):
    """A result as JSON: values, shape, dtype and Python type, or why there is none."""
    if value is None:
        return record("missing", f"{what} is None")
    kind = "tensor"
    if type(value).__module__.split(".")[0] == "numpy":
        kind, value = f"numpy.{type(value).__name__}", torch.as_tensor(value)
    elif isinstance(value, float):
        kind, value = "float", torch.tensor(value, dtype=torch.float64)
    if not isinstance(value, torch.Tensor):
        return record("error", f"{what} is a {type(value).__name__}, not a torch.Tensor")
    try:
        t = value.detach().cpu()
        if not t.is_floating_point():
            return record("error", f"{what} has dtype {t.dtype}, not a floating dtype")
        return {"kind": "value", "shape": list(t.shape), "type": kind,
                "dtype": None if kind == "float" else str(t.dtype).removeprefix("torch."),
                "data": t.double().flatten().tolist()}
    except Exception as exc:  # noqa: BLE001 - a tensor subclass, a meta tensor ...
        return record("error", f"{what} cannot be read: {type(exc).__name__}: {exc}")


def describe(exc, folder):
    """ "raised KeyError: 'relu6' (mlp.py:42: z = ACT[name](s))": the exception, at the
    innermost line of the candidate's own files; the grader's frames are left out."""
    if isinstance(exc, SystemExit):
        text = f"called sys.exit({exc.code!r})"
    else:
        text = f"raised {''.join(traceback.format_exception_only(exc)).strip()}"
    own = [f for f in traceback.extract_tb(exc.__traceback__)
           if os.path.dirname(os.path.abspath(f.filename)) == folder]
    if own:
        line = f"{os.path.basename(own[-1].filename)}:{own[-1].lineno}"
        text += f" ({line}: {own[-1].line})" if own[-1].line else f" ({line})"
    return text


def is_memory(exc):
    return isinstance(exc, MemoryError) or (
        isinstance(exc, RuntimeError) and any(w in str(exc) for w in MEMORY_WORDS))


class Unit:
    """One unit of work (a case in one dtype, a course test, a probe) and its messages."""

    def __init__(self, emit, index, folder, skip):
        self.emit, self.index, self.folder, self.skip = emit, index, folder, skip

    def call(self, step, fn, *args):
        """(True, fn(*args)), or (False, a record saying why there is no result).

        `step` names the candidate's function ("MLP.forward", "mse_loss", "MLP" for the
        constructor, "MLP.parameters" for setting the weights)."""
        if step in self.skip:
            return False, record("skipped", f"not run: {self.skip[step]}")
        if not callable(fn):
            return False, record("missing", f"there is no {step}")
        CURRENT["step"] = step
        self.emit(event="step", unit=self.index, step=step)
        try:
            return True, fn(*args)
        except BaseException as exc:  # noqa: BLE001 - sys.exit and the like are results here
            if is_memory(exc):
                raise OutOfMemory(step) from None
            message = f"{LABELS.get(step, step)} {describe(exc, self.folder)}"
            self.emit(event="raised", unit=self.index, step=step, message=message)
            return False, record("error", message)
        finally:
            CURRENT["step"] = None
            own_imports()

    def values(self, **values):
        self.emit(event="values", unit=self.index, values=values)


def set_parameters(net, data):
    """Put the case's weights into `net.parameters`: into the candidate's own tensors when they
    match in shape and dtype (so a copy it keeps elsewhere sees them), else as new entries."""
    if not isinstance(getattr(net, "parameters", None), dict):
        raise TypeError("MLP.parameters is not a dict of W1, b1, W2, b2")
    for k in PARAMETERS:
        own = net.parameters.get(k)
        if isinstance(own, torch.Tensor) and own.shape == data[k].shape \
                and own.dtype == data[k].dtype:
            with torch.no_grad():
                own.copy_(data[k])
        else:
            net.parameters[k] = data[k].clone()


def snapshot(net):
    """The four gradients as records; a `grads` that raises when read is blamed on `grads`."""
    try:
        grads = getattr(net, "grads", None)
        if not isinstance(grads, dict):
            return dict.fromkeys(GRADS, record("missing", "MLP.grads is not a dict"))
        return {k: encode(grads[k], f"grads[{k!r}]") if k in grads
                else record("missing", f"MLP.grads has no {k!r}") for k in GRADS}
    except Exception as exc:  # noqa: BLE001 - a property or a dict subclass that raises
        why = "".join(traceback.format_exception_only(exc)).strip()
        return dict.fromkeys(GRADS, record("error", f"reading MLP.grads raised {why}"))


# --- units ------------------------------------------------------------------------------------

def clone(data):
    return {k: v.clone() for k, v in data.items()}


def forward_backward(unit, net, x, dJdy_hat):
    """forward then backward; the grads as a snapshot, or why there are none, and y_hat."""
    ok, y_hat = unit.call("MLP.forward", getattr(net, "forward", None), x.clone())
    if not ok:
        return dict.fromkeys(("dJdW1", "dJdb1", "dJdW2", "dJdb2"), y_hat), y_hat
    ok, why = unit.call("MLP.backward", getattr(net, "backward", None), dJdy_hat.clone())
    grads = snapshot(net) if ok else dict.fromkeys(("dJdW1", "dJdb1", "dJdW2", "dJdb2"), why)
    return grads, encode(y_hat, "forward's result")


def loss_values(unit, module, loss, y, y_hat):
    """{"J": ..., "dJdy_hat": ...} of the candidate's loss, and its raw pair (or None)."""
    name = f"{loss}_loss"
    ok, out = unit.call(name, getattr(module, name, None), y.clone(), y_hat.clone())
    if ok and not (isinstance(out, (tuple, list)) and len(out) == 2):
        what = "None" if out is None else f"a {type(out).__name__}"
        ok, out = False, {"kind": "error", "message": f"{name} returned {what}, not (J, dJdy_hat)"}
    if not ok:
        return {"J": out, "dJdy_hat": out}, None
    return {"J": encode(out[0], "J"), "dJdy_hat": encode(out[1], "dJdy_hat")}, out


def run_case(unit, module, spec):
    """Pass 1 as the course runs it; with `probes`, pass 2 again without clearing (torch's .grad
    doubles) and pass 3 after clear_grad_and_cache (back to one gradient)."""
    f, g, loss = spec["case"]
    data = spec["data"]
    n, m, K = data["W1"].shape[1], data["W1"].shape[0], data["W2"].shape[0]
    ok, net = unit.call("MLP", getattr(module, "MLP", None), n, m, f, m, K, g)
    if not ok:
        return unit.values(failed=net)
    ok, why = unit.call("MLP.parameters", set_parameters, net, clone(data))
    if not ok:
        return unit.values(failed=why)
    clear = getattr(net, "clear_grad_and_cache", None)
    ok, why = unit.call("MLP.clear_grad_and_cache", clear)
    unit.values(clear=None if ok else why)
    ok, why = unit.call("MLP.forward", getattr(net, "forward", None), data["x"].clone())
    unit.values(y_hat=encode(why, "forward's result") if ok else why)
    unit.values(**loss_values(unit, module, loss, data["y"], data["y_hat"])[0])
    if ok:
        ok, why = unit.call("MLP.backward", getattr(net, "backward", None),
                            data["dJdy_hat"].clone())
    unit.values(grads1=snapshot(net) if ok else dict.fromkeys(
        ("dJdW1", "dJdb1", "dJdW2", "dJdb2"), why))
    if spec.get("probes") and ok:
        unit.values(grads2=forward_backward(unit, net, data["x"], data["dJdy_hat"])[0])
        ok, why = unit.call("MLP.clear_grad_and_cache", clear)
        if ok:
            unit.values(grads3=forward_backward(unit, net, data["x"], data["dJdy_hat"])[0])


def run_course_test(unit, module, spec):
    """The course's script at its seed, then at each of `spec["seeds"]` (the course runs it
    unseeded). Sends what the course's twin then reads: `values` for the first, one `seeds`
    list for the others."""
    course_once(unit, module, spec, spec["seed"], unit.values)
    runs = []
    for seed in spec.get("seeds", ()):
        course_once(unit, module, spec, seed, lambda **v: runs.append(v))
    if spec.get("seeds"):
        unit.values(seeds=runs)


def course_once(unit, module, spec, seed, send):
    f, g, loss = spec["case"]
    N, n, m, K = spec["sizes"]
    torch.manual_seed(seed)
    ok, net = unit.call("MLP", getattr(module, "MLP", None), n, m, f, m, K, g)
    if not ok:
        return send(failed=net)
    x = torch.randn(N, n)
    y = torch.randn(N, K) if spec["targets"] == "randn" else (torch.randn(N, K) < 0.5) * 1.0
    ok, why = unit.call("MLP.clear_grad_and_cache", getattr(net, "clear_grad_and_cache", None))
    if not ok:
        return send(failed=why)
    ok, y_hat = unit.call("MLP.forward", getattr(net, "forward", None), x)
    if not ok:
        return send(failed=y_hat)
    values, pair = loss_values(unit, module, loss, y, y_hat)
    if pair is None:
        return send(failed=values["J"])
    ok, why = unit.call("MLP.backward", getattr(net, "backward", None), pair[1])
    if not ok:
        return send(failed=why)
    params = getattr(net, "parameters", None)
    params = params if isinstance(params, dict) else {}
    send(x=encode(x, "x"), y=encode(y, "y"), y_hat=encode(y_hat, "forward's result"),
                **values, grads1=snapshot(net),
                parameters={k: encode(params.get(k), f"parameters[{k!r}]") for k in PARAMETERS})


def run_probe(unit, module, spec):
    """The BCE where y_hat is exactly 0 or 1, which torch's clamps keep finite."""
    data = spec["data"]
    unit.values(**loss_values(unit, module, "bce", data["y"], data["y_hat"])[0])


RUNNERS = {"case": run_case, "course": run_course_test, "probe": run_probe, "edge": run_case}


# --- worker -----------------------------------------------------------------------------------

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
    if job.get("processes"):  # no cgroup holds the whole tree: at most this many more
        n = procs.own_processes() + job["processes"]
        resource.setrlimit(resource.RLIMIT_NPROC, (n, n))
    if job.get("uid") is not None:  # the grader runs as root: the file's code does not
        procs.drop_privileges(job["uid"], job["gid"])
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
    current = CURRENT
    trap.install(folder, lambda entry, where: emit(
        event="autograd", step=current["step"] or "importing the file", entry=entry,
        where=where), lambda: emit(event="hold"))
    try:
        try:
            module = load(job["path"])
        finally:
            own_imports()
    except BaseException as exc:  # noqa: BLE001 - whatever it is, it is the answer
        if is_memory(exc):
            emit(event="memory", step="importing the file")
            os._exit(3)
        missing = exc.name if isinstance(exc, ModuleNotFoundError) and exc.name else ""
        emit(event="unusable", error="importing it " + describe(exc, folder),
             module=missing)
        return
    if not callable(getattr(module, "MLP", None)):
        emit(event="unusable", error="it defines no class MLP", module="")
        return
    emit(event="loaded")
    for index in range(job["start"], len(payload["units"])):
        spec = payload["units"][index]
        unit = Unit(emit, index, folder, job["skip"])
        try:
            RUNNERS[spec["kind"]](unit, module, spec)
        except OutOfMemory as exc:
            emit(event="memory", step=str(exc))
            os._exit(3)
        emit(event="done", unit=index)
