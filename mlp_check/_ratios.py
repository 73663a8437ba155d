r"""The constant-ratio diagnosis: the candidate's tensor is $\alpha$ times torch's.

$\alpha = \langle c, r \rangle / \langle r, r \rangle$ is the least-squares factor; the
hypothesis holds when $\lVert c - \alpha r \rVert$ is rounding. It is then named when it is one
of $\pm 2^a N^b K^c$, $a, b, c \in \{-1, 0, 1\}$: the factors that a wrong reduction, a dropped
2 or a flipped sign leave. N and K are distinct odd primes (see `_cases`), so each value has one
name. A scalar (J) is always a multiple of torch's, so for it only a named factor is reported.
The words say what the numbers show, not what the code must have done.
"""

from __future__ import annotations

from itertools import product

from torch import Tensor

from ._cases import SIZES

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
        hints.append("dJdb sums δ over the batch (δ.sum(0)); a mean divides by N")
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
