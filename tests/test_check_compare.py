"""mlp_check.verdict: what came back, judged at the tolerance of the dtype it was computed in."""

from __future__ import annotations

import pytest
import torch

from mlp_check.tolerance import tolerance_for
from mlp_check.verdict import Got, close, computed_dtype, judge, rel_err, returned


def value(data, dtype="float32", kind="tensor"):
    t = torch.tensor(data, dtype=torch.float64)
    return Got("value", t, dtype, kind)


@pytest.mark.parametrize("run,dtype,kind,expected", [
    ("float32", None, "float", torch.float32),  # float(J) of a float32 run: float32 precise
    ("float64", None, "float", torch.float64),
    ("float32", "float64", "numpy.float64", torch.float32),
    ("float64", "float32", "numpy.float32", torch.float32),
    ("float64", "float32", "tensor", torch.float32),  # float32 grads from a float64 run
    ("float64", "float16", "tensor", torch.float16),
])
def test_a_result_counts_as_computed_in_the_less_precise_dtype(run, dtype, kind, expected):
    assert computed_dtype(run, value(1.0, dtype, kind)) == expected


def test_a_python_float_J_of_a_float32_run_is_judged_at_float32s_tolerance():
    exact = torch.tensor(0.123456789012345, dtype=torch.float64)
    rounded = value(float(exact.float()), None, "float")
    check = judge(rounded, exact, "float32")
    assert check.status == "ok" and check.tolerance == tolerance_for(torch.float32)
    assert check.returned == "float"
    assert judge(rounded, exact, "float64").status == "mismatch"  # the old grader's mistake


def test_statuses_and_errors():
    expected = torch.tensor([1.0, 2.0], dtype=torch.float64)
    half = judge(value([0.5, 1.0]), expected, "float32")
    assert half.status == "mismatch" and half.rel_err == pytest.approx(0.5, rel=1e-15)
    assert judge(value([1.0, float("nan")]), expected, "float32").rel_err is None
    assert judge(value([1.0, 2.0, 3.0]), expected, "float32").rel_err is None
    assert judge(Got("error", message="x"), expected, "float32").status == "error"
    assert judge(Got("skipped", message="x"), expected, "float32").status == "not run"
    assert judge(Got("missing", message="x"), expected, "float32").status == "missing"


def test_a_scalar_may_come_back_in_any_one_element_shape():
    assert rel_err(torch.tensor([[2.0]]), torch.tensor(2.0)) == 0.0
    assert close(torch.tensor([2.0]), torch.tensor(2.0), 1e-12)
    assert not close(torch.tensor([1.0, 1.0]), torch.tensor([1.0]), 1e9)


@pytest.mark.parametrize("record", [
    {"kind": "value", "data": [1.0], "shape": [2], "dtype": "float32", "type": "tensor"},
    {"kind": "value", "data": "junk", "shape": [1], "dtype": "float32", "type": "tensor"},
    {"kind": "value", "data": [1.0], "shape": [1], "dtype": "int64x", "type": "tensor"},
    {"kind": "value"}, {"kind": "weird", "message": "m"}, None, 7,
])
def test_a_malformed_record_is_an_error_never_a_crash(record):
    assert Got.decode(record).kind == "error"


def test_returned_names_the_type_and_dtype():
    assert returned(value(1.0)) == "float32"
    assert returned(value(1.0, None, "float")) == "float"
    assert returned(value(1.0, "float32", "numpy.float32")) == "numpy.float32 float32"
