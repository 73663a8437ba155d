"""The worker: runs one candidate's cases in a process of its own, forked by `_zygote`.

`serve` makes the process a group of its own (the parent kills the group: whatever the candidate
started dies with it), points stderr to a file (stdout already points to /dev/null, so whatever
the candidate prints, even from C, never reaches the report), loads the file under a module name
of its own, and sends, through `emit`:

- `{"event": "started", "pid": ...}`, then `{"event": "loaded"}` or `{"event": "unusable", ...}`;
- per case from `start`: `{"event": "step", ...}` before each call, so that a hang can be named,
  and `{"event": "case", "index": i, "dtype": ..., "values": {...}, "errors": [...]}`.

It imports nothing but torch and the stdlib.
"""

import importlib.machinery
import importlib.util
import os
import sys
import threading
import traceback

import torch

PARAMETERS = ("W1", "b1", "W2", "b2")
GRADS = ("dJdW1", "dJdb1", "dJdW2", "dJdb2")


def missing(message):
    return {"kind": "missing", "message": message}


def error(message):
    return {"kind": "error", "message": message}


def encode(value, what):
    """A result as JSON: a tensor's shape, dtype and values, or why there is none."""
    if value is None:
        return missing(f"{what} is None")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = torch.tensor(float(value), dtype=torch.float64)
    if not isinstance(value, torch.Tensor):
        return error(f"{what} is a {type(value).__name__}, not a torch.Tensor")
    try:
        t = value.detach().cpu()
        if not t.is_floating_point():
            return error(f"{what} has dtype {t.dtype}, not a floating dtype")
        return {"kind": "value", "shape": list(t.shape), "data": t.double().flatten().tolist(),
                "dtype": str(t.dtype).removeprefix("torch.")}
    except Exception as exc:  # noqa: BLE001 - a tensor subclass, a meta tensor ...
        return error(f"{what} cannot be read: {describe(exc)}")


def describe(exc):
    """What an exception says, as a verb phrase: "raised KeyError: 'W1'", "called sys.exit(1)"."""
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r})"
    return f"raised {type(exc).__name__}: {exc}"


class Run:
    """One attempt at one case in one dtype: the values it produced and the exceptions raised."""

    def __init__(self, emit, index, dtype):
        self.emit, self.index, self.dtype = emit, index, dtype
        self.values, self.errors = {}, []

    def call(self, step, fn, *args):
        """(True, fn(*args)), or (False, a record saying why there is no result)."""
        if not callable(fn):
            return False, missing(f"there is no {step}")
        self.emit(event="step", index=self.index, step=step, dtype=self.dtype)
        try:
            return True, fn(*args)
        except BaseException as exc:  # noqa: BLE001 - sys.exit and the like are results here
            self.errors.append(f"{step} {describe(exc)}")
            return False, error(f"{step} {describe(exc)}")


def set_parameters(net, data):
    for k in PARAMETERS:
        net.parameters[k] = data[k].clone()


def snapshot(net):
    grads = getattr(net, "grads", None)
    if not isinstance(grads, dict):
        return dict.fromkeys(GRADS, missing("MLP.grads is not a dict"))
    return {k: encode(grads[k], f"grads[{k!r}]") if k in grads
            else missing(f"MLP.grads has no {k!r}") for k in GRADS}


def check_loss(run, module, loss, data):
    """J and dJdy_hat of the candidate's loss, given torch's y_hat: a wrong forward does not
    also mark the loss wrong."""
    name = f"{loss}_loss"
    ok, out = run.call(name, getattr(module, name, None), data["y"].clone(),
                       data["y_hat"].clone())
    if ok and out is None:
        ok, out = False, missing(f"{name} returned None")
    elif ok and not (isinstance(out, (tuple, list)) and len(out) == 2):
        ok, out = False, error(f"{name} returned a {type(out).__name__}, not (J, dJdy_hat)")
    if ok:
        run.values["J"], run.values["dJdy_hat"] = encode(out[0], "J"), encode(out[1], "dJdy_hat")
    else:
        run.values["J"] = run.values["dJdy_hat"] = out


def check_passes(run, net, data):
    """Pass 1 as the course runs it; pass 2 again without clearing (torch's .grad doubles); pass
    3 after clear_grad_and_cache (back to one gradient). backward gets torch's dJdy_hat."""
    forward, backward = getattr(net, "forward", None), getattr(net, "backward", None)
    clear = getattr(net, "clear_grad_and_cache", None)
    for p in (1, 2, 3):
        if p == 3:
            ok, why = run.call("MLP.clear_grad_and_cache", clear)
            if not ok:
                run.values["grads3"] = dict.fromkeys(GRADS, why)
                return
        ok, y_hat = run.call("MLP.forward", forward, data["x"].clone())
        if p == 1:
            run.values["y_hat"] = encode(y_hat, "forward's result") if ok else y_hat
        if ok:
            ok, why = run.call("MLP.backward", backward, data["dJdy_hat"].clone())
        else:
            why = y_hat  # no forward, no backward: the same reason
        run.values[f"grads{p}"] = snapshot(net) if ok else dict.fromkeys(GRADS, why)


def run_case(run, module, case, data, sizes):
    """Fill `run.values` for one case; a failure to build the net leaves it empty."""
    f, g, loss = case
    _, n, m, K = sizes
    ok, net = run.call("MLP(...)", module.MLP, n, m, f, m, K, g)
    if ok:
        ok, _ = run.call("setting MLP.parameters", set_parameters, net, data)
    if not ok:
        return
    clear = getattr(net, "clear_grad_and_cache", None)
    if callable(clear):  # the course's tests clear before the first backward
        run.call("MLP.clear_grad_and_cache", clear)
    check_loss(run, module, loss, data)
    check_passes(run, net, data)


def load(path):
    name = f"_mlp_check_candidate_{os.getpid()}"
    loader = importlib.machinery.SourceFileLoader(name, path)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader))
    sys.modules[name] = module
    loader.exec_module(module)
    return module


def _isolate(job):
    if hasattr(os, "setsid"):
        os.setsid()
    os.dup2(os.open(job["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
    # The parent writes nothing to stdin during a run: EOF there means it is gone, so go too,
    # rather than loop on as an orphan.
    threading.Thread(target=lambda: sys.stdin.buffer.read() or os._exit(1), daemon=True).start()
    torch.set_num_threads(1)  # tiny tensors: threads would only contend for the cores
    os.chdir(os.path.dirname(os.path.abspath(job["path"])))


def serve(job, emit):
    """Check the file `job["path"]` on the cases of `job["payload"]` from `job["start"]`."""
    emit(event="started", pid=os.getpid())
    _isolate(job)
    payload = torch.load(job["payload"], weights_only=True)
    sys.path.append(os.path.dirname(os.path.abspath(job["path"])))  # for its own helpers
    try:
        module = load(job["path"])
    except BaseException as exc:  # noqa: BLE001 - whatever it is, it is the answer
        emit(event="unusable", error="importing it " + describe(exc) if isinstance(
            exc, SystemExit) else "".join(traceback.format_exception_only(exc)).strip())
        return
    if not callable(getattr(module, "MLP", None)):
        emit(event="unusable", error="it defines no class MLP")
        return
    emit(event="loaded")
    for index in range(job["start"], len(payload["cases"])):
        case = payload["cases"][index]
        runs = []
        for dtype in ("float64", "float32"):
            runs.append(Run(emit, index, dtype))
            run_case(runs[-1], module, case["case"], case[dtype], payload["sizes"])
            if not runs[-1].errors:
                break
        # float64 first; float32 only when float64 raised and float32 raises less.
        best = min(runs, key=lambda r: len(r.errors))
        emit(event="case", index=index, dtype=best.dtype, values=best.values,
             errors=best.errors, float64_errors=runs[0].errors if best is not runs[0] else [])
