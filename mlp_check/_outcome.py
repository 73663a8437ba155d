"""What a run of one file leaves for the report: its limits, and per unit what came back."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class UnitOutcome:
    """What the parent collected from the worker for one unit."""

    values: dict = field(default_factory=dict)
    raised: list[str] = field(default_factory=list)
    failure: str | None = None  # why it stopped early: a timeout, a death, the time budget


@dataclass(frozen=True)
class Limits:
    """Seconds per call, per import of the file, per file; bytes of address space per worker."""

    call: float = 3.0
    load: float = 15.0
    budget: float = 20.0
    memory: int = 4 * 2**30


@dataclass
class Outcome:
    """A file's units, or why it could not be run; what it did that the report should say."""

    units: list[UnitOutcome]
    unusable: str | None = None
    missing_module: str = ""
    memory: str | None = None  # the step that hit the memory cap
    autograd: list[tuple[int, str, str, str]] = field(default_factory=list)
    noise: int = 0  # lines in the grader's channel that were not the grader's
    skipped: dict[str, str] = field(default_factory=dict)
