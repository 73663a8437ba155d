# %% [markdown]
# # Check your homework
#
# The course's tests print `tensor(True)` or `tensor(False)` for four gradients and stop at the
# first crash. `python -m mlp.check` runs your `mlp.py` on every configuration of the homework,
# compares each quantity with autograd's, and says which one is wrong, where, and most likely why.
#
# ```
# python -m mlp.check path/to/mlp.py            # a table, then the diagnoses
# python -m mlp.check path/to/mlp.py --json     # one JSON object, for a script
# python -m mlp.check path/to/mlp.py --seed 3 --timeout 5
# ```
#
# Run it from this repository's environment (`make` sets it up); your file needs only torch.
# In the folder of your own `mlp.py`, plain `python -m` would import your file as `mlp` instead of
# this package: use the `mlp-check mlp.py` command that `make` installs in `.venv/bin`, or
# `python -P -m mlp.check mlp.py` (`-P` keeps the current folder off the import path).
#
# Your file is loaded under a module name of its own, in a separate process with a time limit
# per case: an exception, a missing function, an endless loop, `sys.exit`, a crash or a `print`
# costs that case, never the report. The exit status is 0 when every case agrees with autograd,
# 1 when one does not, and 2 when the file cannot be used (no such file, a syntax error, no
# `MLP` in it).

# %%
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from IPython.display import Markdown, display

import mlp
from mlp.check import CASES, QUANTITIES, RTOL, SIZES

ROOT = Path(mlp.__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "homework_mlp.py"


def check(*args):
    """`python -m mlp.check ARGS` from the repository's root, as a person would run it."""
    return subprocess.run([sys.executable, "-m", "mlp.check", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


# Both runs of the checker start now and go on while the page is built (each imports torch).
pool = ThreadPoolExecutor(max_workers=2)
example = str(EXAMPLE.relative_to(ROOT))
checks = {"text": pool.submit(check, example), "json": pool.submit(check, "--json", example)}


def table(head, rows):
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(map(str, row)) + " |" for row in rows])


# %% [markdown]
# ## What it runs
#
# Every pair of activations of the registry, with the MSE, and with the BCE where the output
# activation is the sigmoid (the BCE needs $\hat y \in (0, 1)$):

# %%
display(Markdown(table(["f", "g", "loss"], [(c.f, c.g, c.loss) for c in CASES])))
assert len(CASES) >= 12 and SIZES.batch > 1 and SIZES.n_out > 1

display(Markdown(
    f"Each case draws a batch of N = {SIZES.batch} inputs of width {SIZES.n_in}, a hidden layer "
    f"of {SIZES.hidden} and K = {SIZES.n_out} outputs, puts the same weights into your "
    f"`parameters` and into the homework's `nn.Sequential` twin, and compares "
    f"{', '.join(f'`{q}`' for q in QUANTITIES)}. A quantity agrees when its norm-wise relative "
    f"error is at most {RTOL['float64']:g} when it comes back in float64, and "
    f"{RTOL['float32']:g} when it comes back in float32 (gradients kept in float32 tensors, or "
    f"code that runs in float32 only)."))

# %% [markdown]
# Each quantity is checked on its own: your loss gets torch's $\hat y$ and your `backward` gets
# torch's `dJdy_hat`, so one mistake marks one column. The gradients are read three times: after
# one `backward`; after a second one without clearing, where torch's `.grad` holds twice the
# gradient; and after `clear_grad_and_cache`.
#
# ## An example with three common mistakes
#
# This `mlp.py` ([download it](../../examples/homework_mlp.py); in the repository,
# `docs/examples/homework_mlp.py`) puts the lecture's 1/2 into the MSE, averages the bias
# gradients over the batch, and takes the sigmoid's derivative at its output:

# %%
display(Markdown(f"```python\n{EXAMPLE.read_text()}```"))

# %% [markdown]
# The checker's output on it, produced when this page was built:

# %%
text_run = checks["text"].result()
print(text_run.stdout)
assert text_run.returncode == 1, text_run.stderr

# %% [markdown]
# Read it column by column. `J` and `dJdy_hat` are wrong in every MSE case and nowhere else, so
# the MSE is wrong and the BCE is not. `dJdb1` and `dJdb2` are wrong everywhere; where the sigmoid
# is absent they are the only gradients that are wrong, and the diagnosis names the factor 1/N.
# The weight gradients go wrong exactly where a sigmoid is, at the layer that has it.
#
# Every diagnosis is computed, never guessed: a constant ratio is measured, and "the derivative
# taken at the output" means your numbers equal the backward pass recomputed with that mistake.
# The assertions below fail the site's build if the output stops saying so.

# %%
lines = text_run.stdout.splitlines()
rows = {tuple(line.split()[:3]): line.split()[3:10] for line in lines
        if line.split()[:3] in [[c.f, c.g, c.loss] for c in CASES]}
marks = {case: dict(zip(QUANTITIES, rows[(case.f, case.g, case.loss)], strict=True))
         for case in CASES}
for case, mark in marks.items():
    assert mark["y_hat"] == "✓"
    assert mark["J"] == mark["dJdy_hat"] == ("✗" if case.loss == "mse" else "✓")
    assert mark["dJdb1"] == mark["dJdb2"] == "✗"
    assert mark["dJdW2"] == ("✗" if case.g == "sigmoid" else "✓")
    assert mark["dJdW1"] == ("✗" if "sigmoid" in (case.f, case.g) else "✓")

expected = [
    "J is half of torch's: F.mse_loss has no 1/2",
    "dJdy_hat is half of torch's: d(y_hat - y)²/dy_hat = 2(y_hat - y): a 2 is missing",
    "dJdb1, dJdb2 are 1/N times torch's (N = 5 samples)",
    "only the bias gradients are wrong: are you summing over the batch?",
    "what you get by evaluating the derivative of g = sigmoid at its output y_hat = g(s2)",
    "what you get by evaluating the derivative of f = sigmoid at its output z1 = f(s1)",
]
diagnoses = [line for line in lines if line.startswith("  * ")]
for fragment in expected:
    assert any(fragment in line for line in diagnoses), fragment
assert len(diagnoses) == 8, diagnoses

# %% [markdown]
# ## For a script: `--json`
#
# One object on stdout, one entry per case, a status per quantity (`ok`, `mismatch`, `error` or
# `missing`) with its relative error, and the exception's message when a case could not run:

# %%
json_run = checks["json"].result()
report = json.loads(json_run.stdout)
print(json.dumps({**report, "cases": report["cases"][:1]}, indent=1))
print(f"... and {len(report['cases']) - 1} more cases")

assert json_run.returncode == 1 and report["ok"] is False
assert [(c["f"], c["g"], c["loss"]) for c in report["cases"]] == [
    (c.f, c.g, c.loss) for c in CASES]
symbol = {"ok": "✓", "mismatch": "✗", "error": "E", "missing": "-"}
for case, entry in zip(CASES, report["cases"], strict=True):
    assert {q: symbol[c["status"]] for q, c in entry["checks"].items()} == marks[case]
    assert entry["error"] is None
    if case.loss == "mse":
        assert abs(entry["checks"]["J"]["rel_err"] - 0.5) < 1e-12
