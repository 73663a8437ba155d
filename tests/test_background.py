"""tests/background.py: a command started once per run, its result read by any process."""

import sys
import time

import pytest

from .background import once, result


def test_the_command_runs_once_and_its_exit_code_and_output_are_read(tmp_path):
    stem = tmp_path / "job"
    first = [sys.executable, "-c", "print('built'); raise SystemExit(3)"]
    second = [sys.executable, "-c", f"open({str(tmp_path / 'ran')!r}, 'w')"]
    with once(stem, first, timeout=60), once(stem, second, timeout=60):
        code, log = result(stem, timeout=60)
    assert (code, log) == ("3", "built\n")
    time.sleep(0.5)  # the second command would have had time to create its file
    assert not (tmp_path / "ran").exists(), "a second process started the command again"


def test_a_command_that_runs_too_long_is_killed(tmp_path):
    stem = tmp_path / "job"
    with once(stem, [sys.executable, "-c", "import time; time.sleep(60)"], timeout=0.5):
        code, _ = result(stem, timeout=30)
    assert code == "still running after 0.5 s, killed"


def test_a_command_that_cannot_start_is_reported(tmp_path):
    stem = tmp_path / "job"
    with once(stem, [str(tmp_path / "no-such-program")], timeout=60):
        code, log = result(stem, timeout=30)
    assert code == "not started" and "no-such-program" in log


def test_waiting_for_a_command_nobody_started_says_so(tmp_path):
    with pytest.raises(RuntimeError, match="nothing started job"):
        result(tmp_path / "job", timeout=1)
