"""Batches of cases and files: --activations, check_files, and the plan a batch shares.

`mlp-check --activations`: the course's three activations by default, more when asked.

The cases always come from `derivations.configurations` (which loss accepts which output), the
course's three tests always run, and a file that lacks an asked-for activation fails exactly the
cases that use it, with a message, while the rest of the grade stands. The student files are the
corpus's right_assigns.py with a tanh added (right, or with a wrong derivative) or not.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import torch

from derivations.configurations import configurations
from mlp import ACTIVATIONS, COURSE_ACTIVATIONS, COURSE_LOSSES
from mlp_check.cli import main, parser, render
from mlp_check.output import to_text
from mlp_check.plan import (
    CASES,
    COURSE_TESTS,
    EDGES,
    GRADS,
    activation_names,
    all_inputs,
    autograd_reference,
    by_hand,
    cases_for,
    make_inputs,
    make_plan,
)
from mlp_check.run import check_files, graded_cases, units_per_file

from .check_helpers import CORPUS, load, report_here

ASKED = ("relu", "sigmoid", "identity", "tanh")
ASKED_CASES = configurations(ASKED, COURSE_LOSSES)
TANH_CASES = {f"{f}/{g}/{loss}" for f, g, loss in ASKED_CASES if "tanh" in (f, g)}
FORWARD = '    elif name == "identity":\n        return s\n'
DERIVATIVE = '    elif name == "identity":\n        return torch.ones_like(s)\n'
RIGHT_TANH_DERIVATIVE = "1 - torch.tanh(s) ** 2"
WRONG_TANH_DERIVATIVE = "1 - torch.tanh(s)"  # the square left out


def with_tanh(derivative: str, base: str = "right_assigns") -> str:
    """A corpus file with a tanh branch in its activation and in its derivative."""
    source = (CORPUS / f"{base}.py").read_text()
    assert source.count(FORWARD) == source.count(DERIVATIVE) == 1  # the edit below lands
    return source.replace(FORWARD, FORWARD + '    elif name == "tanh":\n'
                                             "        return torch.tanh(s)\n").replace(
        DERIVATIVE, DERIVATIVE + f'    elif name == "tanh":\n        return {derivative}\n')


def label(case: dict) -> str:
    return f"{case['f']}/{case['g']}/{case['loss']}"


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("activations")
    sources = {"tanh_right": with_tanh(RIGHT_TANH_DERIVATIVE),
               "tanh_wrong": with_tanh(WRONG_TANH_DERIVATIVE),
               "no_tanh": (CORPUS / "right_assigns.py").read_text(),
               "swapped_tanh": with_tanh(RIGHT_TANH_DERIVATIVE, "swapped")}
    for name, text in sources.items():
        (folder / f"{name}.py").write_text(text)
    return {name: folder / f"{name}.py" for name in sources}


@pytest.fixture(scope="module")
def asked(files, tmp_path_factory) -> tuple[int, dict[str, dict]]:
    """One command grading the files with --activations relu,sigmoid,identity,tanh."""
    out = tmp_path_factory.mktemp("out") / "report.json"
    status = main([*map(str, files.values()), "--activations", ",".join(ASKED),
                   "--format", "json", "--output", str(out), "--jobs", "2"])
    reports = json.loads(out.read_text())["files"]
    return status, {Path(r["path"]).stem: r for r in reports}


def test_by_default_the_grader_grades_the_course_cases_that_configurations_gives(tmp_path):
    course = configurations(COURSE_ACTIVATIONS, COURSE_LOSSES)
    out = tmp_path / "report.json"
    assert main([str(CORPUS / "right_assigns.py"), "--format", "json", "--output",
                 str(out)]) == 0
    report = json.loads(out.read_text())
    assert [(c["f"], c["g"], c["loss"]) for c in report["cases"]] == course
    assert len(course) == 12  # 3 x 3 with the MSE, and the sigmoid's 3 with the BCE
    assert [t["name"] for t in report["course_tests"]["tests"]] == [t.name for t in COURSE_TESTS]
    assert graded_cases() == CASES == cases_for(COURSE_ACTIVATIONS)
    assert make_plan(0) is make_plan(0, CASES)  # one plan for the default, however asked for
    assert "Activations graded" not in to_text(report_here(load("right_assigns")))


def test_a_right_tanh_passes_every_case_of_the_asked_activations(asked):
    status, reports = asked
    right = reports["tanh_right"]
    assert [(c["f"], c["g"], c["loss"]) for c in right["cases"]] == ASKED_CASES
    assert len(right["cases"]) == len(ASKED_CASES) > len(CASES)
    assert right["ok"] is True and right["exit_status"] == 0, right["verdict"]
    assert all(c["ok"] for c in right["cases"])
    assert status == 1  # the worst of them: the others fail


def test_a_file_without_tanh_fails_exactly_the_tanh_cases_and_says_why(asked):
    report = asked[1]["no_tanh"]
    failed = {label(c) for c in report["cases"] if not c["ok"]}
    assert failed == TANH_CASES
    for case in report["cases"]:
        if label(case) in TANH_CASES:
            assert case["checks"]["y_hat"]["status"] == "error"
            assert "ValueError: unknown activation tanh" in case["error"]
            assert any("--activations asked for it" in f["text"] for f in case["findings"])
        else:
            assert all(c["status"] == "ok" for c in case["checks"].values()), label(case)
    assert report["course_tests"]["ok"] is True
    assert report["exit_status"] == 1


def test_a_wrong_tanh_derivative_fails_the_tanh_cases_only(asked):
    report = asked[1]["tanh_wrong"]
    failed = {label(c) for c in report["cases"] if not c["ok"]}
    assert failed == TANH_CASES
    for case in report["cases"]:
        wrong = {q for q, c in case["checks"].items() if c["status"] != "ok"}
        if label(case) in TANH_CASES:
            # forward and the loss are right: only gradients below a tanh are wrong
            assert wrong and wrong <= set(GRADS), label(case)
            assert ("dJdW2" in wrong) == (case["g"] == "tanh"), label(case)
        else:
            assert not wrong, label(case)
    assert report["course_tests"]["ok"] is True


def test_a_diagnosis_tries_the_asked_activations_too(asked):
    # forward applies g in the hidden layer and f at the output: in tanh/relu/mse that is
    # relu then tanh, which only a diagnosis that tries tanh can name
    report = asked[1]["swapped_tanh"]
    cases = {label(c): c for c in report["cases"]}
    assert any("y_hat is what f and g swapped give" in f["text"]
               for f in cases["tanh/relu/mse"]["findings"])
    assert {lb for lb, c in cases.items() if not c["ok"]} == {
        f"{f}/{g}/{loss}" for f, g, loss in ASKED_CASES if f != g}


def test_every_format_stays_valid_and_the_text_names_the_activations(files):
    (report,) = check_files([files["no_tanh"]], activations=ASKED)
    n = len(ASKED_CASES)
    text = " ".join(to_text(report).split())
    assert f"Activations graded (--activations): {', '.join(ASKED)}" in text
    assert f"{len(TANH_CASES)} of {n} cases fail" in text
    suite = ET.fromstring(render([report], "junit")).find("testsuite")
    assert int(suite.get("tests")) == len(COURSE_TESTS) + n
    assert int(suite.get("failures")) == len(TANH_CASES)
    (row,) = csv.DictReader(io.StringIO(render([report], "csv")))
    assert row["cases_ok"] == f"{n - len(TANH_CASES)}/{n}" and row["course_tests"] == "3/3"
    gradescope = json.loads(render([report], "gradescope"))
    failed = {t["name"]: t["output"] for t in gradescope["tests"] if t["status"] == "failed"}
    assert set(failed) == {"MLP.forward", "MLP.backward"}
    assert "unknown activation tanh" in failed["MLP.forward"]
    assert len(json.loads(render([report], "json"))["cases"]) == n


def test_an_unknown_activation_is_refused_before_anything_is_graded(capsys):
    student = str(CORPUS / "right_assigns.py")
    with pytest.raises(SystemExit) as exit_:
        main(["--activations", "relu,swish", student])
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "argument --activations" in err and "'swish'" in err
    for name in ACTIVATIONS:
        assert name in err


def test_names_are_taken_in_the_registry_order_once_and_all_means_every_one():
    assert activation_names("tanh, relu,tanh") == ("relu", "tanh")
    assert activation_names("all") == tuple(ACTIVATIONS)
    assert graded_cases("identity,relu,sigmoid") == CASES
    assert cases_for(activation_names("all")) == tuple(
        cases_for(ACTIVATIONS, COURSE_LOSSES))
    for bad in ("", "relu,nope", "all,nope"):
        with pytest.raises(ValueError, match="the registered ones are relu, sigmoid"):
            activation_names(bad)
    assert "--activations NAMES" in parser().format_help()


def test_the_plan_follows_the_case_list_and_carries_it_to_the_workers():
    cases = graded_cases(ASKED)
    plan = make_plan(0, cases)
    assert plan is not make_plan(0) and plan.cases == cases
    assert units_per_file(0, ASKED) == len(plan.units) == len(COURSE_TESTS) + 2 * len(cases) \
        + len(EDGES) + 1
    payload = torch.load(plan.payload, weights_only=True)["units"]  # what a worker reads
    for dtype in ("float32", "float64"):
        assert [tuple(u["case"]) for u in payload
                if u["kind"] == "case" and u["key"][1] == dtype] == ASKED_CASES


def test_a_case_gets_the_same_inputs_whatever_else_is_graded():
    default, asked = all_inputs(0), all_inputs(0, cases=graded_cases(ASKED))
    few = all_inputs(0, cases=graded_cases("relu,tanh"))
    by_label = dict(zip((c.label for c in graded_cases(ASKED)), asked, strict=True))
    for case, inputs in zip(CASES, default, strict=True):
        for k, v in inputs.items():
            assert torch.equal(by_label[case.label][k], v), (case.label, k)
    for case, inputs in zip(graded_cases("relu,tanh"), few, strict=True):
        for k, v in inputs.items():
            assert torch.equal(by_label[case.label][k], v), (case.label, k)


def test_the_reference_and_the_backward_by_hand_agree_for_every_registered_activation():
    cases, gen = graded_cases("all"), torch.Generator().manual_seed(0)
    assert {c.f for c in cases} == {c.g for c in cases} == set(ACTIVATIONS)  # softmax too
    for case in cases:
        inputs = make_inputs(case, gen)  # any inputs will do for an identity
        ref = autograd_reference(case, inputs)
        hand = by_hand(case, inputs, ref["dJdy_hat"])
        for q in GRADS:
            err = ((hand[q] - ref[q]).norm() / ref[q].norm()).item()
            assert err <= 1e-12, (case.label, q, err)
        for layers in ("f", "g", "fg"):  # the derivative-at-the-output mistake runs for each
            wrong = by_hand(case, inputs, ref["dJdy_hat"], frozenset(layers))
            assert all(wrong[q].shape == ref[q].shape for q in GRADS), case.label
