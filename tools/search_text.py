"""The version of a page the search index reads: its prose, formulas as words, no code.

Material's search splits a page into sections at its headings, but a heading nested in a
notebook cell's <div>s ends its section with the cell, and the cells after it fall back to the
page's top entry. So the index reads a flat page: the code of notebook cells (and their "Show
code" folds), their prompts and the API's "Source code" blocks are removed, and every <div> tag
is dropped, which leaves each heading's text under it.
"""

from __future__ import annotations

import re

UNINDEXED = re.compile(r'<(div|details) class="(?:jp-CodeMirrorEditor|jp-InputPrompt|'
                       r'jp-OutputPrompt|nb-fold|quote|mkdocstrings-source)\b')
DIV_TAG = re.compile(r"</?div\b[^>]*>")


def _element_end(page: str, start: int, tag: str) -> int:
    depth = 0
    for m in re.compile(rf"<(/?){tag}\b").finditer(page, start):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return page.index(">", m.end()) + 1
    return len(page)


def for_index(page: str) -> str:
    out, pos = [], 0
    while (m := UNINDEXED.search(page, pos)) is not None:
        out.append(page[pos:m.start()])
        pos = _element_end(page, m.start(), m.group(1))
    out.append(page[pos:])
    return DIV_TAG.sub("\n", "".join(out))
