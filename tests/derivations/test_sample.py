"""derivations.sample: the homework's per-sample view, proven, and tied to the batch code."""

from functools import cache

import pytest
import sympy as sp

from derivations import layers, network
from derivations.exact import at_point, is_zero, rational_point
from derivations.losses import per_sample_factor
from derivations.sample import BATCH_NAMES, forward, forward_latex, identities, symbols
from mlp import COURSE_ACTIVATIONS, COURSE_LOSSES

# The course's twelve (the others: derivations.all_sizes, for every f, g and loss).
CONFIGS = [c for c in network.configurations()
           if {c[0], c[1]} <= set(COURSE_ACTIVATIONS) and c[2] in COURSE_LOSSES]
IDS = ["-".join(c) for c in CONFIGS]
SYM = symbols(3, 4, 5)  # n, m, K: pairwise distinct, so every shape tells its transpose


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
        assert is_zero(at_point(diff, point), seed=1), p


def test_batch_names_cover_both_views():
    assert set(BATCH_NAMES) - {"l"} == set(forward("relu", "relu", SYM)) | {"x"}
    assert set(BATCH_NAMES.values()) - {"J"} == set(network.forward("relu", "relu", network.symbols(
        **network.DEFAULT_SIZE))) | {"x"}


def test_jacobians_are_diagonal_and_the_loss_gradient_a_row():
    steps = claims(("relu", "identity", "mse"))
    dz2dz1 = steps["dz2dz1"].derived
    assert dz2dz1.is_diagonal() and steps["dy_hatdz3"].derived == sp.eye(5)
    assert steps["dldy_hat"].derived.shape == (1, 5)


def test_latex():
    assert forward_latex("relu", "identity", SYM) == [
        r"z_{1} = W^{(1)} x + b^{(1)} \quad (4 \times 1)",
        r"z_{2} = \left(z_{1}\right)^{+} \quad (4 \times 1)",
        r"z_{3} = W^{(2)} z_{2} + b^{(2)} \quad (5 \times 1)",
        r"\hat{y} = z_{3} \quad (5 \times 1)"]
    steps = claims(("relu", "identity", "mse"))
    # 1.1.c allows x, y, W, b and the three Jacobians: z_2 is written out.
    assert steps["dldW2"].latex() == (
        r"\nabla_{W^{(2)}} \ell = \left(\frac{\partial \ell}{\partial \hat{y}} "
        r"\frac{\partial \hat{y}}{\partial z_{3}}\right)\T \left(\left("
        r"W^{(1)} x + b^{(1)}\right)^{+}\right)\T \quad (5 \times 4)")
    assert steps["dz2dz1"].latex() == (
        r"\frac{\partial z_{2}}{\partial z_{1}} = "
        r"\diag(\left((\cdot)^{+}\right)'\left(z_{1}\right)) \quad (4 \times 4)")


def test_bce_gradient_shows_the_width_as_a_symbol():
    # 1.2.b: the 1/K of the homework's BCE stays K, whatever width the derivation ran at.
    claim = claims(("sigmoid", "sigmoid", "bce"))["dldy_hat"]
    assert claim.latex() == (r"\left(\frac{\partial \ell}{\partial \hat{y}}\right)_{k} = "
                             r"\frac{\hat{y}_{k} - y_{k}}{K \hat{y}_{k} "
                             r"\left(1 - \hat{y}_{k}\right)} \quad (1 \times 5)")


@pytest.mark.parametrize("config", CONFIGS[:3] + CONFIGS[-1:], ids=IDS[:3] + IDS[-1:])
def test_forward_pass_in_the_inputs_only(config):
    # 1.1.b: each layer's output in x, y, W, b only, evaluated against the forward pass.
    assert layers.check(*config, SYM)
    table = layers.latex(*config, SYM)
    for name in ("z_{1} =", "z_{2} =", "z_{3} =", r"\hat{y} =", r"\ell ="):
        assert name in table
    rhs = [row.rhs for row in layers.rows(*config, SYM)]
    assert not any(z in text for text in rhs for z in ("z_{", r"\hat{y}"))
