"""`mlp-check --gradescope-autograder DIR`: the bundle runs in Gradescope's folder layout (under
a temporary root) and its results.json follows Gradescope's specification
(https://gradescope-autograders.readthedocs.io/en/latest/specs/)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from .check_helpers import CORPUS

TOP = {"score", "execution_time", "output", "output_format", "test_output_format",
       "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests",
       "leaderboard"}
TEST = {"score", "max_score", "status", "name", "name_format", "number", "output",
        "output_format", "tags", "visibility", "extra_data"}


def follows_the_spec(results: dict) -> None:
    assert set(results) <= TOP, set(results) - TOP
    assert isinstance(results["tests"], list) and results["tests"]
    for t in results["tests"]:
        assert set(t) <= TEST, set(t) - TEST
        assert isinstance(t["name"], str) and isinstance(t["output"], str)
        assert t["status"] in ("passed", "failed")
        assert isinstance(t["max_score"], int | float) and 0 <= t["score"] <= t["max_score"]
        assert (t["status"] == "passed") == (t["score"] == t["max_score"])
    assert results["score"] == sum(t["score"] for t in results["tests"])
    assert isinstance(results["execution_time"], int | float)
    assert isinstance(results["output"], str)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """The bundle, and the grader its wheel holds unpacked as setup.sh's pip would install it
    (torch is installed here already)."""
    tmp = tmp_path_factory.mktemp("bundle")
    ran = subprocess.run([sys.executable, "-m", "mlp_check", "--gradescope-autograder",
                          str(tmp / "bundle")], capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr[-2000:]
    site = tmp / "site"
    wheels = list((tmp / "bundle").glob("*.whl"))
    assert len(wheels) == 1
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(site), str(wheels[0])], check=True, timeout=300)
    return tmp / "bundle", site


def test_the_bundle_holds_what_gradescope_needs_at_its_root(bundle):
    folder, _ = bundle
    names = {p.name for p in folder.iterdir()}
    assert {"setup.sh", "run_autograder"} <= names
    for script in ("setup.sh", "run_autograder"):
        assert os.access(folder / script, os.X_OK)
        assert (folder / script).read_text().startswith("#!/usr/bin/env bash\n")
    setup = (folder / "setup.sh").read_text()
    wheel = next(folder.glob("*.whl")).name
    assert f"./{wheel}" in setup and "bubblewrap" in setup
    # the wheel pins torch, as the course does
    pyproject = (CORPUS.parent.parent / "pyproject.toml").read_text()
    assert '"torch==' in pyproject


def autograde(tmp_path, bundle, source: str) -> dict:
    folder, site = bundle
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    shutil.copytree(folder, root / "source")  # where Gradescope unpacks the zip
    shutil.copy(folder / "run_autograder", root / "run_autograder")
    shutil.copy(CORPUS / source, root / "submission" / "mlp.py")
    env = {**os.environ, "MLP_CHECK_AUTOGRADER_ROOT": str(root),
           "MLP_CHECK_PYTHON": sys.executable, "PYTHONPATH": str(site)}
    which = subprocess.run([sys.executable, "-c", "import mlp_check; print(mlp_check.__file__)"],
                           cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert which.stdout.startswith(str(site)), which.stdout  # the wheel's grader, not this tree's
    ran = subprocess.run([str(root / "run_autograder")], cwd=root, env=env,
                         capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr[-2000:]
    return json.loads((root / "results" / "results.json").read_text())


def test_a_right_submission_gets_every_point(tmp_path, bundle):
    results = autograde(tmp_path, bundle, "right_accumulates.py")
    follows_the_spec(results)
    assert results["score"] == sum(t["max_score"] for t in results["tests"])
    assert results["extra_data"]["path"].endswith("submission/mlp.py")


def test_a_wrong_submission_loses_the_points_of_what_it_gets_wrong(tmp_path, bundle):
    results = autograde(tmp_path, bundle, "transposed.py")
    follows_the_spec(results)
    failed = [t["name"] for t in results["tests"] if t["status"] == "failed"]
    assert failed and results["score"] < sum(t["max_score"] for t in results["tests"])
    assert any("backward" in name for name in failed), failed
