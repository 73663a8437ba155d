"""mlp_check.diagnose: what the course's tests cannot see is a note, never a failure, unless
--strict; each note is measured on the file's own numbers."""

from __future__ import annotations

import pytest

from mlp_check.diagnose import ASSIGNS

from .check_helpers import load, report_here


def notes(report):
    return {f.text for r in report.cases for f in r.findings if f.kind == "note"} | {
        f.text for f in report.findings if f.kind == "note"}


@pytest.mark.parametrize("name,fragment", [
    ("right_assigns", f"dJdW1, dJdb1, dJdW2, dJdb2 are assigned: {ASSIGNS}"),
    ("no_zero", "dJdW1, dJdb1, dJdW2, dJdb2 are 3 times one gradient after clear_grad_and_cache"),
    ("zeros_float32", "in a float64 run, dJdW1, dJdb1, dJdW2, dJdb2 come back as float32"),
    ("float_J", "J comes back as a float; torch's losses return a 0-dim tensor"),
    ("numpy_loss", "J comes back as a numpy.float32"),
    ("outer_bias", "in a float64 run, MLP.backward raised RuntimeError"),
    ("bce_no_clamp", "where y_hat is exactly 0 or 1, bce_loss gives NaN or inf in J, dJdy_hat"),
])
def test_a_note_passes_by_default_and_fails_with_strict(name, fragment):
    module = load(name)
    default, strict = report_here(module), report_here(module, strict=True)
    assert any(fragment in n for n in notes(default)), notes(default)
    assert default.exit_status == 0 and default.functions_ok and default.course_ok
    assert strict.exit_status == 1 and not strict.functions_ok


def test_accumulating_gradients_earn_no_note():
    report = report_here(load("right_accumulates"))
    assert notes(report) == set() and report_here(load("right_accumulates"), strict=True).ok


def test_the_float32_in_float64_notes_say_returned_and_rounded_apart():
    said = notes(report_here(load("float32_buffer")))
    assert any(n.startswith("in a float64 run, y_hat comes back as float32") for n in said)
    assert any("right only to float32 precision" in n for n in said)


def test_no_note_where_the_verdict_already_fails():
    # half_mse's MSE cases fail: a float64 note there would only repeat the failure.
    report = report_here(load("half_mse"))
    for r in report.cases:
        if not r.run.ok:
            assert not any(f.text.startswith("in a float64 run") for f in r.findings)
