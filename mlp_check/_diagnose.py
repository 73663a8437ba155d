"""Diagnoses: each one a computation on the evidence, never a guess from a message.

`DIAGNOSES` is the registry of what explains a failure; `NOTES` (in `_notes`) of what goes beyond
the course's tests. `diagnose` runs both, then makes sure no quantity is left wrong without a
reason: whatever no diagnosis named gets the measured pattern of its difference (`_patterns`).
"""

from __future__ import annotations

from mlp import ACTIVATIONS, COURSE_ACTIVATIONS

from ._cases import SIZES
from ._known import known_mistake
from ._mistakes import (
    bias_only,
    derivative_and_factor,
    is_transposed,
    other_activations,
    transposed,
)
from ._notes import NOTES
from ._patterns import describe
from ._ratios import constant_factor, describe_factor
from ._reference import GRADS, QUANTITIES
from ._result import CaseResult, Finding, RunResult, are


def failures(r: CaseResult) -> list[Finding]:
    """Why a quantity has no value: the exception (with the file's own line), the missing piece,
    the hang; and a clear_grad_and_cache that the course's tests would trip on."""
    by_message: dict[str, list[str]] = {}
    for q in QUANTITIES:
        got = r.run.got[q][0]
        if got.kind != "value":
            by_message.setdefault(got.message, []).append(q)
    out = [Finding(tuple(qs), f"{', '.join(qs)}: {m}") for m, qs in by_message.items()]
    if r.run.clear is not None:
        out.append(Finding((), f"{r.run.clear.message}: the course's tests call "
                               f"clear_grad_and_cache() first"))
    return out


def beyond_course(r: CaseResult) -> list[Finding]:
    """A case with an activation beyond the course's (asked for by --activations) where the
    file's MLP(...) or forward raised: the file may not implement it, which the homework does
    not ask of it."""
    extra = [a for a in dict.fromkeys((r.case.f, r.case.g))
             if a in ACTIVATIONS and not ACTIVATIONS[a].course]
    got = r.run.got["y_hat"][0]
    if not extra or got.kind != "error" or not (got.message or "").startswith(
            ("MLP(...) ", "MLP.forward ")):
        return []
    names, one = " and ".join(extra), len(extra) == 1
    return [Finding((), f"{names} {'is' if one else 'are'} not among the course's activations "
                        f"({', '.join(COURSE_ACTIVATIONS)}) and --activations asked for "
                        f"{'it' if one else 'them'}: the file's MLP raised where {names} "
                        f"{'is' if one else 'are'} used, so the file may not implement "
                        f"{'it' if one else 'them'}")]


def autograd_text(step: str, entry: str, where: str) -> str:
    return f"{step} calls {entry} ({where}): autograd is not allowed in this homework, the " \
           f"gradients must be computed by hand"


def autograd(r: CaseResult) -> list[Finding]:
    return [Finding((), autograd_text(*call)) for call in dict.fromkeys(r.autograd)]


def wrong_shape(r: CaseResult) -> list[Finding]:
    out = []
    for q in QUANTITIES:
        got, want = r.run.first(q), r.run.expected[q]
        if got is None or got.tensor.numel() == want.numel() == 1 \
                or got.tensor.shape == want.shape or is_transposed(r, q):
            continue
        shape = tuple(got.tensor.shape)
        text = f"{q} has shape {shape}, torch's {tuple(want.shape)}"
        if shape == (SIZES.batch, *want.shape):
            text += ": one row per sample, where the batch must be summed over"
        out.append(Finding((q,), text))
    return out


def evidence(r: CaseResult, q: str) -> RunResult:
    """The run to read `q` from: for the scalar J, the float64 run when it has a finite J, where
    a ratio such as 2/N is told apart from a coincidence at float64's tolerance, not float32's."""
    got = r.float64.first(q)
    if q == "J" and got is not None and r.float64.checks[q].rel_err is not None:
        return r.float64
    return r.run


def forward_and_loss_factors(r: CaseResult) -> list[Finding]:
    """y_hat, J or dJdy_hat a constant multiple of torch's (named, for J)."""
    groups: dict[str, list[str]] = {}
    for q in r.run.wrong(("y_hat", "J", "dJdy_hat")):
        run = evidence(r, q)
        tol = run.checks[q].tolerance
        alpha = constant_factor(run.first(q).tensor, run.expected[q], tol)
        text = describe_factor(q, r.case.loss, alpha, tol, GRADS) if alpha else None
        if text is not None:
            groups.setdefault(text, []).append(q)
    return [Finding(tuple(qs), f"{are(qs)} {text}") for text, qs in groups.items()]


def known_losses(r: CaseResult) -> list[Finding]:
    out = []
    for q in r.run.wrong(("J", "dJdy_hat")):
        run = evidence(r, q)
        text = known_mistake(r.case.loss, q, run.first(q).tensor, run.inputs["y"],
                             run.expected["y_hat"], run.expected[q], run.checks[q].tolerance)
        if text is not None:
            out.append(Finding((q,), f"{q} is wrong in a known way: {text}"))
    return out


def follows_forward(r: CaseResult) -> list[Finding]:
    """Backward reads forward's cache: where y_hat is wrong, the gradients cannot be told apart
    from forward's mistake, so say so rather than blame backward."""
    if r.checks["y_hat"].status in ("ok", "not run"):
        return []
    wrong = tuple(q for q in GRADS if r.checks[q].status == "mismatch")
    return [Finding(wrong, "where y_hat is wrong, the gradients are too: backward reads "
                           "forward's cache, so it cannot be judged apart from forward there; "
                           "fix forward first")] if wrong else []


DIAGNOSES = (failures, beyond_course, autograd, wrong_shape, transposed, forward_and_loss_factors,
             known_losses, derivative_and_factor, bias_only, other_activations, follows_forward)


def unexplained(r: CaseResult, findings: list[Finding]) -> list[Finding]:
    named = {q for f in findings if f.kind == "failure" for q in f.quantities}
    out = []
    for q in QUANTITIES:
        got = r.run.first(q)
        if q not in named and r.checks[q].status == "mismatch" and got is not None:
            out.append(Finding((q,), describe(q, r.case, got.tensor, r.run.expected[q],
                                              r.run.inputs["y"], r.checks[q].tolerance)))
    return out


def diagnose(r: CaseResult) -> list[Finding]:
    """Every finding of `DIAGNOSES` and `NOTES`, then the pattern of whatever none explained."""
    findings = [f for diagnosis in (*DIAGNOSES, *NOTES) for f in diagnosis(r)]
    return findings + unexplained(r, findings)
