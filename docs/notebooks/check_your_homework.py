# %% [markdown]
# # Check your homework
#
# Beside your own `mlp.py`, run
#
# ```
# mlp-check mlp.py
# ```
#
# (`make` installs the command in `.venv/bin`; `python -m mlp_check mlp.py` does the same). It
# grades the file twice: first exactly as the course's three tests do, then each function alone
# against torch's autograd, on every configuration of the homework. It says which quantity is
# wrong, where, and what the numbers show about why. Exit status 0 means the file passes both,
# 1 that something is wrong, 2 that the file could not be graded.
#
# **The grader runs the file's code.** Each file runs in a process of its own, with its
# descendants killed at the end, a time limit per call and a memory cap, so a hang, a crash or a
# runaway allocation costs that file and nothing else. That is damage control, not a sandbox: a
# file you do not trust belongs in a container.

# %% tags=["remove-cell"]
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import torch
from IPython.display import Markdown, display

import mlp
from mlp_check import CASES, COURSE_TESTS, QUANTITIES, SIZES, tolerance_for
from mlp_check.tolerance import DIGITS_KEPT

ROOT = Path(mlp.__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "homework_mlp.py"
CORPUS = ROOT / "tests" / "corpus"  # student-style files the grader's tests assert on
COLUMNS = 84  # what an output cell of this site shows at 1280 px without scrolling


def grade(*args):
    """`mlp-check ARGS` from the repository's root, as a person would run it in a terminal as
    wide as this page's output."""
    return subprocess.run([sys.executable, "-m", "mlp_check", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": str(COLUMNS)})


# The homework pages' common mistakes, each built into a file: the corpus's own where one
# builds it in; else right_assigns.py with one line changed (EDITS), written for this build.
MISTAKES = ("no_zero", "right_assigns", "swapped", "half_mse", "transposed", "bias_mean",
            "sigmoid_prime_output", "mse_mean_over_n", "bce_no_clamp")
BASE = "right_assigns"
EDITS = {  # name: (the line of BASE, the line in its place)
    "squashed_jacobian": ('self.grads["dJdW1"] = dJds1.T @ x',
                          'self.grads["dJdW1"] = dJds1.sum(1, keepdim=True).T @ x'),
    "derivative_as_vector": ("dJds1 = dJdz1 * activation_grad(self.f_function, s1)",
                             "dJds1 = dJdz1 @ activation_grad(self.f_function, s1).T"),
    "fused_bce_gradient": ("dJdy_hat = (y_hat - y) / torch.clamp(y_hat * (1 - y_hat), "
                           "min=1e-12) / y.numel()", "dJdy_hat = (y_hat - y) / y.numel()"),
    "f_prime_left_out": ("dJds1 = dJdz1 * activation_grad(self.f_function, s1)",
                         "dJds1 = dJdz1"),
    "gradient_sign_flipped": ('self.grads["dJdW2"] = dJds2.T @ z1',
                              'self.grads["dJdW2"] = -dJds2.T @ z1'),
}
edited = tempfile.TemporaryDirectory(prefix="mlp-check-mistakes-")
base_lines = (CORPUS / f"{BASE}.py").read_text().splitlines(keepends=True)
for name, (line, changed) in EDITS.items():
    (at,) = [i for i, text in enumerate(base_lines) if text.strip() == line]
    indent = base_lines[at][:len(base_lines[at]) - len(base_lines[at].lstrip())]
    Path(edited.name, f"{name}.py").write_text(
        "".join(base_lines[:at] + [indent + changed + "\n"] + base_lines[at + 1:]))
mistake_files = [*(str((CORPUS / f"{name}.py").relative_to(ROOT)) for name in MISTAKES),
                 *(str(Path(edited.name, f"{name}.py")) for name in EDITS)]

# The runs start now and go on while the page is built (each starts its own workers).
pool = ThreadPoolExecutor(max_workers=3)
example = str(EXAMPLE.relative_to(ROOT))
class_files = [str((CORPUS / f"{name}.py").relative_to(ROOT))
               for name in ("right_assigns", "compensating", "hostile_hang", "imports_pandas")]
runs = {"text": pool.submit(grade, example),
        "class": pool.submit(grade, *class_files, "--jobs", "2", "--timeout", "1",
                             "--format", "json"),
        "mistakes": pool.submit(grade, *mistake_files, "--jobs", "2", "--format", "json")}


def said(name, *phrases, fails=True, about=None, code=None):
    """Print what the checker said of the mistakes' file `name`: its diagnoses (its notes, for
    a file that passes), only those about quantity `about` if given. Fail the build unless the
    file fails (passes), each phrase is in what is printed, and `code` is the code of one."""
    report = mistakes[name]
    assert report["exit_status"] == (1 if fails else 0), (name, report["exit_status"])
    assert code is None or code in [g["code"] for g in report["diagnoses"]], (name, code)
    texts = [g["text"] for g in report["diagnoses"] if g["kind"] == ("failure" if fails else
             "note") and (about is None or about in g["quantities"])]
    if name in EDITS:
        line = next(i for i, text in enumerate(base_lines, 1) if text.strip() == EDITS[name][0])
        print(f"{BASE}.py with line {line} changed to\n    {EDITS[name][1]}")
    else:
        print(f"{name}.py:")
    for text in texts:
        print(textwrap.fill(f"* {text}", COLUMNS, subsequent_indent="  "))
    for phrase in phrases:
        assert any(phrase in text for text in texts), (name, phrase)


def table(head, rows):
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(map(str, row)) + " |" for row in rows])


# %% [markdown]
# ## The verdict is the course's
#
# The course's tests call `clear_grad_and_cache()`, then run one forward, one loss and one
# backward in float32, and accept a gradient whose difference from autograd's has a norm below
# $10^{-3}$. So the grader's verdict asks exactly that much. What the course cannot see is
# reported as a **note**, which does not fail the file unless `--strict` is given:
#
# - whether `backward` adds into `grads` as torch's `.grad` does, or overwrites them (most
#   handed-in files overwrite: fine for this homework, wrong in a training loop that skips
#   zeroing), and whether `clear_grad_and_cache` zeroes them;
# - whether the file runs in float64, and whether a float64 run comes back in float64;
# - whether J comes back as a 0-dim tensor, and whether the BCE stays finite where
#   $\hat y$ is exactly 0 or 1, as torch's clamps keep it.
#
# One rule goes beyond the course's tests and still fails a file: the homework forbids autograd.
# The grader traps autograd's entry points (`Tensor.backward`, `torch.autograd.grad`,
# `torch.autograd.functional`, `torch.func`) while the file runs, and names the line that called
# one.
#
# ## One tolerance rule
#
# A result passes when its norm-wise relative error
# $\lVert c - r \rVert / \lVert r \rVert$ is at most $\varepsilon^{1/2}$, where $\varepsilon$ is
# the machine epsilon of the dtype the result was *computed* in: the less precise of the run's
# dtype and the dtype it came back as. A Python float or a 0-dim tensor returned as J is as
# precise as its run; a numpy scalar counts with its own dtype. The rule is
# `mlp_check.tolerance.tolerance_for`, the one function every page of this site uses:

# %% tags=["remove-input"]
dtypes = (torch.float64, torch.float32, torch.float16, torch.bfloat16)
display(Markdown(table(["dtype", "machine epsilon", f"tolerance, eps ** {DIGITS_KEPT:g}"],
                       [(str(d).removeprefix("torch."), f"{torch.finfo(d).eps:.3g}",
                         f"{tolerance_for(d):.3g}") for d in dtypes])))
assert tolerance_for(torch.float64) < torch.finfo(torch.float32).eps  # float32 rounding shows
assert all(tolerance_for(d) == torch.finfo(d).eps ** DIGITS_KEPT for d in dtypes)

# %% [markdown]
# Half the digits leaves rounding far below the bar (a right float32 implementation differs
# from autograd by about $10^{-6}$, a right float64 one by about $10^{-15}$), keeps float32
# rounding inside a float64 run above it, and every mistake that changes a formula (a factor
# $1/N$, a dropped 2, a derivative at the wrong point) far above it.
#
# ## Two verdicts
#
# **The course's three tests** run end to end, as the course runs them: its own sizes, the
# file's own weights from `__init__`, the file's $\hat y$ into its loss and its `dJdy_hat` into
# its `backward`:

# %% tags=["remove-input"]
display(Markdown(table(["test", "f", "g", "loss", "sizes", "batch"], [
    (t.name, t.case.f, t.case.g, t.case.loss,
     f"{t.sizes.n_in} → {t.sizes.hidden} → {t.sizes.n_out}", t.sizes.batch)
    for t in COURSE_TESTS])))

# %% [markdown]
# **Each function alone** runs on every pair of the homework's activations, with the MSE, and
# with the BCE where the output activation is the sigmoid (the BCE needs
# $\hat y \in (0, 1)$). Here the loss gets torch's $\hat y$ and `backward` gets torch's
# `dJdy_hat`, so one mistake marks one column:

# %% tags=["remove-input"]
display(Markdown(table(["f", "g", "loss"], [(c.f, c.g, c.loss) for c in CASES])))
display(Markdown(
    f"Each case draws a batch of N = {SIZES.batch} inputs of width {SIZES.n_in}, a hidden layer "
    f"of {SIZES.hidden} and K = {SIZES.n_out} outputs, puts the same weights into the file's "
    f"`parameters` and into the homework's `nn.Sequential` twin, and compares "
    f"{', '.join(f'`{q}`' for q in QUANTITIES)}. N and K are distinct odd primes, so every "
    f"factor a wrong reduction leaves has one name, and no weight matrix is square, so a "
    f"transposed gradient cannot pass. Every case runs in float32, as the course does, and "
    f"again in float64 for the notes."))
assert len(CASES) == 12 and SIZES.batch != SIZES.n_out and SIZES.hidden not in (SIZES.n_in,
                                                                               SIZES.n_out)

# %% [markdown]
# When the two verdicts disagree, the report says why: the course never looks at J, never
# runs a configuration outside its three, cannot see autograd, and cannot see two mistakes that
# cancel end to end.
#
# ## An example with three common mistakes
#
# This `mlp.py` ([download it](../../examples/homework_mlp.py); in the repository,
# `docs/examples/homework_mlp.py`) puts the lecture's 1/2 into the MSE, averages the bias
# gradients over the batch, and takes the sigmoid's derivative at its output:

# %% tags=["remove-input"]
display(Markdown(f"```python\n{EXAMPLE.read_text()}```"))

# %% [markdown]
# The grader's report on it, produced when this page was built:

# %% tags=["remove-input"]
text_run = runs["text"].result()
assert text_run.returncode == 1, text_run.stderr
lines = text_run.stdout.splitlines()
labels = [[c.f, c.g, c.loss] for c in CASES]
rows = {tuple(line.split()[:3]): line.split()[3:] for line in lines
        if line.split()[:3] in labels}
head = next(i for i, line in enumerate(lines) if line.split()[:3] == ["f", "g", "loss"])
# The table as a table: a browser's font gives ✓ and ✗ other widths than a terminal's.
print("\n".join(lines[:head]))
display(Markdown(table(lines[head].split(), [(*k, *v) for k, v in rows.items()])))
print("\n".join(lines[head + 1 + len(rows):]))

# %% [markdown]
# Read the table column by column. `J` and `dJdy_hat` are wrong in every MSE case and nowhere
# else, so the MSE is wrong and the BCE is not. `dJdb1` and `dJdb2` are wrong everywhere; where
# no sigmoid is, they are the only wrong gradients, and the factor is measured as 1/N. The weight
# gradients go wrong exactly below a sigmoid. Every diagnosis is computed, never guessed: a
# factor is measured, and "taken at the output" means the numbers equal the backward pass
# recomputed with that mistake. The assertions below fail the site's build if the report stops
# saying so.

# %% tags=["hide-input"]
marks = {c: dict(zip(QUANTITIES, rows[(c.f, c.g, c.loss)][:7], strict=True)) for c in CASES}
for case, mark in marks.items():
    assert mark["y_hat"] == "✓"
    assert mark["J"] == mark["dJdy_hat"] == ("✗" if case.loss == "mse" else "✓")
    assert mark["dJdb1"] == mark["dJdb2"] == "✗"
    assert mark["dJdW2"] == ("✗" if case.g == "sigmoid" else "✓")
    assert mark["dJdW1"] == ("✗" if "sigmoid" in (case.f, case.g) else "✓")
report = " ".join(text_run.stdout.split())  # the diagnoses are wrapped to the terminal
for fragment in ("J is half of torch's: F.mse_loss has no 1/2",
                 "dJdy_hat is half of torch's: d(y_hat - y)²/dy_hat = 2(y_hat - y)",
                 "dJdb1, dJdb2 are 1/N times torch's (N = 5 samples)",
                 "the gradients below g are what its derivative gives when taken at g's output",
                 "the gradients below f are what its derivative gives when taken at f's output"):
    assert fragment in report, fragment

# %% [markdown]
# ## What the checker says, mistake by mistake
#
# Each "Common mistake" box of [1.1](homework_1_1.py) and [1.2](homework_1_2.py) links to its
# section here: the file of the grader's own test corpus (`tests/corpus/`) that builds the
# mistake in, and the checker's diagnoses of that file. Where no file of the corpus has the
# mistake, `right_assigns.py` of it, a right file, is graded with one line changed. All of
# them were graded in one run of `mlp-check --jobs 2 --format json` when this page was built,
# and the build fails if the checker stops saying what the box relies on.
#
# ### No zero_grad between steps
#
# `no_zero.py`'s `clear_grad_and_cache` empties the cache and leaves the gradients, so each
# backward adds to the ones before, as a training loop without `zero_grad` does. The course's
# tests cannot see that, so the checker reports it, and the gradients that `right_assigns.py`
# overwrites, as notes, which fail a file only under `--strict`:

# %% tags=["remove-input"]
mistake_run = runs["mistakes"].result()
edited.cleanup()
assert mistake_run.returncode == 1, mistake_run.stderr
mistakes = {Path(f["path"]).stem: f for f in json.loads(mistake_run.stdout)["files"]}
assert list(mistakes) == [*MISTAKES, *EDITS]
said("no_zero", "after clear_grad_and_cache and one more backward", fails=False,
     code="not_cleared")
said("right_assigns", "are assigned: torch adds into .grad; yours overwrites it", fails=False,
     code="grads_assigned")

# %% [markdown]
# ### f and g swapped
#
# `swapped.py` applies g in the hidden layer and f at the output:

# %% tags=["remove-input"]
said("swapped", "y_hat is what f and g swapped give", code="f_g_swapped")

# %% [markdown]
# ### The lecture's half in the loss
#
# `half_mse.py` puts the lecture's 1/2 into the MSE, in J and in its gradient:

# %% tags=["remove-input"]
said("half_mse", "J is half of torch's: F.mse_loss has no 1/2", code="half_loss")

# %% [markdown]
# ### dz1/dW1 squashed to a matrix
#
# No file of the corpus has it; `right_assigns.py` with its `dJdW1` made the column sums of the
# right one, the one row that the squashed product gives:

# %% tags=["remove-input"]
said("squashed_jacobian", f"dJdW1 has shape (1, {SIZES.n_in}), torch's "
     f"({SIZES.hidden}, {SIZES.n_in})", code="wrong_shape")

# %% [markdown]
# ### The transpose left out
#
# `transposed.py` computes each weight gradient as `x.T @ delta`, the transpose of the
# (out, in) layout that the weights have:

# %% tags=["remove-input"]
said("transposed", "dJdW2 is transposed", code="transpose_dJdW2")

# %% [markdown]
# ### The bias gradient averaged over the batch
#
# `bias_mean.py` averages the bias gradients over the batch where they sum:

# %% tags=["remove-input"]
said("bias_mean", "only the bias gradients are wrong", "dJdb1, dJdb2 are 1/N times torch's",
     code="bias_mean")

# %% [markdown]
# ### dz2/dz1 as a vector
#
# No file of the corpus has it; `right_assigns.py` with f' multiplied in as a matrix, where it
# multiplies entry by entry, so that the gradients below f come out with a row per sample of the
# batch where the hidden layer's units belong:

# %% tags=["remove-input"]
said("derivative_as_vector", f"dJdW1 has shape ({SIZES.batch}, {SIZES.n_in}), torch's "
     f"({SIZES.hidden}, {SIZES.n_in})", "dJdb1 has shape", code="wrong_shape_below_f")

# %% [markdown]
# ### dℓ/dŷ without the 2
#
# `half_mse.py`'s `dJdy_hat` is the gradient of the lecture's loss, without the 2; the checker's
# line on it:

# %% tags=["remove-input"]
said("half_mse", "dJdy_hat is half of torch's", "a 2 is missing", about="dJdy_hat",
     code="missing_2")

# %% [markdown]
# ### The sigmoid's derivative taken at its output
#
# `sigmoid_prime_output.py` computes the sigmoid's derivative as σ(z)(1 - σ(z)) at the
# sigmoid's output z:

# %% tags=["remove-input"]
said("sigmoid_prime_output", "the gradients below g are what its derivative gives when taken "
     "at g's output", code="derivative_at_output_g")

# %% [markdown]
# ### The fused gradient used as the loss's gradient
#
# No file of the corpus has it; `right_assigns.py` with its `bce_loss` returning
# $(\hat y - y)/(NK)$, the gradient by the sigmoid's input, as `dJdy_hat`:

# %% tags=["remove-input"]
said("fused_bce_gradient", "dJdy_hat is wrong in a known way: it is (y_hat - y)/(N·K), the "
     "gradient with respect to the sigmoid's input z3", code="fused_gradient")

# %% [markdown]
# ### ReLU's gradient never vanishes
#
# No file and no diagnosis: a hidden unit that is off for every sample passes a gradient of
# exactly 0, and rightly so, since that is the derivative; whether a unit is dead is a property
# of the weights a training run reached, not of a formula, and the checker grades formulas.

# %% [markdown]
# ## More mistakes the checker names
#
# ### f′ left out
#
# `right_assigns.py` with f′ left out of `backward`, so that dJdz1 = dJdz2 where it is
# dJdz2 ⊙ f′(z1). Every case with f = identity passes, since there f′ = 1; the checker says it
# once, with the cases it holds in:

# %% tags=["remove-input"]
said("f_prime_left_out", "the gradients below f are what backward gives with f' left out",
     code="f_prime_missing")

# %% [markdown]
# ### The gradient's sign flipped
#
# `right_assigns.py` with `dJdW2` negated, the minus of a descent step put into the gradient
# where it belongs to the update W - lr·dJdW:

# %% tags=["remove-input"]
said("gradient_sign_flipped", "dJdW2 is the negative of torch's", code="sign_flipped")

# %% [markdown]
# ### dJdy_hat over N only
#
# `mse_mean_over_n.py` divides by the N samples only, where torch's mean divides by all N·K
# entries:

# %% tags=["remove-input"]
said("mse_mean_over_n", "dJdy_hat is K times torch's", about="dJdy_hat",
     code="mean_over_N_only")

# %% [markdown]
# ### An unclamped BCE
#
# `bce_no_clamp.py` computes the BCE without torch's clamps. It passes the course's tests, whose
# sigmoid rarely reaches 0 or 1; where ŷ rounds to exactly 1.0 in float32, its loss is NaN. Torch
# clamps each log at -100 and the gradient's denominator ŷ(1 - ŷ) at 10⁻¹²:

# %% tags=["remove-input"]
said("bce_no_clamp", "bce_loss gives NaN or inf", fails=False, code="bce_unclamped")

# %% [markdown]
# ## Grading a class
#
# `mlp-check` takes any number of files and folders (a folder gives every `*.py` under it,
# `--glob mlp.py` only those). `--jobs N` grades N files at once; a progress bar runs on the
# terminal; one file that crashes or hangs never stops the batch. `--format` is `text`, `json`
# (everything the text says, for a script), `csv` (a row per file, for a grade book), `junit`
# (for CI) or `gradescope` (the `results.json` Gradescope's autograder reads; write it with
# `--output /autograder/results/results.json`). `--activations` grades other activations of the
# registry than the course's relu, sigmoid and identity, for a homework that asks for more:
# `--activations relu,sigmoid,identity,tanh` (comma-separated names) or `--activations all`
# runs every configuration of those the losses accept, and the report names the activations it
# graded. The course's three tests always run; a file that lacks an activation asked for fails
# the cases that use it, each with the error its `MLP` raised.
#
# Four files of the grader's own test corpus, graded in one command with
# `--jobs 2 --timeout 1 --format json`: one right (it overwrites its gradients: a note), one
# whose loss and backward are wrong by factors that cancel, one whose forward never returns, and
# one that imports a module this environment lacks:

# %% tags=["remove-input"]
class_run = runs["class"].result()
files = json.loads(class_run.stdout)["files"]
display(Markdown(table(["file", "exit", "course's tests", "verdict"], [
    (Path(f["path"]).name, f["exit_status"],
     "" if f["error"] else "".join("✓" if t["passed"] else "✗"
                                   for t in f["course_tests"]["tests"]),
     f["error"] or f["verdict"]) for f in files])))
assert [f["exit_status"] for f in files][:3] == [0, 1, 1] and class_run.returncode == 2

# %% [markdown]
# The second file passes all three of the course's tests and still fails, and the report says
# why:

# %% tags=["remove-input"]
compensating = files[1]
for sentence in compensating["disagreements"]:
    print(textwrap.fill(f"* {sentence}", COLUMNS, subsequent_indent="  "))
assert any("compensating mistakes" in s for s in compensating["disagreements"])

# %% [markdown]
# The third shows the limits at work: a call that does not return within `--timeout` (3 s by
# default, 1 s here) is stopped; a function that does so twice in a row is not called again, and
# what needs it is reported as not run; no file takes much longer than `--budget` (20 s). The
# JSON of a case carries every check with its error, its tolerance and the dtype it came back
# as:

# %% tags=["remove-input"]
first_case = files[0]["cases"][0]
print(json.dumps({k: first_case[k] for k in ("f", "g", "loss", "ok", "dtype")}, indent=1))
print(json.dumps(first_case["checks"]["dJdW1"], indent=1))
hang = " ".join(g["text"] for g in files[2]["diagnoses"])
assert "did not return within 1 s, twice in a row" in hang
