"""Helpers for the grader's tests: corpus files loaded here, and the worker's own units run on
them in this process, so a report can be built in milliseconds where a worker process is not
what is under test (tests/test_check_corpus.py runs the real processes)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import mlp_check
from mlp_check._check import Report, grade
from mlp_check._outcome import Outcome, UnitOutcome
from mlp_check._plan import make_plan

CORPUS = Path(__file__).parent / "corpus"
WORKER_SIDE = str(Path(mlp_check.__file__).parent)


def worker_modules():
    """The worker-side modules (`_steps`, `_units`), which import each other by plain name."""
    if WORKER_SIDE not in sys.path:
        sys.path.append(WORKER_SIDE)
    import _steps
    import _units
    return _steps, _units


def load(name: str) -> ModuleType:
    """tests/corpus/<name>.py as a module of its own (only files that do no harm here)."""
    spec = importlib.util.spec_from_file_location(f"corpus_{name}", CORPUS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_here(module, seed: int = 0) -> Outcome:
    """Every unit of the plan run on `module` in this process, by the worker's own code."""
    _steps, _units = worker_modules()
    plan = make_plan(seed)
    out = Outcome([UnitOutcome() for _ in plan.units])

    def emit(event, unit=None, **message):
        target = out.units[unit]
        if event == "values":
            target.values.update(message["values"])
        elif event == "raised":
            target.raised.append(message["message"])

    folder = str(Path(getattr(module, "__file__", CORPUS / "x.py")).parent)
    for index, spec in enumerate(plan.units):
        _units.RUNNERS[spec["kind"]](_steps.Unit(emit, index, folder, {}), module, spec)
    return out


def report_here(module, *, strict: bool = False, seed: int = 0) -> Report:
    """The report the grader gives `module`, its units run in this process."""
    name = Path(getattr(module, "__file__", "module.py"))
    return grade(make_plan(seed), name, run_here(module, seed), strict)
