r"""What every file is graded on: the cases, their seeded inputs, the course's tests, and torch's
answers.

The configurations the grader runs, the seeded inputs each gets, and the course's own tests.

Every pair (f, g) of the course's activations (`mlp.COURSE_ACTIVATIONS`, the registry entries
marked as the course's) with every course loss (`mlp.COURSE_LOSSES`) that accepts g's output, as
`derivations.configurations` decides from the registries' intervals: MSE takes any, BCE needs
$\hat y \in [0, 1]$, which only the sigmoid gives. With three activations and two losses that is
9 + 3 = 12 cases, `CASES`, written out here because deciding them takes SymPy (half a second of
import for every graded file); a test holds the list equal to `derivations.configurations()`.
`cases_for` gives the same for other registered activations (`mlp-check --activations`): every
(f, g, loss) of them the course's losses accept, decided by SymPy, imported only then.

The sizes make every usual mistake show and tell it apart from the others: batch N > 1 and out
K > 1 so a wrong reduction changes the result; N = 5 and K = 3 are distinct odd primes, so the
factors $2^a N^b K^c$ a wrong reduction leaves are all distinct; and no weight matrix is square,
so a transposed gradient has the wrong shape.

What a candidate is held against: torch's own modules and losses, differentiated by autograd.

`autograd_reference` builds the homework's `nn.Sequential` twin, puts the case's weights into it as
the course's tests do (`twin.linear1.weight.data = W1`), and lets autograd compute every quantity
in float64. `by_hand` recomputes the gradients with the registry's derivatives, optionally with a
known mistake built in, so a diagnosis can test "your numbers are what this mistake gives".

What every file is run on: the units of work, their inputs, and torch's answers to them.

A plan depends only on the seed and the cases graded (`CASES`, or more with `--activations`),
so a batch computes it once and every worker reads the same payload file; each unit names its
case's activations and loss, so a worker needs nothing else. Units, in the order the worker runs
them: the course's three tests, every case in float32 (the course's dtype, with the accumulation
probes), every case in float64, the edges where common bugs hide from the course's tests (`EDGES`:
N = 1, K = 1, ReLU inputs exactly 0, a saturated output sigmoid under BCE; backward twice after
one clear is every float32 case's second pass), and the BCE at $\hat y \in \{0, 1\}$.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mlp import ACTIVATIONS, COURSE_LOSSES, Activation
from mlp.twin import make_twin, torch_loss, twin_grads

# --- cases ------------------------------------------------------------------------------------

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
    from derivations.configurations import configurations  # SymPy: only for --activations
    return tuple(Case(f, g, loss) for f, g, loss in configurations(activations, losses))


def activations_of(cases: Iterable[Case]) -> tuple[str, ...]:
    """The activations `cases` use, as f or g, in the registry's order."""
    used = {name for c in cases for name in (c.f, c.g)}
    return tuple(n for n in ACTIVATIONS if n in used) + tuple(sorted(used - set(ACTIVATIONS)))


# Loss by loss, then f, then g, in the registry's order, as `derivations.configurations` lists
# them (tests/test_check_verdict.py holds the two equal).
CASES: tuple[Case, ...] = tuple(
    [Case(f, g, "mse") for f in ("relu", "sigmoid", "identity")
     for g in ("relu", "sigmoid", "identity")]
    + [Case(f, "sigmoid", "bce") for f in ("relu", "sigmoid", "identity")])


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
COURSE_SEEDS = 100
"""The course runs its tests unseeded: each is also run at this many seeds, the first the
verdict's (`--seed`), the others for the pass rate."""


def course_seed(seed: int, test: int, k: int) -> int:
    """The torch seed of course test `test`'s k-th run under `--seed seed` (k = 0: the
    verdict's, as before)."""
    return seed * 1000 + test + 1_000_003 * k


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
    """z1 (N, m) and z3 (N, K), the pre-activations of the case's network on its inputs."""
    z1 = inputs["x"] @ inputs["W1"].mT + inputs["b1"]
    return z1, ACTIVATIONS[case.f].forward(z1) @ inputs["W2"].mT + inputs["b2"]


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
    if tuple(cases) == CASES:
        gen = torch.Generator().manual_seed(seed)
        return [_draw(case, gen, sizes) for case in CASES]
    course = dict(zip(CASES, all_inputs(seed, sizes), strict=True)) \
        if any(c in CASES for c in cases) else {}
    return [course[c] if c in course else
            _draw(c, torch.Generator().manual_seed(_own_seed(seed, c)), sizes) for c in cases]


# --- reference --------------------------------------------------------------------------------

QUANTITIES = ("y_hat", "J", "dJdy_hat", "dJdW1", "dJdb1", "dJdW2", "dJdb2")
GRADS = ("dJdW1", "dJdb1", "dJdW2", "dJdb2")
# The function of the homework that computes each quantity.
FUNCTION = {"y_hat": "MLP.forward", "J": "{loss}_loss", "dJdy_hat": "{loss}_loss",
            **dict.fromkeys(GRADS, "MLP.backward")}
# Which parameter of the homework each gradient belongs to.
PARAMETER = {"dJdW1": "W1", "dJdb1": "b1", "dJdW2": "W2", "dJdb2": "b2"}


def twin(case: Case, parameters: dict[str, Tensor]) -> nn.Sequential:
    """The homework's `nn.Sequential` twin, sharing `parameters` as the course puts them in
    (`twin.linear1.weight.data = W1`), so it computes in the parameters' dtype."""
    net = SimpleNamespace(parameters=parameters, f_function=case.f, g_function=case.g)
    return make_twin(net, share=True)


def autograd_reference(case: Case, inputs: dict[str, Tensor]) -> dict[str, Tensor]:
    r"""Every quantity of `QUANTITIES` for `case`, by the twin and autograd, in float64.

    Args:
        case: the configuration.
        inputs: x (N, n), y (N, K), W1 (m, n), b1 (m,), W2 (K, m), b2 (K,).

    Returns:
        y_hat (N, K), J (), dJdy_hat (N, K), and dJdW1, dJdb1, dJdW2, dJdb2 shaped as W1 ... b2.
    """
    net = twin(case, {k: inputs[k].double().clone() for k in PARAMETER.values()})
    y_hat = net(inputs["x"].double())
    y_hat.retain_grad()
    J = torch_loss(case.loss)(y_hat, inputs["y"].double())
    J.backward()
    return dict(y_hat=y_hat.detach(), J=J.detach(), dJdy_hat=y_hat.grad, **twin_grads(net))


def forward_by_hand(f: str, g: str, inputs: dict[str, Tensor]) -> Tensor:
    """y_hat (N, K) of the network with activations f and g."""
    z2 = ACTIVATIONS[f].forward(inputs["x"] @ inputs["W1"].mT + inputs["b1"])
    return ACTIVATIONS[g].forward(z2 @ inputs["W2"].mT + inputs["b2"])


def _through(a: Activation, grad: Tensor, at: Tensor) -> Tensor:
    """`grad` back through the activation `a` with its derivative taken at `at`: times a'(at)
    for an element-wise one, its vector-Jacobian product at `at` for one that is not (softmax,
    which `--activations` may grade)."""
    if a.elementwise:
        return grad * a.derivative(at)
    return a.vector_jacobian_product(grad, at, a.forward(at))


def by_hand(case: Case, inputs: dict[str, Tensor], dJdy_hat: Tensor,
            at_output: frozenset[str] = frozenset()) -> dict[str, Tensor]:
    r"""dJdW1, dJdb1, dJdW2, dJdb2 by hand, with a known mistake built in: each layer in
    `at_output` ("f", "g") has its derivative taken at its output $a(u)$, not at $u$; "f'" or
    "g'" leaves that derivative out.

    With the batch's pre-activations $Z_1 = X W^{(1)\top} + b^{(1)}$ and $Z_3$ (rows are samples),
    $$\Delta_3 = \frac{\partial J}{\partial \hat Y} \odot g'(Z_3), \quad
    \nabla_{W^{(2)}} J = \Delta_3^\top Z_2, \quad
    \Delta_1 = (\Delta_3 W^{(2)}) \odot f'(Z_1), \quad
    \nabla_{W^{(1)}} J = \Delta_1^\top X,$$
    and each bias gradient is its $\Delta$ summed over the batch.

    Args:
        case: the configuration.
        inputs: as for `autograd_reference`, float64.
        dJdy_hat: (N, K), the gradient that backward receives.
        at_output: the mistakes: "f", "g" (derivative at the output), "f'", "g'" (left out).

    Returns:
        The four gradients, shaped as W1, b1, W2, b2.
    """
    x, W1, b1, W2, b2 = (inputs[k] for k in ("x", "W1", "b1", "W2", "b2"))
    f, g = ACTIVATIONS[case.f], ACTIVATIONS[case.g]
    z1 = x @ W1.mT + b1
    z2 = f.forward(z1)
    z3 = z2 @ W2.mT + b2
    y_hat = g.forward(z3)
    # "f'" or "g'" in `at_output`: that derivative left out (taken as 1).
    dJdz3 = dJdy_hat if "g'" in at_output else \
        _through(g, dJdy_hat, y_hat if "g" in at_output else z3)
    dJdz1 = dJdz3 @ W2 if "f'" in at_output else \
        _through(f, dJdz3 @ W2, z2 if "f" in at_output else z1)
    return dict(dJdW1=dJdz1.mT @ x, dJdb1=dJdz1.sum(0), dJdW2=dJdz3.mT @ z2,
                dJdb2=dJdz3.sum(0))


# --- plan -------------------------------------------------------------------------------------

# --- edges ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Edge:
    """A case run once more, in float32, where a common bug hides from the course's tests
    (N = 10, K = 5 or 22, Gaussian inputs): `code` is the finding it gives when a result differs
    from torch's."""

    code: str
    case: Case
    sizes: Sizes = SIZES


EDGES = (
    Edge("edge_batch1", Case("relu", "sigmoid", "mse"), Sizes(batch=1)),
    Edge("edge_K1", Case("sigmoid", "sigmoid", "bce"), Sizes(n_out=1)),
    # a row of x and three entries of b1 are 0, so three ReLU inputs are exactly 0
    Edge("edge_relu0", Case("relu", "identity", "mse")),
    # b2 = (90, 0, -90): two outputs saturate to exactly 1 and 0 (exp(90) overflows float32)
    Edge("edge_saturated", Case("relu", "sigmoid", "bce")),
)
EDGE_QUANTITIES = ("y_hat", *("dJdW1", "dJdb1", "dJdW2", "dJdb2"))


def edge_inputs(edge: Edge, seed: int) -> dict[str, Tensor]:
    """The edge's inputs, float64 values that float32 holds exactly."""
    gen = torch.Generator().manual_seed(_own_seed(seed, edge.case) ^ zlib.crc32(edge.code.encode()))
    inputs = make_inputs(edge.case, gen, edge.sizes)
    if edge.code == "edge_relu0":
        inputs["x"][0] = 0.0
        inputs["b1"][:3] = 0.0
    elif edge.code == "edge_saturated":
        inputs["b2"] = torch.tensor([90.0, 0.0, -90.0], dtype=torch.float64)
    return {k: v.float().double() for k, v in inputs.items()}


DTYPES = ("float32", "float64")
# Where y_hat is exactly 0 or 1 with y agreeing and disagreeing: torch's clamps keep it finite.
SATURATED = {"y_hat": [[0.0, 1.0, 0.5], [1.0, 0.0, 0.25]], "y": [[0.0, 1.0, 1.0], [0.0, 1.0, 0.0]]}


@dataclass
class Plan:
    seed: int
    units: list[dict]
    inputs: list[dict[str, dict[str, Tensor]]]  # per case, per dtype, as float64 values
    expected: list[dict[str, dict[str, Tensor]]]  # the same, torch's answers
    saturated: dict[str, Tensor]  # the probe's J and dJdy_hat by torch, float32
    payload: Path
    cases: tuple[Case, ...] = CASES  # what `inputs` and `expected` are of, in order
    edges: list[dict[str, Tensor]] = None  # torch's answers on each of `EDGES`

    def index(self, kind: str, *key) -> int:
        return next(i for i, u in enumerate(self.units) if u["kind"] == kind and u["key"] ==
                    list(key))


def _saturated() -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    y_hat = torch.tensor(SATURATED["y_hat"], requires_grad=True)
    y = torch.tensor(SATURATED["y"])
    J = F.binary_cross_entropy(y_hat, y)
    J.backward()
    return {"y": y, "y_hat": y_hat.detach()}, {"J": J.detach(), "dJdy_hat": y_hat.grad}


def make_plan(seed: int, cases: tuple[Case, ...] = CASES, course_seeds: int = COURSE_SEEDS
              ) -> Plan:
    """The plan for `seed` and `cases`, its payload saved in a folder removed when the process
    exits; made once per seed and case list."""
    return _make_plan(seed, tuple(cases), course_seeds)


@cache
def _make_plan(seed: int, cases: tuple[Case, ...], course_seeds: int) -> Plan:
    inputs, expected, units = [], [], []
    for case, values in zip(cases, all_inputs(seed, cases=cases), strict=True):
        rounded = {k: v.float().double() for k, v in values.items()}
        variants = {"float64": values, "float32": rounded}
        inputs.append(variants)
        expected.append({d: autograd_reference(case, v) for d, v in variants.items()})
    for i, test in enumerate(COURSE_TESTS):
        s = test.sizes
        units.append({"kind": "course", "key": [i], "case": [test.case.f, test.case.g,
                      test.case.loss], "sizes": [s.batch, s.n_in, s.hidden, s.n_out],
                      "targets": test.targets, "seed": seed * 1000 + i,
                      "seeds": [course_seed(seed, i, k) for k in range(1, course_seeds)]})
    for dtype in DTYPES:
        for i, case in enumerate(cases):
            given = {**inputs[i][dtype], "y_hat": expected[i][dtype]["y_hat"],
                     "dJdy_hat": expected[i][dtype]["dJdy_hat"]}
            units.append({"kind": "case", "key": [i, dtype], "case": [case.f, case.g, case.loss],
                          "probes": dtype == "float32",
                          "data": {k: v.to(getattr(torch, dtype)) for k, v in given.items()}})
    edges = []
    for i, edge in enumerate(EDGES):
        values = edge_inputs(edge, seed)
        expected_edge = autograd_reference(edge.case, values)
        edges.append(expected_edge)
        given = {**values, "y_hat": expected_edge["y_hat"], "dJdy_hat": expected_edge["dJdy_hat"]}
        units.append({"kind": "edge", "key": [i], "case": [edge.case.f, edge.case.g,
                      edge.case.loss], "data": {k: v.float() for k, v in given.items()}})
    data, saturated = _saturated()
    units.append({"kind": "probe", "key": [], "data": data})
    from .run import scratch_root
    # In the sandbox's one writable folder, readable by the unprivileged user the worker becomes
    folder = Path(tempfile.mkdtemp(prefix="plan-", dir=scratch_root()))
    folder.chmod(0o755)
    atexit.register(shutil.rmtree, folder, True)
    torch.save({"units": units}, folder / "payload.pt")
    (folder / "payload.pt").chmod(0o644)
    return Plan(seed, units, inputs, expected, saturated, folder / "payload.pt", cases, edges)
