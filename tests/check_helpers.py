"""Helpers for the grader's tests: corpus files loaded here, and the worker's own units run on
them in this process, so a report can be built in milliseconds where a worker process is not
what is under test (tests/test_check_corpus.py runs the real processes)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from mlp_check.plan import make_plan
from mlp_check.run import Outcome, UnitOutcome, grade
from mlp_check.verdict import Report
from mlp_check.worker import serve

CORPUS = Path(__file__).parent / "corpus"


def load(name: str) -> ModuleType:
    """tests/corpus/<name>.py as a module of its own (only files that do no harm here)."""
    spec = importlib.util.spec_from_file_location(f"corpus_{name}", CORPUS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_here(module, seed: int = 0, course_seeds: int = 2) -> Outcome:
    """Every unit of the plan run on `module` in this process, by the worker's own code; the
    course's tests at `course_seeds` seeds (the grader's 100 where a test is about them)."""
    plan = make_plan(seed, course_seeds=course_seeds)
    out = Outcome([UnitOutcome() for _ in plan.units])

    def emit(event, unit=None, **message):
        target = out.units[unit]
        if event == "values":
            target.values.update(message["values"])
        elif event == "raised":
            target.raised.append(message["message"])

    folder = str(Path(getattr(module, "__file__", CORPUS / "x.py")).parent)
    for index, spec in enumerate(plan.units):
        serve.RUNNERS[spec["kind"]](serve.Unit(emit, index, folder, {}), module, spec)
    return out


def report_here(module, *, strict: bool = False, seed: int = 0, course_seeds: int = 2) -> Report:
    """The report the grader gives `module`, its units run in this process."""
    name = Path(getattr(module, "__file__", "module.py"))
    return grade(make_plan(seed, course_seeds=course_seeds), name,
                 run_here(module, seed, course_seeds), strict)
