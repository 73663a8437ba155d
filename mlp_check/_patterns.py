"""When no known mistake fits: describe what the numbers show, and where the formula is.

The description measures the pattern of the difference: NaN or inf, which entries differ (every
one, only where y = 1 or y = 0, some rows or columns), whether the sign is flipped there, and
whether the ratio to torch's is constant. It ends with the formula and the site's page for it.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ._cases import Case

# Each quantity's formula as the code computes it, and the site's page that derives it.
FORMULAS = {
    "y_hat": ("y_hat = g(f(x W1ᵀ + b1) W2ᵀ + b2)", "The whole network"),
    ("J", "mse"): ("J = mean((y_hat - y)²) over all N·K entries", "Losses"),
    ("J", "bce"): ("J = -mean(y·log(y_hat) + (1 - y)·log(1 - y_hat))", "Losses"),
    ("dJdy_hat", "mse"): ("dJdy_hat = 2(y_hat - y)/(N·K)", "Losses"),
    ("dJdy_hat", "bce"): ("dJdy_hat = (y_hat - y)/(y_hat(1 - y_hat))/(N·K)", "Losses"),
    "dJdW2": ("dJdW2 = δ2ᵀ z1, δ2 = dJdy_hat ⊙ g'(s2)", "The linear layer"),
    "dJdb2": ("dJdb2 = δ2 summed over the batch, δ2 = dJdy_hat ⊙ g'(s2)", "The linear layer"),
    "dJdW1": ("dJdW1 = δ1ᵀ x, δ1 = (δ2 W2) ⊙ f'(s1)", "The linear layer"),
    "dJdb1": ("dJdb1 = δ1 summed over the batch, δ1 = (δ2 W2) ⊙ f'(s1)", "The linear layer"),
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
