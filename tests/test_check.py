"""`python -m mlp.check` (mlp/check/): its cases, its reference, each diagnosis, and its verdict on
deliberately wrong homework files (tests/candidates/, one mistake each, and a right one)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
import torch

import mlp
from mlp import ACTIVATIONS, LOSSES, MLP
from mlp.check import (
    CASES,
    QUANTITIES,
    RTOL,
    SIZES,
    Case,
    Finding,
    check_file,
    main,
    to_json,
    to_text,
)
from mlp.check._cases import all_inputs, lively
from mlp.check._compare import PASS_MULTIPLE
from mlp.check._diagnose import diagnose
from mlp.check._ratios import FACTORS, PHRASES, _label
from mlp.check._reference import GRADS, autograd_reference, by_hand
from mlp.check._result import CaseResult, assemble
from mlp.check._worker import encode

ROOT = Path(mlp.__file__).resolve().parents[1]
CANDIDATES = Path(__file__).parent / "candidates"
LOSS_TERMS = ("J", "dJdy_hat")
WEIGHTS, BIASES = ("dJdW1", "dJdW2"), ("dJdb1", "dJdb2")


def rel(a: torch.Tensor, b: torch.Tensor) -> float:
    return ((a - b).norm() / b.norm()).item()


# ---------------------------------------------------------------- the cases and the reference

def test_cases_are_every_registry_pair_with_bce_only_after_the_sigmoid():
    expected = {(f, g, "mse") for f in ACTIVATIONS for g in ACTIVATIONS}
    expected |= {(f, "sigmoid", "bce") for f in ACTIVATIONS}
    assert set(LOSSES) == {"mse", "bce"}
    assert {(c.f, c.g, c.loss) for c in CASES} == expected
    assert len(CASES) == len(expected) >= 12


def test_sizes_let_every_reduction_and_transpose_show():
    s = SIZES
    assert s.batch > 1 and s.n_out > 1
    assert s.hidden != s.n_in and s.hidden != s.n_out  # W1, W2 not square
    values = [v for v, _ in FACTORS]
    assert len(set(values)) == len(values) == 2 * 27 - 1  # every named factor is one number
    assert 1.0 not in values


def test_inputs_are_seeded_and_lively():
    first, again, other = all_inputs(0), all_inputs(0), all_inputs(1)
    for case, a, b, c in zip(CASES, first, again, other, strict=True):
        assert lively(case, a)
        assert all(torch.equal(a[k], b[k]) for k in a)
        assert not torch.equal(a["W1"], c["W1"])


@cache
def reference(index: int) -> tuple[dict, dict]:
    inputs = all_inputs(0)[index]
    return inputs, autograd_reference(CASES[index], inputs)


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c.label for c in CASES])
def test_reference_agrees_with_mlp_and_by_hand(index):
    case = CASES[index]
    inputs, expected = reference(index)
    net = MLP(SIZES.n_in, SIZES.hidden, case.f, SIZES.hidden, SIZES.n_out, case.g,
              dtype=torch.float64)
    net.parameters.update({k: inputs[k].clone() for k in ("W1", "b1", "W2", "b2")})
    y_hat = net.forward(inputs["x"])
    J, dJdy_hat = LOSSES[case.loss].fn(inputs["y"], y_hat)
    net.backward(dJdy_hat)
    ours = dict(y_hat=y_hat, J=J, dJdy_hat=dJdy_hat, **net.grads)
    hand = by_hand(case, inputs, expected["dJdy_hat"])
    for q in QUANTITIES:
        assert rel(ours[q], expected[q]) <= 1e-12, q
    for q in GRADS:
        assert rel(hand[q], expected[q]) <= 1e-12, q


def test_label_reads_like_arithmetic():
    assert [_label(*e) for e in [(1, -1, 0, 0), (-1, 0, 0, 0), (1, 0, 1, 1), (1, 1, -1, 0),
                                 (1, -1, -1, -1)]] == ["1/2", "-1", "N·K", "2/N", "1/(2·N·K)"]


# ------------------------------------------- each diagnosis, on results made up from the reference

def fabricate(index: int, **given) -> CaseResult:
    """The case as the child would report a candidate that returns `given` (a tensor per
    quantity; for a gradient, a tensor that then accumulates as torch's does, or three passes)
    and torch's values for everything else; diagnosed."""
    inputs, expected = reference(index)
    values = {q: encode(given.get(q, expected[q]), q) for q in ("y_hat", "J", "dJdy_hat")}
    for p, multiple in PASS_MULTIPLE.items():
        values[f"grads{p}"] = {}
        for q in GRADS:
            g = given.get(q, expected[q])
            values[f"grads{p}"][q] = encode(g[p - 1] if isinstance(g, list) else g * multiple, q)
    message = {"dtype": "float64", "values": values, "errors": [], "float64_errors": []}
    both = {"float64": expected, "float32": expected}
    r = assemble(CASES[index], message, both, {"float64": inputs, "float32": inputs})
    r.findings = diagnose(r)
    return r


def only(r: CaseResult, fragment: str):
    assert len(r.findings) == 1, r.findings
    assert fragment in r.findings[0].text, r.findings[0].text
    return r.findings[0]


def test_torchs_own_values_pass_with_no_finding():
    for index in range(len(CASES)):
        r = fabricate(index)
        assert r.ok and r.findings == []
        assert all(c.rel_err == 0.0 for c in r.checks.values())


@pytest.mark.parametrize("value,exponents", FACTORS,
                         ids=[_label(*e).replace("·", "*") for _, e in FACTORS])
def test_every_named_factor_is_named(value, exponents):
    _, expected = reference(0)
    r = fabricate(0, dJdW1=value * expected["dJdW1"], J=value * expected["J"])
    assert r.checks["dJdW1"].status == r.checks["J"].status == "mismatch"
    assert r.checks["J"].rel_err == pytest.approx(abs(value - 1), rel=1e-12)
    label = _label(*exponents)
    phrase = PHRASES.get(label) or f"{label} times torch's"
    assert sorted(q for f in r.findings for q in f.quantities) == ["J", "dJdW1"]
    assert all(f" {phrase}" in f.text for f in r.findings), r.findings


def test_an_unnamed_constant_factor_is_still_reported_but_not_for_a_scalar():
    _, expected = reference(1)
    r = fabricate(1, dJdW2=1.2345 * expected["dJdW2"], J=1.2345 * expected["J"])
    assert r.checks["J"].status == "mismatch"
    only(r, "dJdW2 is 1.2345 times torch's, a constant factor")


def test_a_gradient_never_written_is_all_zeros():
    _, expected = reference(6)
    r = fabricate(6, dJdW1=torch.zeros_like(expected["dJdW1"]))
    assert (r.checks["dJdW1"].status, r.checks["dJdW1"].rel_err) == ("mismatch", 1.0)
    only(r, "dJdW1 is all zeros, where torch's is not")


def test_a_bias_per_sample_is_a_wrong_shape():
    _, expected = reference(2)
    per_sample = expected["dJdb1"].expand(SIZES.batch, -1) / SIZES.batch
    r = fabricate(2, dJdb1=per_sample)
    assert r.checks["dJdb1"].status == "mismatch" and r.checks["dJdb1"].rel_err is None
    assert [f.quantities for f in r.findings] == [("dJdb1",), ("dJdb1",)]
    assert "one row per sample" in r.findings[0].text and "only the bias" in r.findings[1].text


def test_nan_is_a_mismatch_with_no_error_number():
    _, expected = reference(3)
    y_hat = expected["y_hat"].clone()
    y_hat[0, 0] = float("nan")
    r = fabricate(3, y_hat=y_hat)
    assert (r.checks["y_hat"].status, r.checks["y_hat"].rel_err) == ("mismatch", None)
    assert only(r, "NaN or inf among the values").quantities == ("y_hat",)


def test_float32_inside_a_float64_result_is_named():
    _, expected = reference(4)
    r = fabricate(4, dJdy_hat=expected["dJdy_hat"].float().double())
    assert RTOL["float64"] < r.checks["dJdy_hat"].rel_err <= RTOL["float32"]
    only(r, "right only to float32 precision")


def test_a_bias_gradient_doubled_in_backward_is_both_a_factor_and_a_bias_only_mistake():
    _, expected = reference(5)
    r = fabricate(5, dJdb2=2 * expected["dJdb2"])
    assert [f.quantities for f in r.findings] == [("dJdb2",), ("dJdb2",)]
    assert "twice torch's" in r.findings[0].text and "only the bias" in r.findings[1].text


# ----------------------------------------------------- the candidates, each run in a child process

def where(predicate: Callable[[Case], bool], quantities: tuple[str, ...]):
    return lambda c: quantities if predicate(c) else None


def always(quantities: tuple[str, ...]):
    return where(lambda c: True, quantities)


def is_mse(c):
    return c.loss == "mse"


@dataclass(frozen=True)
class Expect:
    """What a candidate deserves: per case, the quantities not ok and their status, and each
    finding (a fragment of its text -> per case, the quantities it names, None if absent)."""

    wrong: Callable[[Case], tuple[str, ...] | None] = lambda c: None
    status: str = "mismatch"
    findings: dict[str, Callable[[Case], tuple[str, ...] | None]] = field(default_factory=dict)
    dtype: str = "float64"


def sigmoid_grads(c: Case):
    return GRADS if c.g == "sigmoid" else ("dJdW1", "dJdb1") if c.f == "sigmoid" else None


EXPECT = {
    "right": Expect(),
    "float32_only": Expect(dtype="float32", findings={
        "ran in float32, as float64 failed: MLP.forward raised RuntimeError": always(())}),
    "half_mse": Expect(where(is_mse, LOSS_TERMS), findings={
        "J is half of torch's: F.mse_loss has no 1/2": where(is_mse, ("J",)),
        "dJdy_hat is half of torch's: d(y_hat - y)²/dy_hat = 2(y_hat - y)":
            where(is_mse, ("dJdy_hat",))}),
    "batch_mean_loss": Expect(always(LOSS_TERMS), findings={
        "J, dJdy_hat are K times torch's (K = 3 outputs): you divide by N only":
            always(LOSS_TERMS)}),
    "bias_mean": Expect(always(BIASES), findings={
        "dJdb1, dJdb2 are 1/N times torch's (N = 5 samples)": always(BIASES),
        "only the bias gradients are wrong: are you summing over the batch?": always(BIASES)}),
    "sigmoid_at_output": Expect(sigmoid_grads, findings={
        "what you get by evaluating the derivative of": sigmoid_grads}),
    "transposed": Expect(always(WEIGHTS), findings={
        "dJdW1 is transposed": always(("dJdW1",)), "dJdW2 is transposed": always(("dJdW2",))}),
    "assigns": Expect(always(GRADS), findings={"assigned, not accumulated": always(GRADS)}),
    "no_zero": Expect(always(GRADS), findings={
        "still growing after clear_grad_and_cache": always(GRADS)}),
    "swapped": Expect(where(lambda c: c.f != c.g, ("y_hat", *GRADS)), findings={
        "y_hat is what f and g swapped give": where(lambda c: c.f != c.g, ("y_hat",))}),
    "incomplete": Expect(always(LOSS_TERMS), "missing", findings={
        "J, dJdy_hat: mse_loss returned None": where(is_mse, LOSS_TERMS),
        "J, dJdy_hat: there is no bce_loss": where(lambda c: c.loss == "bce", LOSS_TERMS)}),
    "raises": Expect(where(lambda c: "identity" in (c.f, c.g), ("y_hat", *GRADS)), "error", {
        "MLP.forward raised ValueError: unknown activation 'identity'":
            where(lambda c: "identity" in (c.f, c.g), ("y_hat", *GRADS))}),
    "crashes": Expect(where(lambda c: c.loss == "bce", QUANTITIES), "error", {
        "the process died during bce_loss: killed by signal SIGSEGV":
            where(lambda c: c.loss == "bce", QUANTITIES)}),
}
# Run through the command line's `main` with --json (findings are not part of the JSON).
EXPECT_JSON = {
    "loops": (Expect(where(lambda c: c.loss == "bce", QUANTITIES), "error"),
              "bce_loss did not return within 1 s"),
    "exits": (Expect(always(GRADS), "error"), "MLP.backward called sys.exit('stop here')"),
    "prints": (Expect(), None),
}
UNUSABLE = {
    "syntax_error.py": ("class MLP:\n    def forward(self, x)\n", "SyntaxError"),
    "no_mlp.py": ("import torch\n\ndef mse_loss(y, y_hat):\n    return 0, 0\n",
                  "it defines no class MLP"),
    "exits_on_import.py": ("import sys\nsys.exit(3)\n", "importing it called sys.exit(3)"),
    "hangs_on_import.py": ("while True:\n    pass\n",
                           "importing hangs_on_import.py did not finish within 1 s"),
}


def start_cli(args: list[str], cwd: Path = ROOT) -> subprocess.Popen:
    """`python ARGS` in the background, with this checkout's mlp importable."""
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, *args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """Every run that needs a worker process: one command line runs in the background while
    this process checks the other files one after the other (they share one zygote)."""
    tmp = tmp_path_factory.mktemp("check")
    for name, (source, _) in UNUSABLE.items():
        (tmp / name).write_text(source)
    for folder, candidate in (("homework", "prints.py"), ("wrong", "half_mse.py")):
        (tmp / folder).mkdir()
        shutil.copy(CANDIDATES / candidate, tmp / folder / "mlp.py")
    # A real command line from the homework's own folder, where ./mlp.py would shadow the
    # package without -P; the other two through `main` here (the worker is the same process).
    prints = start_cli(["-P", "-m", "mlp.check", "--json", "mlp.py"], tmp / "homework")
    out = {name: check_file(CANDIDATES / f"{name}.py") for name in EXPECT}
    out |= {name: check_file(tmp / name, timeout=1) for name in UNUSABLE}
    out["wrong mlp.py"] = check_file(tmp / "wrong" / "mlp.py")
    for name, args in (("loops", ["--timeout", "1"]), ("exits", [])):
        with redirect_stdout(io.StringIO()) as stdout:
            status = main(["--json", *args, str(CANDIDATES / f"{name}.py")])
        out[name] = subprocess.CompletedProcess(name, status, stdout.getvalue())
    stdout, stderr = prints.communicate(timeout=300)
    out["prints"] = subprocess.CompletedProcess(prints.args, prints.returncode, stdout, stderr)
    return out


def test_every_candidate_has_an_expectation():
    assert {p.stem for p in CANDIDATES.glob("*.py")} == set(EXPECT) | set(EXPECT_JSON)


def assert_statuses(expect: Expect, case: Case, checks: dict):
    wrong = expect.wrong(case) or ()
    assert {q: c["status"] if isinstance(c, dict) else c.status for q, c in checks.items()} == {
        q: expect.status if q in wrong else "ok" for q in QUANTITIES}, case.label


@pytest.mark.parametrize("name", EXPECT)
def test_candidate_gets_its_verdict_and_diagnosis(outcomes, name):
    expect, report = EXPECT[name], outcomes[name]
    assert report.unusable is None
    assert report.exit_status == (1 if any(expect.wrong(c) for c in CASES) else 0)
    for r in report.cases:
        assert_statuses(expect, r.case, r.checks)
        assert r.dtype == (None if expect.status == "error" and expect.wrong(r.case) == QUANTITIES
                           else expect.dtype)
        for finding in r.findings:  # every finding is one of those expected here ...
            assert any(frag in finding.text and pred(r.case) is not None
                       for frag, pred in expect.findings.items()), (r.case.label, finding.text)
        for fragment, predicate in expect.findings.items():  # ... and each of those is there
            named = [f.quantities for f in r.findings if fragment in f.text]
            assert named == ([] if predicate(r.case) is None else [predicate(r.case)]), (
                r.case.label, fragment, r.findings)


def test_rel_err_is_the_norm_wise_error(outcomes):
    for r in outcomes["half_mse"].cases:
        if r.case.loss == "mse":
            assert r.checks["J"].rel_err == pytest.approx(0.5, rel=1e-12)
            assert r.checks["dJdy_hat"].rel_err == pytest.approx(0.5, rel=1e-12)


def test_right_candidate_is_within_rounding_of_autograd(outcomes):
    # The float64 tolerance (1e-10) leaves a margin of 1000 over what a right file differs by.
    worst = max(c.rel_err for r in outcomes["right"].cases for c in r.checks.values())
    assert worst <= 1e-13


def test_a_file_named_mlp_py_is_the_one_checked(outcomes):
    report = outcomes["wrong mlp.py"]
    assert report.exit_status == 1
    assert all(r.checks["J"].status == ("mismatch" if r.case.loss == "mse" else "ok")
               for r in report.cases)


@pytest.mark.parametrize("name", EXPECT_JSON)
def test_json_survives_loops_exits_and_prints(outcomes, name):
    (expect, error), run = EXPECT_JSON[name], outcomes[name]
    out = json.loads(run.stdout)  # the whole of stdout is one JSON object
    assert run.returncode == (1 if error else 0) and out["ok"] is (error is None)
    assert [(c["f"], c["g"], c["loss"]) for c in out["cases"]] == [
        (c.f, c.g, c.loss) for c in CASES]
    for case, entry in zip(CASES, out["cases"], strict=True):
        assert set(entry) == {"f", "g", "loss", "checks", "error"}
        assert all(set(c) == {"status", "rel_err"} for c in entry["checks"].values())
        assert_statuses(expect, case, entry["checks"])
        assert (entry["error"] is None) == (expect.wrong(case) is None), case.label
        if entry["error"] is not None:
            assert error in entry["error"]
        for c in entry["checks"].values():
            assert (c["rel_err"] is None) == (c["status"] in ("error", "missing"))


@pytest.mark.parametrize("name", UNUSABLE)
def test_an_unusable_file_is_reported_not_run(outcomes, name):
    report = outcomes[name]
    assert report.exit_status == 2 and report.cases == []
    assert UNUSABLE[name][1] in report.unusable
    assert to_json(report) == {"ok": False, "cases": []}


def test_cli_exit_status_2_and_json_for_a_missing_file(capsys, tmp_path):
    assert main(["--json", str(tmp_path / "absent.py")]) == 2
    out, err = capsys.readouterr()
    assert json.loads(out) == {"ok": False, "cases": []} and "no such file" in err


def test_a_net_that_cannot_be_built_fails_its_case_whole():
    inputs, expected = reference(0)
    message = {"dtype": "float64", "values": {}, "float64_errors": [],
               "errors": ["MLP(...) raised TypeError: __init__() takes 1 positional argument"]}
    both = {"float64": expected, "float32": expected}
    r = assemble(CASES[0], message, both, {"float64": inputs, "float32": inputs})
    assert {c.status for c in r.checks.values()} == {"error"} and r.error.startswith("MLP(...)")
    assert diagnose(r) == [Finding(QUANTITIES, r.error)]


def test_the_table_has_a_row_per_case_and_a_mark_per_quantity(outcomes):
    lines = to_text(outcomes["half_mse"]).splitlines()
    rows = [line.split() for line in lines if line.split()[:3] in
            [[c.f, c.g, c.loss] for c in CASES]]
    assert [tuple(row[:3]) for row in rows] == [(c.f, c.g, c.loss) for c in CASES]
    for case, row in zip(CASES, rows, strict=True):
        marks = dict(zip(QUANTITIES, row[3:10], strict=True))
        assert {q for q, m in marks.items() if m == "✗"} == (
            set(LOSS_TERMS) if case.loss == "mse" else set())
        assert set(marks.values()) <= {"✓", "✗"} and row[10] == "float64"
    assert "      in every case with loss = mse (9)" in lines
    assert lines[-1] == "9 of 12 cases differ from autograd."


@pytest.mark.parametrize("seconds", ["0", "-1", "nan", "inf"])
def test_timeout_must_be_a_positive_number(seconds, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--timeout", seconds, str(CANDIDATES / "right.py")])
    assert exit_.value.code == 2 and "--timeout" in capsys.readouterr().err
