"""The grader on the corpus (tests/corpus/): student-style homework files, right, wrong and
hostile, graded in one batch command, as a class would be. Each file's verdict, course tests,
diagnoses and notes are asserted; so is that a hostile file breaks nothing and leaves nothing
running."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from mlp_check import CASES

CORPUS = Path(__file__).parent / "corpus"
ROOT = CORPUS.parents[1]
GRADS = ("dJdW1", "dJdb1", "dJdW2", "dJdb2")
LOSS_TERMS = ("J", "dJdy_hat")
ASSIGNED = "are assigned: torch adds into .grad; yours overwrites it: fine for this homework"
SATURATED = "where y_hat is exactly 0 or 1, bce_loss gives NaN or inf"
HAVE_PANDAS = importlib.util.find_spec("pandas") is not None


def where(predicate, quantities):
    return lambda c: quantities if predicate(c) else ()


def everywhere(quantities):
    return where(lambda c: True, quantities)


def is_mse(c):
    return c.loss == "mse"


def is_bce(c):
    return c.loss == "bce"


def sigmoid_grads(c):
    return GRADS if c.g == "sigmoid" else ("dJdW1", "dJdb1") if c.f == "sigmoid" else ()


@dataclass(frozen=True)
class Expect:
    """A file's due: exit status, the course's tests (P pass, F fail, . not run), the quantities
    wrong per case, and a fragment for each diagnosis (failures), note and other fact (infos) and
    each disagreement between the two verdicts. Every group the grader prints must match one of
    the fragments of its kind, and every fragment must match a group: nothing missed, nothing
    extra."""

    exit: int
    course: str = "PPP"
    wrong: Callable = lambda c: ()
    failures: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    infos: tuple[str, ...] = ()
    disagree: tuple[str, ...] = ()
    error: str | None = None
    may: Callable = lambda c: ()  # quantities that may be wrong besides `wrong`


UNSEEN = "of the cases they never run, these fail here"
EXPECT = {
    "right_accumulates": Expect(0),
    "right_assigns": Expect(0, notes=(ASSIGNED,)),
    "post_activations_only": Expect(0),
    "data_tricks": Expect(0, notes=(ASSIGNED,)),
    "imports_matplotlib": Expect(0),
    "prints": Expect(0),
    "float_J": Expect(0, notes=("J comes back as a float; torch's losses return a 0-dim",)),
    "numpy_loss": Expect(0, notes=("J comes back as a numpy.float32; torch's losses",)),
    "zeros_float32": Expect(0, notes=(
        "in a float64 run, dJdW1, dJdb1, dJdW2, dJdb2 come back as float32 (a torch.zeros "
        "without dtype= in __init__",)),
    "float32_buffer": Expect(0, notes=(
        "in a float64 run, y_hat comes back as float32", "are right only to float32 precision",
        "in a float64 run, MLP.forward raised RuntimeError: expected m1 and m2 to have the same "
        "dtype, but got: float != double (float32_buffer.py:56: s2 = torch.matmul(z1, W2.T)")),
    "outer_bias": Expect(0, notes=(
        "in a float64 run, MLP.backward raised RuntimeError: expected m1 and m2 to have the same "
        "dtype", )),
    "bce_no_clamp": Expect(0, notes=(SATURATED,)),
    "no_zero": Expect(0, notes=(
        "are 3 times one gradient after clear_grad_and_cache and one more backward",
        "in a float64 run, dJdW1, dJdb1, dJdW2, dJdb2 come back as float32")),
    "half_mse": Expect(1, "FPF", where(is_mse, LOSS_TERMS), (
        "J is half of torch's: F.mse_loss has no 1/2",
        "dJdy_hat is half of torch's: d(y_hat - y)²/dy_hat = 2(y_hat - y): a 2 is missing"),
        (ASSIGNED,)),
    "mse_mean_over_n": Expect(1, "FPF", where(is_mse, LOSS_TERMS), (
        "J is K times torch's (K = 3 outputs): your J is a mean over the N samples of a sum",
        "dJdy_hat is K times torch's (K = 3 outputs): your dJdy_hat is the gradient of a mean "
        "over the N samples only"), (ASSIGNED,)),
    "mse_grad_of_sum": Expect(1, "FPF", where(is_mse, ("dJdy_hat",)), (
        "dJdy_hat is N·K times torch's (N = 5 samples, K = 3 outputs): your dJdy_hat is the "
        "gradient of a sum over all N·K entries",), (ASSIGNED,)),
    "bce_flipped_sign": Expect(1, "PPP", where(is_bce, ("J",)), (
        "J is the negative of torch's: the sign is flipped",), (ASSIGNED, SATURATED),
        disagree=("the course's test2 passes: the course compares the four gradients only, "
                  "never J", f"{UNSEEN}: relu/sigmoid/bce, identity/sigmoid/bce")),
    "bce_log1p": Expect(1, "PFP", where(is_bce, LOSS_TERMS), (
        "J is wrong in a known way: it uses log(1 + y_hat) where the BCE has log(1 - y_hat)",
        "dJdy_hat is wrong in a known way: it is the gradient of log(1 + y_hat)"),
        (ASSIGNED, SATURATED)),
    "bce_grad_inverse": Expect(1, "PFP", where(is_bce, ("dJdy_hat",)), (
        "dJdy_hat is wrong in a known way: it is 1/y_hat, the derivative of log(y_hat) alone",),
        (ASSIGNED, SATURATED)),
    "bias_mean": Expect(1, "FFF", everywhere(("dJdb1", "dJdb2")), (
        "dJdb1, dJdb2 are 1/N times torch's (N = 5 samples): dJdb sums dJdz over the batch",
        "only the bias gradients are wrong"), (ASSIGNED,)),
    "sigmoid_prime_output": Expect(1, "PFP", sigmoid_grads, (
        "the gradients below g are what its derivative gives when taken at g's output y_hat",
        "the gradients below f are what its derivative gives when taken at f's output z2"),
        (ASSIGNED,)),
    "inplace_sigmoid": Expect(1, "PFP", sigmoid_grads, (
        "the gradients below g are what its derivative gives when taken at g's output y_hat",
        "the gradients below f are what its derivative gives when taken at f's output z2"),
        (ASSIGNED,)),
    "transposed": Expect(1, "FFF", everywhere(("dJdW1", "dJdW2")), (
        "dJdW1 is transposed: W1 is stored (out, in), as nn.Linear stores it, so dJdW1 = dJdz1ᵀ "
        "x has its shape, not xᵀ dJdz1", "dJdW2 is transposed: W2 is stored (out, in), as "
        "nn.Linear stores it, so dJdW2 = dJdz3ᵀ z2 has its shape, not z2ᵀ dJdz3"), (ASSIGNED,)),
    "compensating": Expect(1, "PPP", everywhere(("dJdy_hat", *GRADS)), (
        "dJdy_hat is N times torch's (N = 5 samples)", "dJdW1, dJdW2 are 1/N times torch's",
        "dJdb1, dJdb2 are 1/N times torch's"), (ASSIGNED, SATURATED), disagree=(
        "compensating mistakes: mse_loss's dJdy_hat is N times torch's, and MLP.backward turns "
        "torch's dJdy_hat into 1/N times torch's gradients (dJdW1, dJdb1, dJdW2, dJdb2); end to "
        "end the two cancel, so the course's test1, test3 pass",
        "compensating mistakes: bce_loss's dJdy_hat is N times torch's", UNSEEN)),
    "swapped": Expect(1, "FPP", where(lambda c: c.f != c.g, ("y_hat",)), (
        "y_hat is what f and g swapped give", "where y_hat is wrong, the gradients are too"),
        (ASSIGNED,), may=where(lambda c: c.f != c.g, GRADS)),
    "identity_crash": Expect(1, "PPP", where(lambda c: c.f == "identity", ("y_hat", *GRADS)), (
        "y_hat, dJdW1, dJdb1, dJdW2, dJdb2: MLP.forward raised KeyError: 'identity' "
        "(identity_crash.py:46: z1 = HIDDEN[self.f_function](s1))",), (ASSIGNED,),
        disagree=(f"{UNSEEN}: every case with f = identity (4)",)),
    "autograd_backward": Expect(1, "PPP", failures=(
        "MLP.backward calls Tensor.backward (autograd_backward.py:62: y_hat.backward(dJdy_hat)):"
        " autograd is not allowed in this homework",), notes=(ASSIGNED,), disagree=(
        "the course's test1, test2, test3 pass because autograd's gradients are right", UNSEEN)),
    "autograd_grad": Expect(1, "PPP", failures=(
        "MLP.backward calls torch.autograd.grad (autograd_grad.py:63:",), notes=(ASSIGNED,),
        disagree=("the course's test1, test2, test3 pass because autograd", UNSEEN)),
    "exits_in_backward": Expect(1, "FFF", everywhere(GRADS), (
        "dJdW1, dJdb1, dJdW2, dJdb2: MLP.backward called sys.exit('stop here') "
        "(exits_in_backward.py:60: sys.exit(\"stop here\"))",)),
    "hostile_pipes": Expect(0, infos=("lines that were not the grader's reached its channel",)),
    "hostile_setsid": Expect(0),
    "hostile_hang": Expect(1, "FF.", everywhere(("y_hat", *GRADS)), (
        "y_hat, dJdW1, dJdb1, dJdW2, dJdb2: not run: MLP.forward did not return within 2 s, "
        "twice in a row",), infos=("MLP.forward did not return within 2 s, twice in a row",)),
    "hostile_os_exit": Expect(1, "FF.", everywhere(GRADS), (
        "dJdW1, dJdb1, dJdW2, dJdb2: not run: MLP.backward ended its process twice in a row",),
        infos=("MLP.backward ended its process twice in a row",)),
    # where bce_loss died, backward never ran; once bce_loss is given up on, backward runs
    "hostile_segfault": Expect(1, "PFP", where(is_bce, LOSS_TERMS), (
        "the process died during bce_loss: killed by signal SIGSEGV",
        "not run: bce_loss ended its process twice in a row"),
        infos=("bce_loss ended its process twice in a row",), may=where(is_bce, GRADS)),
    "hostile_memory": Expect(2, error="it used more than 4 GB of memory (in MLP.forward)"),
    "exits_on_import": Expect(2, error="importing it called sys.exit(3) (exits_on_import.py:8: "
                                       "sys.exit(3))"),
    "syntax_error": Expect(2, error="SyntaxError: expected ':' (syntax_error.py:7: def "
                                    "forward(self, x))"),
    "no_mlp": Expect(2, error="it defines no class MLP"),
    "imports_pandas": Expect(0) if HAVE_PANDAS else Expect(2, error=(
        "it imports pandas, which this environment lacks: `python -m pip install pandas` "
        "installs it. None of the file's own code reached the grader")),
}
ORPHAN = "mlp-check-corpus-orphan"  # hostile_setsid.py's processes carry it in their argv


def processes_with(marker: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and int(entry) != os.getpid() and marker.encode() in Path(
                    f"/proc/{entry}/cmdline").read_bytes():
                found.append(int(entry))
        except OSError:
            pass
    return found


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The whole corpus in one command, two files at a time, as JSON; then what is left. The
    command runs as a student would, in a folder that holds their own mlp.py (a copy of
    half_mse.py), where `python -m` puts that file ahead of the network package `mlp`."""
    student = tmp_path_factory.mktemp("student")
    shutil.copy(CORPUS / "half_mse.py", student / "mlp.py")
    proc = subprocess.run([sys.executable, "-m", "mlp_check", str(CORPUS), "mlp.py", "--jobs",
                           "2", "--timeout", "2", "--format", "json"], cwd=student,
                          capture_output=True, text=True, timeout=600)
    reports = {Path(f["path"]).stem: f for f in json.loads(proc.stdout)["files"]}
    return proc, reports, processes_with(ORPHAN)


def test_every_corpus_file_has_an_expectation():
    assert {p.stem for p in CORPUS.glob("*.py")} == set(EXPECT)
    assert len(EXPECT) >= 25


def test_the_batch_grades_every_file_and_exits_with_the_worst_status(batch):
    proc, reports, _ = batch
    assert set(reports) == set(EXPECT) | {"mlp"}
    assert proc.returncode == 2
    assert all(f"cannot grade {CORPUS / name}.py" in proc.stderr
               for name, e in EXPECT.items() if e.exit == 2)


def test_confusion_of_expected_and_got_verdicts_is_diagonal(batch):
    verdict = {0: "pass", 1: "fail", 2: "unusable"}
    confusion = Counter((verdict[e.exit], verdict[batch[1][n]["exit_status"]])
                        for n, e in EXPECT.items())
    assert all(expected == got for expected, got in confusion), confusion
    assert sum(confusion.values()) == len(EXPECT)


def test_python_m_grades_the_students_mlp_py_that_would_shadow_mlp(batch):
    own = batch[1]["mlp"]
    assert own["exit_status"] == 1 and own["course_tests"]["ok"] is False
    assert any("J is half of torch's" in g["text"] for g in own["diagnoses"])


def test_no_process_a_hostile_file_started_outlives_the_batch(batch):
    assert batch[2] == []


def _groups(report: dict, kind: str) -> list[str]:
    return [g["text"] for g in report["diagnoses"] if g["kind"] == kind]


def _match(texts: list[str], fragments: tuple[str, ...], what: str) -> None:
    for text in texts:  # every one printed is expected ...
        assert any(f in text for f in fragments), f"unexpected {what}: {text}"
    for fragment in fragments:  # ... and every one expected is printed
        assert any(fragment in t for t in texts), f"missing {what}: {fragment}\n{texts}"


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_corpus_file_gets_its_verdict_and_diagnosis(batch, name):
    expect, report = EXPECT[name], batch[1][name]
    assert report["exit_status"] == expect.exit
    if expect.error is not None:
        assert report["ok"] is False and report["cases"] == [] and expect.error in report["error"]
        return
    marks = "".join("." if t["passed"] is None else "P" if t["passed"] else "F"
                    for t in report["course_tests"]["tests"])
    assert marks == expect.course
    assert [(c["f"], c["g"], c["loss"]) for c in report["cases"]] == [
        (c.f, c.g, c.loss) for c in CASES]
    for case, entry in zip(CASES, report["cases"], strict=True):
        wrong = {q for q, c in entry["checks"].items() if c["status"] != "ok"}
        assert set(expect.wrong(case)) <= wrong <= set(expect.wrong(case)) | set(
            expect.may(case)), (case.label, wrong)
        named = {q for f in entry["findings"] if f["kind"] == "failure" for q in f["quantities"]}
        assert wrong <= named, (case.label, "a check is wrong with no reason given")
        assert entry["dtype"] == "float32"
    _match(_groups(report, "failure"), expect.failures, "diagnosis")
    _match(_groups(report, "note"), expect.notes, "note")
    _match(_groups(report, "info"), expect.infos, "fact")
    _match(report["disagreements"], expect.disagree, "disagreement")
