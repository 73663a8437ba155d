r"""Diagnoses: each one a computation on the evidence, never a guess from a message.

`DIAGNOSES` is the registry; each entry takes a `CaseResult` and returns the `Finding`s that fit.
The ones here read the evidence plainly (an exception, a shape, NaN, float32 rounding); those
that test a known mistake against the numbers are in `_mistakes` and `_ratios`.
"""

from __future__ import annotations

from ._cases import SIZES
from ._compare import RTOL
from ._mistakes import (
    accumulation,
    bias_only,
    derivative_at_output,
    is_transposed,
    other_activations,
    transposed,
)
from ._ratios import ratio_findings
from ._reference import QUANTITIES
from ._result import CaseResult, Finding, are


def constant_ratio(r: CaseResult) -> list[Finding]:
    return ratio_findings(r, r.wrong_in_first_pass())


def float32_precision(r: CaseResult) -> list[Finding]:
    close = tuple(q for q in QUANTITIES if r.checks[q].status == "mismatch"
                  and (got := r.first(q)) is not None and got.dtype == "float64"
                  and r.checks[q].rel_err is not None
                  and r.checks[q].rel_err <= RTOL["float32"])
    return [Finding(close, f"{are(close)} right only to float32 precision: a float32 "
                    "tensor inside the computation (torch.zeros, torch.ones or torch.tensor "
                    "without dtype=) rounds the float64 values")] if close else []


def wrong_shape(r: CaseResult) -> list[Finding]:
    out = []
    for q in QUANTITIES:
        got, want = r.first(q), r.expected[q]
        if got is None or (got.tensor.numel() == want.numel() == 1) \
                or got.tensor.shape == want.shape or is_transposed(r, q):
            continue
        shape = tuple(got.tensor.shape)
        text = f"{q} has shape {shape}, torch's {tuple(want.shape)}"
        if shape == (SIZES.batch, *want.shape):
            text += ": one row per sample, where the batch must be summed over"
        out.append(Finding((q,), text))
    return out


def non_finite(r: CaseResult) -> list[Finding]:
    bad = tuple(q for q in QUANTITIES if (got := r.first(q)) is not None
                and not bool(got.tensor.isfinite().all()))
    return [Finding(bad, f"{', '.join(bad)}: NaN or inf among the values")] if bad else []


def failures(r: CaseResult) -> list[Finding]:
    """Why a quantity has no value: the exception or the missing piece, word for word."""
    if not r.got:
        return [Finding(QUANTITIES, r.error)]
    by_message: dict[str, list[str]] = {}
    for q in QUANTITIES:
        message = next((g.message for g in r.got[q] if g.kind != "value"), None)
        if message is not None and r.checks[q].status in ("error", "missing"):
            by_message.setdefault(message, []).append(q)
    return [Finding(tuple(qs), f"{', '.join(qs)}: {m}") for m, qs in by_message.items()] + [
        Finding((), note) for note in r.notes]


DIAGNOSES = (failures, wrong_shape, transposed, non_finite, constant_ratio, bias_only,
             derivative_at_output, accumulation, float32_precision, other_activations)


def diagnose(r: CaseResult) -> list[Finding]:
    """Every finding of every diagnosis in `DIAGNOSES` for this case, in that order."""
    return [finding for diagnosis in DIAGNOSES for finding in diagnosis(r)]
