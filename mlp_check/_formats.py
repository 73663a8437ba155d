"""The report for a program: JSON (everything the text shows), CSV (a row per file), JUnit XML
(a test case per course test and per case) and Gradescope's results.json (`_gradescope`)."""

from __future__ import annotations

import csv
import io
import math
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

import torch

from ._compare import rel_err
from ._groups import groups
from ._reference import GRADS
from ._render import float64_mark, tolerance_rule, verdict
from .tolerance import tolerance_for

if TYPE_CHECKING:
    from ._report import Report
    from ._result import RunResult

PASSES = ("clear_grad_and_cache, forward, backward: against torch's",
          "a second forward and backward without clearing: against twice torch's",
          "clear_grad_and_cache, forward, backward again: against torch's")


def _number(x):
    return x if x is None or math.isfinite(x) else None


def _checks(run: RunResult) -> dict:
    out = {}
    for q, c in run.checks.items():
        out[q] = {"status": c.status, "rel_err": _number(c.rel_err), "tolerance": c.tolerance,
                  "returned": c.returned}
        if q in GRADS and run.dtype == "float32":
            out[q]["passes"] = [{"after": PASSES[p], "rel_err": _number(
                _pass_err(g, run.expected[q] * (2 if p == 1 else 1)))}
                for p, g in enumerate(run.got[q])]
    return out


def _pass_err(got, expected):
    return rel_err(got.tensor, expected) if got.kind == "value" else None


def to_json(report: Report) -> dict:
    """Everything the text shows; `{"ok": false, "error": ..., "cases": []}` when unusable."""
    base = {"path": str(report.path), "exit_status": report.exit_status,
            "seconds": round(report.seconds, 3)}
    if report.unusable is not None:
        return {"ok": False, "error": report.unusable, "cases": [], **base}
    return {"ok": report.ok, **base, "error": None, "strict": report.strict, "seed": report.seed,
            "verdict": verdict(report),
            "tolerance": {"rule": tolerance_rule(), "float32": tolerance_for(torch.float32),
                          "float64": tolerance_for(torch.float64)},
            "course_tests": {"ok": report.course_ok, "tests": [
                {"name": c.test.name, "f": c.test.case.f, "g": c.test.case.g,
                 "loss": c.test.case.loss, "passed": c.passed, "error": c.error,
                 "norms": {k: _number(v) for k, v in c.norms.items()}} for c in report.course]},
            "functions_ok": report.functions_ok,
            "diagnoses": [{"kind": g.kind, "text": g.text, "quantities": list(g.quantities),
                           "cases": g.cases, "undecided": [{"case": c, "why": w}
                                                           for c, w in g.undecided]}
                          for g in groups(report)],
            "disagreements": report.disagreements,
            "cases": [{"f": r.case.f, "g": r.case.g, "loss": r.case.loss,
                       "ok": r.ok(report.strict), "dtype": r.run.dtype,
                       "error": (r.run.raised or [r.run.failure])[0],
                       "checks": _checks(r.run),
                       "float64": {"ok": r.float64.ok, "mark": float64_mark(r.float64),
                                   "error": (r.float64.raised or [r.float64.failure])[0],
                                   "checks": _checks(r.float64)},
                       "findings": [{"kind": f.kind, "quantities": list(f.quantities),
                                     "text": f.text} for f in r.findings]}
                      for r in report.cases]}


CSV_FIELDS = ("path", "exit_status", "verdict", "course_tests", "cases_ok", "wrong", "diagnoses",
              "notes", "error", "seconds")


def to_csv(reports: list[Report]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for rep in reports:
        gs = groups(rep) if rep.unusable is None else []
        wrong = sorted({q for r in rep.cases for q, c in r.checks.items() if c.status != "ok"})
        writer.writerow({
            "path": rep.path, "exit_status": rep.exit_status,
            "verdict": "unusable" if rep.unusable else "pass" if rep.ok else "fail",
            "course_tests": f"{sum(bool(c.passed) for c in rep.course)}/{len(rep.course)}",
            "cases_ok": f"{sum(r.ok(rep.strict) for r in rep.cases)}/{len(rep.cases)}",
            "wrong": " ".join(wrong),
            "diagnoses": " | ".join(g.text for g in gs if g.kind == "failure"),
            "notes": " | ".join(g.text for g in gs if g.kind == "note"),
            "error": rep.unusable or "", "seconds": f"{rep.seconds:.2f}"})
    return out.getvalue()


def _case(suite, classname, name, failure=None, error=None, text=""):
    case = ET.SubElement(suite, "testcase", classname=classname, name=name)
    if failure or error:
        tag = "failure" if failure else "error"
        ET.SubElement(case, tag, message=(failure or error)[:500]).text = text or failure or error


def to_junit(reports: list[Report]) -> str:
    root = ET.Element("testsuites", name="mlp-check")
    for rep in reports:
        suite = ET.SubElement(root, "testsuite", name=str(rep.path), time=f"{rep.seconds:.3f}")
        cls = rep.path.stem
        if rep.unusable is not None:
            _case(suite, cls, "grade the file", error=rep.unusable)
        for c in rep.course:
            _case(suite, f"{cls}.course", f"{c.test.name} {c.test.case.label}",
                  None if c.passed else c.error or "; ".join(f"{q}: {n:.3g}" for q, n in
                                                             c.norms.items()))
        for r in rep.cases:
            bad = [f.text for f in r.findings if f.kind == "failure" or rep.strict and
                   f.kind == "note"]
            _case(suite, f"{cls}.functions", r.case.label, None if r.ok(rep.strict) else
                  (bad or ["differs from autograd"])[0], text="\n".join(bad))
        cases = suite.findall("testcase")
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum(c.find("failure") is not None for c in cases)))
        suite.set("errors", str(sum(c.find("error") is not None for c in cases)))
    return ET.tostring(root, encoding="unicode") + "\n"
