"""One case's outcome: the verdict per quantity, and everything a diagnosis needs to explain it."""

from __future__ import annotations

from dataclasses import dataclass, field

from torch import Tensor

from ._cases import Case
from ._compare import Check, Got, check_pass, check_quantity, rel_err
from ._reference import GRADS, QUANTITIES


@dataclass(frozen=True)
class Finding:
    """A diagnosis: the quantities it is about, and what it says (the same words for every case
    it fits, so the report can list it once)."""

    quantities: tuple[str, ...]
    text: str


@dataclass
class CaseResult:
    """One case: `checks` is the verdict; `got`, `expected` and `inputs` are the evidence.

    Attributes:
        case: the configuration.
        checks: one `Check` per name of `QUANTITIES`.
        error: the first exception's message, or why the case could not run; None if none.
        dtype: the dtype the candidate ran in ("float64", or "float32" when float64 raised).
        got: per quantity, what the candidate gave in each pass (three for the gradients).
        expected: torch's value of every quantity, float64.
        inputs: x, y, W1, b1, W2, b2 as the candidate got them, in float64.
        notes: remarks that are not about one quantity (the switch to float32).
        findings: the diagnoses, filled by `diagnose`.
    """

    case: Case
    checks: dict[str, Check]
    error: str | None
    dtype: str | None
    got: dict[str, list[Got]]
    expected: dict[str, Tensor]
    inputs: dict[str, Tensor]
    notes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.status == "ok" for c in self.checks.values())

    def first(self, quantity: str) -> Got | None:
        """The candidate's tensor for `quantity` in the first pass, or None if there is none."""
        gots = self.got.get(quantity, [])
        return gots[0] if gots and gots[0].kind == "value" else None

    def wrong_in_first_pass(self, quantities=QUANTITIES) -> list[str]:
        """Those of `quantities` whose first-pass tensor has the right shape, wrong values."""
        return [q for q in quantities if (got := self.first(q)) is not None
                and check_pass(got, self.expected[q]).status == "mismatch"
                and rel_err(got.tensor, self.expected[q]) is not None]


def are(quantities) -> str:
    """ "dJdW1 is" or "dJdW1, dJdb1 are": the subject of a finding."""
    return ", ".join(quantities) + (" is" if len(quantities) == 1 else " are")


def assemble(case: Case, result: dict, expected: dict[str, dict[str, Tensor]],
             inputs: dict[str, dict[str, Tensor]]) -> CaseResult:
    """A `CaseResult` from the child's message (or a `{"failure": why}` of the runner).

    `expected` and `inputs` hold one dict per dtype the candidate may have run in.
    """
    if "failure" in result or not result["values"]:
        why = result.get("failure") or result["errors"][0]
        checks = {q: Check("error", None) for q in QUANTITIES}
        return CaseResult(case, checks, why, None, {}, expected["float64"], inputs["float64"])
    dtype, values = result["dtype"], result["values"]
    got = {q: [Got.decode(values[q])] for q in ("y_hat", "J", "dJdy_hat")}
    got.update({q: [Got.decode(values[f"grads{p}"][q]) for p in (1, 2, 3)
                    if f"grads{p}" in values] for q in GRADS})
    checks = {q: check_quantity(got[q], expected[dtype][q]) for q in QUANTITIES}
    error = result["errors"][0] if result["errors"] else None
    notes = [f"ran in float32, as float64 failed: {result['float64_errors'][0]}"
             ] if result["float64_errors"] else []
    return CaseResult(case, checks, error, dtype, got, expected[dtype], inputs[dtype], notes)
