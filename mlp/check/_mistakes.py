r"""Diagnoses that test a known mistake against the numbers: the candidate's tensor equals what
the mistake computes (`by_hand` with it built in, torch's transposed, or the forward pass with
other activations), or behaves as it would over repeated backward passes.
"""

from __future__ import annotations

from itertools import product

from mlp import ACTIVATIONS

from ._compare import RTOL, check_pass, rel_err
from ._reference import GRADS, PARAMETER, by_hand, forward_by_hand
from ._result import CaseResult, Finding, are


def bias_only(r: CaseResult) -> list[Finding]:
    if any(r.checks[w].status != "ok" for w in ("dJdW1", "dJdW2")):
        return []
    wrong = tuple(b for b in ("dJdb1", "dJdb2") if r.checks[b].status == "mismatch")
    return [Finding(wrong, "only the bias gradients are wrong: are you summing over the batch? "
                           "dJdb = δ.sum(0), one term per sample, as dJdW = δᵀx sums over "
                           "the samples")] if wrong else []


def derivative_at_output(r: CaseResult) -> list[Finding]:
    wrong = r.wrong_in_first_pass(GRADS)
    best: tuple[frozenset, list[str]] = (frozenset(), [])
    for layers in (frozenset("g"), frozenset("f"), frozenset("fg")):
        mistake = by_hand(r.case, r.inputs, r.expected["dJdy_hat"], layers)
        explained = [q for q in wrong if rel_err(mistake[q], r.expected[q]) > RTOL["float64"]
                     and rel_err(r.first(q).tensor, mistake[q]) <= r.first(q).rtol]
        if len(explained) > len(best[1]):
            best = (layers, explained)
    layers, explained = best
    if not explained:
        return []
    where = {"f": f"f = {r.case.f} at its output z1 = f(s1) instead of its input s1",
             "g": f"g = {r.case.g} at its output y_hat = g(s2) instead of its input s2"}
    text = (f"{are(explained)} what you get by evaluating the derivative of "
            f"{' and of '.join(where[k] for k in sorted(layers))}: a'(s) belongs at the "
            f"pre-activation s")
    if "sigmoid" in (r.case.f, r.case.g):
        text += "; the sigmoid's is z(1 - z) with z = σ(s), not σ(z)(1 - σ(z))"
    return [Finding(tuple(explained), text)]


def is_transposed(r: CaseResult, q: str) -> bool:
    got, want = r.first(q), r.expected[q]
    return got is not None and want.dim() == 2 and got.tensor.shape == want.mT.shape \
        != want.shape and rel_err(got.tensor, want.mT) <= got.rtol


def transposed(r: CaseResult) -> list[Finding]:
    return [Finding((q,), f"{q} is transposed: {PARAMETER[q]} is stored (out, in), as nn.Linear "
                          f"stores it, so {q} = δᵀ x has its shape, not xᵀ δ")
            for q in GRADS if is_transposed(r, q)]


def accumulation(r: CaseResult) -> list[Finding]:
    assigns, grows = [], []
    for q in GRADS:
        gots, one = r.got.get(q, []), r.expected[q]
        if r.checks[q].status != "mismatch" or any(g.kind != "value" for g in gots) \
                or len(gots) < 3 or check_pass(gots[0], one).status != "ok":
            continue
        if check_pass(gots[1], one).status == "ok":
            assigns.append(q)
        elif check_pass(gots[1], 2 * one).status == "ok" and any(
                check_pass(gots[2], k * one).status == "ok" for k in (2, 3)):
            grows.append(q)
    out = []
    if assigns:
        out.append(Finding(tuple(assigns), f"{are(assigns)} assigned, not accumulated: a "
                           "second backward without clearing leaves them as they were, where "
                           "torch's .grad adds up to twice the gradient. Add into grads (+=) "
                           "and let clear_grad_and_cache zero them"))
    if grows:
        out.append(Finding(tuple(grows), f"{are(grows)} still growing after "
                           "clear_grad_and_cache: it must zero every gradient (grad.zero_())"))
    return out


def other_activations(r: CaseResult) -> list[Finding]:
    got = r.first("y_hat")
    if got is None or r.checks["y_hat"].status != "mismatch" or rel_err(
            got.tensor, r.expected["y_hat"]) is None:
        return []
    for f, g in product(ACTIVATIONS, ACTIVATIONS):
        if (f, g) != (r.case.f, r.case.g) and rel_err(
                got.tensor, forward_by_hand(f, g, r.inputs)) <= got.rtol:
            which = ("f and g swapped" if (g, f) == (r.case.f, r.case.g)
                     else f"f = {f}, g = {g} instead of f = {r.case.f}, g = {r.case.g}")
            return [Finding(("y_hat",), f"y_hat is what {which} give: check how forward "
                                        f"picks f_function and g_function")]
    return []
