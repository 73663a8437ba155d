"""The command line and its formats: text, JSON, CSV, JUnit XML and Gradescope.

mlp_check's command line and outputs (_cli, _formats, _render, _groups, _progress): the
command works beside a student's own mlp.py, and every format carries the verdicts.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from mlp_check.cli import Progress, expand, main, memory_size, parser, render
from mlp_check.output import to_gradescope, to_json, to_text
from mlp_check.verdict import Report

from .check_helpers import CORPUS, load, report_here


@pytest.fixture(scope="module")
def reports():
    unusable = Report(Path("/nowhere/absent.py"), [], [], "no such file")
    return [report_here(load("right_assigns")), report_here(load("half_mse")),
            report_here(load("identity_crash")), unusable]


def test_help_shows_the_command_beside_mlp_py_the_rule_and_the_container_warning():
    text = " ".join(parser().format_help().split())
    for fragment in ("mlp-check mlp.py", "python -m mlp_check mlp.py", "inside a container",
                     "eps ** 0.5 of the dtype it was computed in", "float32: 0.00035",
                     "float64: 1.5e-08", "--strict", "Exit status: 0"):
        assert fragment in text, fragment


def test_the_console_script_is_mlp_check():
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "mlp-check"]
    assert script.value == "mlp_check:main"


def test_an_unusable_file_gives_exit_2_and_the_documented_json(capsys, tmp_path):
    assert main(["--format", "json", str(tmp_path / "absent.py")]) == 2
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert {k: report[k] for k in ("ok", "error", "cases")} == {
        "ok": False, "error": "no such file", "cases": []}
    assert "cannot grade" in err


def test_json_carries_what_the_text_shows(reports):
    right, half = to_json(reports[0]), to_json(reports[1])
    assert right["ok"] is True and right["exit_status"] == 0
    assert right["tolerance"]["float32"] == pytest.approx(3.4526698e-4)
    case = half["cases"][0]
    assert case["dtype"] == "float32" and case["checks"]["J"]["status"] == "mismatch"
    assert case["checks"]["J"]["rel_err"] == pytest.approx(0.5, rel=1e-6)
    assert case["checks"]["J"]["returned"] == "float32"
    assert [p["rel_err"] for p in case["checks"]["dJdW1"]["information"]][1] == pytest.approx(0.5)
    assert case["float64"]["mark"] == "✗"
    kinds = {g["kind"] for g in half["diagnoses"]}
    assert kinds == {"failure", "note"}
    text = to_text(reports[1])
    for g in half["diagnoses"]:
        assert " ".join(g["text"].split()) in " ".join(text.split())
    assert half["verdict"] in " ".join(text.split())
    assert [t["passed"] for t in half["course_tests"]["tests"]] == [False, True, False]


def test_text_says_where_a_note_could_not_be_told(reports):
    text = " ".join(to_text(reports[2]).split())
    assert ("could not be told in every case with f = identity (4): MLP.forward raised "
            "KeyError: 'identity'") in text


def test_csv_has_a_row_per_file(reports):
    rows = list(csv.DictReader(io.StringIO(render(reports, "csv"))))
    assert [(Path(r["path"]).name, r["exit_status"], r["verdict"], r["course_tests"])
            for r in rows] == [("right_assigns.py", "0", "pass", "3/3"),
                               ("half_mse.py", "1", "fail", "1/3"),
                               ("identity_crash.py", "1", "fail", "3/3"),
                               ("absent.py", "2", "unusable", "0/0")]
    assert "J is half of torch's" in rows[1]["diagnoses"] and rows[3]["error"] == "no such file"


def test_junit_has_a_suite_per_file_and_a_failure_per_failing_case(reports):
    root = ET.fromstring(render(reports, "junit"))
    suites = root.findall("testsuite")
    assert [int(s.get("tests")) for s in suites] == [15, 15, 15, 1]
    assert [int(s.get("failures")) for s in suites] == [0, 11, 4, 0]
    assert suites[3].find("testcase/error").get("message") == "no such file"


def test_gradescope_results_json(reports):
    right, half, _, absent = (to_gradescope(r) for r in reports)
    assert right["score"] == 8 and all(t["max_score"] == 1 for t in right["tests"])
    assert [t["name"] for t in right["tests"]][3:] == [
        "MLP.forward", "mse_loss", "bce_loss", "MLP.backward", "no autograd"]
    assert half["score"] == sum(t["score"] for t in half["tests"]) == 5
    failed = {t["name"]: t["output"] for t in half["tests"] if t["status"] == "failed"}
    assert set(failed) == {"the course's test1 (relu/identity/mse)",
                           "the course's test3 (relu/relu/mse)", "mse_loss"}
    assert "J is half of torch's" in failed["mse_loss"]
    assert absent["score"] == 0 and absent["tests"][0]["output"] == "no such file"
    # a batch's results each carry their file's path
    assert [r["extra_data"]["path"] for r in (right, half, absent)] == [
        str(reports[i].path) for i in (0, 1, 3)]
    json.dumps([right, half, absent])


def test_a_folder_gives_its_files_and_glob_narrows_them(tmp_path):
    (tmp_path / "a" / "__pycache__").mkdir(parents=True)
    for name in ("a/mlp.py", "a/test1.py", "b.py", "a/__pycache__/mlp.py"):
        (tmp_path / name).write_text("")
    assert [p.relative_to(tmp_path).as_posix() for p in expand([str(tmp_path)], "*.py")] == [
        "a/mlp.py", "a/test1.py", "b.py"]
    assert [p.name for p in expand([str(tmp_path)], "mlp.py")] == ["mlp.py"]


@pytest.mark.parametrize("text,size", [("4G", 4 * 2**30), ("512M", 512 * 2**20), ("0", 0),
                                       ("1.5g", int(1.5 * 2**30)), ("100", 100)])
def test_memory_sizes(text, size):
    assert memory_size(text) == size


def test_bad_arguments_are_refused(capsys):
    for args in (["--memory", "lots", "x.py"], ["--timeout", "0", "x.py"],
                 ["--jobs", "0", "x.py"], ["--format", "pdf", "x.py"]):
        with pytest.raises(SystemExit) as exit_:
            main(args)
        assert exit_.value.code == 2
    assert "--jobs must be at least 1" in capsys.readouterr().err


class Terminal(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize("tty", [True, False])
def test_the_progress_bar_is_drawn_on_a_terminal_only(tty):
    stream = Terminal(tty)
    with Progress(units=10, files=2, stream=stream) as progress:
        progress.advance(5)
        progress.file_done()
    drawn = stream.getvalue()
    assert ("1/2 files" in drawn and "█" * 15 + "·" * 15 in drawn) == tty
    assert (drawn == "") == (not tty)


GRADING_MODULES = r"""
import json, sys
from mlp_check.cli import main
status = main([sys.argv[1], "--format", "json", "--output", sys.argv[2]])
print(json.dumps({"status": status, "sympy": "sympy" in sys.modules,
                  "modules": sorted(m for m in sys.modules if m.startswith("mlp_check"))}))
"""


def test_grading_a_file_never_imports_sympy_and_visits_few_modules(tmp_path):
    """The course's cases are a constant list (held equal to `derivations.configurations()` in
    test_check_activations.py), so grading never pays SymPy's import; and one grading enters the
    parent's six modules and the worker subpackage, not one module per step."""
    ran = subprocess.run([sys.executable, "-c", GRADING_MODULES,
                          str(CORPUS / "right_accumulates.py"), str(tmp_path / "out.json")],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path, check=True)
    out = json.loads(ran.stdout.splitlines()[-1])
    assert out["status"] == 0 and out["sympy"] is False
    assert set(out["modules"]) == {
        "mlp_check", "mlp_check.cli", "mlp_check.plan", "mlp_check.run", "mlp_check.verdict",
        "mlp_check.diagnose", "mlp_check.output", "mlp_check.tolerance", "mlp_check.worker",
        "mlp_check.worker.procs"}


def test_every_section_a_finding_links_to_is_a_heading_of_the_grader_page():
    from mlp_check.diagnose import PAGE, SECTIONS, WORDS

    from .test_mistake_links import SECTIONS as HEADINGS
    assert set(SECTIONS) <= set(WORDS)
    assert {page for page, _ in SECTIONS.values()} == {PAGE}
    missing = {code: anchor for code, (_, anchor) in SECTIONS.items() if anchor not in HEADINGS}
    assert missing == {}


def test_the_site_address_is_the_option_else_the_variable_else_the_published_one(monkeypatch):
    from importlib.metadata import metadata

    from mlp_check.diagnose import SITE_URL_VARIABLE, link, site_base
    published = [u.split(",", 1)[1].strip() for u in metadata("backprop-derived").get_all(
        "Project-URL") if u.startswith("Documentation")]
    monkeypatch.delenv(SITE_URL_VARIABLE, raising=False)
    assert site_base() == published[0].rstrip("/") + "/"
    monkeypatch.setenv(SITE_URL_VARIABLE, "https://course.example/site")
    assert site_base() == "https://course.example/site/"
    assert site_base("http://127.0.0.1:8000") == "http://127.0.0.1:8000/"
    assert link("f_g_swapped", site_base()) == \
        "https://course.example/site/notebooks/check_your_homework/#f-and-g-swapped"
    assert link("f_g_swapped", "file:///x/site/") == \
        "file:///x/site/notebooks/check_your_homework/index.html#f-and-g-swapped"


def test_without_a_published_address_the_links_point_into_a_local_build(monkeypatch):
    import importlib.metadata

    from mlp_check.diagnose import SITE_URL_VARIABLE, site_base

    def unknown(name):
        raise importlib.metadata.PackageNotFoundError(name)
    monkeypatch.delenv(SITE_URL_VARIABLE, raising=False)
    monkeypatch.setattr(importlib.metadata, "metadata", unknown)
    assert site_base() == (Path(__file__).resolve().parents[1] / "site").as_uri() + "/"


LINKED = ("swapped", "half_mse", "transposed", "bias_mean", "sigmoid_prime_output",
          "mse_mean_over_n", "bce_no_clamp", "no_zero", "right_assigns", "autograd_backward",
          "float32_buffer", "bce_grad_inverse")


@pytest.mark.site
def test_every_printed_link_reaches_an_existing_anchor_of_the_built_site(built_site):
    """Each link the text report prints, for files with the site's mistakes, followed into the
    strict build (built with the site_url the links are given)."""
    from html.parser import HTMLParser

    from .conftest import SITE_URL
    site_dir, _ = built_site

    class Ids(HTMLParser):
        def __init__(self):
            super().__init__()
            self.ids = set()

        def handle_starttag(self, tag, attrs):
            self.ids.update(v for k, v in attrs if k == "id")

    urls = set()
    for name in LINKED:
        report = report_here(load(name))
        report.site_url = SITE_URL
        urls.update(re.findall(r"see (\S+)", to_text(report)))
    assert len(urls) >= 8, urls
    for url in sorted(urls):
        assert url.startswith(SITE_URL), url
        page, _, anchor = url.removeprefix(SITE_URL).partition("#")
        html = site_dir / page / "index.html"
        assert html.is_file(), url
        parser = Ids()
        parser.feed(html.read_text(encoding="utf-8"))
        assert anchor in parser.ids, url
