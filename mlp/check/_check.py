"""`check_file`: build the cases, run the candidate, compare, diagnose."""

from __future__ import annotations

import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path

import torch

from ._cases import CASES, SIZES, all_inputs
from ._diagnose import diagnose
from ._reference import autograd_reference
from ._result import CaseResult, assemble
from ._runner import run_candidate

DEFAULT_TIMEOUT = 10.0  # seconds per case, and for importing the file


@dataclass
class Report:
    """The outcome for one file: `unusable` says why it could not be checked, else `cases`."""

    path: Path
    cases: list[CaseResult]
    unusable: str | None = None
    seed: int = 0

    @property
    def ok(self) -> bool:
        return self.unusable is None and all(r.ok for r in self.cases)

    @property
    def exit_status(self) -> int:
        return 2 if self.unusable is not None else 0 if self.ok else 1


def _variants(inputs: dict[str, torch.Tensor]) -> dict[str, dict[str, torch.Tensor]]:
    """The inputs as the candidate gets them in each dtype, as float64 values."""
    return {"float64": inputs, "float32": {k: v.float().double() for k, v in inputs.items()}}


def _payload(inputs: list[dict], expected: list[dict]) -> dict:
    """What the child needs, per case and dtype: the inputs, and torch's y_hat and dJdy_hat
    (the loss gets torch's y_hat and backward torch's dJdy_hat, so each is checked alone)."""
    cases = []
    for case, variants, refs in zip(CASES, inputs, expected, strict=True):
        entry = {"case": [case.f, case.g, case.loss]}
        for dtype, values in variants.items():
            given = {**values, "y_hat": refs[dtype]["y_hat"], "dJdy_hat": refs[dtype]["dJdy_hat"]}
            entry[dtype] = {k: v.to(getattr(torch, dtype)) for k, v in given.items()}
        cases.append(entry)
    return {"sizes": [SIZES.batch, SIZES.n_in, SIZES.hidden, SIZES.n_out], "cases": cases}


def _unreadable(path: Path) -> str | None:
    """Why the file cannot even be compiled (no process is started for that), or None."""
    if not path.is_file():
        return "it is not a file" if path.exists() else "no such file"
    try:
        compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError, OSError) as exc:
        return "".join(traceback.format_exception_only(exc)).strip()
    return None


def check_file(path: str | Path, *, seed: int = 0,
               timeout: float = DEFAULT_TIMEOUT) -> Report:
    """Run every case of `CASES` on the file at `path`; never raises for a bad file.

    Args:
        path: a Python file defining `MLP`, `mse_loss` and `bce_loss`.
        seed: seeds the inputs and weights of every case.
        timeout: seconds each case (and the file's import) may take before it counts as hung.

    Returns:
        A `Report`: one `CaseResult`, with its diagnoses, per case.
    """
    path = Path(path).resolve()
    unusable = _unreadable(path)
    if unusable is not None:
        return Report(path, [], unusable, seed)
    inputs = [_variants(i) for i in all_inputs(seed)]
    expected = [{d: autograd_reference(case, v) for d, v in i.items()}
                for case, i in zip(CASES, inputs, strict=True)]
    with tempfile.TemporaryDirectory(prefix="mlp-check-") as workdir:
        payload_path = Path(workdir) / "payload.pt"
        torch.save(_payload(inputs, expected), payload_path)
        unusable, results = run_candidate(path, payload_path, len(CASES), timeout)
    if unusable is not None:
        return Report(path, [], unusable, seed)
    cases = [assemble(case, result, e, i)
             for case, result, e, i in zip(CASES, results, expected, inputs, strict=True)]
    for r in cases:
        r.findings = diagnose(r)
    return Report(path, cases, None, seed)

