"""mlp_check.plan: torch's twin and autograd, against the gradients written out by hand;
and each known mistake built into the hand-written pass changes what it should change."""

from __future__ import annotations

import pytest
import torch

from mlp_check.plan import (
    CASES,
    GRADS,
    QUANTITIES,
    all_inputs,
    autograd_reference,
    by_hand,
    forward_by_hand,
)

INPUTS = all_inputs(0)


def rel(a, b):
    return ((a - b).norm() / b.norm()).item()


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c.label for c in CASES])
def test_autograd_and_the_hand_written_pass_agree(index):
    case, inputs = CASES[index], INPUTS[index]
    ref = autograd_reference(case, inputs)
    assert set(ref) == set(QUANTITIES) and all(v.dtype == torch.float64 for v in ref.values())
    # Both sum the same products in different orders (BLAS against autograd's kernels):
    # agreement to 1e-12 relative, a thousand times float64's roundoff on these sizes.
    assert rel(forward_by_hand(case.f, case.g, inputs), ref["y_hat"]) <= 1e-12
    hand = by_hand(case, inputs, ref["dJdy_hat"])
    for q in GRADS:
        assert hand[q].shape == ref[q].shape and rel(hand[q], ref[q]) <= 1e-12, q


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c.label for c in CASES])
def test_a_derivative_at_the_output_changes_exactly_the_layers_of_a_sigmoid(index):
    case, inputs = CASES[index], INPUTS[index]
    ref = autograd_reference(case, inputs)
    for layer in "fg":
        wrong = by_hand(case, inputs, ref["dJdy_hat"], frozenset(layer))
        # g sits above every gradient; f only above dJdW1, dJdb1.
        reached = GRADS if layer == "g" else ("dJdW1", "dJdb1")
        sigmoid = getattr(case, layer) == "sigmoid"
        for q in GRADS:
            assert (rel(wrong[q], ref[q]) > 1e-3) == (sigmoid and q in reached), (layer, q)
