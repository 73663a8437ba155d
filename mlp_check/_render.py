"""The report for a person: the course's tests, a table of every case, the diagnoses, the notes,
what the two verdicts' disagreement means, and the verdict with its exit status."""

from __future__ import annotations

import shutil
import textwrap
from typing import TYPE_CHECKING

import torch

from mlp import COURSE_ACTIVATIONS

from ._cases import COURSE_NORM_LIMIT, SIZES, activations_of
from ._groups import cases_text, groups
from ._reference import QUANTITIES
from .tolerance import tolerance_for

if TYPE_CHECKING:
    from ._report import Report
    from ._result import CaseResult, RunResult

WIDTH = 100
MARKS = {"ok": "✓", "mismatch": "✗", "error": "E", "missing": "-", "not run": "·"}
LEGEND = ("✓ agrees with autograd   ✗ differs   E raised   - missing   · not run\n"
          "float64: the case run again in float64: ✓ agrees, ~ float32 inside or returned, "
          "✗ differs, E fails")
HEADINGS = {"failure": "Diagnoses:", "note": "Notes (beyond the course's tests; --strict fails "
            "on them):", "info": "Also:"}


def wrap(text: str, indent: str) -> str:
    """`text` filled to the terminal's width (COLUMNS if set), at most `WIDTH`."""
    width = min(WIDTH, shutil.get_terminal_size((WIDTH, 24)).columns)
    return textwrap.fill(text, width, subsequent_indent=indent, break_long_words=False,
                         break_on_hyphens=False)


def tolerance_rule() -> str:
    return (f"tolerance: relative error <= eps ** 1/2 of the dtype a result was computed in "
            f"(float32 {tolerance_for(torch.float32):.2g}, float64 "
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
    wrong = sum(not r.ok(report.strict) for r in report.cases)
    passed = sum(bool(c.passed) for c in report.course)
    alone = (f"every function agrees with autograd in all {len(report.cases)} cases" if not wrong
             else f"{wrong} of {len(report.cases)} cases fail")
    return (f"Verdict: {'PASS' if report.ok else 'FAIL'} (exit {report.exit_status}): the course's "
            f"tests {passed} of {len(report.course)} pass; run alone, {alone}"
            + (" (--strict)" if report.strict else "") + ".")


def to_text(report: Report) -> str:
    """The whole report for one file, as the terminal shows it."""
    if report.unusable is not None:
        return f"{report.path}: cannot be graded: {report.unusable}\n"
    s, graded = SIZES, [r.case for r in report.cases]
    lines = [wrap(f"{report.path.name}: graded as the course grades it, then function by "
                  f"function (seed {report.seed}; {tolerance_rule()})", ""), "",
             *_course(report), "",
             wrap(f"Each function alone, in float32 as the course runs it (its loss gets torch's "
                  f"y_hat, its backward torch's dJdy_hat; batch N = {s.batch}, {s.n_in} -> "
                  f"{s.hidden} -> {s.n_out}, K = {s.n_out}):", ""), *_asked(graded),
             *_table(report.cases),
             *(wrap(line, "  ") for line in LEGEND.splitlines()), ""]
    heading = None
    for g in groups(report):
        if g.kind != heading:
            heading = g.kind
            lines.append(HEADINGS[g.kind])
        lines.append(wrap(f"  * {g.text}", "    "))
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
