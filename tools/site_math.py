r"""Typeset every formula of a page at build time with KaTeX, so no page needs a script for math.

Math is found where each source leaves it:

- Markdown pages: pymdownx.arithmatex (generic) wraps it as `\(...\)` and `\[...\]`;
- notebook Markdown cells and `Markdown()` outputs keep the `$...$` and `$$...$$` Jupyter writes;
- `Math()` and `Latex()` outputs (`.jp-RenderedLatex`) hold one formula each, shown as display
  math: IPython writes `Math(s)` as `$\displaystyle s$`, an inline formula that wraps at operators.

Text inside `pre`, `code`, `script`, `style` and notebook code cells is never touched. A formula
KaTeX cannot parse raises `MathError`, which fails the build. The macros come from
`derivations/notation.py` (`KATEX_MACROS`), the one place the site's notation is defined.

Each page comes out twice: typeset for readers, and with each formula as its plain-text twin
(tools/math_text.py) for the search index, which then holds neither TeX nor KaTeX's markup.
"""

from __future__ import annotations

import ast
import atexit
import hashlib
import html
import json
import re
import subprocess
import threading
from pathlib import Path

from .math_text import katex_search_text

ROOT = Path(__file__).resolve().parents[1]
NOTATION = ROOT / "derivations" / "notation.py"
RENDERER = Path(__file__).with_name("katex_render.js")

TAG = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][\w-]*)([^>]*)>", re.S)
SKIP = {"pre", "code", "script", "style", "textarea", "svg", "math", "kbd", "samp"}
LATEX_OUTPUT = re.compile(r'class="[^"]*\bjp-RenderedLatex\b')
MATH = re.compile(r"\$\$(?P<d1>.+?)\$\$|\\\[(?P<d2>.+?)\\\]|\\\((?P<i1>.+?)\\\)"
                  r"|(?<![\\$])\$(?P<i2>[^$]+?)(?<!\\)\$", re.S)
WHOLE = re.compile(r"^\s*(?:\$\$(.+)\$\$|\\\[(.+)\\\]|\$([^$]+)\$|(\\begin\{.+))\s*$", re.S)


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
        self._pages: dict[bytes, tuple[str, str]] = {}
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

    def typeset_page(self, page: str) -> tuple[str, str]:
        """`typeset_html` of a whole page, its formulas typeset in one batch; a page seen
        before (an unchanged page in a rebuild) comes from memory."""
        key = hashlib.sha256(page.encode()).digest()
        if key not in self._pages:
            self.prefetch(formulas(page))
            self._pages[key] = typeset_html(page, self.render)
        return self._pages[key]

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.stdin.close()
            self._proc.wait(timeout=10)
        self._proc = None


def typeset_text(text: str, render) -> tuple[str, str]:
    """Each delimited formula in an HTML text run, typeset; and the run with text twins."""
    found = []

    def one(m: re.Match) -> str:
        display = m.group("d1") is not None or m.group("d2") is not None
        tex = next(g for g in m.group("d1", "d2", "i1", "i2") if g is not None)
        found.append(render(html.unescape(tex), display))
        return "\0"

    parts = MATH.sub(one, text).split("\0")
    if not found:
        return text, text
    full = "".join(p + (found[i][0] if i < len(found) else "") for i, p in enumerate(parts))
    twin = "".join(p + (found[i][1] if i < len(found) else "") for i, p in enumerate(parts))
    return full, twin


def typeset_latex_output(text: str, render) -> tuple[str, str]:
    """A `.jp-RenderedLatex` body: one formula is display math; mixed text is typeset in line."""
    whole = WHOLE.match(html.unescape(text))
    if whole is None:
        return typeset_text(text, render)
    tex = next(g for g in whole.groups() if g is not None)
    return render(re.sub(r"^\s*\\displaystyle\b", "", tex), True)


def formulas(page: str) -> list[tuple[str, bool]]:
    """Every (tex, display) that `typeset_html` will ask for, to typeset them in one batch."""
    found: list[tuple[str, bool]] = []
    typeset_html(page, lambda tex, display: found.append((tex, display)) or ("", ""))
    return found


def typeset_html(page: str, render) -> tuple[str, str]:
    """Typeset the math in every text run of `page` that is not code.

    Returns the page for readers and the page for the search index (formulas as text twins).
    """
    full, twin, pos, skipping = [], [], 0, []

    def add(pair: tuple[str, str]) -> None:
        full.append(pair[0])
        twin.append(pair[1])

    for m in TAG.finditer(page):
        if m.start() < pos:
            continue
        run = page[pos:m.start()]
        add((run, run) if skipping else typeset_text(run, render))
        add((m.group(), m.group()))
        pos = m.end()
        closing, name, attrs = m.group(1), (m.group(2) or "").lower(), m.group(3) or ""
        if not name:
            continue
        if skipping:
            if name == skipping[-1] and closing:
                skipping.pop()
            elif name == skipping[-1]:
                skipping.append(name)
        elif not closing and not attrs.rstrip().endswith("/"):
            if name in SKIP or 'class="clipboard-copy-txt"' in attrs:
                skipping.append(name)
            elif name == "div" and LATEX_OUTPUT.search(attrs):
                end = page.index("</div>", pos)
                add(typeset_latex_output(page[pos:end], render))
                pos = end
    add((page[pos:], page[pos:]) if skipping else typeset_text(page[pos:], render))
    return "".join(full), "".join(twin)
