"""One case's outcome: a run per dtype, the verdict per quantity, the evidence diagnoses read."""

from __future__ import annotations

from dataclasses import dataclass, field

from torch import Tensor

from mlp import COURSE_ACTIVATIONS

from ._cases import Case
from ._compare import Check, Got, judge, rel_err
from ._outcome import UnitOutcome
from ._reference import GRADS, QUANTITIES


@dataclass(frozen=True)
class Finding:
    """What a diagnosis says, about some quantities (the same words in every case it fits, so
    the report lists it once). `kind` is "failure" (it explains a wrong result, or a rule the
    file breaks) or "note" (beyond what the course's tests check; `--strict` fails on it)."""

    quantities: tuple[str, ...]
    text: str
    kind: str = "failure"


@dataclass
class RunResult:
    """A case run in one dtype: per quantity what came back in each pass, and the verdict.

    Attributes:
        dtype: "float32" (the course's, the verdict's) or "float64".
        got: per quantity, one `Got` per pass (y_hat, J and dJdy_hat have one; the gradients up
            to three: after one backward, after a second without clearing, after a clear).
        checks: pass 1 of each quantity against torch's.
        raised: every exception, with the candidate's file and line.
        failure: why the run stopped early, or None.
        clear: why `clear_grad_and_cache` failed, or None.
        expected, inputs: torch's values and the inputs as the candidate got them, float64.
    """

    dtype: str
    got: dict[str, list[Got]]
    checks: dict[str, Check]
    raised: list[str]
    failure: str | None
    clear: Got | None
    expected: dict[str, Tensor]
    inputs: dict[str, Tensor]

    def first(self, quantity: str) -> Got | None:
        """The candidate's tensor for `quantity` in pass 1, or None if there is none."""
        gots = self.got.get(quantity, [])
        return gots[0] if gots and gots[0].kind == "value" else None

    def wrong(self, quantities=QUANTITIES) -> list[str]:
        """Those of `quantities` whose pass-1 tensor has the right shape, wrong finite values."""
        return [q for q in quantities if self.checks[q].status == "mismatch"
                and rel_err(self.first(q).tensor, self.expected[q]) is not None]

    @property
    def ok(self) -> bool:
        return self.clear is None and all(c.status == "ok" for c in self.checks.values())


@dataclass
class CaseResult:
    """One case: the float32 run is the verdict, the float64 run feeds notes.

    `autograd` lists each trapped call as (step, entry point, the candidate's line);
    `activations` are those graded in this run (`--activations`), which a diagnosis may try."""

    case: Case
    run: RunResult
    float64: RunResult
    autograd: list[tuple[str, str, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    activations: tuple[str, ...] = COURSE_ACTIVATIONS

    @property
    def checks(self) -> dict[str, Check]:
        return self.run.checks

    def ok(self, strict: bool = False) -> bool:
        kinds = {"failure", "note"} if strict else {"failure"}
        return self.run.ok and not any(f.kind in kinds for f in self.findings)


def are(quantities) -> str:
    """ "dJdW1 is" or "dJdW1, dJdb1 are": the subject of a finding."""
    return ", ".join(quantities) + (" is" if len(quantities) == 1 else " are")


def assemble(dtype: str, outcome: UnitOutcome, expected: dict[str, Tensor],
             inputs: dict[str, Tensor]) -> RunResult:
    """A `RunResult` from one unit's outcome; a quantity the run never reached is "not run"."""
    values = outcome.values
    unreached = {"kind": "skipped", "message": outcome.failure or "not run"}
    if "failed" in values:
        unreached = values["failed"]
    got = {q: [Got.decode(values.get(q, unreached))] for q in ("y_hat", "J", "dJdy_hat")}
    for q in GRADS:
        got[q] = [Got.decode((values.get(f"grads{p}") or {}).get(q, unreached))
                  for p in (1, 2, 3) if p == 1 or f"grads{p}" in values]
    checks = {q: judge(got[q][0], expected[q], dtype) for q in QUANTITIES}
    clear = Got.decode(values["clear"]) if values.get("clear") else None
    failure = outcome.failure or (Got.decode(values["failed"]).message
                                  if "failed" in values else None)
    return RunResult(dtype, got, checks, list(outcome.raised), failure, clear, expected, inputs)
