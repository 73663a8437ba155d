r"""Turn mkdocs-jupyter's HTML for one notebook into a page that reads like the site's other pages.

- The style blocks nbconvert inlines into every notebook (about 600 KB) move to one shared file,
  named by content hash; its scripts go (a copy button per cell, MathJax and Mermaid loaders
  that would fetch from a CDN): each code block gets Material's copy button, as on every page.
- Headings get ids made from their words, without TeX (`#11c-the-gradients`, never
  `#operatornamerelu0-0`), and the permalink the rest of the site uses; the table of contents is
  rebuilt from them, so it shows the typeset math of the heading.
- Cells tagged `hide-input` show their output, with the code folded behind "Show code".
- Links to a page's source (`homework_1_1.py`) become links to the page.
- Plots: tools/notebook_figures.py.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from html import unescape

BLOCK = re.compile(r"<(style|script)\b([^>]*)>(.*?)</\1>", re.S)
MATHJAX = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)
HEADING = re.compile(r'<h([1-6]) id="([^"]*)">(.*?)<a class="anchor-link" href="#[^"]*">¶</a>'
                     r"</h\1>", re.S)
ZEROCLIPBOARD = re.compile(r'<div class="zeroclipboard-container">')
COPY_TEXT = re.compile(r'<div class="clipboard-copy-txt"')
TAG_LIST = re.compile(r'<div class="celltoolbar">')
CODE_PRE = re.compile(r'(<div class="highlight-ipynb[^"]*">)<pre>(?:<span></span>)?(.*?)</pre>',
                      re.S)
SOURCE_LINK = re.compile(r'(<a\b[^>]*?\shref=)"(?![a-z]+:|#|/)([^"]+\.(?:py|md|ipynb)(?:#[^"]*)?)"')
FOLDED = re.compile(r'<div class="jp-Cell [^"]*\bcelltag_hide-input\b[^"]*"[^>]*>')
INPUT = re.compile(r'<div class="jp-Cell-inputWrapper"[^>]*>')


def shared_css(content: str) -> tuple[str, str]:
    """Remove the inline <style> and <script> blocks; return the page and the styles."""
    styles = []

    def take(m: re.Match) -> str:
        if m.group(1) == "script":
            return m.group() if "json" in m.group(2) else ""  # widget state stays
        styles.append(m.group(3).strip())
        return ""

    content = BLOCK.sub(take, MATHJAX.sub("", content))
    return content, "\n".join(styles)


def plain_code(content: str) -> str:
    """Code cells as `<pre><code>`, Material's copy button's target; no per-cell widget, and
    no list of the cell's tags (they drive the build, they are not for readers)."""
    for opening in (ZEROCLIPBOARD, COPY_TEXT, TAG_LIST):
        while (m := opening.search(content)) is not None:
            content = content[:m.start()] + content[_matching_end(content, m.start(), "div"):]
    return CODE_PRE.sub(lambda m: f"{m.group(1)}<pre><code>{m.group(2)}</code></pre>", content)


def slugify(text: str, taken: set[str]) -> str:
    """An id from a heading's words: ASCII, lower case, hyphens; unique within `taken`."""
    words = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", words).strip().lower()) or "section"
    unique, n = slug, 0
    while unique in taken:
        n += 1
        unique = f"{slug}_{n}"
    taken.add(unique)
    return unique


def headings(full: str, twin: str) -> tuple[str, str, list[dict]]:
    """Readable ids and permalinks in both versions of a page (typeset, and with text twins).

    The ids come from the twin's words; returns both pages and the TOC tokens, whose names are
    the typeset headings.
    """
    taken: set[str] = set()
    words = [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", m.group(3)))).strip()
             for m in HEADING.finditer(twin)]
    ids = [slugify(w, taken) for w in words]
    tokens, renamed = [], {}

    def rename(tokens_out: list | None):
        count = iter(range(len(ids)))

        def one(m: re.Match) -> str:
            i = next(count)
            level, inner, new = int(m.group(1)), m.group(3).strip(), ids[i]
            renamed[m.group(2)] = new
            if tokens_out is not None:
                tokens_out.append({"level": level, "id": new, "name": inner, "children": []})
            return (f'<h{level} id="{new}">{inner}<a class="headerlink" href="#{new}" '
                    f'title="Permanent link">&para;</a></h{level}>')
        return one

    full = HEADING.sub(rename(tokens), full)
    twin = HEADING.sub(rename(None), twin)

    def relink(page: str) -> str:
        return re.sub(r'href="#([^"]*)"',
                      lambda m: f'href="#{renamed.get(unescape(m.group(1)), m.group(1))}"', page)
    return relink(full), relink(twin), tokens


def nest(tokens: list[dict]) -> list[dict]:
    """Flat (level, id, name) tokens to the nested form mkdocs' get_toc reads."""
    root: list[dict] = []
    stack: list[dict] = []
    for token in tokens:
        while stack and stack[-1]["level"] >= token["level"]:
            stack.pop()
        (stack[-1]["children"] if stack else root).append(token)
        stack.append(token)
    return root


def _matching_end(content: str, start: int, tag: str) -> int:
    """The index just past the element that opens at `start`."""
    depth = 0
    for m in re.compile(rf"<(/?){tag}\b").finditer(content, start):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return content.index(">", m.end()) + 1
    raise ValueError(f"unbalanced <{tag}> in notebook HTML")


def fold_inputs(content: str) -> str:
    """Wrap the input of each `hide-input` cell in a closed <details> ("Show code")."""
    out, pos = [], 0
    for cell in FOLDED.finditer(content):
        if cell.start() < pos:
            continue
        wrapper = INPUT.search(content, cell.end())
        if wrapper is None:
            continue
        end = _matching_end(content, wrapper.start(), "div")
        out += [content[pos:wrapper.start()], '<details class="nb-fold"><summary>Show code'
                '</summary>', content[wrapper.start():end], "</details>"]
        pos = end
    return "".join(out + [content[pos:]])


def source_links(content: str, page, files) -> str:
    """Links to a docs source (`homework_1_1.py`, `../index.md`) become links to its page."""
    base = posixpath.dirname(page.file.src_uri)

    def one(m: re.Match) -> str:
        path, _, fragment = m.group(2).partition("#")
        target = files.get_file_from_path(posixpath.normpath(posixpath.join(base, path)))
        if target is None or target is page.file:
            return m.group()
        url = target.url_relative_to(page.file) + (f"#{fragment}" if fragment else "")
        return f'{m.group(1)}"{url}"'

    return SOURCE_LINK.sub(one, content)
