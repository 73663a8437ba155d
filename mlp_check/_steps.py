"""The worker's steps: call the candidate's functions in the course's order and encode results.

Every call goes through `Unit.call`, which announces the step (so that a hang can be named),
skips the functions the parent has given up on, and turns an exception into a record that names
the candidate's own file, line and source line. Worker side: imports only torch and the stdlib.
"""

import os
import traceback

import torch

PARAMETERS = ("W1", "b1", "W2", "b2")
GRADS = ("dJdW1", "dJdb1", "dJdW2", "dJdb2")
LABELS = {"MLP": "MLP(...)", "MLP.parameters": "setting MLP.parameters"}
MEMORY_WORDS = ("can't allocate memory", "not enough memory", "std::bad_alloc")


CURRENT = {"step": None}  # the candidate's function running now, for the autograd trap


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
    grads = getattr(net, "grads", None)
    if not isinstance(grads, dict):
        return dict.fromkeys(GRADS, record("missing", "MLP.grads is not a dict"))
    return {k: encode(grads[k], f"grads[{k!r}]") if k in grads
            else record("missing", f"MLP.grads has no {k!r}") for k in GRADS}
