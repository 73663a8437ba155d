r"""The report in every format: text for a person, JSON, CSV, JUnit XML and Gradescope's
results.json.

The report for a person: the course's tests, a table of every case, the diagnoses, the notes,
what the two verdicts' disagreement means, and the verdict with its exit status.

The report for a program: JSON (everything the text shows), CSV (a row per file), JUnit XML
(a test case per course test and per case) and Gradescope's results.json (`_gradescope`).

Gradescope's results.json: a point per course test, per function of the homework, and for
computing the gradients without autograd; the whole text report as its output.
"""

from __future__ import annotations

import csv
import io
import math
import shutil
import textwrap
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

import torch

from mlp import COURSE_ACTIVATIONS

from .diagnose import cases_text, groups, link, site_base
from .plan import (
    COURSE_NORM_LIMIT,
    COURSE_SEEDS,
    FUNCTION,
    GRADS,
    QUANTITIES,
    SIZES,
    activations_of,
)
from .run import protections
from .tolerance import DIGITS_KEPT, tolerance_for
from .verdict import rel_err

if TYPE_CHECKING:
    from .verdict import CaseResult, Report, RunResult


# --- render -----------------------------------------------------------------------------------

WIDTH = 100
MARKS = {"ok": "✓", "mismatch": "✗", "error": "E", "missing": "-", "not run": "·"}
LEGEND = ("✓ agrees with autograd   ✗ differs   E raised   - missing   · not run\n"
          "float64: the case run again in float64: ✓ agrees, ~ float32 inside or returned, "
          "✗ differs, E fails")
HEADINGS = {"failure": "Diagnoses:", "seeds": f"The course's tests over {COURSE_SEEDS} seeds, as "
            "the course runs them unseeded (the exit status is the first seed's; --strict fails "
            "below 100%):", "note": "Notes (beyond the course's tests; --strict fails "
            "on them):", "info": "Also:"}


def wrap(text: str, indent: str) -> str:
    """`text` filled to the terminal's width (COLUMNS if set), at most `WIDTH`."""
    width = min(WIDTH, shutil.get_terminal_size((WIDTH, 24)).columns)
    return textwrap.fill(text, width, subsequent_indent=indent, break_long_words=False,
                         break_on_hyphens=False)


def tolerance_rule() -> str:
    return (f"tolerance: relative error <= eps ** {DIGITS_KEPT:g} of the dtype a result was "
            f"computed in (float32 {tolerance_for(torch.float32):.2g}, float64 "
            f"{tolerance_for(torch.float64):.2g})")


def float64_mark(run: RunResult) -> str:
    statuses = {c.status for c in run.checks.values()}
    if statuses & {"error", "missing", "not run"}:
        return "E"
    if statuses == {"ok"}:
        low = any(c.returned not in ("float64", "float", None) for c in run.checks.values())
        return "~" if low else "✓"
    f32 = tolerance_for(torch.float32)
    return "~" if all(c.rel_err is not None and c.rel_err <= f32 for c in run.checks.values()) \
        else "✗"


def _table(cases: list[CaseResult]) -> list[str]:
    head = ["f", "g", "loss", *QUANTITIES, "float64"]
    rows = [[r.case.f, r.case.g, r.case.loss, *(MARKS[r.checks[q].status] for q in QUANTITIES),
             float64_mark(r.float64)] for r in cases]
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    return ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in [head, *rows]]


def _course(report: Report) -> list[str]:
    lines = [wrap("The course's three tests, end to end (its loss gets your y_hat, its backward "
                  "your dJdy_hat; each gradient passes when the norm of its difference is "
                  f"< {COURSE_NORM_LIMIT:g}):", "")]
    for c in report.course:
        s = c.test.sizes
        verdict = "not run" if c.passed is None else "pass" if c.passed else "FAIL"
        why = ""
        if c.error and not c.passed:
            why = f"  {c.error}"
        elif not c.passed:
            why = "  " + ", ".join(f"‖{q} − torch's‖ = {n:.2g}" for q, n in c.norms.items()
                                   if not n < COURSE_NORM_LIMIT)
        lines.append(wrap(f"  {c.test.name}  {c.test.case.label:20} {s.n_in} -> {s.hidden} -> "
                          f"{s.n_out}, batch {s.batch}   {verdict}{why}", " " * 9))
    return lines


def _asked(cases: list) -> list[str]:
    """One line naming the activations graded, when they are not the course's three."""
    graded = activations_of(cases)
    if not graded or set(graded) == set(COURSE_ACTIVATIONS):
        return []
    return [wrap(f"Activations graded (--activations): {', '.join(graded)}; the course's are "
                 f"{', '.join(COURSE_ACTIVATIONS)}.", "  ")]


def verdict(report: Report) -> str:
    """The closing line: the course's tests, the cases run alone, and what --strict adds."""
    wrong = sum(not r.ok() for r in report.cases)
    passed = sum(bool(c.passed) for c in report.course)
    rates = ", ".join(f"{c.test.name} {100 * c.pass_rate[0] / c.pass_rate[1]:.0f}%"
                      for c in report.course if c.passed is not None)
    alone = (f"every function agrees with autograd in all {len(report.cases)} cases" if not wrong
             else f"{wrong} of {len(report.cases)} cases fail")
    strict = ""
    if report.strict:
        noted = sorted({g.code for g in groups(report) if g.kind == "note"})
        strict = (f"; --strict also fails on the notes above ({', '.join(noted)})" if noted
                  else "; --strict: no notes")
    return (f"Verdict: {'PASS' if report.ok else 'FAIL'} (exit {report.exit_status}): the course's "
            f"tests {passed} of {len(report.course)} pass (over {COURSE_SEEDS} seeds: {rates}); "
            f"run alone, {alone}{strict}.")


def to_text(report: Report) -> str:
    """The whole report for one file, as the terminal shows it."""
    if report.unusable is not None:
        return f"{report.path}: cannot be graded: {report.unusable}\n"
    s, graded = SIZES, [r.case for r in report.cases]
    on, off = protections()
    lines = [wrap(f"{report.path.name}: graded as the course grades it, then function by "
                  f"function (seed {report.seed}; {tolerance_rule()})", ""),
             wrap(f"Sandbox: {', '.join(on)}." + (f" Not sandboxed: {'; '.join(off)}: grade "
                  f"files you do not trust inside a container." if off else ""), "  "), "",
             *_course(report), "",
             wrap(f"Each function alone, in float32 as the course runs it (its loss gets torch's "
                  f"y_hat, its backward torch's dJdy_hat; batch N = {s.batch}, {s.n_in} -> "
                  f"{s.hidden} -> {s.n_out}, K = {s.n_out}):", ""), *_asked(graded),
             *_table(report.cases),
             *(wrap(line, "  ") for line in LEGEND.splitlines()), ""]
    heading, base = None, site_base(report.site_url)
    for g in groups(report):
        if g.kind != heading:
            heading = g.kind
            lines.append(HEADINGS[g.kind])
        lines.append(wrap(f"  * {g.text}", "    "))
        if (url := link(g.code, base)) is not None:
            lines.append(f"      see {url}")
        if g.cases:
            lines.append(wrap(f"      in {cases_text(g.cases, graded)}", "        "))
        if g.undecided:
            lines.append(wrap(f"      could not be told in "
                              f"{cases_text([c for c, _ in g.undecided], graded)}: "
                              f"{g.undecided[0][1]}",
                              "        "))
    if report.disagreements:
        lines += ["", "Where the two verdicts disagree:",
                  *(wrap(f"  * {d}", "    ") for d in report.disagreements)]
    return "\n".join([*lines, "", wrap(verdict(report), "  ")]) + "\n"


# --- formats ----------------------------------------------------------------------------------

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
            # Information only, never the verdict: how the gradient behaves over more passes
            # (an assigned gradient is 0.5 off "twice torch's" after the second, and fine).
            out[q]["information"] = [{"after": PASSES[p], "rel_err": _number(
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
            "sandbox": dict(zip(("in_force", "missing"), protections(), strict=True)),
            "tolerance": {"rule": tolerance_rule(), "float32": tolerance_for(torch.float32),
                          "float64": tolerance_for(torch.float64)},
            "course_tests": {"ok": report.course_ok, "tests": [
                {"name": c.test.name, "f": c.test.case.f, "g": c.test.case.g,
                 "loss": c.test.case.loss, "passed": c.passed, "error": c.error,
                 "seeds_passed": c.pass_rate[0], "seeds_run": c.pass_rate[1],
                 "norms": {k: _number(v) for k, v in c.norms.items()}} for c in report.course]},
            "functions_ok": report.functions_ok,
            "diagnoses": [{"code": g.code, "kind": g.kind, "text": g.text,
                           "url": link(g.code, site_base(report.site_url)),
                           "quantities": list(g.quantities),
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
                       "findings": [{"code": f.code, "kind": f.kind,
                                     "quantities": list(f.quantities),
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


# --- gradescope -------------------------------------------------------------------------------

def functions(report: Report) -> dict[str, list[str]]:
    """Each function of the homework ("MLP.forward", "mse_loss", ...) -> why it fails (empty
    when every case agrees), from the checks and the failures about its quantities."""
    out: dict[str, list[str]] = {}
    for r in report.cases:
        for q, template in FUNCTION.items():
            name, check = template.format(loss=r.case.loss), r.checks[q]
            why = out.setdefault(name, [])
            texts = [f.text for f in r.findings if q in f.quantities and f.kind == "failure"]
            if check.status != "ok" or texts:
                why += [t for t in texts or [f"{q} {check.status} in {r.case.label}"]
                        if t not in why]
    # In the order of the pass: forward, the losses (as the cases list them), backward.
    return dict(sorted(out.items(), key=lambda kv: {"MLP.forward": 0, "MLP.backward": 2}.get(
        kv[0], 1)))


def to_gradescope(report: Report) -> dict:
    """Gradescope's results.json: a point per course test, per function of the homework, and
    for computing the gradients without autograd."""
    if report.unusable is not None:
        unusable = {"name": "the file can be graded", "score": 0, "max_score": 1,
                    "status": "failed", "output": report.unusable}
        return {"score": 0, "execution_time": round(report.seconds), "output": to_text(report),
                "tests": [unusable], "extra_data": {"path": str(report.path)}}
    tests = [{"name": f"the course's {c.test.name} ({c.test.case.label})",
              "score": int(bool(c.passed)), "max_score": 1,
              "status": "passed" if c.passed else "failed", "output": c.error or ""}
             for c in report.course]
    for name, why in functions(report).items():
        tests.append({"name": name, "score": int(not why), "max_score": 1,
                      "status": "failed" if why else "passed", "output": "\n".join(why)})
    uses = sorted({f.text for r in report.cases for f in r.findings if f.code == "autograd"}
                  | {f.text for f in report.findings if f.code == "autograd"})
    tests.append({"name": "no autograd", "score": int(not uses), "max_score": 1,
                  "status": "failed" if uses else "passed", "output": "\n".join(uses)})
    return {"score": sum(t["score"] for t in tests), "execution_time": round(report.seconds),
            "output": to_text(report), "tests": tests,
            "extra_data": {"path": str(report.path)}}  # a batch's results tell their files apart
