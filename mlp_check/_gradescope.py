"""Gradescope's results.json: a point per course test, per function of the homework, and for
computing the gradients without autograd; the whole text report as its output."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._reference import FUNCTION
from ._render import to_text

if TYPE_CHECKING:
    from ._report import Report


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
                "tests": [unusable]}
    tests = [{"name": f"the course's {c.test.name} ({c.test.case.label})",
              "score": int(bool(c.passed)), "max_score": 1,
              "status": "passed" if c.passed else "failed", "output": c.error or ""}
             for c in report.course]
    for name, why in functions(report).items():
        tests.append({"name": name, "score": int(not why), "max_score": 1,
                      "status": "failed" if why else "passed", "output": "\n".join(why)})
    uses = sorted({f.text for r in report.cases for f in r.findings if "autograd is not" in
                   f.text} | {f.text for f in report.findings if "autograd is not" in f.text})
    tests.append({"name": "no autograd", "score": int(not uses), "max_score": 1,
                  "status": "failed" if uses else "passed", "output": "\n".join(uses)})
    return {"score": sum(t["score"] for t in tests), "execution_time": round(report.seconds),
            "output": to_text(report), "tests": tests}
