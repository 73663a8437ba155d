r"""The constant-ratio diagnosis: the candidate's tensor is $\alpha$ times torch's.

$\alpha = \langle c, r \rangle / \langle r, r \rangle$ is the least-squares factor; the
hypothesis holds when $\lVert c - \alpha r \rVert$ is rounding. It is then named when it is one
of $\pm 2^a N^b K^c$, $a, b, c \in \{-1, 0, 1\}$: the factors that a wrong reduction, a dropped
2 or a flipped sign leave. N and K are distinct odd primes (see `_cases`), so each value has one
name. A scalar (J) is always a multiple of torch's, so for it only a named factor is reported.
"""

from __future__ import annotations

from itertools import product

from ._cases import SIZES
from ._reference import GRADS
from ._result import CaseResult, Finding, are

# How the common factors read; any other reads "<factor> times torch's".
PHRASES = {"1/2": "half of torch's", "2": "twice torch's", "-1": "the negative of torch's"}


def _label(sign: int, a: int, b: int, c: int) -> str:
    up = [s for s, e in (("2", a), ("N", b), ("K", c)) if e == 1]
    down = [s for s, e in (("2", a), ("N", b), ("K", c)) if e == -1]
    text = "·".join(up) or "1"
    if down:
        text += "/" + (down[0] if len(down) == 1 else "(" + "·".join(down) + ")")
    return ("-" if sign < 0 else "") + text


FACTORS = [(sign * 2.0**a * SIZES.batch**b * SIZES.n_out**c, (sign, a, b, c))
           for sign, a, b, c in product((1, -1), (-1, 0, 1), (-1, 0, 1), (-1, 0, 1))
           if (sign, a, b, c) != (1, 0, 0, 0)]


def _loss_hints(q: str, loss: str, sign: int, a: int, b: int, c: int) -> list[str]:
    hints = []
    if sign < 0:
        hints.append("the sign is flipped" + (": the gradient points along y_hat - y"
                                              if q == "dJdy_hat" else ""))
    if a == -1:
        hints.append({("J", "mse"): "F.mse_loss has no 1/2",
                      ("dJdy_hat", "mse"): "d(y_hat - y)²/dy_hat = 2(y_hat - y): a 2 is missing"
                      }.get((q, loss), "a factor 1/2 that torch's loss does not have"))
    if a == 1:
        hints.append("a factor 2 too many")
    reduction = {(1, 1): "you sum; torch's mean divides by all N·K entries of y_hat",
                 (0, 1): "you divide by N only; torch's mean divides by N·K, every entry",
                 (1, 0): "you divide by K only; torch's mean divides by N·K, every entry",
                 }.get((b, c), "you divide by N or K once more than torch's mean"
                       if -1 in (b, c) else None)
    return hints + [reduction] * (reduction is not None)


def _grad_hints(q: str, sign: int, a: int, b: int, c: int) -> list[str]:
    hints = []
    if sign < 0:
        hints.append("the sign is flipped: the minus of a descent step belongs to the update "
                     "W - lr·dJdW, not to the gradient")
    if a != 0:
        hints.append("a factor 2 too many" if a == 1 else "a factor 2 is missing")
    if b == -1 and q.startswith("dJdb"):
        hints.append("dJdb sums δ over the batch (δ.sum(0)); averaging divides by N")
    elif b != 0 or c != 0:
        hints.append("dJdy_hat already carries the loss's 1/(N·K): backward adds no factor "
                     "of N or K of its own")
    return hints


def _legend(label: str) -> str:
    parts = [t for s, t in (("N", f"N = {SIZES.batch} samples"), ("K", f"K = {SIZES.n_out} "
             "outputs")) if s in label]
    return f" ({', '.join(parts)})" if parts else ""


def ratio_findings(r: CaseResult, wrong: list[str]) -> list[Finding]:
    """One finding per factor shared by quantities of `wrong` (first pass, right shape)."""
    groups: dict[str, list[str]] = {}
    for q in wrong:
        got = r.first(q)
        c, e = got.tensor.reshape(r.expected[q].shape), r.expected[q]
        if e.norm() == 0:
            continue
        if not bool(c.any()):
            groups.setdefault("all zeros, where torch's is not", []).append(q)
            continue
        alpha = float((c * e).sum() / (e * e).sum())
        if (c - alpha * e).norm() > 10 * got.rtol * abs(alpha) * e.norm():
            continue  # not a constant multiple
        named = [(value, exps) for value, exps in FACTORS
                 if abs(alpha - value) <= 10 * got.rtol * abs(value)]
        if named:
            label = _label(*named[0][1])
            hints = (_grad_hints(q, *named[0][1]) if q in GRADS
                     else _loss_hints(q, r.case.loss, *named[0][1]))
            text = PHRASES.get(label) or f"{label} times torch's"
            text += _legend(label) + ": " * bool(hints) + "; ".join(hints)
        elif c.numel() > 1:
            text = f"{alpha:.6g} times torch's, a constant factor"
        else:
            continue
        groups.setdefault(text, []).append(q)
    return [Finding(tuple(qs), f"{are(qs)} {text}") for text, qs in groups.items()]
