r"""What came back, judged: one verdict per quantity, per case, per course test, per file.

Turn what the worker sent into one verdict per quantity.

The error of a candidate's tensor $c$ against torch's $r$ is norm-wise,
$\lVert c - r \rVert / \lVert r \rVert$ (Frobenius), so one entry near zero cannot blow it up.
It is judged at `tolerance_for` the dtype the result was computed in: the lower precision of the
run's dtype and the dtype the result came back as. A Python float is as precise as the run; a
numpy scalar or array counts with its own dtype, as a tensor does.

One case's outcome: a run per dtype, the verdict per quantity, the evidence diagnoses read.

The course's three tests, as the course runs them, and what to say when they and the
per-function verdict disagree.

The worker runs each test's script on the candidate (seeded, its own weights, end to end); here
the course's twin takes the candidate's parameters (`twin.linear1.weight.data = W1`), autograd
differentiates torch's loss, and each gradient passes when `(twin_grad - grad).norm() < 1e-3`.

`Report`: one file's outcome, and the verdict and exit status it gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import Tensor

from mlp import ACTIVATIONS, COURSE_ACTIVATIONS
from mlp.twin import torch_loss, twin_grads

from .plan import COURSE_NORM_LIMIT, GRADS, PARAMETER, QUANTITIES, Case, CourseTest, twin
from .run import UnitOutcome
from .tolerance import tolerance_for

# --- compare ----------------------------------------------------------------------------------

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


# --- result -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """What a diagnosis says, about some quantities (the same words in every case it fits, so
    the report lists it once). `kind` is "failure" (it explains a wrong result, or a rule the
    file breaks) or "note" (beyond what the course's tests check; `--strict` fails on it)."""

    code: str  # a key of `diagnose.WORDS`: what every output decides by
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


# --- course -----------------------------------------------------------------------------------

@dataclass
class CourseResult:
    """One course test: passed or not (None: not run), each gradient's norm of difference, why
    it could not finish, and what the candidate returned on the way."""

    test: CourseTest
    passed: bool | None
    norms: dict[str, float | None] = field(default_factory=dict)
    error: str | None = None
    got: dict[str, Got] = field(default_factory=dict)
    seeds: list[CourseResult] = field(default_factory=list)  # the runs at the other seeds

    @property
    def runs(self) -> list[CourseResult]:
        """The verdict's run and the others, where the file finished them."""
        return [self, *self.seeds]

    @property
    def pass_rate(self) -> tuple[int, int]:
        """(passed, run) over every seed run."""
        return sum(bool(r.passed) for r in self.runs), len(self.runs)


def _tensor(got: Got) -> Tensor:
    return got.tensor.to(getattr(torch, got.dtype or "float64"))


def course_result(test: CourseTest, outcome: UnitOutcome) -> CourseResult:
    """The course test at the verdict's seed, with its runs at the other seeds in `seeds`."""
    result = judge_course(test, outcome.values, outcome.failure)
    seeds = outcome.values.get("seeds")
    if result.passed is not None and isinstance(seeds, list):
        result.seeds = judge_seeds(test, [v for v in seeds if isinstance(v, dict)])
    return result


SEED_QUANTITIES = ("x", "y", "y_hat", "J", "dJdy_hat")


def judge_seeds(test: CourseTest, runs: list[dict]) -> list[CourseResult]:
    r"""The course test at many seeds at once: where every run came back with the homework's
    shapes, torch's gradients for all of them in one batched pass by hand (the registry's
    derivatives; torch's BCE gradient clamps $\hat y(1 - \hat y)$ at 1e-12, as
    `F.binary_cross_entropy` does), else the twin and autograd run by run."""
    N, n, m, K = test.sizes.batch, test.sizes.n_in, test.sizes.hidden, test.sizes.n_out
    shapes = {"x": (N, n), "y": (N, K), "y_hat": (N, K), "dJdy_hat": (N, K), "W1": (m, n),
              "b1": (m,), "W2": (K, m), "b2": (K,), "dJdW1": (m, n), "dJdb1": (m,),
              "dJdW2": (K, m), "dJdb2": (K,)}
    gots = []
    for v in runs:
        if "failed" in v or "grads1" not in v:
            gots = None
            break
        got = {k: Got.decode(v[k]) for k in SEED_QUANTITIES}
        got |= {k: Got.decode(g) for k, g in v["grads1"].items() if k in GRADS}
        got |= {k: Got.decode(g) for k, g in v["parameters"].items() if k in PARAMETER.values()}
        if any(k not in got or got[k].kind != "value" or tuple(got[k].tensor.shape) != shape
               for k, shape in shapes.items()):
            gots = None
            break
        gots.append(got)
    if not gots:
        return [judge_course(test, v, None) for v in runs]
    t = {k: torch.stack([g[k].tensor for g in gots]) for k in shapes}  # (S, ...) float64
    f, g = ACTIVATIONS[test.case.f], ACTIVATIONS[test.case.g]
    z1 = t["x"] @ t["W1"].mT + t["b1"][:, None]
    z2 = f.forward(z1)
    z3 = z2 @ t["W2"].mT + t["b2"][:, None]
    y_hat, y = g.forward(z3), t["y"]
    if test.case.loss == "bce":
        dJdy_hat = (y_hat - y) / (y_hat * (1 - y_hat)).clamp(min=1e-12) / (N * K)
    else:
        dJdy_hat = 2 * (y_hat - y) / (N * K)
    dJdz3 = dJdy_hat * g.derivative(z3)
    dJdz1 = (dJdz3 @ t["W2"]) * f.derivative(z1)
    reference = {"dJdW1": dJdz1.mT @ t["x"], "dJdb1": dJdz1.sum(1), "dJdW2": dJdz3.mT @ z2,
                 "dJdb2": dJdz3.sum(1)}
    norms = {k: (ref - t[k]).flatten(1).norm(dim=1).tolist() for k, ref in reference.items()}
    return [CourseResult(test, all(norms[k][i] < COURSE_NORM_LIMIT for k in norms),
                         {k: norms[k][i] for k in norms}, None, got)
            for i, got in enumerate(gots)]


def judge_course(test: CourseTest, values: dict, failure: str | None) -> CourseResult:
    """One run of the course test from what the worker sent: what the course would say."""
    if "failed" in values or "grads1" not in values:
        why = Got.decode(values["failed"]).message if "failed" in values else failure
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


# --- report -----------------------------------------------------------------------------------

@dataclass
class Report:
    """One file's outcome: `unusable` says why it could not be graded, else the course's tests,
    the cases, file-level findings and what the two verdicts' disagreement means."""

    path: Path
    cases: list[CaseResult]
    course: list[CourseResult]
    unusable: str | None = None
    seed: int = 0
    strict: bool = False
    findings: list[Finding] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)
    seconds: float = 0.0
    site_url: str | None = None  # --site-url: where the links of findings point (see site_base)

    @property
    def course_ok(self) -> bool:
        return self.unusable is None and all(c.passed for c in self.course)

    @property
    def functions_ok(self) -> bool:
        kinds = {"failure", "seeds", "note"} if self.strict else {"failure"}
        return self.unusable is None and all(r.ok(self.strict) for r in self.cases) \
            and not any(f.kind in kinds for f in self.findings)

    @property
    def ok(self) -> bool:
        return self.course_ok and self.functions_ok

    @property
    def exit_status(self) -> int:
        return 2 if self.unusable is not None else 0 if self.ok else 1
