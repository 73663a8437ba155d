"""The course's verdict: the cases, what came back judged at the tolerance of its dtype, the
course's three tests as the course runs them, torch's reference, and the one tolerance rule.

mlp_check.plan: the configurations, their sizes and seeded inputs, and the course's tests.

mlp_check.verdict: what came back, judged at the tolerance of the dtype it was computed in.

mlp_check.verdict and _disagree: the course's three tests replayed as the course runs them,
and every disagreement with the per-function verdict explained.

mlp_check.plan: torch's twin and autograd, against the gradients written out by hand;
and each known mistake built into the hand-written pass changes what it should change.

mlp_check.tolerance: one rule, eps ** 1/2 of the dtype a result was computed in, which lets
rounding through and stops float32 leaking into float64 and every mistake in a formula.
"""

from __future__ import annotations

import importlib.util
import math
from types import SimpleNamespace

import pytest
import torch

from mlp import ACTIVATIONS, COURSE_ACTIVATIONS, COURSE_LOSSES
from mlp_check.plan import (
    CASES,
    COURSE_NORM_LIMIT,
    COURSE_TESTS,
    GRADS,
    QUANTITIES,
    SIZES,
    Case,
    all_inputs,
    autograd_reference,
    by_hand,
    forward_by_hand,
    lively,
)
from mlp_check.run import UnitOutcome
from mlp_check.tolerance import DIGITS_KEPT, tolerance_for
from mlp_check.verdict import Got, close, computed_dtype, course_result, judge, rel_err, returned

from .check_helpers import CORPUS, load, report_here, run_here


def test_cases_are_the_course_pairs_with_bce_only_after_the_sigmoid():
    assert set(COURSE_ACTIVATIONS) == {"relu", "sigmoid", "identity"} < set(ACTIVATIONS)
    assert set(COURSE_LOSSES) == {"mse", "bce"}
    expected = {(f, g, "mse") for f in COURSE_ACTIVATIONS for g in COURSE_ACTIVATIONS}
    expected |= {(f, "sigmoid", "bce") for f in COURSE_ACTIVATIONS}
    assert [(c.f, c.g, c.loss) for c in CASES] == sorted(expected, key=[
        (c.f, c.g, c.loss) for c in CASES].index)
    assert len(CASES) == len(expected) == 12


def test_sizes_let_every_reduction_and_transpose_show():
    assert SIZES.batch > 1 and SIZES.n_out > 1 and SIZES.batch != SIZES.n_out
    assert all(n % 2 and all(n % p for p in range(3, n)) for n in (SIZES.batch, SIZES.n_out))
    assert SIZES.hidden not in (SIZES.n_in, SIZES.n_out)  # no square weight matrix


def test_inputs_are_seeded_lively_and_bce_targets_are_labels():
    first, again, other = all_inputs(0), all_inputs(0), all_inputs(1)
    for case, a, b, c in zip(CASES, first, again, other, strict=True):
        assert lively(case, a)
        assert all(torch.equal(a[k], b[k]) for k in a)
        assert not torch.equal(a["W1"], c["W1"])
        assert a["x"].dtype == torch.float64 and a["W1"].shape == (SIZES.hidden, SIZES.n_in)
        if case.loss == "bce":
            assert set(a["y"].unique().tolist()) == {0.0, 1.0}


def test_a_draw_where_a_relu_unit_is_dead_is_not_lively():
    inputs = all_inputs(0)[0]
    dead = {**inputs, "b1": inputs["b1"] - 100}
    assert not lively(Case("relu", "relu", "mse"), dead)


def test_the_course_tests_are_the_homeworks_three():
    assert [(t.name, t.case.label, t.sizes.n_in, t.sizes.hidden, t.sizes.n_out, t.sizes.batch,
             t.targets) for t in COURSE_TESTS] == [
        ("test1", "relu/identity/mse", 2, 20, 5, 10, "randn"),
        ("test2", "sigmoid/sigmoid/bce", 2, 20, 5, 10, "labels"),
        ("test3", "relu/relu/mse", 2, 20, 22, 10, "randn")]
    assert COURSE_NORM_LIMIT == 1e-3
    assert {t.case for t in COURSE_TESTS} <= set(CASES)


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


def passed(report):
    return [c.passed for c in report.course]


def test_a_right_file_passes_the_course_tests_by_a_wide_margin():
    report = report_here(load("right_assigns"))
    assert passed(report) == [True, True, True]
    assert all(n < 1e-5 for c in report.course for n in c.norms.values())


def test_the_course_tests_catch_what_the_course_catches():
    assert passed(report_here(load("half_mse"))) == [False, True, False]
    assert passed(report_here(load("sigmoid_prime_output"))) == [True, False, True]
    transposed = report_here(load("transposed"))
    assert passed(transposed) == [False, False, False]
    assert all("(twin grad - net.grads['dJdW1']).norm() raises" in c.error
               for c in transposed.course)


def test_the_course_tests_use_the_files_own_loss_output_end_to_end():
    # bce_log1p's backward is right alone; its dJdy_hat is not, and the course passes it on.
    report = report_here(load("bce_log1p"))
    assert passed(report) == [True, False, True]
    assert all(r.checks["dJdW1"].status == "ok" for r in report.cases)


def test_an_unfinished_course_test_says_why():
    test = COURSE_TESTS[0]
    assert course_result(test, UnitOutcome(failure="not run: the budget")).passed is None
    hung = course_result(test, UnitOutcome(failure="MLP.forward did not return within 3 s"))
    assert hung.passed is False and "did not return" in hung.error


def test_compensating_mistakes_are_named():
    said = report_here(load("compensating")).disagreements
    assert said[0].startswith("compensating mistakes: mse_loss's dJdy_hat is N times torch's, "
                              "and MLP.backward turns torch's dJdy_hat into 1/N times")
    assert said[0].endswith("the course's test1, test3 pass while each function alone is wrong")
    assert "bce_loss's dJdy_hat is N times" in said[1] and "test2 passes" in said[1]


def test_a_wrong_J_passes_the_course_because_it_never_looks():
    said = report_here(load("bce_flipped_sign")).disagreements
    assert said[0] == ("the course's test2 passes: the course compares the four gradients only, "
                       "never J")


def test_a_file_the_course_fails_where_every_function_agrees_is_explained():
    class OwnWeightsAreTransposed(load("right_assigns").MLP):
        def __init__(self, n_in, m, f, m2, K, g):
            super().__init__(n_in, m, f, m2, K, g)
            self.parameters["W1"] = self.parameters["W1"].T.contiguous()

    right = load("right_assigns")
    module = SimpleNamespace(MLP=OwnWeightsAreTransposed, mse_loss=right.mse_loss,
                             bce_loss=right.bce_loss, __file__=right.__file__)
    report = report_here(module)
    assert report.functions_ok and passed(report) == [False, False, False]
    assert report.exit_status == 1
    assert all("although each function agrees run alone" in d and "own weights from __init__"
               in d for d in report.disagreements)


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


@pytest.mark.parametrize("name", ["right_assigns", "bce_no_clamp", "half_mse"])
def test_the_batched_seeds_say_what_the_twin_says_seed_by_seed(name):
    """The course's tests at the other seeds are judged in one batched pass; run by run through
    the twin and autograd, each seed gets the same verdict and the same norms."""
    from mlp_check.plan import COURSE_SEEDS, make_plan
    from mlp_check.verdict import judge_course, judge_seeds
    out = run_here(load(name), course_seeds=COURSE_SEEDS)
    plan = make_plan(0, course_seeds=COURSE_SEEDS)
    for i, test in enumerate(COURSE_TESTS):
        runs = out.units[plan.index("course", i)].values["seeds"]
        assert len(runs) == COURSE_SEEDS - 1
        batched, one_by_one = judge_seeds(test, runs), [judge_course(test, v, None) for v in runs]
        assert [r.passed for r in batched] == [r.passed for r in one_by_one]
        for b, o in zip(batched, one_by_one, strict=True):
            for q, norm in o.norms.items():
                # the twin runs in float32 as the course does, the batch in float64
                assert b.norms[q] == pytest.approx(norm, rel=1e-4, abs=1e-5) or (
                    math.isnan(norm) and math.isnan(b.norms[q])), (test.name, q)


def test_a_course_test_that_fails_some_seeds_gets_its_pass_rate_and_cause(tmp_path):
    """An unclamped BCE whose weights start twice as large: the course's test2 passes at seed
    0, so the exit status stays 0, but ŷ rounds to 1.0 at some of the 100 seeds; the finding
    says so above the notes with the fix, and --strict fails on it."""
    from mlp_check.output import verdict
    from mlp_check.plan import COURSE_SEEDS
    source = (CORPUS / "bce_no_clamp.py").read_text(encoding="utf-8")
    old = "W2=torch.randn(linear_2_out_features, linear_2_in_features),"
    assert old in source
    (tmp_path / "mlp.py").write_text(source.replace(old, "W2=2 * " + old.removeprefix("W2=")))
    spec = importlib.util.spec_from_file_location("large_weights", tmp_path / "mlp.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    report = report_here(module, course_seeds=COURSE_SEEDS)
    rates = {c.test.name: c.pass_rate for c in report.course}
    assert all(c.passed for c in report.course) and report.exit_status == 0
    assert rates["test1"] == rates["test3"] == (COURSE_SEEDS, COURSE_SEEDS)
    assert 0 < rates["test2"][0] < COURSE_SEEDS
    (finding,) = [f for f in report.findings if f.kind == "seeds"]
    assert finding.code == "course_seeds_bce" and "Fix: clamp" in finding.text
    assert f"test2 {100 * rates['test2'][0] / COURSE_SEEDS:.0f}%" in verdict(report)
    strict = report_here(module, course_seeds=COURSE_SEEDS, strict=True)
    assert strict.exit_status == 1
