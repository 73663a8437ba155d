"""derivations.sample: the homework's per-sample view, proven, and tied to the batch code."""

from functools import cache

import pytest
import sympy as sp

from derivations import network
from derivations.exact import is_zero, rational_point
from derivations.losses import per_sample_factor
from derivations.sample import BATCH_NAMES, forward, forward_latex, identities, symbols

CONFIGS = network.configurations()
IDS = ["-".join(c) for c in CONFIGS]
SYM = symbols(2, 3, 2)  # n, m, K


@cache
def claims(config):
    return identities(*config, SYM)


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_jacobians_and_gradients_hold(config):
    steps = claims(config)
    assert list(steps)[:3] == ["dz2dz1", "dy_hatdz3", "dldy_hat"]
    (m, n), K = SYM["W1"].shape, SYM["W2"].rows
    shapes = dict(dz2dz1=(m, m), dy_hatdz3=(K, K), dldy_hat=(1, K),
                  dldW1=(m, n), dldb1=(m, 1), dldW2=(K, m), dldb2=(K, 1))
    assert {k: c.shape for k, c in steps.items()} == shapes
    point = rational_point(SYM, seed=CONFIGS.index(config))
    for name, claim in steps.items():
        assert claim.holds(at=point, seed=1), name


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_one_sample_is_the_batch_of_one_times_the_factor(config):
    # network with N = 1 on the same symbols: x row = x column transposed, names per BATCH_NAMES.
    as_batch = dict(SYM, x=SYM["x"].T, y=SYM["y"].T)
    batch_fwd, fwd = network.forward(*config[:2], as_batch), forward(*config[:2], SYM)
    for homework, code in BATCH_NAMES.items():
        if homework in fwd:
            assert batch_fwd[code] == fwd[homework].T
    factor = per_sample_factor(config[2], SYM["y"].rows)
    grads = network.gradients(*config, as_batch)
    point = rational_point(SYM, seed=0)
    for p in network.PARAMETERS:
        diff = claims(config)[f"dld{p}"].closed_form - factor * grads[f"dJd{p}"]
        assert is_zero(diff.xreplace(point), seed=1), p


def test_batch_names_cover_both_views():
    assert set(BATCH_NAMES) - {"l"} == set(forward("relu", "relu", SYM)) | {"x"}
    assert set(BATCH_NAMES.values()) - {"J"} == set(network.forward("relu", "relu", network.symbols(
        **network.DEFAULT_SIZE))) | {"x"}


def test_jacobians_are_diagonal_and_the_loss_gradient_a_row():
    steps = claims(("relu", "identity", "mse"))
    dz2dz1 = steps["dz2dz1"].derived
    assert dz2dz1.is_diagonal() and steps["dy_hatdz3"].derived == sp.eye(2)
    assert steps["dldy_hat"].derived.shape == (1, 2)


def test_latex():
    assert forward_latex("relu", "identity", SYM) == [
        r"z_{1} = W^{(1)} x + b^{(1)} \quad (3 \times 1)",
        r"z_{2} = \operatorname{ReLU}(z_{1}) \quad (3 \times 1)",
        r"z_{3} = W^{(2)} z_{2} + b^{(2)} \quad (2 \times 1)",
        r"\hat{y} = \operatorname{id}(z_{3}) \quad (2 \times 1)"]
    steps = claims(("relu", "identity", "mse"))
    assert steps["dldW2"].latex() == (
        r"\frac{\partial \ell}{\partial W^{(2)}} = \left(\frac{\partial \ell}{\partial \hat{y}} "
        r"\frac{\partial \hat{y}}{\partial z_{3}}\right)^{T} z_{2}^{T} \quad (2 \times 3)")
    assert steps["dz2dz1"].latex() == (r"\frac{\partial z_{2}}{\partial z_{1}} = "
                                       r"\operatorname{diag}(\operatorname{ReLU}'(z_{1})) "
                                       r"\quad (3 \times 3)")
