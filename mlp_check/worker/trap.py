r"""Autograd's entry points, trapped in the worker: each call the candidate makes is reported.

The homework forbids autograd. `install` wraps every public way into it (`Tensor.backward`,
`torch.autograd.backward` and `grad`, `torch.autograd.functional.*`, `torch.func.*`) before the
candidate is imported, so `from torch.autograd import grad` gets the wrapper too. A wrapped call
is reported with the candidate's own line that made it, then runs as usual: the values still
come back, and the verdict names autograd. Worker side: imports only torch and the stdlib.
"""

import os
import sys
import threading

import torch
import torch.autograd.functional

_inside = threading.local()  # Tensor.backward calls torch.autograd.backward: report it once


def entry_points():
    """Name -> (object, attribute) of every autograd entry point that is trapped."""
    out = {"Tensor.backward": (torch.Tensor, "backward"),
           "torch.autograd.backward": (torch.autograd, "backward"),
           "torch.autograd.grad": (torch.autograd, "grad")}
    for name in ("jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"):
        out[f"torch.autograd.functional.{name}"] = (torch.autograd.functional, name)
    for name in ("grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian"):
        if hasattr(torch.func, name):
            out[f"torch.func.{name}"] = (torch.func, name)
    return out


def candidate_line(folder):
    """ "mlp.py:57: J.backward()" for the innermost frame of a file in `folder`, or None."""
    frame = sys._getframe(1)
    while frame is not None:
        path = os.path.abspath(frame.f_code.co_filename)
        if os.path.dirname(path) == folder:
            return source_line(path, frame.f_lineno)
        frame = frame.f_back
    return None


def source_line(path, lineno):
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            text = file.read().splitlines()[lineno - 1].strip()
    except (OSError, IndexError):
        text = ""
    return f"{os.path.basename(path)}:{lineno}" + (f": {text}" if text else "")


def install(folder, report, hold=lambda: None):
    """Wrap every entry point; `report(name, line)` hears of each call from the candidate, and
    `hold()` just before torch's slow first-call import (the worker restarts the clock there)."""
    def wrap(name, original):
        def trapped(*args, **kwargs):
            depth = getattr(_inside, "depth", 0)
            if depth == 0 and (line := candidate_line(folder)) is not None:
                # torch's first backward imports this (and SymPy, 1-2 s): import it between
                # two restarts of the call's clock, so the file is not charged for it.
                hold()
                import torch.fx.experimental.symbolic_shapes  # noqa: F401
                report(name, line)
            _inside.depth = depth + 1
            try:
                return original(*args, **kwargs)
            finally:
                _inside.depth = depth
        trapped.__wrapped__ = original
        trapped.__name__ = getattr(original, "__name__", name)
        trapped.__doc__ = getattr(original, "__doc__", None)
        return trapped

    for name, (owner, attr) in entry_points().items():
        setattr(owner, attr, wrap(name, getattr(owner, attr)))
