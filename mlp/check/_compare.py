r"""Turn what the worker sent into one verdict per quantity.

The error of a candidate's tensor $c$ against torch's $r$ is norm-wise,
$\lVert c - r \rVert / \lVert r \rVert$ (Frobenius), so one entry near zero cannot blow it up.

Tolerances, by the dtype the candidate's tensor came back in:

- float64: `1e-10`. A right implementation differs from autograd by rounding only: at most
  3.2e-15 (measured: tests/candidates/right.py, seeds 0 to 5). The smallest mistake this checker
  knows, a factor such as 1/N or a derivative at the wrong point, is off by more than 1e-2.
- float32: `1e-4`, about 840 units of float32's roundoff (1.2e-7): a right implementation that
  runs in float32 differs by up to about 1e-6 (tests/candidates/float32_only.py, seeds 0 to
  2), from the rounding of the inputs and of every product; a factor 1/N or worse is 1000 times
  above it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

RTOL = {"float64": 1e-10, "float32": 1e-4}
# What torch's .grad holds after each pass, as a multiple of one gradient: pass 1 after a clear,
# pass 2 a second backward without clearing (autograd accumulates), pass 3 after a clear.
PASS_MULTIPLE = {1: 1.0, 2: 2.0, 3: 1.0}
STATUS_RANK = {"ok": 0, "mismatch": 1, "missing": 2, "error": 3}


@dataclass(frozen=True)
class Got:
    """What the candidate gave for one quantity in one pass: a tensor, or why there is none."""

    kind: str  # "value", "missing" or "error"
    tensor: Tensor | None = None  # float64 copy of the values, in the candidate's shape
    dtype: str | None = None  # the dtype it came back in
    message: str | None = None

    @classmethod
    def decode(cls, record: dict) -> Got:
        if record["kind"] != "value":
            return cls(record["kind"], message=record["message"])
        data = torch.tensor(record["data"], dtype=torch.float64).reshape(record["shape"])
        return cls("value", data, record["dtype"])

    @property
    def rtol(self) -> float:
        return RTOL.get(self.dtype, RTOL["float32"])


@dataclass(frozen=True)
class Check:
    """One quantity's verdict: "ok", "mismatch", "error" or "missing", and its relative error
    (None when there is no number to give: no tensor, a wrong shape, NaN or inf)."""

    status: str
    rel_err: float | None


def rel_err(actual: Tensor, expected: Tensor) -> float | None:
    r"""$\lVert a - e \rVert / \lVert e \rVert$; None for a wrong shape or a non-finite result.

    A scalar may come back as any one-element tensor; every other shape must match exactly.
    """
    if actual.numel() == 1 and expected.numel() == 1:
        actual = actual.reshape(expected.shape)
    if actual.shape != expected.shape or not bool(actual.isfinite().all()):
        return None
    scale = expected.norm().item()
    err = (actual - expected).norm().item()
    return err / scale if scale > 0 else err


def check_pass(got: Got, expected: Tensor) -> Check:
    if got.kind != "value":
        return Check(got.kind, None)
    err = rel_err(got.tensor, expected)
    return Check("ok" if err is not None and err <= got.rtol else "mismatch", err)


def check_quantity(gots: list[Got], expected: Tensor) -> Check:
    """The worst pass decides; the error reported is the largest over the passes."""
    checks = [check_pass(g, expected * PASS_MULTIPLE[p]) for p, g in enumerate(gots, 1)]
    worst = max(checks, key=lambda c: STATUS_RANK[c.status])
    errs = [c.rel_err for c in checks]
    if worst.status in ("error", "missing") or None in errs:
        return Check(worst.status, None)
    return Check(worst.status, max(errs))
