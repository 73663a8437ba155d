"""Notes: what the course's tests cannot see, measured the same way. None fails the default
verdict; `--strict` fails on every one.

- Accumulation: torch's `.grad` adds up over backward passes; the course's tests run one.
- float64: the course runs in float32 only; torch's layers run in either.
- What comes back: J as a Python float or a numpy scalar, or a dtype other than the run's.
"""

from __future__ import annotations

import torch

from ._compare import Got, computed_dtype, returned
from ._ratios import constant_factor
from ._reference import GRADS, QUANTITIES
from ._result import CaseResult, Finding, are
from .tolerance import tolerance_for

ASSIGNS = ("torch adds into .grad; yours overwrites it: fine for this homework, wrong inside a "
           "training loop that skips zeroing")


def _times(gots: list[Got], p: int, tol: float) -> float | None:
    """Pass p of a gradient as a multiple of pass 1 (the candidate against itself)."""
    if len(gots) < p or any(g.kind != "value" for g in (gots[0], gots[p - 1])):
        return None
    first, later = gots[0].tensor, gots[p - 1].tensor
    if first.shape != later.shape or not bool(first.isfinite().all()) or first.norm() == 0:
        return None
    return constant_factor(later, first, tol)


def accumulation(r: CaseResult) -> list[Finding]:
    groups: dict[str, list[str]] = {}
    for q in GRADS:
        gots, tol = r.run.got[q], tolerance_for(computed_dtype("float32", r.run.got[q][0])) \
            if r.run.got[q][0].kind == "value" else 0.0
        twice, third = _times(gots, 2, tol), _times(gots, 3, tol)
        if twice is not None and abs(twice - 1) <= 10 * tol:
            groups.setdefault(f"assigned: {ASSIGNS}", []).append(q)
        elif twice is not None and abs(twice - 2) > 10 * tol:
            groups.setdefault(f"{twice:.4g} times the first after a second forward and backward "
                              f"without clearing, where torch's .grad holds twice: backward "
                              f"changes something it reads (an in-place op on the cache?)",
                              []).append(q)
        elif third is not None and abs(third - 1) > 10 * tol:
            groups.setdefault(f"{third:.4g} times one gradient after clear_grad_and_cache and "
                              f"one more backward: clear_grad_and_cache must zero every "
                              f"gradient (grad.zero_())", []).append(q)
    return [Finding(tuple(qs), f"{are(qs)} {text}", "note") for text, qs in groups.items()]


def _come(qs) -> str:
    return ", ".join(qs) + (" comes" if len(qs) == 1 else " come")


def float64(r: CaseResult) -> list[Finding]:
    """The same case in float64: raises, comes back in a lower precision, or rounds inside."""
    run = r.float64
    if not r.run.ok:
        return []  # the verdict's own failure says more
    if not any(g.kind == "value" for gots in run.got.values() for g in gots):
        why = run.raised[0] if run.raised else run.failure or "nothing came back"
        return [Finding((), f"in a float64 run, {why}; the course's tests run in float32 only, "
                            f"torch's layers in either", "note")]
    out, by_message = [], {}
    for q in QUANTITIES:
        if run.got[q][0].kind != "value":
            by_message.setdefault(run.got[q][0].message, []).append(q)
    out += [Finding(tuple(qs), f"in a float64 run, {m}", "note") for m, qs in by_message.items()]
    low = [q for q in QUANTITIES if (g := run.first(q)) is not None
           and computed_dtype("float64", g) != torch.float64]
    if low:
        kinds = sorted({returned(run.first(q)) for q in low})
        where = ("a torch.zeros without dtype= in __init__, kept by += or zero_()?"
                 if set(low) <= set(GRADS) else "a torch.zeros, torch.empty or torch.tensor "
                 "without dtype= on the way?")
        out.append(Finding(tuple(low), f"in a float64 run, {_come(low)} back as "
                           f"{' or '.join(kinds)} ({where}), so judged at that dtype's "
                           f"tolerance", "note"))
    f32 = tolerance_for(torch.float32)
    rounded = [q for q in QUANTITIES if run.checks[q].status == "mismatch"
               and run.checks[q].rel_err is not None and run.checks[q].rel_err <= f32]
    if rounded:
        out.append(Finding(tuple(rounded), f"in a float64 run, {are(rounded)} right only to "
                           f"float32 precision: a float32 tensor inside the computation "
                           f"(torch.zeros, torch.empty or torch.tensor without dtype=) rounds the "
                           f"float64 values", "note"))
    other = [q for q in QUANTITIES if run.checks[q].status == "mismatch" and q not in rounded]
    if other:
        out.append(Finding(tuple(other), f"in a float64 run, {are(other)} wrong where float32 "
                           f"agrees", "note"))
    return out


def what_comes_back(r: CaseResult) -> list[Finding]:
    out = []
    J = r.run.first("J")
    if J is not None and J.type != "tensor":
        out.append(Finding(("J",), f"J comes back as a {J.type}; torch's losses return a 0-dim "
                                   f"tensor (J.item() gives the number)", "note"))
    elif J is not None and J.tensor.dim() != 0:
        out.append(Finding(("J",), f"J has shape {tuple(J.tensor.shape)}; torch's losses return "
                                   f"a 0-dim tensor", "note"))
    other = [q for q in QUANTITIES if (g := r.run.first(q)) is not None and g.dtype
             and g.dtype != "float32"]
    if other:
        kinds = sorted({returned(r.run.first(q)) for q in other})
        out.append(Finding(tuple(other), f"in a float32 run, {', '.join(other)} come back as "
                           f"{' or '.join(kinds)}", "note"))
    return out


NOTES = (accumulation, float64, what_comes_back)
