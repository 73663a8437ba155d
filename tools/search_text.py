"""The site's search index, rebuilt from the built pages: prose and formulas as words, no code.

Material's search plugin indexes each page as mkdocs renders it, which on this site means
notebook code cells, grader output and KaTeX's markup (with its TeX), and a notebook's headings
sit inside cell <div>s, so the plugin ends a heading's section at its cell. After the build,
`rewrite(site_dir)` reads every page that Material indexed from the written HTML (one parser,
BeautifulSoup) and writes one entry per heading with:

- the prose under the heading, up to the next heading, at any depth of <div>s;
- each formula as its plain-text twin (tools/math_text.py: `∂ℓ/∂W<sup>(1)</sup>`), read from
  KaTeX's MathML, never TeX;
- no code: code cells, "Show code" folds, outputs printed by code (grader reports, arrays),
  the API's source listings;
- the written-out abbreviations a reader types ("BCE" where the page says "binary
  cross-entropy"), so a search for either finds the section.

The search plugin's own settings (separator, fields) are kept.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from .math_text import katex_search_text

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Not prose: code and what code printed, and the page's furniture.
UNINDEXED = ", ".join([
    "pre", "script", "style", "details.nb-fold", ".jp-CodeCell .jp-InputArea", ".jp-InputPrompt",
    ".jp-OutputPrompt", ".jp-OutputArea-output[data-mime-type='text/plain']",
    ".jp-RenderedText", ".doc-signature", ".mkdocstrings-source", ".quote",
    ".headerlink", ".md-content__button", ".md-source-file", "svg", "img", "button",
    ".katex-html", "noscript",
])
BLOCK = {"p", "li", "td", "th", "dt", "dd", "div", "tr", "table", "ul", "ol", "blockquote",
         "section", "article", "figure", "figcaption", "summary", "details", "br"}
KEEP_TAGS = {"code", "sub", "sup"}  # the tags Material's result snippets show as markup
# Abbreviations readers search for, beside the words a page writes out.
ABBREVIATIONS = {
    "binary cross-entropy": "BCE",
    "mean squared error": "MSE",
    "stochastic gradient descent": "SGD",
}


def _text_of(node, out: list[str]) -> None:
    for child in node.children:
        _one(child, out)


def _one(node, out: list[str]) -> None:
    """`node`'s text into `out`: formulas as their twins, blocks apart, code/sub/sup kept."""
    if isinstance(node, NavigableString):
        if node.__class__ is NavigableString:  # not a comment or a doctype
            out.append(_escape(str(node)))
    elif isinstance(node, Tag):
        if node.name in KEEP_TAGS:
            out.append(f"<{node.name}>{_escape(node.get_text())}</{node.name}>")
        elif "katex" in (node.get("class") or []):
            out.append(f" {katex_search_text(str(node))} ")
        elif node.name in BLOCK:
            out.append(" ")
            _text_of(node, out)
            out.append(" ")
        else:
            _text_of(node, out)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _with_abbreviations(text: str) -> str:
    for words, short in ABBREVIATIONS.items():
        if re.search(re.escape(words), text, re.I) and short not in text:
            text += f" ({short})"
    return text


def sections(html: str) -> list[tuple[str | None, str, str]]:
    """(heading id, heading text, prose) of every section of a built page's article.

    The first section, before any heading with an id, has id None."""
    soup = BeautifulSoup(html, "html.parser")
    article = soup.select_one("article.md-content__inner") or soup.body or soup
    for element in article.select(UNINDEXED):
        element.decompose()
    found: list[tuple[str | None, str, list[str]]] = [(None, "", [])]
    current = [found[0][2]]  # where prose goes: the open section's parts

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child, Tag) and child.name in HEADINGS and child.get("id"):
                title: list[str] = []
                _text_of(child, title)
                found.append((child["id"], _with_abbreviations(_squash("".join(title))), []))
                current[0] = found[-1][2]
            elif isinstance(child, Tag) and child.name == "details" and child.get("id") \
                    and child.find("summary", recursive=False) is not None:
                # A box with a name of its own ("Common mistake: ..."): a section of its own,
                # after which the prose goes on in the section around it.
                # Titled with the section it sits in: "1.1.c ... › Common mistake: ...".
                summary = child.find("summary", recursive=False).extract()
                title = []
                _text_of(summary, title)
                around = next((t for i, t, parts in reversed(found) if parts is current[0]), "")
                found.append((child["id"], _with_abbreviations(_squash(
                    (f"{around} › " if around else "") + "".join(title))), []))
                outer, current[0] = current[0], found[-1][2]
                walk(child)
                current[0] = outer
            elif isinstance(child, Tag) and (child.find(list(HEADINGS)) is not None
                                             or child.find("details", id=True) is not None):
                walk(child)  # a section starts inside: go down to it
            else:
                _one(child, current[0])

    walk(article)
    return [(i, t, _with_abbreviations(_squash("".join(p)))) for i, t, p in found]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def rewrite(site_dir: Path, boosts: dict[str, float] | None = None) -> int:
    """Rebuild search/search_index.json from the pages it lists; returns the number of entries.

    `boosts` maps a page's location to Material's per-entry boost (1 by default)."""
    path = site_dir / "search" / "search_index.json"
    if not path.exists():
        return 0
    index = json.loads(path.read_text(encoding="utf-8"))
    pages = list(dict.fromkeys(doc["location"].partition("#")[0] for doc in index["docs"]))
    docs = []
    for location in pages:
        file = site_dir / location
        if location == "" or location.endswith("/"):
            file = file / "index.html"
        if not file.is_file():
            continue
        boost = (boosts or {}).get(location)
        found = [s for s in sections(file.read_text(encoding="utf-8")) if s[0] or s[2]]
        for i, (anchor, title, text) in enumerate(found):
            # Material groups a page's sections under the entry whose location is the page's
            # own: the first section is that entry.
            doc = {"location": location + (f"#{anchor}" if anchor and i else ""),
                   "title": title or _page_title(file), "text": text}
            if boost is not None:
                doc["boost"] = boost
            docs.append(doc)
    index["docs"] = docs
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")),
                    encoding="utf-8")
    return len(docs)


def _page_title(file: Path) -> str:
    soup = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
    title = soup.title.get_text() if soup.title else ""
    return title.split(" - ")[0].strip()
