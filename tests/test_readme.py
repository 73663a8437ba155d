"""The README's example runs and prints exactly what the README says it prints."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_prints_what_it_claims():
    text = README.read_text(encoding="utf-8")
    example = re.search(r"## Example\n\n```python\n(.*?)```\n\nprints\n\n```text\n(.*?)```",
                        text, re.DOTALL)
    assert example, "README has no '## Example' python block followed by its output"
    code, claimed = example.groups()
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)
    assert ran.stdout == claimed


def test_readme_names_the_test_command_ci_runs():
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in README.read_text(encoding="utf-8") and "make test" in ci
