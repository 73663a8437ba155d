"""derivations.network: backprop in matrix form equals diff of J entry by entry, every config."""

from functools import cache

import pytest
import sympy as sp

from derivations.exact import rational_point
from derivations.identity import Identity
from derivations.network import (
    DEFAULT_SIZE,
    PARAMETERS,
    configurations,
    forward,
    forward_latex,
    gradients,
    gradients_by_entry,
    identities,
    objective,
    symbols,
)
from mlp import COURSE_ACTIVATIONS, COURSE_LOSSES

# The course's twelve: the others are cases of derivations.all_sizes' proof for every f, g and
# per-entry loss, and of tests/derivations/test_configurations.py.
CONFIGS = [c for c in configurations()
           if {c[0], c[1]} <= set(COURSE_ACTIVATIONS) and c[2] in COURSE_LOSSES]
IDS = ["-".join(c) for c in CONFIGS]
SYM = symbols(**DEFAULT_SIZE)


@cache
def claims(config):
    return identities(*config, SYM)


def test_configurations_come_from_the_registries():
    assert len(CONFIGS) == len(set(CONFIGS)) == 12
    mse = [c for c in CONFIGS if c[2] == "mse"]
    assert len(mse) == len(COURSE_ACTIVATIONS) ** 2 == 9
    bce = [c for c in CONFIGS if c[2] == "bce"]
    assert {g for _, g, _ in bce} == {"sigmoid"} and len(bce) == 3
    assert set(CONFIGS) <= set(configurations())


def test_symbols():
    sym = symbols(2, 3, 4, 5)
    shapes = {k: v.shape for k, v in sym.items()}
    assert shapes == dict(x=(2, 3), y=(2, 5), W1=(4, 3), b1=(4, 1), W2=(5, 4), b2=(5, 1))
    entries = [v for M in sym.values() for v in M]
    assert len(set(entries)) == len(entries) and all(v.is_Symbol and v.is_real for v in entries)


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_backprop_equals_diff_entry_by_entry(config):
    steps = claims(config)
    assert list(steps) == ["delta2", "dJdW2", "dJdb2", "delta1", "dJdW1", "dJdb1"]
    point = rational_point(SYM, seed=CONFIGS.index(config))
    for name, claim in steps.items():
        # exp(...) atoms left at the point are unknowns set at random (see exact.is_zero).
        assert claim.holds(at=point, seed=1), name
    for p in PARAMETERS:
        assert steps[f"dJd{p}"].shape == SYM[p].shape


def test_gradients_and_gradients_by_entry_are_the_identities_sides():
    config = ("identity", "sigmoid", "mse")
    grads, by_entry = gradients(*config, SYM), gradients_by_entry(*config, SYM)
    assert list(grads) == list(by_entry) == [f"dJd{p}" for p in PARAMETERS]
    assert all(grads[k] == claims(config)[k].closed_form for k in grads)
    assert all(by_entry[k] == claims(config)[k].derived for k in grads)


def test_polynomial_case_proven_everywhere():
    # identity/identity/MSE is a polynomial: the proof needs no point.
    for claim in claims(("identity", "identity", "mse")).values():
        assert claim.holds(), claim.name


def test_a_wrong_backprop_is_caught():
    # A dropped f' or a missing transpose must fail the check, or the check proves nothing.
    steps = claims(("sigmoid", "sigmoid", "mse"))
    point = rational_point(SYM, seed=0)
    no_f_prime = steps["delta2"].closed_form * SYM["W2"]  # delta1 without the f'(s1) factor
    wrong = Identity("dJdW1", "", None, no_f_prime.T * SYM["x"], steps["dJdW1"].derived)
    assert steps["dJdW1"].holds(at=point, seed=1) and not wrong.holds(at=point, seed=1)
    square = symbols(2, 3, 3, 2)  # n_in == n_hidden: a transposed dJdW1 still fits the shape
    claim = identities("identity", "identity", "mse", square)["dJdW1"]
    transposed = Identity("dJdW1", "", None, claim.closed_form.T, claim.derived)
    at = rational_point(square, seed=0)
    assert claim.holds(at=at) and not transposed.holds(at=at)


def test_objective_is_torch_mean():
    config = ("identity", "identity", "mse")
    y_hat = forward(*config[:2], SYM)["y_hat"]
    n, k = y_hat.shape
    assert sp.expand(objective(*config, SYM) * n * k
                     - sum((a - b) ** 2 for a, b in zip(y_hat, SYM["y"], strict=True))) == 0


def test_default_size_tells_every_transpose():
    # N, n, m, K pairwise distinct and none 1: no shape equals another's transpose.
    sizes = list(DEFAULT_SIZE.values())
    assert len(set(sizes)) == 4 and 1 not in sizes


def test_forward_latex():
    assert forward_latex("relu", "sigmoid", SYM) == [
        r"s_{1} = x {W^{(1)}}\T + \ones {b^{(1)}}\T \quad (2 \times 4)",
        r"z_{1} = \operatorname{ReLU}(s_{1}) \quad (2 \times 4)",
        r"s_{2} = z_{1} {W^{(2)}}\T + \ones {b^{(2)}}\T \quad (2 \times 5)",
        r"\hat{y} = \sigma(s_{2}) \quad (2 \times 5)"]


def test_latex_of_the_steps():
    steps = claims(("relu", "identity", "mse"))
    assert steps["dJdW1"].latex() == r"\nabla_{W^{(1)}} J = \delta_{1}\T x \quad (4 \times 3)"
    assert steps["delta1"].latex() == (r"\delta_{1} = \nabla_{s_{1}} J = "
                                       r"\left(\delta_{2} W^{(2)}\right) \had f'(s_{1}) "
                                       r"\quad (2 \times 4)")
