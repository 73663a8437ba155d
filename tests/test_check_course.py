"""mlp_check.verdict and _disagree: the course's three tests replayed as the course runs them,
and every disagreement with the per-function verdict explained."""

from __future__ import annotations

from types import SimpleNamespace

from mlp_check.plan import COURSE_TESTS
from mlp_check.run import UnitOutcome
from mlp_check.verdict import course_result

from .check_helpers import load, report_here


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
