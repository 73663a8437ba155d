r"""Typeset every formula of a page at build time with KaTeX, so no page needs a script for math.

Math is found where each source leaves it:

- Markdown pages: pymdownx.arithmatex (generic) wraps it as `\(...\)` and `\[...\]`;
- notebook Markdown cells and `Markdown()` outputs keep the `$...$` and `$$...$$` Jupyter writes;
- `Math()` and `Latex()` outputs (`.jp-RenderedLatex`) hold one formula each, shown as display
  math: IPython writes `Math(s)` as `$\displaystyle s$`, an inline formula that wraps at operators.

Text inside `pre`, `code`, `script`, `style` and notebook code cells is never touched; the
typesetting itself is tools/katex.py's. The page is read with one HTML parser (BeautifulSoup);
the regular expressions below read TeX delimiters in text, never HTML.

Each page comes out twice: typeset for readers, and with each formula as its plain-text twin
(tools/math_text.py) for the search index, which then holds neither TeX nor KaTeX's markup.
"""

from __future__ import annotations

import hashlib
import html
import re

from bs4 import BeautifulSoup, NavigableString

from .katex import Typesetter

SKIP = {"pre", "code", "script", "style", "textarea", "svg", "math", "kbd", "samp"}
MATH = re.compile(r"\$\$(?P<d1>.+?)\$\$|\\\[(?P<d2>.+?)\\\]|\\\((?P<i1>.+?)\\\)"
                  r"|(?<![\\$])\$(?P<i2>[^$]+?)(?<!\\)\$", re.S)
WHOLE = re.compile(r"^\s*(?:\$\$(.+)\$\$|\\\[(.+)\\\]|\$([^$]+)\$|(\\begin\{.+))\s*$", re.S)
MARK = "\ue000{}\ue001"  # a formula's place in the serialised page (private-use characters)
MARKED = re.compile("\ue000(\\d+)\ue001")


def typeset_text(text: str, render) -> tuple[str, str]:
    """Each delimited formula in a text run (HTML-escaped), typeset; and the run with text
    twins."""
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


def _skipped(node) -> bool:
    for parent in node.parents:
        if parent.name in SKIP or "clipboard-copy-txt" in (parent.get("class") or []):
            return True
    return False


def typeset_html(page: str, render) -> tuple[str, str]:
    """Typeset the math in every text run of `page` that is not code.

    Returns the page for readers and the page for the search index (formulas as text twins).
    """
    soup = BeautifulSoup(page, "html.parser")
    pairs: list[tuple[str, str]] = []

    def mark(node, pair: tuple[str, str]) -> None:
        pairs.append(pair)
        node.replace_with(NavigableString(MARK.format(len(pairs) - 1)))

    for div in soup.select("div.jp-RenderedLatex"):
        if not _skipped(div):
            pair = typeset_latex_output(html.escape(div.get_text(), quote=False), render)
            div.clear()
            div.append(NavigableString(""))
            mark(div.contents[0], pair)
    for node in list(soup.find_all(string=True)):
        if node.__class__ is not NavigableString or "\ue000" in node or _skipped(node):
            continue
        text = html.escape(str(node), quote=False)
        pair = typeset_text(text, render)
        if pair[0] is not text:
            mark(node, pair)
    out = str(soup)
    return (MARKED.sub(lambda m: pairs[int(m.group(1))][0], out),
            MARKED.sub(lambda m: pairs[int(m.group(1))][1], out))


def typeset_page(typesetter: Typesetter, page: str) -> tuple[str, str]:
    """`typeset_html` of a whole page, its formulas typeset in one batch; a page seen
    before (an unchanged page in a rebuild) comes from memory."""
    key = hashlib.sha256(page.encode()).digest()
    if key not in typesetter.pages:
        typesetter.prefetch(formulas(page))
        typesetter.pages[key] = typeset_html(page, typesetter.render)
    return typesetter.pages[key]
