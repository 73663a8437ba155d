"""The course's three tests, as the course runs them, and what to say when they and the
per-function verdict disagree.

The worker runs each test's script on the candidate (seeded, its own weights, end to end); here
the course's twin takes the candidate's parameters (`twin.linear1.weight.data = W1`), autograd
differentiates torch's loss, and each gradient passes when `(twin_grad - grad).norm() < 1e-3`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor

from mlp.twin import torch_loss, twin_grads

from ._cases import COURSE_NORM_LIMIT, CourseTest
from ._compare import Got
from ._outcome import UnitOutcome
from ._reference import GRADS, PARAMETER, twin


@dataclass
class CourseResult:
    """One course test: passed or not (None: not run), each gradient's norm of difference, why
    it could not finish, and what the candidate returned on the way."""

    test: CourseTest
    passed: bool | None
    norms: dict[str, float | None] = field(default_factory=dict)
    error: str | None = None
    got: dict[str, Got] = field(default_factory=dict)


def _tensor(got: Got) -> Tensor:
    return got.tensor.to(getattr(torch, got.dtype or "float64"))


def course_result(test: CourseTest, outcome: UnitOutcome) -> CourseResult:
    values = outcome.values
    if "failed" in values or outcome.failure or "grads1" not in values:
        why = Got.decode(values["failed"]).message if "failed" in values else outcome.failure
        skipped = why is not None and why.startswith("not run")
        return CourseResult(test, None if skipped else False, error=why or "it did not finish")
    got = {k: Got.decode(values[k]) for k in ("x", "y", "y_hat", "J", "dJdy_hat")}
    got |= {k: Got.decode(v) for k, v in values["grads1"].items() if k in GRADS}
    params = {k: Got.decode(v) for k, v in values["parameters"].items() if k in PARAMETER.values()}
    missing = [k for k, g in {**params, **got}.items() if g.kind != "value" and k != "J"]
    if missing:
        first = ({**params, **got})[missing[0]]
        return CourseResult(test, False, error=first.message, got=got)
    try:
        net = twin(test.case, {k: _tensor(g) for k, g in params.items()})
        J = torch_loss(test.case.loss)(net(_tensor(got["x"])), _tensor(got["y"]))
        net.zero_grad()
        J.backward()
    except (RuntimeError, ValueError, TypeError) as exc:
        shapes = ", ".join(f"{k} {tuple(g.tensor.shape)}" for k, g in params.items())
        return CourseResult(test, False, error=f"the course's twin cannot take MLP.parameters "
                                               f"({shapes}): {exc}", got=got)
    norms = {}
    for k, grad in twin_grads(net).items():
        try:  # the course's own comparison, broadcasting and all
            norms[k] = float((grad - _tensor(got[k])).norm())
        except RuntimeError as exc:
            return CourseResult(test, False, norms, f"the course's (twin grad - net.grads[{k!r}])"
                                                    f".norm() raises: {exc}", got)
    return CourseResult(test, all(n < COURSE_NORM_LIMIT for n in norms.values()), norms, None, got)
