r"""The configurations the grader runs, the seeded inputs each gets, and the course's own tests.

Every pair (f, g) of the course's activations (`mlp.COURSE_ACTIVATIONS`, the registry entries
marked as the course's) with every course loss (`mlp.COURSE_LOSSES`) that accepts g's output, as
`derivations.configurations` decides from the registries' intervals: MSE takes any, BCE needs
$\hat y \in [0, 1]$, which only the sigmoid gives. With three activations and two losses that is
9 + 3 = 12 cases, `CASES`. `cases_for` gives the same for other registered activations
(`mlp-check --activations`): every (f, g, loss) of them the course's losses accept.

The sizes make every usual mistake show and tell it apart from the others: batch N > 1 and out
K > 1 so a wrong reduction changes the result; N = 5 and K = 3 are distinct odd primes, so the
factors $2^a N^b K^c$ a wrong reduction leaves are all distinct; and no weight matrix is square,
so a transposed gradient has the wrong shape.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch
from torch import Tensor

from derivations.configurations import configurations
from mlp import ACTIVATIONS, COURSE_ACTIVATIONS, COURSE_LOSSES


@dataclass(frozen=True)
class Sizes:
    """batch N, input n, hidden m, output K: x is (N, n), W1 (m, n), W2 (K, m), y_hat (N, K)."""

    batch: int = 5
    n_in: int = 4
    hidden: int = 6
    n_out: int = 3


SIZES = Sizes()

@dataclass(frozen=True)
class Case:
    """One configuration: hidden activation f, output activation g, loss (registry keys)."""

    f: str
    g: str
    loss: str

    @property
    def label(self) -> str:
        return f"{self.f}/{self.g}/{self.loss}"


def activation_names(names: str | Iterable[str]) -> tuple[str, ...]:
    """`names` ("relu,tanh" or a list) as keys of `ACTIVATIONS`, each once, in the registry's
    order; "all" gives every registered one. Raises ValueError naming the unknown ones and the
    valid ones."""
    names = [n.strip() for n in (names.split(",") if isinstance(names, str) else names)]
    names = [n for n in names if n]
    unknown = [n for n in dict.fromkeys(names) if n not in ACTIVATIONS and n != "all"]
    if "all" in names and not unknown:
        return tuple(ACTIVATIONS)
    if unknown or not names:
        what = f"unknown activation {', '.join(map(repr, unknown))}" if unknown \
            else "no activation named"
        raise ValueError(f"{what}; the registered ones are {', '.join(ACTIVATIONS)} "
                         f"(or all)")
    return tuple(n for n in ACTIVATIONS if n in names)


def cases_for(activations: Iterable[str], losses: Iterable[str] = COURSE_LOSSES
              ) -> tuple[Case, ...]:
    """Every (f, g, loss) over `activations` that `losses` accept, as
    `derivations.configurations` decides; `cases_for(COURSE_ACTIVATIONS) == CASES`."""
    return tuple(Case(f, g, loss) for f, g, loss in configurations(activations, losses))


def activations_of(cases: Iterable[Case]) -> tuple[str, ...]:
    """The activations `cases` use, as f or g, in the registry's order."""
    used = {name for c in cases for name in (c.f, c.g)}
    return tuple(n for n in ACTIVATIONS if n in used) + tuple(sorted(used - set(ACTIVATIONS)))


CASES: tuple[Case, ...] = cases_for(COURSE_ACTIVATIONS, COURSE_LOSSES)


@dataclass(frozen=True)
class CourseTest:
    """One of the course's public test scripts: its configuration, its sizes, its targets."""

    name: str
    case: Case
    sizes: Sizes
    targets: str  # "randn": torch.randn(N, K); "labels": (torch.randn(N, K) < 0.5) * 1.0


# The homework's three public tests (homework.md): a fixed external script each, so listed.
COURSE_TESTS: tuple[CourseTest, ...] = (
    CourseTest("test1", Case("relu", "identity", "mse"), Sizes(10, 2, 20, 5), "randn"),
    CourseTest("test2", Case("sigmoid", "sigmoid", "bce"), Sizes(10, 2, 20, 5), "labels"),
    CourseTest("test3", Case("relu", "relu", "mse"), Sizes(10, 2, 20, 22), "randn"),
)
COURSE_NORM_LIMIT = 1e-3
"""The course compares `(twin_grad - net.grads[k]).norm() < 1e-3`, an absolute bound."""


def _gaussian(shape: tuple[int, ...], gen: torch.Generator) -> Tensor:
    return torch.randn(shape, dtype=torch.float64, generator=gen)


def _labels(shape: tuple[int, ...], gen: torch.Generator) -> Tensor:
    # 0/1 targets, as the course's BCE test draws them.
    return (torch.rand(shape, dtype=torch.float64, generator=gen) < 0.5).double()


# How each loss's targets y are drawn; a loss not named here gets Gaussian targets.
TARGETS: dict[str, Callable[[tuple[int, ...], torch.Generator], Tensor]] = {
    "mse": _gaussian, "bce": _labels,
}


def make_inputs(case: Case, gen: torch.Generator, sizes: Sizes = SIZES) -> dict[str, Tensor]:
    r"""x (N, n), y (N, K), W1 (m, n), b1 (m,), W2 (K, m), b2 (K,), all float64.

    Weights are scaled by $1/\sqrt{\text{fan-in}}$ so that the sigmoid stays away from
    saturation, where every implementation's rounding would grow.
    """
    N, n, m, K = sizes.batch, sizes.n_in, sizes.hidden, sizes.n_out
    return dict(
        x=_gaussian((N, n), gen),
        y=TARGETS.get(case.loss, _gaussian)((N, K), gen),
        W1=_gaussian((m, n), gen) / n**0.5, b1=_gaussian((m,), gen) / 2,
        W2=_gaussian((K, m), gen) / m**0.5, b2=_gaussian((K,), gen) / 2,
    )


def pre_activations(case: Case, inputs: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
    """s1 (N, m) and s2 (N, K) of the case's network on its inputs."""
    s1 = inputs["x"] @ inputs["W1"].mT + inputs["b1"]
    return s1, ACTIVATIONS[case.f].forward(s1) @ inputs["W2"].mT + inputs["b2"]


def lively(case: Case, inputs: dict[str, Tensor]) -> bool:
    """Every hidden and output unit's pre-activation takes both signs over the batch.

    Otherwise a ReLU could pass no gradient through a unit, or through the whole net (then a
    gradient of zero equals twice itself), and some mistakes would not show.
    """
    return all(bool(((s > 0).any(0) & (s < 0).any(0)).all()) for s in pre_activations(case, inputs))


def _draw(case: Case, gen: torch.Generator, sizes: Sizes) -> dict[str, Tensor]:
    inputs = make_inputs(case, gen, sizes)
    while not lively(case, inputs):
        inputs = make_inputs(case, gen, sizes)
    return inputs


def _own_seed(seed: int, case: Case) -> int:
    """The seed of a case beyond `CASES`: from `seed` and the case's label alone."""
    return (seed * 0x9E3779B1 + zlib.crc32(case.label.encode())) % 2**63


def all_inputs(seed: int, sizes: Sizes = SIZES,
               cases: tuple[Case, ...] = CASES) -> list[dict[str, Tensor]]:
    """The inputs of every case in `cases` (default `CASES`); a draw that is not `lively` is
    drawn again.

    The cases of `CASES` are drawn in its order from one generator seeded `seed`, every other
    case from a generator of its own (`_own_seed`), so a case gets the same inputs whichever
    other cases are graded with it."""
    if cases == CASES:
        gen = torch.Generator().manual_seed(seed)
        return [_draw(case, gen, sizes) for case in CASES]
    course = dict(zip(CASES, all_inputs(seed, sizes), strict=True)) \
        if any(c in CASES for c in cases) else {}
    return [course[c] if c in course else
            _draw(c, torch.Generator().manual_seed(_own_seed(seed, c)), sizes) for c in cases]
