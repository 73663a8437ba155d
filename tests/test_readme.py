"""The README's example runs and prints what the README says it prints."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
NUMBER = re.compile(r"-?\d+\.\d+")


def same_text_and_numbers(ran: str, claimed: str) -> bool:
    """Equal, except that a printed decimal may differ by one unit in its last place: the example
    runs in float32, whose last bits depend on the CPU's kernels (ATEN_CPU_CAPABILITY), so a
    value near a rounding boundary prints either way."""
    if NUMBER.sub("#", ran) != NUMBER.sub("#", claimed):
        return False
    pairs = zip(NUMBER.findall(ran), NUMBER.findall(claimed), strict=True)
    return all(abs(float(a) - float(b)) <= 1.01 * 10 ** -len(b.split(".")[1]) for a, b in pairs)


def test_readme_example_prints_what_it_claims():
    text = README.read_text(encoding="utf-8")
    example = re.search(r"## Example\n\n```python\n(.*?)```\n\nprints\n\n```text\n(.*?)```",
                        text, re.DOTALL)
    assert example, "README has no '## Example' python block followed by its output"
    code, claimed = example.groups()
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)
    assert same_text_and_numbers(ran.stdout, claimed), f"printed:\n{ran.stdout}"


def test_the_comparison_can_fail():
    assert same_text_and_numbers("norm 18.9827\n", "norm 18.9826\n")
    assert not same_text_and_numbers("norm 18.9829\n", "norm 18.9826\n")
    assert not same_text_and_numbers("norm 18.9826 (20, 2)\n", "norm 18.9826 (2, 20)\n")


def test_readme_names_the_test_command_ci_runs():
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in README.read_text(encoding="utf-8") and "make test" in ci


def test_every_make_command_the_readme_names_is_a_target():
    makefile = (README.parent / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, re.MULTILINE))
    named = set(re.findall(r"`make ([a-z][\w-]*)", README.read_text(encoding="utf-8")))
    assert {"check", "test", "serve", "docs", "notebooks"} <= named
    assert named - targets == set(), "the README names make targets the Makefile lacks"
