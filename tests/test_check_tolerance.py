"""mlp_check.tolerance: one rule, eps ** 1/2 of the dtype a result was computed in, which lets
rounding through and stops float32 leaking into float64 and every mistake in a formula."""

from __future__ import annotations

import pytest
import torch

from mlp_check.tolerance import DIGITS_KEPT, tolerance_for

FLOATS = (torch.float64, torch.float32, torch.float16, torch.bfloat16)


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
def test_the_rule_is_half_the_digits_of_the_dtype(dtype):
    assert DIGITS_KEPT == 0.5
    assert tolerance_for(dtype) == torch.finfo(dtype).eps ** 0.5


def test_the_values_the_pages_quote():
    assert tolerance_for(torch.float64) == pytest.approx(1.4901161193847656e-08, rel=1e-15)
    assert tolerance_for(torch.float32) == pytest.approx(3.4526698300124393e-04, rel=1e-15)


@pytest.mark.parametrize("dtype", [torch.int64, torch.bool, "float32", None], ids=str)
def test_anything_but_a_floating_dtype_is_refused(dtype):
    with pytest.raises(TypeError, match="floating torch.dtype"):
        tolerance_for(dtype)


def rel(a, b):
    return ((a - b).norm() / b.norm()).item()


def test_rounding_passes_float32_inside_float64_fails_and_a_factor_fails_everywhere():
    gen = torch.Generator().manual_seed(0)
    x, W = (torch.randn(s, dtype=torch.float64, generator=gen) for s in ((5, 4), (6, 4)))
    exact = torch.sigmoid(x @ W.T)
    in_float32 = torch.sigmoid(x.float() @ W.float().T).double()
    # A whole float32 computation: rounding, far below float32's tolerance ...
    assert rel(in_float32, exact) < tolerance_for(torch.float32) / 100
    # ... but the same rounding inside a float64 run is caught at float64's.
    assert rel(in_float32, exact) > tolerance_for(torch.float64)
    # Every mistake that changes the formula, here a factor 1/N with N = 5, fails at any dtype,
    # and by far more than rounding at float32 and float64.
    assert all(rel(exact / 5, exact) > tolerance_for(d) for d in FLOATS)
    assert rel(exact / 5, exact) > 1000 * tolerance_for(torch.float32)
