r"""Which (f, g, loss) make a network, computed from the registries' entries, never listed.

A loss accepts an output activation $g$ when every value $g$ can give lies where the loss is
defined: $g$'s `interval` is a subset of the loss's `domain` (BCE: [0, 1], so the sigmoid but
not ReLU), and, for a loss on probability rows (`simplex`, cross-entropy), every row of $g$'s
output sums to 1, which `sums_to_one` decides by SymPy on a row of symbols. The hidden
activation $f$ is free. With the course's relu, sigmoid, identity and MSE, BCE that is
$9 + 3 = 12$ configurations.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import sympy as sp

from .activations import ACTIVATIONS
from .losses import LOSSES

_ROW = sp.ImmutableMatrix([sp.symbols("u v w", real=True)])


@cache
def _sums_to_one(activation) -> bool:
    total = sum(activation(_ROW)) - 1
    # A number at one point first: an element-wise a(u) + a(v) + a(w) is not 1 there, and
    # simplify then never runs on an erf or a Piecewise.
    at = dict(zip(_ROW, (sp.Rational(1, 3), sp.Rational(-1, 2), sp.Rational(2)), strict=True))
    if abs(sp.N(total.xreplace(at))) > 1e-12:
        return False
    return sp.simplify(total) == 0


def sums_to_one(name: str) -> bool:
    """Whether each row of the activation `name`'s output sums to 1, for every input."""
    return _sums_to_one(ACTIVATIONS[name])


def accepts(loss: str, g: str) -> bool:
    """Whether the loss `loss` is defined on every output the activation `g` can give."""
    entry, out = LOSSES[loss], ACTIVATIONS[g]
    return bool(out.outputs().is_subset(entry.domain)) and (not entry.simplex or sums_to_one(g))


def configurations(activations: Iterable[str] | None = None,
                   losses: Iterable[str] | None = None) -> list[tuple[str, str, str]]:
    """Every (f, g, loss) of the given names (default: all registered) the losses accept.

    Ordered loss by loss, then f, then g, in registry order."""
    names = list(ACTIVATIONS if activations is None else activations)
    return [(f, g, loss) for loss in (LOSSES if losses is None else losses)
            for f in names for g in names if accepts(loss, g)]
