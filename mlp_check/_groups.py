"""The findings of a report grouped by what they say, with the cases each holds in and the cases
where it could not be told (a quantity it is about raised or did not run there): the one view
of the evidence that the text, JSON, CSV, JUnit and Gradescope outputs all print."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ._cases import CASES, Case

if TYPE_CHECKING:
    from ._report import Report

BLOCKED = ("error", "missing", "not run")


@dataclass
class Group:
    kind: str
    text: str
    quantities: tuple[str, ...]
    cases: list[str] = field(default_factory=list)
    undecided: list[tuple[str, str]] = field(default_factory=list)  # (case, why)


def groups(report: Report) -> list[Group]:
    """Failures first, then notes, then facts; each in the order first found."""
    found: dict[str, Group] = {}
    for r in report.cases:
        for f in r.findings:
            g = found.setdefault(f.text, Group(f.kind, f.text, f.quantities))
            if r.case.label not in g.cases:
                g.cases.append(r.case.label)
    by_label = {r.case.label: r for r in report.cases}
    for g in found.values():
        if any(by_label[c].run.checks[q].status in BLOCKED for c in g.cases
               for q in g.quantities):
            continue  # it says why there is no value: nothing for it to tell elsewhere
        for r in report.cases:
            run = r.float64 if g.text.startswith("in a float64") else r.run
            blocked = [q for q in g.quantities if run.checks[q].status in BLOCKED]
            if g.quantities and r.case.label not in g.cases and blocked:
                g.undecided.append((r.case.label, run.got[blocked[0]][0].message or ""))
    for f in report.findings:
        found.setdefault(f.text, Group(f.kind, f.text, f.quantities))
    rank = {"failure": 0, "note": 1, "info": 2}
    return sorted(found.values(), key=lambda g: rank[g.kind])


def cases_text(labels: list[str], cases: Sequence[Case] = CASES) -> str:
    """ "all 12 cases", "every case with g = sigmoid (6)", or the labels one by one; `cases`
    are those graded (a report's: `[r.case for r in report.cases]`)."""
    if len(labels) == len(cases):
        return f"all {len(cases)} cases"
    for attr, value in sorted({(a, getattr(c, a)) for c in cases for a in ("f", "g", "loss")}):
        if set(labels) == {c.label for c in cases if getattr(c, attr) == value}:
            return f"every case with {attr} = {value} ({len(labels)})"
    return ", ".join(labels)
