"""mlp_check.run and _procs: only the grader's own lines count, and a subreaper kills every
descendant, also one that left the session."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mlp_check.run import FIELDS, ZYGOTE_FIELDS, parse

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
