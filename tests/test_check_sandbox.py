"""The sandbox: only the grader's own lines count, a subreaper kills what a file starts, the worker
encodes what comes back, and autograd is caught by any door.

mlp_check.run and _procs: only the grader's own lines count, and a subreaper kills every
descendant, also one that left the session.

The worker side (mlp_check/_steps.py, _trap.py): what comes back is encoded with its type,
an exception names the file's own line and no frame of the grader's, autograd is noticed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pytest
import torch

from mlp_check.run import FIELDS, ZYGOTE_FIELDS, parse
from mlp_check.worker import serve as _steps

from .check_helpers import CORPUS

TOKEN = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize("line,expected", [
    (f'{TOKEN} {{"event": "done", "unit": 3}}\n', {"event": "done", "unit": 3}),
    # a half line the file wrote before ours: the last token on the line starts the message
    (f'xx{{"hello": 1}}{TOKEN} {{"event": "loaded"}}\n', {"event": "loaded"}),
    ('{"event": "done", "unit": 3}\n', None),  # no token: the file's, not the worker's
    ("1\n", None), ('{"hello": 1}\n', None),
    (f"{TOKEN} not json\n", None),
    (f'{TOKEN} {{"event": "exited", "status": 0}}\n', None),  # the zygote's event, wrong token
    (f'{TOKEN} {{"event": "done"}}\n', None),  # a field missing
    (f'{TOKEN} {{"event": "done", "unit": "3"}}\n', None),  # of the wrong type
    (f'{TOKEN} {{"event": "done", "unit": true}}\n', None),  # a bool is no unit number
    (f'{TOKEN} ["event", "done"]\n', None),
])
def test_only_a_well_formed_message_with_the_token_counts(line, expected):
    assert parse(line.encode(), TOKEN, FIELDS) == expected


def test_the_zygotes_events_are_its_own():
    line = f'{TOKEN} {{"event": "exited", "status": -9}}\n'.encode()
    assert parse(line, TOKEN, ZYGOTE_FIELDS) == {"event": "exited", "status": -9}
    assert parse(line, "", ZYGOTE_FIELDS) is None


SCRIPT = r"""
import ctypes, ctypes.util, json, os, signal, subprocess, sys, time
from mlp_check.worker import procs as _procs
ctypes.CDLL(ctypes.util.find_library("c")).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
escape = ("import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', "
          "'import os, time; os.setsid(); time.sleep(60)', sys.argv[1]]); time.sleep(60)")
child = subprocess.Popen([sys.executable, "-c", escape, "mlp-check-test-orphan"])
deadline = time.monotonic() + 30
while len(_procs.descendants(os.getpid())) < 2 and time.monotonic() < deadline:
    time.sleep(0.05)
before = len(_procs.descendants(os.getpid()))
os.kill(child.pid, signal.SIGKILL)
child.wait()
orphans = _procs.children(os.getpid())  # the grandchild, which the subreaper inherited
killed = _procs.sweep()
print(json.dumps({"before": before, "orphans": len(orphans), "killed": killed,
                  "after": len(_procs.descendants(os.getpid()))}))
"""


def test_a_subreaper_inherits_an_escaped_grandchild_and_sweep_kills_it():
    ran = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True,
                         text=True, timeout=60, check=True)
    assert json.loads(ran.stdout) == {"before": 2, "orphans": 1, "killed": 1, "after": 0}


@pytest.mark.parametrize("value,kind,dtype,type_", [
    (torch.tensor(2.5), "value", "float32", "tensor"),
    (torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True), "value", "float64",
     "tensor"),
    (2.5, "value", None, "float"),
    (np.float32(2.5), "value", "float32", "numpy.float32"),
    (np.ones((2, 3)), "value", "float64", "numpy.ndarray"),
    (None, "missing", None, None),
    (3, "error", None, None),
    (torch.tensor([1, 2]), "error", None, None),
    ("2.5", "error", None, None),
])
def test_a_result_is_encoded_with_its_dtype_and_python_type(value, kind, dtype, type_):
    record = _steps.encode(value, "J")
    assert record["kind"] == kind
    if kind == "value":
        assert (record["dtype"], record["type"]) == (dtype, type_)
        assert json.loads(json.dumps(record)) == record


def test_an_exception_names_the_files_line_and_not_the_graders(tmp_path):
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "mlp.py").write_text("def forward(x):\n    return {'relu': 1}[x]\n")
    code = compile((folder / "mlp.py").read_text(), str(folder / "mlp.py"), "exec")
    namespace: dict = {}
    exec(code, namespace)
    unit = _steps.Unit(lambda **m: None, 0, str(folder), {})
    ok, record = unit.call("MLP.forward", namespace["forward"], "sigmoid")
    assert not ok and record["kind"] == "error"
    assert record["message"] == "MLP.forward raised KeyError: 'sigmoid' (mlp.py:2: return " \
                                "{'relu': 1}[x])"
    assert "serve.py" not in record["message"]


def test_a_function_given_up_on_is_not_called():
    unit = _steps.Unit(lambda **m: None, 0, "/", {"MLP.forward": "it hung twice"})
    called = []
    assert unit.call("MLP.forward", called.append, 1) == (False, {
        "kind": "skipped", "message": "not run: it hung twice"})
    assert called == []


def test_running_out_of_memory_stops_the_unit():
    def hog():
        raise RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate")
    unit = _steps.Unit(lambda **m: None, 0, "/", {})
    with pytest.raises(_steps.OutOfMemory):
        unit.call("MLP.forward", hog)


TRAP = r"""
import json, os, sys
from mlp_check.worker import trap as _trap
import torch
calls = []
folder = sys.argv[1]
_trap.install(folder, lambda entry, where: calls.append([entry, where]))
from torch.autograd import grad
student = compile(open(os.path.join(folder, "mlp.py")).read(), os.path.join(folder, "mlp.py"),
                  "exec")
namespace = {}
exec(student, namespace)
values = namespace["run"](grad)
print(json.dumps({"calls": calls, "values": values}))
"""
STUDENT = """\
import torch
import torch.autograd.functional as AF


def run(grad):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x ** 2).sum().backward()
    first = x.grad.tolist()
    second = grad((x ** 3).sum(), x)[0].tolist()
    third = AF.jacobian(lambda t: t * 2, x).diagonal().tolist()
    return [first, second, third]
"""


def test_every_autograd_entry_point_is_reported_once_with_the_line_and_still_runs(tmp_path):
    (tmp_path / "mlp.py").write_text(STUDENT)
    ran = subprocess.run([sys.executable, "-c", TRAP, str(tmp_path)],
                         capture_output=True, text=True, timeout=120, check=True)
    out = json.loads(ran.stdout)
    assert out["values"] == [[2.0, 4.0], [3.0, 12.0], [2.0, 2.0]]
    assert out["calls"] == [
        ["Tensor.backward", "mlp.py:7: (x ** 2).sum().backward()"],
        ["torch.autograd.grad", "mlp.py:9: second = grad((x ** 3).sum(), x)[0].tolist()"],
        ["torch.autograd.functional.jacobian",
         "mlp.py:10: third = AF.jacobian(lambda t: t * 2, x).diagonal().tolist()"]]


GRADS_RAISES = '''
import builtins
import torch
from right import MLP as Right, mse_loss, bce_loss  # noqa: F401


class MLP(Right):
    """Right inside its own methods; reading `grads` from outside raises."""

    def backward(self, dJdy_hat):
        self.inside = True
        try:
            super().backward(dJdy_hat)
        finally:
            self.inside = False

    def clear_grad_and_cache(self):
        self.inside = True
        try:
            super().clear_grad_and_cache()
        finally:
            self.inside = False

    @property
    def grads(self):
        if not getattr(self, "inside", True):
            raise RuntimeError("no grads here")
        return self.__dict__["grads"]

    @grads.setter
    def grads(self, value):
        self.__dict__["grads"] = value
'''
PATCHES_IMPORT = '''
import builtins
from right import MLP, mse_loss, bce_loss  # noqa: F401

_real = builtins.__import__


def _nothing(name, *args, **kwargs):
    raise ImportError(f"no {name} for you")


builtins.__import__ = _nothing
'''


def _graded_here(tmp_path, source):
    shutil.copy(CORPUS / "right_accumulates.py", tmp_path / "right.py")
    (tmp_path / "mlp.py").write_text(source)
    from mlp_check.run import check_file
    return check_file(tmp_path / "mlp.py")


def test_a_grads_property_that_raises_is_blamed_on_grads(tmp_path):
    report = _graded_here(tmp_path, GRADS_RAISES)
    said = [f.text for r in report.cases for f in r.findings if f.code == "raised"]
    assert said and all("reading MLP.grads raised RuntimeError: no grads here" in t for t in said)
    assert not any("exited with status" in t or "died" in t for t in said)


def test_a_file_that_patches_import_is_not_blamed_on_the_grader(tmp_path):
    report = _graded_here(tmp_path, PATCHES_IMPORT)
    assert report.unusable is None and report.course_ok and report.functions_ok, \
        [f.text for r in report.cases for f in r.findings]


BACK_DOORS = {
    # no __wrapped__ to unwrap: what a file finds there is the trap itself
    "__wrapped__": ("getattr(torch.autograd.grad, '__wrapped__', torch.autograd.grad)("
                    "(x ** 2).sum(), x)[0]", "torch.autograd.grad"),
    "the execution engine": (
        "torch.autograd.variable.Variable._execution_engine.run_backward("
        "((x ** 2).sum(),), (torch.tensor(1.0),), False, False, (x,), False, False)[0]",
        "Variable._execution_engine.run_backward"),
    "a new engine": ("torch._C._ImperativeEngine().run_backward(((x ** 2).sum(),), "
                     "(torch.tensor(1.0),), False, False, (x,), False, False)[0]",
                     "a new autograd engine's run_backward"),
    "forward-mode AD": ("fwd_ad_derivative(x)", "torch.autograd.forward_ad.make_dual"),
}
DOOR_STUDENT = """\
import torch
import torch.autograd.forward_ad as fwAD


def fwd_ad_derivative(x):
    with fwAD.dual_level():
        dual = fwAD.make_dual(x.detach(), torch.ones_like(x))
        return fwAD.unpack_dual(dual ** 2).tangent


def run(grad):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    return ({call}).tolist()
"""


@pytest.mark.parametrize("door", sorted(BACK_DOORS))
def test_autograd_by_a_back_door_is_caught_and_named(tmp_path, door):
    call, entry = BACK_DOORS[door]
    (tmp_path / "mlp.py").write_text(DOOR_STUDENT.format(call=call))
    ran = subprocess.run([sys.executable, "-c", TRAP, str(tmp_path)],
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr[-2000:]
    out = json.loads(ran.stdout)
    assert out["values"] == [2.0, 4.0]
    assert entry in [name for name, _ in out["calls"]], out["calls"]


HOSTILE_TEXT = '''
import os
from right import MLP as Right, mse_loss, bce_loss  # noqa: F401


class MLP(Right):
    def backward(self, dJdy_hat):
        raise ValueError("\\x1b[31mred\\x1b[0m \\x00\\x07\\x0c\\ud800 " + repr(dict(os.environ)))
'''


def test_student_text_keeps_every_format_valid(tmp_path):
    """Control characters, a terminal escape and a lone surrogate in an exception's message:
    every format stays valid and carries them only as escapes."""
    from mlp_check.cli import render
    report = _graded_here(tmp_path, HOSTILE_TEXT)
    said = " ".join(f.text for r in report.cases for f in r.findings)
    assert "\\x1b[31mred" in said and "\\ud800" in said
    for fmt in ("text", "json", "csv", "junit", "gradescope"):
        out = render([report], fmt)
        out.encode("utf-8")  # no lone surrogate
        assert not any(c in out for c in "\x1b\x00\x07\x0c"), fmt
    ET.fromstring(render([report], "junit"))
    json.loads(render([report], "json"))
    json.loads(render([report], "gradescope"))
    assert len(list(csv.reader(io.StringIO(render([report], "csv"))))) == 2


def test_student_code_sees_none_of_the_graders_environment(tmp_path):
    shutil.copy(CORPUS / "right_accumulates.py", tmp_path / "right.py")
    (tmp_path / "mlp.py").write_text(HOSTILE_TEXT)
    env = {**os.environ, "GRADER_SECRET_TOKEN": "s3cr3t-value"}
    ran = subprocess.run([sys.executable, "-m", "mlp_check", "mlp.py"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert ran.returncode == 1, ran.stderr[-2000:]
    assert "MLP.backward raised ValueError" in ran.stdout
    assert "s3cr3t-value" not in ran.stdout and "GRADER_SECRET_TOKEN" not in ran.stdout
    assert "\x1b" not in ran.stdout


# --- the sandbox's doors: a hostile file tries each, graded by the real processes -------------

DOORS = '''
import os
import signal
import socket
from pathlib import Path

from right import MLP, bce_loss, mse_loss  # noqa: F401


def attempt(door):
    try:
        door()
    except (OSError, ValueError):
        pass


def connect():
    with socket.create_connection(("127.0.0.1", {port}), timeout=2) as s:
        s.sendall(b"out")


def write(path):
    Path(path).write_text("written by the file")


attempt(connect)
for place in ("../outside.txt", {outside!r}, os.path.expanduser("~/{name}"), {home!r},
              {results!r}, {results_dir!r}):
    attempt(lambda: write(place))
attempt(lambda: os.kill({grader}, signal.SIGUSR1))
attempt(lambda: os.kill(os.getppid(), signal.SIGKILL))
'''


def _box():
    from mlp_check.run import sandbox
    return sandbox()


needs_bwrap = pytest.mark.skipif(_box().bwrap is None, reason="bubblewrap (bwrap) is not "
                                 "installed or cannot make namespaces here: no sandbox to test")


@pytest.fixture(scope="module")
def doors(tmp_path_factory):
    """A right file that, on import, tries every door out of the sandbox; what got through."""
    import signal
    import socket
    import threading

    from mlp_check.run import check_file

    home = Path(os.path.expanduser("~"))
    folder = tmp_path_factory.mktemp("doors") / "submission"
    folder.mkdir()
    results = folder.parent / "results" / "results.json"
    results.parent.mkdir()
    results.write_text('{"score": 0}')
    name = f"mlp-check-door-{os.getpid()}.txt"
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.5)
    got = {"connections": 0, "signals": 0}

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                got["connections"] += 1
                conn.close()
            except OSError:
                pass

    stop = threading.Event()
    threading.Thread(target=serve, daemon=True).start()
    old = signal.signal(signal.SIGUSR1, lambda *a: got.__setitem__("signals", got["signals"] + 1))
    shutil.copy(CORPUS / "right_accumulates.py", folder / "right.py")
    (folder / "mlp.py").write_text(DOORS.format(
        port=server.getsockname()[1], outside=str(folder.parent / "outside2.txt"), name=name,
        home=str(home / name), results=str(results), results_dir=str(results.parent / "x.json"),
        grader=os.getpid()))
    try:
        report = check_file(folder / "mlp.py")
    finally:
        stop.set()
        signal.signal(signal.SIGUSR1, old)
        server.close()
    written = [p for p in (folder.parent / "outside.txt", folder.parent / "outside2.txt",
                           home / name, Path(tempfile.gettempdir()) / name,
                           results.parent / "x.json") if p.exists()]
    for p in written:
        p.unlink()
    return {**got, "report": report, "written": written, "results": results.read_text()}


@needs_bwrap
def test_a_file_cannot_reach_a_server_on_localhost(doors):
    assert doors["connections"] == 0


@needs_bwrap
def test_a_file_cannot_write_outside_its_scratch_folder_nor_into_home(doors):
    assert doors["written"] == []


@needs_bwrap
def test_a_file_cannot_forge_the_graders_results(doors):
    assert doors["results"] == '{"score": 0}'


@needs_bwrap
def test_a_file_cannot_signal_the_grader(doors):
    assert doors["signals"] == 0
    report = doors["report"]
    assert report.unusable is None and report.course_ok and report.functions_ok, \
        [f.text for r in report.cases for f in r.findings]


WHO = '''
import os

from right import MLP, bce_loss, mse_loss  # noqa: F401

if 0 in (os.getuid(), os.geteuid()):
    raise RuntimeError("it runs as root")
try:
    os.kill(os.getppid(), 0)
except PermissionError:
    pass
else:
    raise RuntimeError("it may signal its parent, the grader's zygote")
'''


@pytest.mark.skipif(_box().user is None, reason="the grader is not root (or the unprivileged "
                    "user cannot read Python's files): no other user to run the file's code as")
def test_as_root_a_files_code_runs_as_an_unprivileged_user_that_cannot_signal_its_zygote(
        tmp_path):
    from mlp_check.run import check_file
    shutil.copy(CORPUS / "right_accumulates.py", tmp_path / "right.py")
    (tmp_path / "mlp.py").write_text(WHO)
    report = check_file(tmp_path / "mlp.py")
    assert report.unusable is None and report.course_ok, report.unusable


TREE_HOG = '''
import os
import time

from right import MLP, bce_loss, mse_loss  # noqa: F401

children = []
for _ in range(4):
    pid = os.fork()
    if pid == 0:
        block = b"x" * int(1.2 * 2**30)  # written, so it is resident
        time.sleep(5)
        os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
'''


@pytest.mark.skipif(_box().cgroup is None, reason="no writable cgroup v1 memory controller "
                    "(/sys/fs/cgroup/memory) or not root: the cap is per process here")
def test_the_memory_cap_holds_over_the_files_whole_process_tree(tmp_path):
    """4 children of 1.2 GB each: every one under the 4 GB per-process cap, 4.8 GB in all."""
    from mlp_check.run import check_file
    shutil.copy(CORPUS / "right_accumulates.py", tmp_path / "right.py")
    (tmp_path / "mlp.py").write_text(TREE_HOG)
    report = check_file(tmp_path / "mlp.py")
    assert report.unusable is not None and "more than 4 GB of memory" in report.unusable, \
        report.unusable


def test_the_header_says_which_protections_are_in_force():
    from mlp_check.run import protections
    on, off = protections()
    box = _box()
    said = " ".join(on)
    assert ("bubblewrap" in said) == (box.bwrap is not None)
    assert ("cgroup" in said) == (box.cgroup is not None)
    assert ("unprivileged user" in said) == (box.user is not None)
    assert (box.bwrap is None) == any("no bubblewrap" in o for o in off)


@needs_bwrap
def test_a_pid_in_bubblewraps_namespace_is_mapped_to_the_graders():
    """The zygote names its workers by their pids in its own namespace; the grader kills by its
    own: the wrong number would hit some other process on the machine."""
    from mlp_check.run import bwrap_args
    from mlp_check.worker import procs
    proc = subprocess.Popen([*bwrap_args(_box().bwrap, os.geteuid() == 0), "/bin/sh", "-c",
                             "echo $$; exec sleep 30"], stdout=subprocess.PIPE, text=True)
    try:
        inside = int(proc.stdout.readline())
        host = procs.host_pid(proc.pid, inside)
        assert host is not None and host != inside
        with open(f"/proc/{host}/cmdline") as file:
            assert file.read().startswith("sleep")
    finally:
        proc.kill()
        proc.wait()


def test_a_file_imports_its_folders_own_modules_and_packages_from_its_copy(tmp_path):
    """Sandboxed, the file runs from a copy of its folder: its sibling modules and packages come
    with it (unsandboxed, from the folder itself)."""
    from mlp_check.run import check_file
    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "__init__.py").write_text("")
    shutil.copy(CORPUS / "right_accumulates.py", tmp_path / "helpers" / "right.py")
    (tmp_path / "mlp.py").write_text("from helpers.right import MLP, bce_loss, mse_loss  "
                                     "# noqa: F401\n")
    report = check_file(tmp_path / "mlp.py")
    assert report.unusable is None and report.course_ok and report.functions_ok, report.unusable


@pytest.mark.skipif(not shutil.which("bwrap"), reason="bubblewrap is not installed here")
def test_the_sandbox_sees_the_graders_python_and_package_wherever_they_live():
    """bwrap hides /tmp and the home behind empty folders; a clone in /tmp (its venv, and the
    package an editable install finds by a path hook, not by sys.path) must come back read-only,
    or every file's import hangs. The worker's own imports are run inside the same arguments."""
    from mlp_check import run
    args = run.bwrap_args(shutil.which("bwrap"), os.geteuid() == 0)
    probe = subprocess.run([*args, sys.executable, "-P", "-c",
                            "import torch, mlp_check.worker.serve; print('ok')"],
                           capture_output=True, text=True, timeout=120)
    assert probe.stdout.strip() == "ok", probe.stderr[-2000:]
    package = os.path.realpath(Path(run.__file__).parent)
    if package.startswith(("/tmp/", os.path.realpath(os.path.expanduser("~")) + os.sep)):
        bound = [args[i + 1] for i, a in enumerate(args) if a == "--ro-bind"]
        assert any(package == b or package.startswith(b + os.sep) for b in bound), bound
