r"""Why a result is wrong: each diagnosis a computation on the evidence, never a guess from a
message.

The constant-ratio diagnosis: the candidate's tensor is $\alpha$ times torch's.

$\alpha = \langle c, r \rangle / \langle r, r \rangle$ is the least-squares factor; the
hypothesis holds when $\lVert c - \alpha r \rVert$ is rounding. It is then named when it is one
of $\pm 2^a N^b K^c$, $a, b, c \in \{-1, 0, 1\}$: the factors that a wrong reduction, a dropped
2 or a flipped sign leave. N and K are distinct odd primes (see `_cases`), so each value has one
name. A scalar (J) is always a multiple of torch's, so for it only a named factor is reported.
The words say what the numbers show, not what the code must have done.

Known wrong loss formulas, each tested against the numbers: "your J is what this gives".

Each `Mistake` computes J or dJdy_hat from the case's y and torch's $\hat y$ with one slip built
in, with torch's $1/(NK)$ kept, so the slip is named apart from the reduction. A tensor matches a
mistake up to a constant factor (the factor is then named too); a scalar J only exactly, since
any scalar is a multiple of any other.

When no known mistake fits: describe what the numbers show, and where the formula is.

The description measures the pattern of the difference: NaN or inf, which entries differ (every
one, only where y = 1 or y = 0, some rows or columns), whether the sign is flipped there, and
whether the ratio to torch's is constant. It ends with the formula and the site's page for it.

Diagnoses that test a known mistake against the numbers: the candidate's tensor equals what
the mistake computes (`by_hand` with it built in, torch's transposed, the forward pass with other
activations), up to a constant factor that is then named as well.

Notes: what the course's tests cannot see, measured the same way. None fails the default
verdict; `--strict` fails on every one.

- Accumulation: torch's `.grad` adds up over backward passes; the course's tests run one.
- float64: the course runs in float32 only; torch's layers run in either.
- What comes back: J as a Python float or a numpy scalar, or a dtype other than the run's.

Diagnoses: each one a computation on the evidence, never a guess from a message.

`DIAGNOSES` is the registry of what explains a failure; `NOTES` (in `_notes`) of what goes beyond
the course's tests. `diagnose` runs both, then makes sure no quantity is left wrong without a
reason: whatever no diagnosis named gets the measured pattern of its difference (`_patterns`).

When the course's tests and the per-function verdict disagree, say why.

The course's tests run end to end: a mistake in the loss's dJdy_hat that backward undoes is
invisible to them, and they never look at J, at autograd, or at configurations other than their
three. The per-function verdict runs each function alone on the grader's weights, so a mistake in
`__init__` or in code that depends on the sizes is invisible to it. Each reason is said once,
for every course test it applies to.

The findings of a report grouped by what they say, with the cases each holds in and the cases
where it could not be told (a quantity it is about raised or did not run there): the one view
of the evidence that the text, JSON, CSV, JUnit and Gradescope outputs all print.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import TYPE_CHECKING

import torch
from torch import Tensor

from mlp import ACTIVATIONS, COURSE_ACTIVATIONS

from .plan import (
    CASES,
    COURSE_NORM_LIMIT,
    COURSE_TESTS,
    GRADS,
    QUANTITIES,
    SIZES,
    Case,
    by_hand,
    forward_by_hand,
)
from .tolerance import tolerance_for
from .verdict import (
    CaseResult,
    CourseResult,
    Finding,
    Got,
    RunResult,
    are,
    close,
    computed_dtype,
    returned,
)

if TYPE_CHECKING:
    from .verdict import Report


# --- words ------------------------------------------------------------------------------------

# Every finding's code -> (kind, words). The code is what every output decides by (Gradescope's
# points, the links to the site); the words are only what a person reads. "failure" explains a
# wrong result or a rule the file breaks, "note" is beyond the course's tests (--strict fails on
# it), "info" is a fact about the run.
WORDS: dict[str, tuple[str, str]] = {
    # why a quantity has no value
    "raised": ("failure", "{names}: {message}"),
    "clear_raised": ("failure", "{message}: the course's tests call clear_grad_and_cache() first"),
    "beyond_course": ("failure", "{names} {are} not among the course's activations ({course}) "
                                 "and --activations asked for {them}: the file's MLP raised where "
                                 "{names} {are} used, so the file may not implement {them}"),
    "autograd": ("failure", "{step} calls {entry} ({where}): autograd is not allowed in this "
                            "homework, the gradients must be computed by hand"),
    # shapes
    "wrong_shape": ("failure", "{q} has shape {shape}, torch's {want}{why}"),
    "wrong_shape_below_f": ("failure", "{q} has shape {shape}, torch's {want}: the gradients "
                                       "below f take f'(z1) entry by entry (dJdz1 = dJdz2 ⊙ "
                                       "f'(z1), shaped as z1), not as a vector or a matrix of "
                                       "its own"),
    "transpose_dJdW1": ("failure", "dJdW1 is transposed: W1 is stored (out, in), as nn.Linear "
                                   "stores it, so dJdW1 = dJdz1ᵀ x has its shape, not xᵀ dJdz1"),
    "transpose_dJdW2": ("failure", "dJdW2 is transposed: W2 is stored (out, in), as nn.Linear "
                                   "stores it, so dJdW2 = dJdz3ᵀ z2 has its shape, not z2ᵀ dJdz3"),
    # a constant factor, by what it shows
    "half_loss": ("failure", "{subject} {text}"),
    "missing_2": ("failure", "{subject} {text}"),
    "sign_flipped": ("failure", "{subject} {text}"),
    "mean_over_N_only": ("failure", "{subject} {text}"),
    "mean_over_K_only": ("failure", "{subject} {text}"),
    "sum_not_mean": ("failure", "{subject} {text}"),
    "bias_mean": ("failure", "{subject} {text}"),
    "factor": ("failure", "{subject} {text}"),
    "bias_only": ("failure", "only the bias gradients are wrong: dJdb2 = dJdz3.sum(0) and "
                             "dJdb1 = dJdz1.sum(0), one term per sample, as dJdW = dJdzᵀ (input) "
                             "sums over the samples"),
    # the derivative of an activation
    "derivative_at_output_f": ("failure", "the gradients below f are what its derivative gives "
                                          "when taken at f's output z2 = f(z1) instead of its "
                                          "input z1: a'(u) belongs at the pre-activation. The "
                                          "{act}'s is {words}; an in-place op (z1.{act}_()) "
                                          "that overwrote the cached z1 does the same"),
    "derivative_at_output_g": ("failure", "the gradients below g are what its derivative gives "
                                          "when taken at g's output y_hat = g(z3) instead of its "
                                          "input z3: a'(u) belongs at the pre-activation. The "
                                          "{act}'s is {words}; an in-place op (z3.{act}_()) "
                                          "that overwrote the cached z3 does the same"),
    "f_prime_missing": ("failure", "the gradients below f are what backward gives with f' left "
                                   "out: dJdz1 = dJdz2 ⊙ f'(z1), and f' = 1 only for the "
                                   "identity (whose cases pass)"),
    "g_prime_missing": ("failure", "the gradients are what backward gives with g' left out: "
                                   "dJdz3 = dJdy_hat ⊙ g'(z3), and g' = 1 only for the "
                                   "identity (whose cases pass)"),
    # the forward pass
    "f_g_swapped": ("failure", "y_hat is what f and g swapped give: check how forward picks "
                              "f_function and g_function"),
    "wrong_activations": ("failure", "y_hat is what f = {f}, g = {g} instead of f = {want_f}, "
                                     "g = {want_g} give: check how forward picks f_function and "
                                     "g_function"),
    "follows_forward": ("failure", "where y_hat is wrong, the gradients are too: backward reads "
                                   "forward's cache, so it cannot be judged apart from forward "
                                   "there; fix forward first"),
    # the losses
    "fused_gradient": ("failure", "{q} is wrong in a known way: {text}"),
    "loss_slip": ("failure", "{q} is wrong in a known way: {text}"),
    "unexplained": ("failure", "{text}"),
    # notes: beyond what the course's tests check
    "grads_assigned": ("note", "{subject} assigned: torch adds into .grad; yours overwrites it: "
                               "fine for this homework, wrong inside a training loop that skips "
                               "zeroing"),
    "backward_changes_cache": ("note", "{subject} {times} times the first after a second forward "
                                       "and backward without clearing, where torch's .grad holds "
                                       "twice: backward changes something it reads (an in-place "
                                       "op on the cache?)"),
    "not_cleared": ("note", "{subject} {times} times one gradient after clear_grad_and_cache "
                            "and one more backward: clear_grad_and_cache must zero every "
                            "gradient (grad.zero_())"),
    "float64_raised": ("note", "in a float64 run, {why}; the course's tests run in float32 "
                               "only, torch's layers in either"),
    "float64_missing": ("note", "in a float64 run, {message}"),
    "float64_low_dtype": ("note", "in a float64 run, {come} back as {kinds} ({where}), so "
                                  "judged at that dtype's tolerance"),
    "float64_rounded": ("note", "in a float64 run, {subject} right only to float32 precision: a "
                                "float32 tensor inside the computation (torch.zeros, torch.empty "
                                "or torch.tensor without dtype=) rounds the float64 values"),
    "float64_wrong": ("note", "in a float64 run, {subject} wrong where float32 agrees"),
    "J_not_tensor": ("note", "J comes back as a {type}; torch's losses return a 0-dim tensor "
                             "(J.item() gives the number)"),
    "J_shape": ("note", "J has shape {shape}; torch's losses return a 0-dim tensor"),
    "float32_dtype": ("note", "in a float32 run, {names} come back as {kinds}"),
    # the file as a whole
    "bce_unclamped": ("note", "where y_hat is exactly 0 or 1, bce_loss gives NaN or inf in "
                              "{names}; torch clamps each log at -100 and the gradient's "
                              "denominator y_hat(1 - y_hat) at 1e-12. Fix: "
                              "y_hat.clamp(1e-12, 1 - 1e-12) in the gradient, and each log "
                              "clamped at -100 in J"),
    # the edges (plan.EDGES): where a bug hides from the course's tests
    "edge_batch1": ("note", "with a batch of one sample (N = 1), {names} {differ} from torch's "
                            "({how}); a squeeze() or a sum over the wrong axis shows only there"),
    "edge_K1": ("note", "with one output (K = 1), {names} {differ} from torch's ({how}); a "
                        "squeeze() or a sum over the wrong axis shows only there"),
    "edge_relu0": ("note", "where a ReLU's input is exactly 0, {names} {differ} from torch's "
                           "({how}): torch's ReLU derivative at 0 is 0, so f'(z1) is (z1 > 0), "
                           "not (z1 >= 0)"),
    "edge_saturated": ("note", "where the output sigmoid saturates under BCE (z3 = +-90, y_hat "
                               "exactly 1 or 0 in float32), {names} {differ} from torch's "
                               "({how}): write sigma'(z3) as y_hat * (1 - y_hat), which stays "
                               "finite where exp(-z3) overflows"),
    "gave_up": ("info", "{why}"),
    # the course's tests over seeds: above the notes, and failing only under --strict
    "course_seeds_bce": ("seeds", "the course's {test} passes at {passed} of {total} seeds "
                                  "(it fails at torch seed {example}, among others): there y_hat "
                                  "rounds to exactly 0 or 1 in float32 and bce_loss gives NaN or "
                                  "inf, an unclamped BCE. Fix: clamp as torch does, each log at "
                                  "-100 and the gradient's denominator y_hat(1 - y_hat) at 1e-12"),
    "course_seeds": ("seeds", "the course's {test} passes at {passed} of {total} seeds (it fails "
                              "at torch seed {example}, among others): {why}"),
    "noise": ("info", "{count} lines that were not the grader's reached its channel (the file "
                      "writes to inherited file descriptors?); they were ignored"),
}


# The section of the site that explains each code: the grader page's own section on the mistake
# where it has one (the homework pages' "Common mistake" boxes link to the same sections), else
# the page that derives what the finding is about.
PAGE = "notebooks/check_your_homework/"
MISTAKES_SECTION = "what-the-checker-says-mistake-by-mistake"
SECTIONS: dict[str, tuple[str, str]] = {
    "f_g_swapped": (PAGE, "f-and-g-swapped"),
    "wrong_activations": (PAGE, "f-and-g-swapped"),
    "half_loss": (PAGE, "the-lectures-half-in-the-loss"),
    "wrong_shape": (PAGE, "dz1dw1-squashed-to-a-matrix"),
    "transpose_dJdW1": (PAGE, "the-transpose-left-out"),
    "transpose_dJdW2": (PAGE, "the-transpose-left-out"),
    "bias_mean": (PAGE, "the-bias-gradient-averaged-over-the-batch"),
    "bias_only": (PAGE, "the-bias-gradient-averaged-over-the-batch"),
    "wrong_shape_below_f": (PAGE, "dz2dz1-as-a-vector"),
    "missing_2": (PAGE, "dldy-without-the-2"),
    "derivative_at_output_f": (PAGE, "the-sigmoids-derivative-taken-at-its-output"),
    "derivative_at_output_g": (PAGE, "the-sigmoids-derivative-taken-at-its-output"),
    "fused_gradient": (PAGE, "the-fused-gradient-used-as-the-losss-gradient"),
    "grads_assigned": (PAGE, "no-zero_grad-between-steps"),
    "not_cleared": (PAGE, "no-zero_grad-between-steps"),
    "backward_changes_cache": (PAGE, "no-zero_grad-between-steps"),
    "f_prime_missing": (PAGE, "f-left-out"),
    "g_prime_missing": (PAGE, "f-left-out"),
    "sign_flipped": (PAGE, "the-gradients-sign-flipped"),
    "mean_over_N_only": (PAGE, "djdy_hat-over-n-only"),
    "mean_over_K_only": (PAGE, "djdy_hat-over-n-only"),
    "sum_not_mean": (PAGE, "djdy_hat-over-n-only"),
    "bce_unclamped": (PAGE, "an-unclamped-bce"),
    "course_seeds_bce": (PAGE, "an-unclamped-bce"),
    "course_seeds": (PAGE, "the-verdict-is-the-courses"),
    "autograd": (PAGE, "the-verdict-is-the-courses"),
    "float64_raised": (PAGE, "the-verdict-is-the-courses"),
    "float64_missing": (PAGE, "the-verdict-is-the-courses"),
    "float64_low_dtype": (PAGE, "the-verdict-is-the-courses"),
    "float64_rounded": (PAGE, "the-verdict-is-the-courses"),
    "float64_wrong": (PAGE, "the-verdict-is-the-courses"),
    "J_not_tensor": (PAGE, "the-verdict-is-the-courses"),
    "J_shape": (PAGE, "the-verdict-is-the-courses"),
    "float32_dtype": (PAGE, "the-verdict-is-the-courses"),
}
SITE_URL_VARIABLE = "MLP_CHECK_SITE_URL"


def site_base(override: str | None = None) -> str:
    """Where the site is: `override` (--site-url), else $MLP_CHECK_SITE_URL, else the published
    address, `[project.urls] Documentation` of this package's metadata (the site's build uses
    the same as its site_url); without one, a local build's folder (`make docs` writes site/)."""
    import os
    base = override or os.environ.get(SITE_URL_VARIABLE)
    if not base:
        from importlib.metadata import PackageNotFoundError, metadata
        try:
            urls = metadata("backprop-derived").get_all("Project-URL") or []
        except PackageNotFoundError:
            urls = []
        base = next((u.split(",", 1)[1].strip() for u in urls
                     if u.split(",", 1)[0].strip() == "Documentation"), None)
    if not base:
        from pathlib import Path
        return (Path(__file__).resolve().parents[1] / "site").as_uri() + "/"
    return base if base.endswith("/") else base + "/"


def link(code: str, base: str) -> str | None:
    """The URL of the site's section on `code`, or None where the site has none."""
    if code not in SECTIONS:
        return None
    page, anchor = SECTIONS[code]
    local = base.startswith("file:")
    return f"{base}{page}{'index.html' if local else ''}#{anchor}"


def say(code: str, quantities=(), **fields) -> Finding:
    """The finding `code` about `quantities`, its words from `WORDS` filled with `fields`."""
    kind, words = WORDS[code]
    return Finding(code, tuple(quantities), words.format(**fields), kind)


def factor_code(q: str, alpha: float, tol: float) -> str:
    """What a constant factor on `q` shows, as a code of `WORDS`."""
    exps = named(alpha, tol)
    if exps is None:
        return "factor"
    sign, a, b, c = exps
    if (sign, a, b, c) == (-1, 0, 0, 0):
        return "sign_flipped"
    if (sign, a, b, c) == (1, -1, 0, 0) and q in ("J", "dJdy_hat"):
        return "half_loss" if q == "J" else "missing_2"
    if sign == 1 and a == 0 and q in ("J", "dJdy_hat"):
        return {(0, 1): "mean_over_N_only", (1, 0): "mean_over_K_only",
                (1, 1): "sum_not_mean"}.get((b, c), "factor")
    if (sign, a, b, c) == (1, 0, -1, 0) and q.startswith("dJdb"):
        return "bias_mean"
    return "factor"


# --- ratios -----------------------------------------------------------------------------------

# How the common factors read; any other reads "<factor> times torch's".
PHRASES = {"1/2": "half of torch's", "2": "twice torch's", "-1": "the negative of torch's"}
FACTORS = [(sign * 2.0**a * SIZES.batch**b * SIZES.n_out**c, (sign, a, b, c))
           for sign, a, b, c in product((1, -1), (-1, 0, 1), (-1, 0, 1), (-1, 0, 1))
           if (sign, a, b, c) != (1, 0, 0, 0)]
# What a factor N^b K^c in J or dJdy_hat shows about the reduction, as (b, c) -> words.
REDUCTIONS = {
    "J": {(1, 1): "your J is the sum over all N·K entries; torch's is their mean",
          (0, 1): "your J is a mean over the N samples of a sum over the K outputs; torch's "
                  "mean divides by all N·K entries",
          (1, 0): "your J is a mean over the K outputs of a sum over the N samples; torch's "
                  "mean divides by all N·K entries"},
    "dJdy_hat": {(1, 1): "your dJdy_hat is the gradient of a sum over all N·K entries; torch's "
                         "loss is their mean, so its gradient carries 1/(N·K)",
                 (0, 1): "your dJdy_hat is the gradient of a mean over the N samples only; "
                         "torch's carries 1/(N·K)",
                 (1, 0): "your dJdy_hat is the gradient of a mean over the K outputs only; "
                         "torch's carries 1/(N·K)"},
}


def label(sign: int, a: int, b: int, c: int) -> str:
    """ "1/2", "-N·K", "2/N", "1/(2·N·K)": a factor written as arithmetic."""
    up = [s for s, e in (("2", a), ("N", b), ("K", c)) if e == 1]
    down = [s for s, e in (("2", a), ("N", b), ("K", c)) if e == -1]
    text = "·".join(up) or "1"
    if down:
        text += "/" + (down[0] if len(down) == 1 else "(" + "·".join(down) + ")")
    return ("-" if sign < 0 else "") + text


def constant_factor(c: Tensor, e: Tensor, tol: float) -> float | None:
    """The $\\alpha$ with $c = \\alpha e$ up to `tol` (relative), or None if there is none."""
    c = c.reshape(e.shape)
    if e.norm() == 0:
        return None
    alpha = float((c * e).sum() / (e * e).sum())
    ok = (c - alpha * e).norm() <= 10 * tol * max(abs(alpha), 1e-300) * e.norm()
    return alpha if ok and alpha != 0 else None


def named(alpha: float, tol: float) -> tuple[int, int, int, int] | None:
    return next((exps for value, exps in FACTORS if abs(alpha - value) <= 10 * tol * abs(value)),
                None)


def legend(text: str) -> str:
    parts = [t for s, t in (("N", f"N = {SIZES.batch} samples"),
                            ("K", f"K = {SIZES.n_out} outputs")) if s in text]
    return f" ({', '.join(parts)})" if parts else ""


def loss_hints(q: str, loss: str, sign: int, a: int, b: int, c: int) -> list[str]:
    hints = ["the sign is flipped" + (": it points along y - y_hat, torch's along y_hat - y"
                                      if q == "dJdy_hat" and loss == "mse" else "")] * (sign < 0)
    if a == -1:
        hints.append({("J", "mse"): "F.mse_loss has no 1/2",
                      ("dJdy_hat", "mse"): "d(y_hat - y)²/dy_hat = 2(y_hat - y): a 2 is missing"
                      }.get((q, loss), "a factor 1/2 that torch's loss does not have"))
    if a == 1:
        hints.append("a factor 2 too many")
    words = REDUCTIONS.get(q, {}).get((b, c))
    if words is None and -1 in (b, c):
        words = "divided by N or K once more than torch's mean divides"
    return hints + [words] * (words is not None)


def grad_hints(q: str, sign: int, a: int, b: int, c: int) -> list[str]:
    hints = ["the sign is flipped: the minus of a descent step belongs to the update "
             "W - lr·dJdW, not to the gradient"] * (sign < 0)
    if a != 0:
        hints.append("a factor 2 too many" if a == 1 else "a factor 2 is missing")
    if b == -1 and c == 0 and q.startswith("dJdb"):
        hints.append("dJdb sums dJdz over the batch (dJdz.sum(0)); a mean divides by N")
    elif b != 0 or c != 0:
        hints.append("dJdy_hat already carries the loss's 1/(N·K): backward adds no factor "
                     "of N or K of its own")
    return hints


def describe_factor(q: str, loss: str, alpha: float, tol: float, grads: tuple) -> str | None:
    """ "half of torch's: F.mse_loss has no 1/2"; None for an unnamed factor of a scalar."""
    exps = named(alpha, tol)
    if exps is None:
        return None if q == "J" else f"{alpha:.6g} times torch's, a constant factor"
    text = PHRASES.get(label(*exps)) or f"{label(*exps)} times torch's"
    hints = (grad_hints(q, *exps) if q in grads else loss_hints(q, loss, *exps)
             if q in REDUCTIONS else [])
    return text + legend(label(*exps)) + ": " * bool(hints) + "; ".join(hints)


# --- known ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Mistake:
    """One slip: the loss and quantity it is about, what it is, and what it computes."""

    loss: str
    quantity: str
    text: str
    fn: Callable[[Tensor, Tensor], Tensor]  # (y, y_hat) -> the quantity with the slip
    code: str = "loss_slip"  # its code in `WORDS`


def _mean(t: Tensor) -> Tensor:
    return t.mean()


def _per_entry(t: Tensor) -> Tensor:
    return t / t.numel()


LOG_1MP = "log(1 - y_hat)"
MISTAKES: tuple[Mistake, ...] = (
    Mistake("bce", "J", f"it uses log(1 + y_hat) where the BCE has {LOG_1MP}",
            lambda y, p: _mean(-(y * p.log() + (1 - y) * torch.log1p(p)))),
    Mistake("bce", "J", f"the sign of its (1 - y)·{LOG_1MP} term is flipped",
            lambda y, p: _mean(-(y * p.log() - (1 - y) * torch.log1p(-p)))),
    Mistake("bce", "J", "the sign of its y·log(y_hat) term is flipped",
            lambda y, p: _mean(-(-y * p.log() + (1 - y) * torch.log1p(-p)))),
    Mistake("bce", "J", f"it has only the y·log(y_hat) term; (1 - y)·{LOG_1MP} is missing",
            lambda y, p: _mean(-y * p.log())),
    Mistake("bce", "J", f"it has only the (1 - y)·{LOG_1MP} term; y·log(y_hat) is missing",
            lambda y, p: _mean(-(1 - y) * torch.log1p(-p))),
    Mistake("bce", "J", "it takes log10 where the BCE takes the natural log",
            lambda y, p: _mean(-(y * p.log10() + (1 - y) * torch.log10(1 - p)))),
    Mistake("bce", "dJdy_hat", "it is (y_hat - y)/(N·K), the gradient with respect to the "
            "sigmoid's input z3; with respect to y_hat it is divided by y_hat(1 - y_hat)",
            lambda y, p: _per_entry(p - y), "fused_gradient"),
    Mistake("bce", "dJdy_hat", "it is 1/y_hat, the derivative of log(y_hat) alone",
            lambda y, p: _per_entry(1 / p)),
    Mistake("bce", "dJdy_hat", "it is -y/y_hat, the gradient of the y·log(y_hat) term alone",
            lambda y, p: _per_entry(-y / p)),
    Mistake("bce", "dJdy_hat", f"it is (1 - y)/(1 - y_hat), the gradient of the "
            f"(1 - y)·{LOG_1MP} term alone", lambda y, p: _per_entry((1 - y) / (1 - p))),
    Mistake("bce", "dJdy_hat", "the sign of its (1 - y)/(1 - y_hat) term is flipped: "
            "-y/y_hat - (1 - y)/(1 - y_hat)", lambda y, p: _per_entry(-y / p - (1 - y) / (1 - p))),
    Mistake("bce", "dJdy_hat", "it is the gradient of log(1 + y_hat) in place of "
            f"{LOG_1MP}: -y/y_hat - (1 - y)/(1 + y_hat)",
            lambda y, p: _per_entry(-y / p - (1 - y) / (1 + p))),
    Mistake("mse", "J", "it is the mean of |y_hat - y|, not of its square",
            lambda y, p: _mean((p - y).abs())),
    Mistake("mse", "J", "it is the square root of the mean square (an RMSE)",
            lambda y, p: _mean((p - y) ** 2).sqrt()),
    Mistake("mse", "dJdy_hat", "it is sign(y_hat - y)/(N·K), the gradient of a mean |y_hat - y|",
            lambda y, p: _per_entry(torch.sign(p - y))),
    Mistake("mse", "dJdy_hat", "it is (y_hat - y)²/(N·K): the square where the gradient has "
            "2(y_hat - y)", lambda y, p: _per_entry((p - y) ** 2)),
)


def _same_up_to_factor(slip: Tensor, expected: Tensor, tol: float) -> bool:
    alpha = constant_factor(slip, expected, tol)
    if expected.numel() > 1 or alpha is None:
        return alpha is not None
    return abs(alpha - 1) <= 10 * tol or named(alpha, tol) is not None


def known_mistake(loss: str, q: str, got: Tensor, y: Tensor, y_hat: Tensor, expected: Tensor,
                  tol: float) -> tuple[str, str] | None:
    """(code, words) of the first matching mistake, with its factor when it is not 1, or None."""
    for m in MISTAKES:
        if (m.loss, m.quantity) != (loss, q):
            continue
        slip = m.fn(y, y_hat)
        if not bool(slip.isfinite().all()) or _same_up_to_factor(slip, expected, tol):
            continue  # undefined here, or no different from torch's up to a factor
        alpha = constant_factor(got, slip, tol)
        if alpha is None or (got.numel() == 1 and abs(alpha - 1) > 10 * tol):
            continue  # a scalar is a multiple of any other: only the slip itself counts
        text = m.text
        if abs(alpha - 1) > 10 * tol:
            text += f", and {describe_factor(q, loss, alpha, tol, ()) or f'{alpha:.4g} times'}"
        return m.code, text
    return None


# --- patterns ---------------------------------------------------------------------------------

# Each quantity's formula as the code computes it, and the site's page that derives it.
FORMULAS = {
    "y_hat": ("y_hat = g(f(x W1ᵀ + b1) W2ᵀ + b2)", "The whole network"),
    ("J", "mse"): ("J = mean((y_hat - y)²) over all N·K entries", "Losses"),
    ("J", "bce"): ("J = -mean(y·log(y_hat) + (1 - y)·log(1 - y_hat))", "Losses"),
    ("dJdy_hat", "mse"): ("dJdy_hat = 2(y_hat - y)/(N·K)", "Losses"),
    ("dJdy_hat", "bce"): ("dJdy_hat = (y_hat - y)/(y_hat(1 - y_hat))/(N·K)", "Losses"),
    "dJdW2": ("dJdW2 = dJdz3ᵀ z2, dJdz3 = dJdy_hat ⊙ g'(z3)", "The whole network"),
    "dJdb2": ("dJdb2 = dJdz3 summed over the batch, dJdz3 = dJdy_hat ⊙ g'(z3)",
              "The whole network"),
    "dJdW1": ("dJdW1 = dJdz1ᵀ x, dJdz1 = (dJdz3 W2) ⊙ f'(z1)", "The whole network"),
    "dJdb1": ("dJdb1 = dJdz1 summed over the batch, dJdz1 = (dJdz3 W2) ⊙ f'(z1)",
              "The whole network"),
}


def formula(q: str, loss: str) -> str:
    text, page = FORMULAS.get((q, loss)) or FORMULAS[q]
    return f"torch's is {text} (the site's page \"{page}\")"


def _where(mask: Tensor, case: Case, y: Tensor) -> str:
    """Which entries `mask` marks, in words."""
    n, total = int(mask.sum()), mask.numel()
    if n == total:
        return "in every entry"
    if mask.shape == y.shape and case.loss == "bce":
        for value in (1, 0):
            if torch.equal(mask, y == value):
                return f"only where y = {value}"
    if mask.dim() == 2:
        rows, cols = mask.all(1), mask.all(0)
        if bool((mask == rows[:, None]).all()):
            return f"in whole rows only ({int(rows.sum())} of {mask.shape[0]})"
        if bool((mask == cols[None, :]).all()):
            return f"in whole columns only ({int(cols.sum())} of {mask.shape[1]})"
    return f"in {n} of {total} entries"


def describe(q: str, case: Case, got: Tensor, expected: Tensor, y: Tensor, tol: float) -> str:
    """One sentence on how `got` differs from `expected`, then the formula."""
    got = got.reshape(expected.shape) if got.numel() == expected.numel() else got
    if got.shape != expected.shape:
        return f"{q} has shape {tuple(got.shape)}, torch's {tuple(expected.shape)}; " \
               f"{formula(q, case.loss)}"
    bad = ~got.isfinite()
    if bool(bad.any()):
        nan, inf = int(got.isnan().sum()), int(got.isinf().sum())
        parts = [f"{k} {w}" for k, w in ((nan, "NaN"), (inf, "inf")) if k]
        return f"{q} has {' and '.join(parts)} {_where(bad, case, y)}: a division by zero or " \
               f"the log of 0? {formula(q, case.loss)}"
    if expected.numel() == 1:
        c, e = got.item(), expected.item()
        sign = "the opposite sign" if c * e < 0 else "the same sign"
        return f"{q} is {c:.6g} where torch's is {e:.6g}: {sign}, ratio {c / e:.4g}, which " \
               f"matches no known mistake; {formula(q, case.loss)}"
    if not bool(got.any()):
        return f"{q} is all zeros, where torch's is not: is it ever written? " \
               f"{formula(q, case.loss)}"
    differ = (got - expected).abs() > tol * expected.abs().max()
    text = f"{q} differs {_where(differ, case, y)}"
    flipped = differ & (got * expected < 0)
    if bool(flipped.any()):
        text += (", with the opposite sign in all of them" if torch.equal(flipped, differ)
                 else f", with the opposite sign in {int(flipped.sum())} of them")
    ratio = (got / expected)[differ & (expected != 0)]
    if ratio.numel() > 1:
        lo, hi = ratio.min().item(), ratio.max().item()
        text += (f", {lo:.4g} times torch's there" if hi - lo <= 10 * tol * abs(hi)
                 else f", between {lo:.4g} and {hi:.4g} times torch's there, not a constant "
                      f"factor")
    return f"{text}; {formula(q, case.loss)}"


# --- mistakes ---------------------------------------------------------------------------------

# The layers whose derivative may be taken at the output; the empty set is the right backward.
BASES = (frozenset(), frozenset("g"), frozenset("f"), frozenset("fg"), frozenset({"f'"}),
         frozenset({"g'"}))
# How each activation's derivative reads through its output z = a(s), where one is usual.
DERIVATIVE_WORDS = {"sigmoid": "a(1 - a) with a = σ(u), not σ(a)(1 - σ(a))"}


def _bases(r: CaseResult) -> dict[frozenset, dict]:
    run = r.run
    out = {frozenset(): run.expected}
    for layers in BASES[1:]:
        out[layers] = by_hand(r.case, run.inputs, run.expected["dJdy_hat"], layers)
    return out


def gradient_fits(r: CaseResult) -> dict[str, tuple[frozenset, float]]:
    """Per wrong gradient, the first (layers at output, factor) that explains it."""
    run, fits = r.run, {}
    bases = None
    for q in run.wrong(GRADS):
        bases = bases or _bases(r)
        tol, got = run.checks[q].tolerance, run.first(q).tensor
        for layers, ref in bases.items():
            if layers and close(ref[q], run.expected[q], tol):
                continue  # that mistake changes nothing here (ReLU and identity)
            alpha = constant_factor(got, ref[q], tol)
            if alpha is not None:
                fits[q] = (layers, alpha)
                break
    return fits


def derivative_and_factor(r: CaseResult) -> list[Finding]:
    """One finding per layer whose derivative the gradients show taken at its output (the same
    words in every case, whichever gradients it reaches), then the factors on top."""
    fits, out, factors = gradient_fits(r), [], {}
    for layer, act in (("f", r.case.f), ("g", r.case.g)):
        qs = tuple(q for q, (layers, _) in fits.items() if layer in layers)
        if qs:
            out.append(say(f"derivative_at_output_{layer}", qs, act=act,
                           words=DERIVATIVE_WORDS.get(act, act + "'(u)")))
        qs = tuple(q for q, (layers, _) in fits.items() if layer + "'" in layers)
        if qs:
            out.append(say(f"{layer}_prime_missing", qs))
    for q, (layers, alpha) in fits.items():
        tol = r.run.checks[q].tolerance
        if abs(alpha - 1) > 10 * tol:
            text = describe_factor(q, r.case.loss, alpha, tol, GRADS)
            key = (factor_code(q, alpha, tol),
                   text + (" (of what that mistake gives)" if layers else ""))
            factors.setdefault(key, []).append(q)
    return out + [say(code, qs, subject=are(qs), text=text)
                  for (code, text), qs in factors.items()]


def bias_only(r: CaseResult) -> list[Finding]:
    if any(r.checks[w].status != "ok" for w in ("dJdW1", "dJdW2")):
        return []
    wrong = tuple(b for b in ("dJdb1", "dJdb2") if r.checks[b].status == "mismatch")
    return [say("bias_only", wrong)] if wrong else []


def is_transposed(r: CaseResult, q: str) -> bool:
    got, want = r.run.first(q), r.run.expected[q]
    return got is not None and want.dim() == 2 and got.tensor.shape == want.mT.shape \
        != want.shape and close(got.tensor, want.mT, r.checks[q].tolerance)


def transposed(r: CaseResult) -> list[Finding]:
    out = []
    for q in GRADS:
        if is_transposed(r, q):
            out.append(say(f"transpose_{q}", (q,)))
    return out


def other_activations(r: CaseResult) -> list[Finding]:
    if "y_hat" not in r.run.wrong(("y_hat",)):
        return []
    got = r.run.first("y_hat")
    for f, g in product(r.activations, r.activations):  # those graded: the course's by default
        if (f, g) != (r.case.f, r.case.g) and close(
                got.tensor, forward_by_hand(f, g, r.run.inputs), r.checks["y_hat"].tolerance):
            if (g, f) == (r.case.f, r.case.g):
                return [say("f_g_swapped", ("y_hat",))]
            return [say("wrong_activations", ("y_hat",), f=f, g=g, want_f=r.case.f,
                        want_g=r.case.g)]
    return []


# --- notes ------------------------------------------------------------------------------------



def _times(gots: list[Got], p: int, tol: float) -> float | None:
    """Pass p of a gradient as a multiple of pass 1 (the candidate against itself)."""
    if len(gots) < p or any(g.kind != "value" for g in (gots[0], gots[p - 1])):
        return None
    first, later = gots[0].tensor, gots[p - 1].tensor
    if first.shape != later.shape or not bool(first.isfinite().all()) or first.norm() == 0:
        return None
    return constant_factor(later, first, tol)


def accumulation(r: CaseResult) -> list[Finding]:
    groups: dict[tuple, list[str]] = {}
    for q in GRADS:
        gots, tol = r.run.got[q], tolerance_for(computed_dtype("float32", r.run.got[q][0])) \
            if r.run.got[q][0].kind == "value" else 0.0
        twice, third = _times(gots, 2, tol), _times(gots, 3, tol)
        if twice is not None and abs(twice - 1) <= 10 * tol:
            groups.setdefault(("grads_assigned", ""), []).append(q)
        elif twice is not None and abs(twice - 2) > 10 * tol:
            groups.setdefault(("backward_changes_cache", f"{twice:.4g}"), []).append(q)
        elif third is not None and abs(third - 1) > 10 * tol:
            groups.setdefault(("not_cleared", f"{third:.4g}"), []).append(q)
    return [say(code, qs, subject=are(qs), times=times) for (code, times), qs in groups.items()]


def _come(qs) -> str:
    return ", ".join(qs) + (" comes" if len(qs) == 1 else " come")


def float64(r: CaseResult) -> list[Finding]:
    """The same case in float64: raises, comes back in a lower precision, or rounds inside."""
    run = r.float64
    if not r.run.ok:
        return []  # the verdict's own failure says more
    if not any(g.kind == "value" for gots in run.got.values() for g in gots):
        why = run.raised[0] if run.raised else run.failure or "nothing came back"
        return [say("float64_raised", why=why)]
    out, by_message = [], {}
    for q in QUANTITIES:
        if run.got[q][0].kind != "value":
            by_message.setdefault(run.got[q][0].message, []).append(q)
    out += [say("float64_missing", qs, message=m) for m, qs in by_message.items()]
    low = [q for q in QUANTITIES if (g := run.first(q)) is not None
           and computed_dtype("float64", g) != torch.float64]
    if low:
        kinds = sorted({returned(run.first(q)) for q in low})
        where = ("a torch.zeros without dtype= in __init__, kept by += or zero_()?"
                 if set(low) <= set(GRADS) else "a torch.zeros, torch.empty or torch.tensor "
                 "without dtype= on the way?")
        out.append(say("float64_low_dtype", low, come=_come(low), kinds=" or ".join(kinds),
                       where=where))
    f32 = tolerance_for(torch.float32)
    rounded = [q for q in QUANTITIES if run.checks[q].status == "mismatch"
               and run.checks[q].rel_err is not None and run.checks[q].rel_err <= f32]
    if rounded:
        out.append(say("float64_rounded", rounded, subject=are(rounded)))
    other = [q for q in QUANTITIES if run.checks[q].status == "mismatch" and q not in rounded]
    if other:
        out.append(say("float64_wrong", other, subject=are(other)))
    return out


def what_comes_back(r: CaseResult) -> list[Finding]:
    out = []
    J = r.run.first("J")
    if J is not None and J.type != "tensor":
        out.append(say("J_not_tensor", ("J",), type=J.type))
    elif J is not None and J.tensor.dim() != 0:
        out.append(say("J_shape", ("J",), shape=tuple(J.tensor.shape)))
    other = [q for q in QUANTITIES if (g := r.run.first(q)) is not None and g.dtype
             and g.dtype != "float32"]
    if other:
        kinds = sorted({returned(r.run.first(q)) for q in other})
        out.append(say("float32_dtype", other, names=", ".join(other),
                       kinds=" or ".join(kinds)))
    return out


NOTES = (accumulation, float64, what_comes_back)


# --- diagnose ---------------------------------------------------------------------------------

def failures(r: CaseResult) -> list[Finding]:
    """Why a quantity has no value: the exception (with the file's own line), the missing piece,
    the hang; and a clear_grad_and_cache that the course's tests would trip on."""
    by_message: dict[str, list[str]] = {}
    for q in QUANTITIES:
        got = r.run.got[q][0]
        if got.kind != "value":
            by_message.setdefault(got.message, []).append(q)
    out = [say("raised", qs, names=", ".join(qs), message=m) for m, qs in by_message.items()]
    if r.run.clear is not None:
        out.append(say("clear_raised", message=r.run.clear.message))
    return out


def beyond_course(r: CaseResult) -> list[Finding]:
    """A case with an activation beyond the course's (asked for by --activations) where the
    file's MLP(...) or forward raised: the file may not implement it, which the homework does
    not ask of it."""
    extra = [a for a in dict.fromkeys((r.case.f, r.case.g))
             if a in ACTIVATIONS and not ACTIVATIONS[a].course]
    got = r.run.got["y_hat"][0]
    if not extra or got.kind != "error" or not (got.message or "").startswith(
            ("MLP(...) ", "MLP.forward ")):
        return []
    names, one = " and ".join(extra), len(extra) == 1
    return [say("beyond_course", names=names, are="is" if one else "are",
                them="it" if one else "them", course=", ".join(COURSE_ACTIVATIONS))]


def autograd(r: CaseResult) -> list[Finding]:
    return [say("autograd", step=step, entry=entry, where=where)
            for step, entry, where in dict.fromkeys(r.autograd)]


def wrong_shape(r: CaseResult) -> list[Finding]:
    """A result of the wrong shape (not a transpose, which `transposed` names). Both gradients
    below f of the wrong shape, where those above it are right, is f' taken as a vector or a
    matrix of its own instead of entry by entry."""
    shapes = {}
    for q in QUANTITIES:
        got, want = r.run.first(q), r.run.expected[q]
        if got is None or got.tensor.numel() == want.numel() == 1 \
                or got.tensor.shape == want.shape or is_transposed(r, q):
            continue
        shapes[q] = (tuple(got.tensor.shape), tuple(want.shape))
    below_f = {"dJdW1", "dJdb1"} <= set(shapes) and r.checks["dJdW2"].status == "ok" \
        and r.checks["dJdb2"].status == "ok"
    out = []
    for q, (shape, want) in shapes.items():
        if below_f and q in ("dJdW1", "dJdb1"):
            out.append(say("wrong_shape_below_f", (q,), q=q, shape=shape, want=want))
            continue
        why = ": one row per sample, where the batch must be summed over" \
            if shape == (SIZES.batch, *want) else ""
        out.append(say("wrong_shape", (q,), q=q, shape=shape, want=want, why=why))
    return out


def evidence(r: CaseResult, q: str) -> RunResult:
    """The run to read `q` from: for the scalar J, the float64 run when it has a finite J, where
    a ratio such as 2/N is told apart from a coincidence at float64's tolerance, not float32's."""
    got = r.float64.first(q)
    if q == "J" and got is not None and r.float64.checks[q].rel_err is not None:
        return r.float64
    return r.run


def forward_and_loss_factors(r: CaseResult) -> list[Finding]:
    """y_hat, J or dJdy_hat a constant multiple of torch's (named, for J)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for q in r.run.wrong(("y_hat", "J", "dJdy_hat")):
        run = evidence(r, q)
        tol = run.checks[q].tolerance
        alpha = constant_factor(run.first(q).tensor, run.expected[q], tol)
        text = describe_factor(q, r.case.loss, alpha, tol, GRADS) if alpha else None
        if text is not None:
            groups.setdefault((factor_code(q, alpha, tol), text), []).append(q)
    return [say(code, qs, subject=are(qs), text=text) for (code, text), qs in groups.items()]


def known_losses(r: CaseResult) -> list[Finding]:
    out = []
    for q in r.run.wrong(("J", "dJdy_hat")):
        run = evidence(r, q)
        known = known_mistake(r.case.loss, q, run.first(q).tensor, run.inputs["y"],
                              run.expected["y_hat"], run.expected[q], run.checks[q].tolerance)
        if known is not None:
            out.append(say(known[0], (q,), q=q, text=known[1]))
    return out


def follows_forward(r: CaseResult) -> list[Finding]:
    """Backward reads forward's cache: where y_hat is wrong, the gradients cannot be told apart
    from forward's mistake, so say so rather than blame backward."""
    if r.checks["y_hat"].status in ("ok", "not run"):
        return []
    wrong = tuple(q for q in GRADS if r.checks[q].status == "mismatch")
    return [say("follows_forward", wrong)] if wrong else []


DIAGNOSES = (failures, beyond_course, autograd, wrong_shape, transposed, forward_and_loss_factors,
             known_losses, derivative_and_factor, bias_only, other_activations, follows_forward)


def unexplained(r: CaseResult, findings: list[Finding]) -> list[Finding]:
    named = {q for f in findings if f.kind == "failure" for q in f.quantities}
    out = []
    for q in QUANTITIES:
        got = r.run.first(q)
        if q not in named and r.checks[q].status == "mismatch" and got is not None:
            out.append(say("unexplained", (q,), text=describe(
                q, r.case, got.tensor, r.run.expected[q], r.run.inputs["y"],
                r.checks[q].tolerance)))
    return out


def diagnose(r: CaseResult) -> list[Finding]:
    """Every finding of `DIAGNOSES` and `NOTES`, then the pattern of whatever none explained."""
    findings = [f for diagnosis in (*DIAGNOSES, *NOTES) for f in diagnosis(r)]
    return findings + unexplained(r, findings)


def seed_findings(course: list[CourseResult], seed: int) -> list[Finding]:
    """A finding per course test that passes at the verdict's seed and fails at some other,
    with the cause where the numbers show it: a loss that is not finite where y_hat is exactly
    0 or 1."""
    from .plan import course_seed
    out = []
    for i, c in enumerate(course):
        passed, total = c.pass_rate
        if not c.passed or passed == total:
            continue  # failing at the verdict's seed, it is a failure already
        k, failing = next((k, r) for k, r in enumerate(c.runs) if not r.passed)
        fields = dict(test=c.test.name, passed=passed, total=total,
                      example=course_seed(seed, i, k))
        if any(_saturated(r) for r in c.runs if not r.passed):
            out.append(say("course_seeds_bce", **fields))
            continue
        worst = max((n for n in failing.norms.values() if n is not None), default=None)
        why = failing.error or (f"there a gradient differs from the course's twin by "
                                f"{worst:.2g}, over {COURSE_NORM_LIMIT:g}")
        out.append(say("course_seeds", why=why, **fields))
    return out


def _saturated(r: CourseResult) -> bool:
    """The run's loss is not finite, and its y_hat is exactly 0 or 1 somewhere."""
    loss = [r.got.get(q) for q in ("J", "dJdy_hat")]
    y_hat = r.got.get("y_hat")
    return any(g is not None and g.kind == "value" and not bool(g.tensor.isfinite().all())
               for g in loss) and y_hat is not None and y_hat.kind == "value" and bool(
        ((y_hat.tensor == 0) | (y_hat.tensor == 1)).any())


# --- disagree ---------------------------------------------------------------------------------

TESTS = "{tests}"  # where the names of the course tests a reason applies to go


def _factor(alpha: float, tol: float) -> str:
    exps = named(alpha, tol)
    return f"{label(*exps)} times" if exps else f"{alpha:.4g} times"


def compensation(r: CaseResult) -> str | None:
    """dJdy_hat off by a factor that backward's gradients are off by the inverse of."""
    run = r.run
    if run.checks["dJdy_hat"].status != "mismatch" or run.first("dJdy_hat") is None:
        return None
    tol = run.checks["dJdy_hat"].tolerance
    alpha = constant_factor(run.first("dJdy_hat").tensor, run.expected["dJdy_hat"], tol)
    wrong = [q for q in GRADS if run.checks[q].status == "mismatch"]
    betas = [constant_factor(run.first(q).tensor, run.expected[q], tol) for q in wrong]
    if alpha is None or not wrong or None in betas \
            or any(abs(alpha * b - 1) > 100 * tol for b in betas):
        return None
    return (f"compensating mistakes: {r.case.loss}_loss's dJdy_hat is {_factor(alpha, tol)} "
            f"torch's, and MLP.backward turns torch's dJdy_hat into {_factor(betas[0], tol)} "
            f"torch's gradients ({', '.join(wrong)}); end to end the two cancel, so the course's "
            f"{TESTS} pass(es) while each function alone is wrong")


def why_course_passes(r: CaseResult) -> str:
    wrong = [q for q in QUANTITIES if r.checks[q].status != "ok"]
    if any(f.code == "autograd" for f in r.findings):
        return f"the course's {TESTS} pass(es) because autograd's gradients are right; the " \
               f"course's tests cannot see that autograd computed them"
    if wrong and set(wrong) <= {"J"}:
        return f"the course's {TESTS} pass(es): the course compares the four gradients only, " \
               f"never J"
    text = compensation(r)
    if text is not None:
        return text
    return f"the course's {TESTS} pass(es) (its bound is an absolute {COURSE_NORM_LIMIT:g} on " \
           f"the norm of each gradient's difference), but run alone " \
           f"{', '.join(wrong) or 'a rule'} fails in {r.case.label}: see the diagnoses"


def why_course_fails(c: CourseResult, r: CaseResult) -> str:
    s = c.test.sizes
    where = (f"it builds MLP({s.n_in}, {s.hidden}, ...) with the file's own weights from "
             f"__init__, at batch {s.batch} and K = {s.n_out}, where the grader sets its own")
    why = c.error or ", ".join(f"‖{q} − torch's‖ = {c.norms[q]:.3g}" for q in GRADS
                               if not c.norms[q] < COURSE_NORM_LIMIT)
    return f"the course's {c.test.name} fails ({why}) although each function agrees run alone " \
           f"in {r.case.label}: {where}"


def unseen(course: list[CourseResult], cases: list[CaseResult]) -> list[str]:
    covered = {t.case for t in COURSE_TESTS}
    missed = [r.case.label for r in cases if r.case not in covered and not r.ok()]
    if not missed or not all(c.passed for c in course):
        return []
    return [f"the course's three tests run only {', '.join(t.case.label for t in COURSE_TESTS)}; "
            f"of the cases they never run, these fail here: "
            f"{cases_text(missed, [r.case for r in cases])}"]


def disagreements(course: list[CourseResult], cases: list[CaseResult]) -> list[str]:
    """One sentence per reason the course's tests and the per-function verdict differ, naming
    the course tests it applies to; then the failing cases the course never runs."""
    by_case, reasons = {r.case: r for r in cases}, {}
    for c in course:
        r = by_case.get(c.test.case)
        if r is None or c.passed is None or c.passed == r.ok():
            continue
        text = why_course_passes(r) if c.passed else why_course_fails(c, r)
        reasons.setdefault(text, []).append(c.test.name)
    out = []
    for text, names in reasons.items():
        verb = "passes" if len(names) == 1 else "pass"
        out.append(text.replace("pass(es)", verb).replace(TESTS, ", ".join(names)))
    return out + unseen(course, cases)


# --- groups -----------------------------------------------------------------------------------

BLOCKED = ("error", "missing", "not run")


@dataclass
class Group:
    kind: str
    text: str
    quantities: tuple[str, ...]
    code: str = ""
    cases: list[str] = field(default_factory=list)
    undecided: list[tuple[str, str]] = field(default_factory=list)  # (case, why)


def groups(report: Report) -> list[Group]:
    """Failures first, then notes, then facts; each in the order first found."""
    found: dict[str, Group] = {}
    for r in report.cases:
        for f in r.findings:
            g = found.setdefault(f.text, Group(f.kind, f.text, f.quantities, f.code))
            if r.case.label not in g.cases:
                g.cases.append(r.case.label)
    by_label = {r.case.label: r for r in report.cases}
    for g in found.values():
        if any(by_label[c].run.checks[q].status in BLOCKED for c in g.cases
               for q in g.quantities):
            continue  # it says why there is no value: nothing for it to tell elsewhere
        for r in report.cases:
            run = r.float64 if g.code.startswith("float64_") else r.run
            blocked = [q for q in g.quantities if run.checks[q].status in BLOCKED]
            if g.quantities and r.case.label not in g.cases and blocked:
                g.undecided.append((r.case.label, run.got[blocked[0]][0].message or ""))
    for f in report.findings:
        found.setdefault(f.text, Group(f.kind, f.text, f.quantities, f.code))
    rank = {"failure": 0, "seeds": 1, "note": 2, "info": 3}
    return sorted(found.values(), key=lambda g: rank[g.kind])


def cases_text(labels: list[str], cases: Sequence[Case] = CASES) -> str:
    """ "all 12 cases", "every case with g = sigmoid (6)", or the labels one by one; `cases`
    are those graded (a report's: `[r.case for r in report.cases]`)."""
    if len(labels) == len(cases):
        return f"all {len(cases)} cases"
    for attr, value in sorted({(a, getattr(c, a)) for c in cases for a in ("f", "g", "loss")}):
        if set(labels) == {c.label for c in cases if getattr(c, attr) == value}:
            return f"every case with {attr} = {value} ({len(labels)})"
    return ", ".join(labels)
