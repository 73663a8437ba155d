"""The report, for a person (a table, then the diagnoses) and for a program (JSON)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ._cases import CASES, SIZES
from ._reference import QUANTITIES

if TYPE_CHECKING:
    from ._check import Report

MARKS = {"ok": "✓", "mismatch": "✗", "error": "E", "missing": "-"}
LEGEND = "✓ agrees with autograd   ✗ differs   E raised or did not run   - missing"


def to_json(report: Report) -> dict:
    """The issue's schema: {"ok", "cases": [{"f", "g", "loss", "checks", "error"}]}."""
    def number(x):
        return x if x is None or math.isfinite(x) else None
    return {"ok": report.ok, "cases": [
        {"f": r.case.f, "g": r.case.g, "loss": r.case.loss,
         "checks": {q: {"status": c.status, "rel_err": number(c.rel_err)}
                    for q, c in r.checks.items()},
         "error": r.error} for r in report.cases]}


def _cases_text(labels: list[str]) -> str:
    """"all 12 cases", "every case with g = sigmoid (6)", or the labels one by one."""
    if len(labels) == len(CASES):
        return f"all {len(CASES)} cases"
    for attr, value in {(a, getattr(c, a)) for c in CASES for a in ("f", "g", "loss")}:
        if set(labels) == {c.label for c in CASES if getattr(c, attr) == value}:
            return f"every case with {attr} = {value} ({len(labels)})"
    return ", ".join(labels)


def to_text(report: Report) -> str:
    """A table, one row per case and one mark per quantity, then the diagnoses, then a verdict."""
    if report.unusable is not None:
        return f"mlp.check: cannot use {report.path}: {report.unusable}\n"
    s = SIZES
    lines = [f"{report.path.name} against torch autograd: batch N = {s.batch}, "
             f"{s.n_in} -> {s.hidden} -> {s.n_out} (K = {s.n_out}), seed {report.seed}", ""]
    head = ["f", "g", "loss", *QUANTITIES, "ran in"]
    rows = [[r.case.f, r.case.g, r.case.loss, *(MARKS[r.checks[q].status] for q in QUANTITIES),
             r.dtype or ""] for r in report.cases]
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    for row in [head, *rows]:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    lines += [LEGEND, ""]

    grouped: dict[str, list[str]] = {}
    for r in report.cases:
        for finding in r.findings:
            grouped.setdefault(finding.text, []).append(r.case.label)
    if grouped:
        lines.append("Diagnoses:")
        for text, labels in grouped.items():
            lines += [f"  * {text}", f"      in {_cases_text(list(dict.fromkeys(labels)))}"]
        lines.append("")
    wrong = sum(not r.ok for r in report.cases)
    lines.append(f"All {len(report.cases)} cases agree with autograd." if not wrong else
                 f"{wrong} of {len(report.cases)} cases differ from autograd.")
    return "\n".join(lines) + "\n"
