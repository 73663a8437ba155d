"""`Report`: one file's outcome, and the verdict and exit status it gives."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ._course import CourseResult
from ._result import CaseResult, Finding


@dataclass
class Report:
    """One file's outcome: `unusable` says why it could not be graded, else the course's tests,
    the cases, file-level findings and what the two verdicts' disagreement means."""

    path: Path
    cases: list[CaseResult]
    course: list[CourseResult]
    unusable: str | None = None
    seed: int = 0
    strict: bool = False
    findings: list[Finding] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def course_ok(self) -> bool:
        return self.unusable is None and all(c.passed for c in self.course)

    @property
    def functions_ok(self) -> bool:
        kinds = {"failure", "note"} if self.strict else {"failure"}
        return self.unusable is None and all(r.ok(self.strict) for r in self.cases) \
            and not any(f.kind in kinds for f in self.findings)

    @property
    def ok(self) -> bool:
        return self.course_ok and self.functions_ok

    @property
    def exit_status(self) -> int:
        return 2 if self.unusable is not None else 0 if self.ok else 1
