r"""KaTeX at build: one node process (tools/katex_render.js) typesets TeX for the whole build.

The macros come from `derivations/notation.py` (`KATEX_MACROS`), the one place the site's
notation is defined, read without importing SymPy. A formula KaTeX cannot parse raises
`MathError`, which fails the build (KaTeX runs with `throwOnError: true`).
"""

from __future__ import annotations

import ast
import atexit
import json
import subprocess
import threading
from pathlib import Path

from .math_text import katex_search_text

ROOT = Path(__file__).resolve().parents[1]
NOTATION = ROOT / "derivations" / "notation.py"
RENDERER = Path(__file__).with_name("katex_render.js")


class MathError(ValueError):
    """KaTeX could not typeset a formula."""


def macros() -> dict[str, str]:
    """`KATEX_MACROS` read from derivations/notation.py without importing SymPy."""
    for node in ast.walk(ast.parse(NOTATION.read_text())):
        targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
        if any(getattr(t, "id", "") == "KATEX_MACROS" for t in targets if t is not None):
            return ast.literal_eval(node.value)
    raise MathError(f"{NOTATION} defines no KATEX_MACROS")


class Typesetter:
    """One node process running tools/katex_render.js; `render` gives (html, text twin).

    `Typesetter.shared(macros)` is the one a process uses: under `make serve` it outlives a
    rebuild, with what it has typeset, until the macros change.
    """

    _shared: Typesetter | None = None

    @classmethod
    def shared(cls, macros: dict[str, str]) -> Typesetter:
        if cls._shared is None or cls._shared._macros != json.dumps(macros):
            if cls._shared is not None:
                cls._shared.close()
            cls._shared = cls(macros)
            atexit.register(cls._shared.close)
        return cls._shared

    def __init__(self, macros: dict[str, str]):
        self._macros = json.dumps(macros)
        self._proc: subprocess.Popen | None = None
        self._memo: dict[tuple[str, bool], tuple[str, str]] = {}
        self.pages: dict[bytes, tuple[str, str]] = {}  # site_math.typeset_page's memory
        self._lock = threading.Lock()

    def render(self, tex: str, display: bool) -> tuple[str, str]:
        key = (tex.strip(), display)
        if key not in self._memo:
            self.prefetch([key])
        return self._memo[key]

    def prefetch(self, keys) -> None:
        """Typeset every (tex, display) not yet known, in one exchange with node."""
        todo = sorted({(tex.strip(), display) for tex, display in keys} - self._memo.keys())
        if not todo:
            return
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._proc = subprocess.Popen(
                    ["node", str(RENDERER), self._macros], cwd=ROOT, text=True,
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, encoding="utf-8")
            request = [{"tex": tex, "display": display} for tex, display in todo]
            self._proc.stdin.write(json.dumps(request) + "\n")
            self._proc.stdin.flush()
            answers = json.loads(self._proc.stdout.readline())
        for (tex, display), answer in zip(todo, answers, strict=True):
            if "error" in answer:
                raise MathError(f"KaTeX cannot typeset {tex!r}: {answer['error']}")
            # The MathML keeps the TeX in an <annotation>: the index gets the text twin instead.
            self._memo[tex, display] = answer["html"], katex_search_text(answer["html"])

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.stdin.close()
            self._proc.wait(timeout=10)
        self._proc = None
