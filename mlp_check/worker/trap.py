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
import torch.autograd.forward_ad
import torch.autograd.functional
import torch.autograd.graph
import torch.autograd.variable

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
    # The doors behind those: forward-mode AD, and the engine every backward pass runs on.
    for name in ("make_dual", "unpack_dual"):
        out[f"torch.autograd.forward_ad.{name}"] = (torch.autograd.forward_ad, name)
    if hasattr(torch.autograd.graph, "_engine_run_backward"):
        out["torch.autograd.graph._engine_run_backward"] = (torch.autograd.graph,
                                                            "_engine_run_backward")
    return out


class Engine:
    """Autograd's engine (`Variable._execution_engine`, a C object whose methods cannot be
    replaced), behind a stand-in whose `run_backward` is trapped."""

    def __init__(self, engine, run_backward):
        self._engine, self.run_backward = engine, run_backward

    def __getattr__(self, name):
        return getattr(self._engine, name)


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
        # No __wrapped__: inspect and functools would hand the untrapped original to whoever asks.
        trapped.__name__ = getattr(original, "__name__", name)
        trapped.__doc__ = getattr(original, "__doc__", None)
        return trapped

    for name, (owner, attr) in entry_points().items():
        setattr(owner, attr, wrap(name, getattr(owner, attr)))
    variable = torch.autograd.variable.Variable
    engine = variable._execution_engine
    variable._execution_engine = Engine(engine, wrap("Variable._execution_engine.run_backward",
                                                     engine.run_backward))
    # A fresh engine of the same C type would be untrapped: hand out stand-ins only.
    engine_type = type(engine)

    def fresh_engine(*args, **kwargs):
        new = engine_type(*args, **kwargs)
        return Engine(new, wrap("a new autograd engine's run_backward", new.run_backward))

    for name in ("_ImperativeEngine", "_EngineBase"):
        if hasattr(torch._C, name):
            setattr(torch._C, name, fresh_engine)
