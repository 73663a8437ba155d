r"""Diagnoses that test a known mistake against the numbers: the candidate's tensor equals what
the mistake computes (`by_hand` with it built in, torch's transposed, the forward pass with other
activations), up to a constant factor that is then named as well.
"""

from __future__ import annotations

from itertools import product

from ._compare import close
from ._ratios import constant_factor, describe_factor
from ._reference import GRADS, PARAMETER, by_hand, forward_by_hand
from ._result import CaseResult, Finding, are

# The layers whose derivative may be taken at the output; the empty set is the right backward.
BASES = (frozenset(), frozenset("g"), frozenset("f"), frozenset("fg"))
# How each activation's derivative reads through its output z = a(s), where one is usual.
DERIVATIVE_WORDS = {"sigmoid": "z(1 - z) with z = σ(s), not σ(z)(1 - σ(z))"}
# What each weight gradient is made of: dJdW = δᵀ (the layer's input).
LAYER_INPUT = {"dJdW1": ("δ1", "x"), "dJdW2": ("δ2", "z1")}


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
    where = {"f": ("f", r.case.f, "z1 = f(s1)", "s1"), "g": ("g", r.case.g, "y_hat = g(s2)", "s2")}
    for layer, (name, act, output, s) in where.items():
        qs = tuple(q for q, (layers, _) in fits.items() if layer in layers)
        if qs:
            out.append(Finding(qs, f"the gradients below {name} are what its derivative gives "
                                   f"when taken at {name}'s output {output} instead of its input "
                                   f"{s}: a'(s) belongs at the pre-activation. The {act}'s is "
                                   f"{DERIVATIVE_WORDS.get(act, act + chr(39) + '(s)')}; an "
                                   f"in-place op (s.{act}_()) that overwrote the cached s does "
                                   f"the same"))
    for q, (layers, alpha) in fits.items():
        tol = r.run.checks[q].tolerance
        if abs(alpha - 1) > 10 * tol:
            text = describe_factor(q, r.case.loss, alpha, tol, GRADS)
            factors.setdefault(text + (" (of what that derivative gives)" if layers else ""),
                               []).append(q)
    return out + [Finding(tuple(qs), f"{are(qs)} {text}") for text, qs in factors.items()]


def bias_only(r: CaseResult) -> list[Finding]:
    if any(r.checks[w].status != "ok" for w in ("dJdW1", "dJdW2")):
        return []
    wrong = tuple(b for b in ("dJdb1", "dJdb2") if r.checks[b].status == "mismatch")
    return [Finding(wrong, "only the bias gradients are wrong: dJdb = δ.sum(0), one term per "
                           "sample, as dJdW = δᵀ x sums over the samples")] if wrong else []


def is_transposed(r: CaseResult, q: str) -> bool:
    got, want = r.run.first(q), r.run.expected[q]
    return got is not None and want.dim() == 2 and got.tensor.shape == want.mT.shape \
        != want.shape and close(got.tensor, want.mT, r.checks[q].tolerance)


def transposed(r: CaseResult) -> list[Finding]:
    out = []
    for q in GRADS:
        if is_transposed(r, q):
            delta, inp = LAYER_INPUT[q]
            out.append(Finding((q,), f"{q} is transposed: {PARAMETER[q]} is stored (out, in), "
                                     f"as nn.Linear stores it, so {q} = {delta}ᵀ {inp} has its "
                                     f"shape, not {inp}ᵀ {delta}"))
    return out


def other_activations(r: CaseResult) -> list[Finding]:
    if "y_hat" not in r.run.wrong(("y_hat",)):
        return []
    got = r.run.first("y_hat")
    for f, g in product(r.activations, r.activations):  # those graded: the course's by default
        if (f, g) != (r.case.f, r.case.g) and close(
                got.tensor, forward_by_hand(f, g, r.run.inputs), r.checks["y_hat"].tolerance):
            which = ("f and g swapped" if (g, f) == (r.case.f, r.case.g)
                     else f"f = {f}, g = {g} instead of f = {r.case.f}, g = {r.case.g}")
            return [Finding(("y_hat",), f"y_hat is what {which} give: check how forward "
                                        f"picks f_function and g_function")]
    return []
