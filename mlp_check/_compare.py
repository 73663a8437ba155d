r"""Turn what the worker sent into one verdict per quantity.

The error of a candidate's tensor $c$ against torch's $r$ is norm-wise,
$\lVert c - r \rVert / \lVert r \rVert$ (Frobenius), so one entry near zero cannot blow it up.
It is judged at `tolerance_for` the dtype the result was computed in: the lower precision of the
run's dtype and the dtype the result came back as. A Python float is as precise as the run; a
numpy scalar or array counts with its own dtype, as a tensor does.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from .tolerance import tolerance_for

# Worst first: the status a quantity gets when its passes disagree.
STATUS_RANK = {"ok": 0, "mismatch": 1, "missing": 2, "error": 3, "not run": 4}
KIND_STATUS = {"missing": "missing", "error": "error", "skipped": "not run"}


@dataclass(frozen=True)
class Got:
    """What the candidate gave for one quantity: a tensor (float64 copy of its values, in its
    shape), or why there is none. `dtype` is what it came back as (None for a Python float),
    `type` its Python type ("tensor", "float", "numpy.ndarray", ...)."""

    kind: str  # "value", "missing", "error" or "skipped"
    tensor: Tensor | None = None
    dtype: str | None = None
    type: str = "tensor"
    message: str | None = None

    @classmethod
    def decode(cls, record) -> Got:
        """From the worker's record; anything malformed is an error, never a crash."""
        try:
            if record["kind"] != "value":
                return cls(str(record["kind"]) if record["kind"] in KIND_STATUS else "error",
                           message=str(record["message"]))
            data = torch.tensor(record["data"], dtype=torch.float64).reshape(record["shape"])
            dtype = record["dtype"]
            if dtype is not None and not isinstance(getattr(torch, str(dtype), None),
                                                    torch.dtype):
                raise ValueError(f"unknown dtype {dtype!r}")
            return cls("value", data, dtype, str(record["type"]))
        except (KeyError, TypeError, ValueError, RuntimeError) as exc:
            return cls("error", message=f"the worker's record could not be read ({exc})")


def computed_dtype(run: str, got: Got) -> torch.dtype:
    """The less precise of the run's dtype and the dtype the result came back as."""
    dtypes = [getattr(torch, run)] + ([getattr(torch, got.dtype)] if got.dtype else [])
    return max(dtypes, key=lambda d: torch.finfo(d).eps)


@dataclass(frozen=True)
class Check:
    """One quantity's verdict: "ok", "mismatch", "error", "missing" or "not run"; its relative
    error (None when there is no number to give: no tensor, a wrong shape, NaN or inf); the
    tolerance it was judged at; and the dtype (or Python type) it came back as."""

    status: str
    rel_err: float | None = None
    tolerance: float | None = None
    returned: str | None = None


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


def close(actual: Tensor, expected: Tensor, tol: float) -> bool:
    """`rel_err` within `tol`; a wrong shape or a non-finite value is never close."""
    err = rel_err(actual, expected)
    return err is not None and err <= tol


def returned(got: Got) -> str:
    return got.dtype if got.type == "tensor" else got.type if got.dtype is None \
        else f"{got.type} {got.dtype}"


def judge(got: Got, expected: Tensor, run: str) -> Check:
    """The verdict on one result of a run in dtype `run` ("float32" or "float64")."""
    if got.kind != "value":
        return Check(KIND_STATUS[got.kind])
    tol = tolerance_for(computed_dtype(run, got))
    err = rel_err(got.tensor, expected)
    return Check("ok" if err is not None and err <= tol else "mismatch", err, tol, returned(got))


def agrees(got: Got, expected: Tensor, run: str) -> bool:
    return judge(got, expected, run).status == "ok"
