"""Diagnoses: each mistake named by its code, on numbers made to have it, and notes that stay
notes.

mlp_check.diagnose, _ratios, _known, _mistakes, _patterns: each diagnosis on numbers made
from a right file with one mistake built in, run through the worker's own units in this process.
Whatever the mistake, no wrong check is left without a reason.

mlp_check.diagnose: what the course's tests cannot see is a note, never a failure, unless
--strict; each note is measured on the file's own numbers.
"""

from __future__ import annotations

import importlib.util
from types import SimpleNamespace

import pytest
import torch

from mlp_check.diagnose import FACTORS, MISTAKES, PHRASES, label
from mlp_check.plan import GRADS

from .check_helpers import CORPUS, load, report_here

RIGHT = load("right_accumulates")


def variant(**functions):
    """The right file with some functions replaced."""
    names = ("MLP", "mse_loss", "bce_loss")
    return SimpleNamespace(**{**{n: getattr(RIGHT, n) for n in names}, **functions},
                           __file__=RIGHT.__file__)


def scaled(loss, j=1.0, g=1.0):
    def fn(y, y_hat):
        J, dJdy_hat = getattr(RIGHT, loss)(y, y_hat)
        return j * J, g * dJdy_hat
    return fn


def texts(report, kind="failure"):
    return [f.text for r in report.cases for f in r.findings if f.kind == kind]


def codes(report, kind="failure"):
    """The codes of the findings of `kind`, in every case and for the file."""
    return {f.code for r in report.cases for f in r.findings if f.kind == kind} | {
        f.code for f in report.findings if f.kind == kind}


def assert_every_wrong_check_has_a_reason(report):
    for r in report.cases:
        wrong = {q for q, c in r.checks.items() if c.status != "ok"}
        named = {q for f in r.findings if f.kind == "failure" for q in f.quantities}
        assert wrong <= named, (r.case.label, wrong - named)


def test_the_right_file_has_no_finding_and_passes():
    report = report_here(RIGHT)
    assert report.exit_status == 0 and report.findings == [] and report.disagreements == []
    assert all(r.findings == [] for r in report.cases)


@pytest.mark.parametrize("alpha,exps", FACTORS, ids=[label(*e).replace("·", "*")
                                                     for _, e in FACTORS])
def test_every_named_factor_is_named_in_J_and_dJdy_hat(alpha, exps):
    report = report_here(variant(mse_loss=scaled("mse_loss", alpha, alpha)))
    phrase = PHRASES.get(label(*exps)) or f"{label(*exps)} times torch's"
    for r in report.cases:
        named = {q for f in r.findings if f" {phrase}" in f.text for q in f.quantities}
        assert named == ({"J", "dJdy_hat"} if r.case.loss == "mse" else set()), r.findings
    assert report.exit_status == 1
    assert_every_wrong_check_has_a_reason(report)


def test_an_unnamed_constant_factor_is_measured_for_a_tensor():
    report = report_here(variant(bce_loss=scaled("bce_loss", 1.0, 1.2345)))
    assert "dJdy_hat is 1.2345 times torch's, a constant factor" in texts(report)
    assert_every_wrong_check_has_a_reason(report)


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: f"{m.loss}-{m.quantity}-"
                         f"{MISTAKES.index(m)}")
def test_every_known_loss_mistake_is_named(mistake):
    def fn(y, y_hat):
        J, dJdy_hat = getattr(RIGHT, f"{mistake.loss}_loss")(y, y_hat)
        slip = mistake.fn(y, y_hat)
        return (slip, dJdy_hat) if mistake.quantity == "J" else (J, slip)

    report = report_here(variant(**{f"{mistake.loss}_loss": fn}))
    expected = f"{mistake.quantity} is wrong in a known way: {mistake.text}"
    cases = [r for r in report.cases if r.case.loss == mistake.loss]
    assert all(expected in [f.text for f in r.findings] for r in cases), texts(report)
    assert_every_wrong_check_has_a_reason(report)


def only_where_y_is_1(y, y_hat):
    J, dJdy_hat = RIGHT.bce_loss(y, y_hat)
    return J, torch.where(y == 1, 3 * dJdy_hat, dJdy_hat)


def nan_where_y_is_0(y, y_hat):
    J, dJdy_hat = RIGHT.bce_loss(y, y_hat)
    return J, torch.where(y == 0, torch.nan, dJdy_hat)


def noisy_J(y, y_hat):
    J, dJdy_hat = RIGHT.mse_loss(y, y_hat)
    return J * 1.2345 + 0.1, dJdy_hat


@pytest.mark.parametrize("loss,fn,fragments", [
    ("bce_loss", only_where_y_is_1, ["dJdy_hat differs only where y = 1", "3 times torch's "
                                     "there", "(the site's page \"Losses\")"]),
    ("bce_loss", nan_where_y_is_0, ["dJdy_hat has", "NaN only where y = 0"]),
    ("mse_loss", noisy_J, ["which matches no known mistake; torch's is J = mean((y_hat - y)²)"]),
])
def test_an_unknown_mistake_is_described_by_its_pattern(loss, fn, fragments):
    report = report_here(variant(**{loss: fn}))
    described = [t for t in texts(report) if fragments[0] in t]
    assert described and all(all(f in t for f in fragments) for t in described), texts(report)
    assert_every_wrong_check_has_a_reason(report)


class HalvesDJdb2(load("sigmoid_prime_output").MLP):
    def backward(self, dJdy_hat):
        super().backward(dJdy_hat)
        self.grads["dJdb2"] = self.grads["dJdb2"] / 2


class PerSampleBias(RIGHT.MLP):
    def backward(self, dJdy_hat):
        super().backward(dJdy_hat)
        self.grads["dJdb1"] = self.grads["dJdb1"].expand(dJdy_hat.shape[0], -1) / 5


class NeverWritesDJdW1(RIGHT.MLP):
    def backward(self, dJdy_hat):
        super().backward(dJdy_hat)
        self.grads["dJdW1"] = torch.zeros_like(self.grads["dJdW1"])


def test_a_factor_on_top_of_a_derivative_at_the_output_names_both():
    report = report_here(variant(MLP=HalvesDJdb2))
    for r in report.cases:
        said = [f.text for f in r.findings]
        if r.case.g == "sigmoid":
            assert any(t.startswith("the gradients below g are what its derivative gives")
                       for t in said)
            assert "dJdb2 is half of torch's: a factor 2 is missing (of what that mistake " \
                   "gives)" in said
        else:
            assert "dJdb2 is half of torch's: a factor 2 is missing" in said
    assert_every_wrong_check_has_a_reason(report)


def test_a_bias_gradient_per_sample_is_a_wrong_shape():
    report = report_here(variant(MLP=PerSampleBias))
    assert codes(report) == {"wrong_shape", "bias_only"}
    assert "dJdb1 has shape (5, 6), torch's (6,): one row per sample, where the batch must be " \
           "summed over" in texts(report)
    assert_every_wrong_check_has_a_reason(report)


def test_a_gradient_never_written_is_all_zeros():
    report = report_here(variant(MLP=NeverWritesDJdW1))
    assert {t.split("?")[0] for t in texts(report)} == {
        "dJdW1 is all zeros, where torch's is not: is it ever written"}


def test_swapped_activations_are_named_and_the_gradients_that_follow_are_not_blamed():
    report = report_here(load("swapped"))
    for r in report.cases:
        said = [f.text for f in r.findings if f.kind == "failure"]
        if r.case.f == r.case.g:
            assert said == []
        else:
            assert "y_hat is what f and g swapped give: check how forward picks f_function and " \
                   "g_function" in said
            assert not any("transposed" in t or "times torch's" in t for t in said)
    assert_every_wrong_check_has_a_reason(report)


def test_transposed_weight_gradients_name_each_layers_input():
    report = report_here(load("transposed"))
    assert codes(report) == {"transpose_dJdW1", "transpose_dJdW2"}
    assert "dJdW2 is transposed: W2 is stored (out, in), as nn.Linear stores it, so dJdW2 = " \
           "dJdz3ᵀ z2 has its shape, not z2ᵀ dJdz3" in texts(report)


def test_an_exception_names_the_files_own_line():
    said = set(texts(report_here(load("identity_crash"))))
    assert said == {"y_hat, dJdW1, dJdb1, dJdW2, dJdb2: MLP.forward raised KeyError: 'identity' "
                    "(identity_crash.py:46: z1 = HIDDEN[self.f_function](s1))"}
    assert GRADS  # the gradients are not run where forward raised: named with it


def notes(report):
    return {f.code for r in report.cases for f in r.findings if f.kind == "note"} | {
        f.code for f in report.findings if f.kind == "note"}


@pytest.mark.parametrize("name,code", [
    ("right_assigns", "grads_assigned"),
    ("no_zero", "not_cleared"),
    ("zeros_float32", "float64_low_dtype"),
    ("float_J", "J_not_tensor"),
    ("numpy_loss", "J_not_tensor"),
    ("outer_bias", "float64_missing"),
    ("bce_no_clamp", "bce_unclamped"),
])
def test_a_note_passes_by_default_and_fails_with_strict(name, code):
    module = load(name)
    default, strict = report_here(module), report_here(module, strict=True)
    assert code in notes(default), notes(default)
    assert default.exit_status == 0 and default.functions_ok and default.course_ok
    assert strict.exit_status == 1 and not strict.functions_ok


def test_accumulating_gradients_earn_no_note():
    report = report_here(load("right_accumulates"))
    assert notes(report) == set() and report_here(load("right_accumulates"), strict=True).ok


def test_the_float32_in_float64_notes_say_returned_and_rounded_apart():
    said = notes(report_here(load("float32_buffer")))
    assert {"float64_low_dtype", "float64_rounded"} <= said


def test_no_note_where_the_verdict_already_fails():
    # half_mse's MSE cases fail: a float64 note there would only repeat the failure.
    report = report_here(load("half_mse"))
    for r in report.cases:
        if not r.run.ok:
            assert not any(f.text.startswith("in a float64 run") for f in r.findings)


RIGHT_SOURCE = (CORPUS / "right_accumulates.py").read_text(encoding="utf-8")
# Each mistake the site's pages warn of, planted in the right file by an edit of its source,
# and the codes the grader must give it (every code it gives must be among them).
PLANTED = {
    "f_prime_missing": ([("dJds1 = dJdz1 * activation_grad(self.f_function, s1)",
                          "dJds1 = dJdz1")], {"f_prime_missing"}),
    "f_g_swapped": ([("z1 = activation(self.f_function, s1)",
                      "z1 = activation(self.g_function, s1)"),
                     ("y_hat = activation(self.g_function, s2)",
                      "y_hat = activation(self.f_function, s2)")],
                    {"f_g_swapped", "follows_forward"}),
    "sigmoid_prime_at_output": ([("activation_grad(self.g_function, s2)",
                                  "activation_grad(self.g_function, activation(self.g_function, "
                                  "s2))")], {"derivative_at_output_g"}),
    "lectures_half": ([("J = ((y_hat - y) ** 2).mean()", "J = ((y_hat - y) ** 2).mean() / 2"),
                       ("dJdy_hat = 2 * (y_hat - y) / y.numel()",
                        "dJdy_hat = (y_hat - y) / y.numel()")], {"half_loss", "missing_2"}),
    "bias_averaged": ([("dJds2.sum(dim=0)", "dJds2.mean(dim=0)"),
                       ("dJds1.sum(dim=0)", "dJds1.mean(dim=0)")], {"bias_mean", "bias_only"}),
    "transpose_left_out": ([('self.grads["dJdW2"] += dJds2.T @ z1',
                             'self.grads["dJdW2"] = z1.T @ dJds2')], {"transpose_dJdW2"}),
    "dJdy_hat_over_N_only": ([("dJdy_hat = 2 * (y_hat - y) / y.numel()",
                               "dJdy_hat = 2 * (y_hat - y) / y.shape[0]")],
                             {"mean_over_N_only"}),
    "gradient_sign_flipped": ([('self.grads["dJdW2"] += dJds2.T @ z1',
                                'self.grads["dJdW2"] -= dJds2.T @ z1')], {"sign_flipped"}),
}


def planted(tmp_path, edits) -> object:
    source = RIGHT_SOURCE
    for old, new in edits:
        assert old in source, old
        source = source.replace(old, new)
    path = tmp_path / "mlp.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"planted_{tmp_path.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("mistake", sorted(PLANTED))
def test_each_planted_mistake_gets_its_code(tmp_path, mistake):
    edits, want = PLANTED[mistake]
    report = report_here(planted(tmp_path, edits))
    got = codes(report)
    assert got == want, (mistake, got)
    assert not report.functions_ok
    assert_every_wrong_check_has_a_reason(report)


def test_f_prime_left_out_is_said_once_with_its_cases(tmp_path):
    """Every case with a non-identity f fails the same way: one finding, its cases listed."""
    from mlp_check.diagnose import groups
    report = report_here(planted(tmp_path, PLANTED["f_prime_missing"][0]))
    failures = [g for g in groups(report) if g.kind == "failure"]
    assert [g.code for g in failures] == ["f_prime_missing"]
    assert set(failures[0].cases) == {r.case.label for r in report.cases if r.case.f != "identity"}


def test_an_unclamped_bce_gets_its_code_and_the_fix(tmp_path):
    report = report_here(planted(tmp_path, [
        ("torch.clamp(torch.log(y_hat), min=-100)", "torch.log(y_hat)"),
        ("torch.clamp(torch.log(1 - y_hat), min=-100)", "torch.log(1 - y_hat)"),
        ("torch.clamp(y_hat * (1 - y_hat), min=1e-12)", "(y_hat * (1 - y_hat))")]))
    assert codes(report, "note") == {"bce_unclamped"}
    (finding,) = [f for f in report.findings if f.code == "bce_unclamped"]
    assert "clamp" in finding.text and "Fix" in finding.text


# Bugs that only show at an edge (plan.EDGES): the graded cases and the course's tests pass,
# and the edge names the bug as a note.
EDGE_BUGS = {
    "edge_relu0": [("return (s > 0).to(s.dtype)", "return (s >= 0).to(s.dtype)")],
    "edge_batch1": [('self.grads["dJdb2"] += dJds2.sum(dim=0)',
                     'self.grads["dJdb2"] += dJds2.squeeze().sum(dim=0)')],
    "edge_K1": [("y_hat = activation(self.g_function, s2)",
                 "y_hat = activation(self.g_function, s2).squeeze(-1)")],
    "edge_saturated": [("return sig * (1 - sig)",
                        "return torch.exp(-s) / (1 + torch.exp(-s)) ** 2")],
}


@pytest.mark.parametrize("code", sorted(EDGE_BUGS))
def test_a_bug_that_hides_from_the_course_shows_at_its_edge(tmp_path, code):
    from mlp_check.plan import EDGES
    module = planted(tmp_path, EDGE_BUGS[code])
    report = report_here(module)
    assert report.course_ok and report.exit_status == 0, [f.text for f in report.findings]
    said = notes(report) & {e.code for e in EDGES}
    assert said == {code}, said
    assert not report_here(module, strict=True).ok


def test_the_edges_hold_what_they_are_named_for():
    """N = 1, K = 1, three ReLU inputs exactly 0, and outputs that saturate to exactly 1 and 0
    in float32."""
    from mlp_check.plan import EDGES, edge_inputs, pre_activations
    by_code = {e.code: e for e in EDGES}
    assert edge_inputs(by_code["edge_batch1"], 0)["x"].shape[0] == 1
    assert edge_inputs(by_code["edge_K1"], 0)["y"].shape[1] == 1
    relu0 = by_code["edge_relu0"]
    z1, _ = pre_activations(relu0.case, edge_inputs(relu0, 0))
    assert int((z1.float() == 0).sum()) == 3
    sat = by_code["edge_saturated"]
    _, z3 = pre_activations(sat.case, edge_inputs(sat, 0))
    y_hat = torch.sigmoid(z3.float())
    assert bool((y_hat[:, 0] == 1).all()) and bool((y_hat[:, 2] == 0).all())
