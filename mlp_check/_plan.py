"""What every file is run on: the units of work, their inputs, and torch's answers to them.

A plan depends only on the seed and the cases graded (`CASES`, or more with `--activations`),
so a batch computes it once and every worker reads the same payload file; each unit names its
case's activations and loss, so a worker needs nothing else. Units, in the order the worker runs
them: the course's three tests, every case in float32 (the course's dtype, with the accumulation
probes), every case in float64, and the BCE at $\\hat y \\in \\{0, 1\\}$.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor

from ._cases import CASES, COURSE_TESTS, Case, all_inputs
from ._reference import autograd_reference

DTYPES = ("float32", "float64")
# Where y_hat is exactly 0 or 1 with y agreeing and disagreeing: torch's clamps keep it finite.
SATURATED = {"y_hat": [[0.0, 1.0, 0.5], [1.0, 0.0, 0.25]], "y": [[0.0, 1.0, 1.0], [0.0, 1.0, 0.0]]}


@dataclass
class Plan:
    seed: int
    units: list[dict]
    inputs: list[dict[str, dict[str, Tensor]]]  # per case, per dtype, as float64 values
    expected: list[dict[str, dict[str, Tensor]]]  # the same, torch's answers
    saturated: dict[str, Tensor]  # the probe's J and dJdy_hat by torch, float32
    payload: Path
    cases: tuple[Case, ...] = CASES  # what `inputs` and `expected` are of, in order

    def index(self, kind: str, *key) -> int:
        return next(i for i, u in enumerate(self.units) if u["kind"] == kind and u["key"] ==
                    list(key))


def _saturated() -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    y_hat = torch.tensor(SATURATED["y_hat"], requires_grad=True)
    y = torch.tensor(SATURATED["y"])
    J = F.binary_cross_entropy(y_hat, y)
    J.backward()
    return {"y": y, "y_hat": y_hat.detach()}, {"J": J.detach(), "dJdy_hat": y_hat.grad}


def make_plan(seed: int, cases: tuple[Case, ...] = CASES) -> Plan:
    """The plan for `seed` and `cases`, its payload saved in a folder removed when the process
    exits; made once per seed and case list."""
    return _make_plan(seed, tuple(cases))


@cache
def _make_plan(seed: int, cases: tuple[Case, ...]) -> Plan:
    inputs, expected, units = [], [], []
    for case, values in zip(cases, all_inputs(seed, cases=cases), strict=True):
        rounded = {k: v.float().double() for k, v in values.items()}
        variants = {"float64": values, "float32": rounded}
        inputs.append(variants)
        expected.append({d: autograd_reference(case, v) for d, v in variants.items()})
    for i, test in enumerate(COURSE_TESTS):
        s = test.sizes
        units.append({"kind": "course", "key": [i], "case": [test.case.f, test.case.g,
                      test.case.loss], "sizes": [s.batch, s.n_in, s.hidden, s.n_out],
                      "targets": test.targets, "seed": seed * 1000 + i})
    for dtype in DTYPES:
        for i, case in enumerate(cases):
            given = {**inputs[i][dtype], "y_hat": expected[i][dtype]["y_hat"],
                     "dJdy_hat": expected[i][dtype]["dJdy_hat"]}
            units.append({"kind": "case", "key": [i, dtype], "case": [case.f, case.g, case.loss],
                          "probes": dtype == "float32",
                          "data": {k: v.to(getattr(torch, dtype)) for k, v in given.items()}})
    data, saturated = _saturated()
    units.append({"kind": "probe", "key": [], "data": data})
    folder = Path(tempfile.mkdtemp(prefix="mlp-check-"))
    atexit.register(shutil.rmtree, folder, True)
    torch.save({"units": units}, folder / "payload.pt")
    return Plan(seed, units, inputs, expected, saturated, folder / "payload.pt", cases)
