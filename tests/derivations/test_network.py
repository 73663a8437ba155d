"""derivations.network: backprop in matrix form equals diff of J entry by entry, every config."""

from functools import cache

import pytest
import sympy as sp

from derivations.exact import at_point, rational_point
from derivations.identity import Identity
from derivations.network import (
    DEFAULT_SIZE,
    PARAMETERS,
    STEPS,
    configurations,
    forward,
    forward_latex,
    gradients,
    gradients_by_entry,
    identities,
    objective,
    one_sample,
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


@cache
def _built(config):
    """(point, identities built at it): each ReLU entry is its branch at the point, so both
    sides are exact there and SymPy never differentiates nested Piecewise. A point where some
    pre-activation is exactly 0 (a ReLU on its kink) is refused, and the next seed taken."""
    for seed in range(10 * CONFIGS.index(config), 10 * CONFIGS.index(config) + 10):
        at = rational_point(SYM, seed)
        try:
            return at, identities(*config, SYM, near=at)
        except ValueError:
            continue
    raise AssertionError("ten points on a kink")


def point(config):
    return _built(config)[0]


def near(config):
    return _built(config)[1]


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
    steps = near(config)
    assert list(steps) == list(STEPS)
    for name, claim in steps.items():
        # exp(...) atoms left at the point are unknowns set at random (see exact.is_zero).
        assert claim.holds(at=point(config), seed=1), name
    for p in PARAMETERS:
        assert steps[f"dJd{p}"].shape == SYM[p].shape


def test_the_local_identities_are_the_full_ones_at_the_point():
    # The cheap check (branches taken at the point) and the full one (diff through every
    # Piecewise) give the same numbers on both sides, for a ReLU network.
    config = ("relu", "identity", "mse")
    at = point(config)
    for name, claim in near(config).items():
        full = claims(config)[name]
        assert at_point(claim.derived, at) == at_point(full.derived, at), name
        assert at_point(claim.closed_form, at) == at_point(full.closed_form, at), name


PLANTED = {
    # dJdW1 without the f'(Z_1) factor: the derivative of ReLU dropped.
    "no f'": lambda s, sym: s["dJdz3"].closed_form * sym["W2"],
    # the bias gradient averaged over the batch instead of summed: a wrong factor 1/N.
    "dJdb1 / N": lambda s, sym: s["dJdb1"].closed_form / sym["x"].rows,
    # dJdW1 twice: a wrong factor 2 (a per-sample sum of squares without torch's mean).
    "2 dJdW1": lambda s, sym: 2 * s["dJdW1"].closed_form,
}


@pytest.mark.parametrize("mistake", PLANTED)
def test_the_cheap_check_catches_a_wrong_factor(mistake):
    config = ("relu", "relu", "mse")
    steps, at = near(config), point(config)
    wrong = PLANTED[mistake](steps, SYM)
    name = "dJdb1" if mistake == "dJdb1 / N" else "dJdW1"
    if mistake == "no f'":
        wrong = wrong.T * SYM["x"]
    assert steps[name].holds(at=at)
    assert not Identity(name, "", None, wrong, steps[name].derived).holds(at=at)


def test_the_cheap_check_catches_a_wrong_transpose():
    # n_in == n_hidden: a transposed dJdW1 still fits the shape, so only the values tell.
    square = symbols(2, 3, 3, 2)
    at = rational_point(square, seed=0)
    claim = identities("relu", "relu", "mse", square, near=at)["dJdW1"]
    transposed = Identity("dJdW1", "", None, claim.closed_form.T, claim.derived)
    assert claim.holds(at=at) and not transposed.holds(at=at)


def test_a_point_on_a_kink_is_refused():
    at = {v: sp.Integer(0) for M in SYM.values() for v in M}
    with pytest.raises(ValueError, match="boundary"):
        identities("relu", "identity", "mse", SYM, near=at)


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
        r"Z_{1} = X {W^{(1)}}\T + \ones_{N} {b^{(1)}}\T \quad (2 \times 4)",
        r"Z_{2} = \left(Z_{1}\right)^{+} \quad (2 \times 4)",
        r"Z_{3} = Z_{2} {W^{(2)}}\T + \ones_{N} {b^{(2)}}\T \quad (2 \times 5)",
        r"\hat{Y} = \sigma\left(Z_{3}\right) \quad (2 \times 5)"]


def test_latex_of_the_steps():
    steps = claims(("relu", "identity", "mse"))
    assert steps["dJdW1"].latex() == r"\nabla_{W^{(1)}} J = \Delta_{1}\T X \quad (4 \times 3)"
    assert steps["dJdz1"].latex() == (r"\Delta_{1} = \nabla_{Z_{1}} J = "
                                      r"\left(\Delta_{3} W^{(2)}\right) \had f'(Z_{1}) "
                                      r"\quad (2 \times 4)")


@pytest.mark.parametrize("config", [("relu", "identity", "mse"), ("sigmoid", "sigmoid", "bce")],
                         ids=["relu-identity-mse", "sigmoid-sigmoid-bce"])
def test_one_sample_is_the_batch_transposed(config):
    # At N = 1: z_i = Z_i^T, l = c J (c = K for MSE), dl/dtheta = c (grad_theta J)^T, each
    # against the homework's own column computation and diff of l.
    claims_ = one_sample(*config, 3, 4, 5)
    at = rational_point(symbols(1, 3, 4, 5), seed=0)
    assert all(c.holds(at=at, seed=1) for c in claims_.values())
    shapes = {k: claims_[k].shape for k in ("dldW1", "dldb1", "dldW2", "dldb2")}
    assert shapes == dict(dldW1=(3, 4), dldb1=(1, 4), dldW2=(4, 5), dldb2=(1, 5))
    c = "K " if config[2] == "mse" else ""
    assert claims_["dldW2"].latex() == (
        rf"\frac{{\partial \ell}}{{\partial W^{{(2)}}}} = {c}{{\nabla_{{W^{{(2)}}}} J}}\T"
        r" \quad (4 \times 5)")
    # Without the transpose, or without the factor K, the step is refuted.
    dW2 = claims_["dldW2"]
    untransposed = Identity("x", "", None, dW2.closed_form.T, dW2.derived.T.T)
    assert untransposed.shape != untransposed.closed_form.shape
    if config[2] == "mse":
        no_K = Identity("x", "", None, dW2.closed_form / 5, dW2.derived)
        assert not no_K.holds(at=at)
