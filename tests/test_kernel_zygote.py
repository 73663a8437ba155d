"""tools/notebooks.py with tools/kernel_zygote.py: each notebook in its own forked kernel.

The kernels are forks of one process that imported torch & co; these check that each one is
still a fresh process (nothing one notebook does reaches another), that plots and errors come
back as from a plain kernel, and that a cancelled build leaves no kernel running.
"""

from __future__ import annotations

import json
import time

import pytest

from tools import notebooks


def _notebook(folder, name: str, *cells: str):
    path = folder / f"{name}.py"
    path.write_text("".join(f"# %%\n{cell}\n\n" for cell in cells))
    return path


def _outputs(path) -> list[dict]:
    return [o for c in json.loads(path.read_text())["cells"] for o in c.get("outputs", [])]


def test_each_notebook_is_a_fresh_process_with_plots(tmp_path):
    first = _notebook(tmp_path, "first", "import builtins, os\nbuiltins.LEFT_BEHIND = 1",
                      "import matplotlib.pyplot as plt\nplt.plot([0, 1])\nplt.show()")
    second = _notebook(tmp_path, "second", "import builtins, torch",
                       "print(hasattr(builtins, 'LEFT_BEHIND'), torch.zeros(2).sum().item())")
    run = notebooks.Execution([first, second], fresh=True, log=lambda _: None, workers=1,
                              cache=tmp_path)
    done = run.wait_all()
    assert any("image/png" in o.get("data", {}) for o in _outputs(done[first]))
    assert ["".join(o["text"]) for o in _outputs(done[second])] == ["False 0.0\n"]


def test_a_failing_cell_fails_its_notebook(tmp_path):
    bad = _notebook(tmp_path, "bad", "x = 1", "raise ValueError('the claim no longer holds')")
    run = notebooks.Execution([bad], fresh=True, log=lambda _: None, cache=tmp_path)
    with pytest.raises(notebooks.NotebookFailed, match=r"(?s)bad\.py failed.*ValueError: the"):
        run.path(bad)


def test_cancel_stops_a_running_kernel(tmp_path):
    slow = _notebook(tmp_path, "slow", "import time\ntime.sleep(600)")
    run = notebooks.Execution([slow], fresh=True, log=lambda _: None, cache=tmp_path)
    future = run._futures[slow]
    while slow not in run._running and not future.done():
        time.sleep(0.05)
    time.sleep(3)  # into the cell, past the kernel's start
    run.cancel()
    with pytest.raises(Exception):  # noqa: B017 -- the kernel died: nbclient's DeadKernelError
        future.result(timeout=120)
