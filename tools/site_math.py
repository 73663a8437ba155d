r"""Typeset every formula of a page at build time with KaTeX, so no page needs a script for math.

Math is found where each source leaves it:

- Markdown pages: pymdownx.arithmatex (generic) wraps it as `\(...\)` and `\[...\]`;
- notebook Markdown cells and `Markdown()` outputs keep the `$...$` and `$$...$$` Jupyter writes;
- `Math()` and `Latex()` outputs (`.jp-RenderedLatex`) hold one formula each, shown as display
  math: IPython writes `Math(s)` as `$\displaystyle s$`, an inline formula that wraps at operators.

Text inside `pre`, `code`, `script`, `style` and notebook code cells is never touched; the
typesetting itself is tools/katex.py's.

Each page comes out twice: typeset for readers, and with each formula as its plain-text twin
(tools/math_text.py) for the search index, which then holds neither TeX nor KaTeX's markup.
"""

from __future__ import annotations

import hashlib
import html
import re

from .katex import Typesetter

TAG = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][\w-]*)([^>]*)>", re.S)
SKIP = {"pre", "code", "script", "style", "textarea", "svg", "math", "kbd", "samp"}
LATEX_OUTPUT = re.compile(r'class="[^"]*\bjp-RenderedLatex\b')
MATH = re.compile(r"\$\$(?P<d1>.+?)\$\$|\\\[(?P<d2>.+?)\\\]|\\\((?P<i1>.+?)\\\)"
                  r"|(?<![\\$])\$(?P<i2>[^$]+?)(?<!\\)\$", re.S)
WHOLE = re.compile(r"^\s*(?:\$\$(.+)\$\$|\\\[(.+)\\\]|\$([^$]+)\$|(\\begin\{.+))\s*$", re.S)


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


def typeset_page(typesetter: Typesetter, page: str) -> tuple[str, str]:
    """`typeset_html` of a whole page, its formulas typeset in one batch; a page seen
    before (an unchanged page in a rebuild) comes from memory."""
    key = hashlib.sha256(page.encode()).digest()
    if key not in typesetter.pages:
        typesetter.prefetch(formulas(page))
        typesetter.pages[key] = typeset_html(page, typesetter.render)
    return typesetter.pages[key]
