"""tools/notebooks.py: each notebook page executed in a fresh kernel into a plain folder, a run
reused while its key matches, a failing cell reported, and no kernel left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tools import notebooks

from .conftest import ROOT

pytestmark = pytest.mark.slow  # a kernel takes seconds to start


def _page(folder, name: str, *cells: str):
    path = folder / f"{name}.py"
    path.write_text("".join(f"# %%\n{cell}\n\n" for cell in cells))
    return path


def _outputs(path) -> list[dict]:
    return [o for c in json.loads(path.read_text())["cells"] for o in c.get("outputs", [])]


def _run(tmp_path, pages, **kw):
    ran = []
    failures = notebooks.run(pages, log=ran.append, cache=tmp_path / "cache",
                             out=tmp_path / "out", **kw)
    return failures, [line for line in ran if line.startswith("executed ")]


def test_each_page_runs_in_a_fresh_kernel_with_plots(tmp_path):
    first = _page(tmp_path, "first", "import builtins\nbuiltins.LEFT_BEHIND = 1",
                  "import matplotlib.pyplot as plt\nplt.plot([0, 1])\nplt.show()")
    second = _page(tmp_path, "second", "import builtins, torch",
                   "print(hasattr(builtins, 'LEFT_BEHIND'), torch.zeros(2).sum().item())")
    failures, _ = _run(tmp_path, [first, second], workers=1)
    assert failures == {}
    assert any("image/png" in o.get("data", {}) for o in _outputs(tmp_path / "out/first.ipynb"))
    assert ["".join(o["text"]) for o in _outputs(tmp_path / "out/second.ipynb")] == [
        "False 0.0\n"]


def test_a_run_is_reused_until_its_page_changes_and_a_failure_keeps_the_last_good_copy(
        tmp_path):
    page = _page(tmp_path, "page", "print('first')")
    other = _page(tmp_path, "other", "print('other')")
    assert _run(tmp_path, [page, other])[1] != []
    assert notebooks.stale([page, other], tmp_path / "out", tmp_path / "cache") == {}
    assert _run(tmp_path, [page, other]) == ({}, []), "nothing changed, yet a page ran again"

    _page(tmp_path, "page", "print('second')", "raise ValueError('the claim no longer holds')")
    failures, ran = _run(tmp_path, [page, other])
    assert list(failures) == [page] and ran == []
    assert "ValueError: the claim no longer holds" in str(failures[page])
    assert ["".join(o["text"]) for o in _outputs(tmp_path / "out/page.ipynb")] == ["first\n"]
    stale = notebooks.stale([page, other], tmp_path / "out", tmp_path / "cache")
    assert list(stale) == [page] and "executed before the latest change" in stale[page]


def test_an_interrupted_run_leaves_no_kernel_behind(tmp_path):
    pid_file = tmp_path / "kernel.pid"
    slow = _page(tmp_path, "slow", f"import os, time\nopen({str(pid_file)!r}, 'w').write("
                 "str(os.getpid()))\ntime.sleep(600)")
    command = subprocess.Popen([sys.executable, "-m", "tools.notebooks", str(slow)], cwd=ROOT,
                               env=dict(os.environ, PYTHONPATH=str(ROOT)),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not (pid_file.exists() and pid_file.read_text()):
        assert time.monotonic() < deadline and command.poll() is None, "the kernel never ran"
        time.sleep(0.1)
    kernel = int(pid_file.read_text())
    command.send_signal(signal.SIGINT)
    command.wait(timeout=60)
    for _ in range(100):
        try:
            os.kill(kernel, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(kernel, signal.SIGKILL)
    pytest.fail("the kernel outlived the interrupted command")
