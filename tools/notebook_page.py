r"""Turn mkdocs-jupyter's HTML for one notebook into a page that reads like the site's other pages.

- The style blocks nbconvert inlines into every notebook (about 600 KB of JupyterLab's styles)
  move to one shared file, named by content hash, keeping only the rules whose classes the page
  uses; its scripts go (a copy button per cell, MathJax and Mermaid loaders that would fetch from
  a CDN): each code block gets Material's copy button and code colours, as on every page.
- Markup readers never see goes: JupyterLab's collapsers and prompts, and the `tabindex="0"`
  on every cell wrapper (a tab stop on a plain <div>, with no focus ring).
- Headings get ids made from their words, without TeX (`#11c-the-gradients`, never
  `#operatornamerelu0-0`), and the permalink the rest of the site uses; the table of contents is
  rebuilt from them, so it shows the typeset math of the heading.
- Cells tagged `hide-input` show their output, with the code folded behind "Show code"; a run
  of such cells that print nothing shares one fold.
- Links to a page's source (`homework_1_1.py`) become links to the page.
- Plots: tools/notebook_figures.py.

The page is read with one HTML parser, BeautifulSoup (`soup_of`); the functions run one after
another on the page, and each hands the next the tree it parsed instead of a string to re-read.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata

import tinycss2
from bs4 import BeautifulSoup, Comment, Tag

from .math_text import katex_search_text

HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
_last: list = [None, None]  # (string, tree): the page the previous step returned, parsed


def soup_of(content: str) -> BeautifulSoup:
    """The parsed page; the tree itself when `content` is what the previous step returned."""
    if content is _last[0]:
        return _last[1]
    return BeautifulSoup(content, "html.parser")


def html_of(soup: BeautifulSoup) -> str:
    out = str(soup)
    _last[:] = [out, soup]
    return out


def shared_css(content: str) -> tuple[str, str]:
    """Remove the inline <style> and <script> blocks; return the page and the styles it uses."""
    soup = soup_of(content)
    styles = []
    for block in soup.find_all(["style", "script"]):
        if block.name == "style":
            styles.append(block.get_text().strip())
            block.decompose()
        elif "json" not in (block.get("type") or ""):  # widget state stays
            block.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()  # "Load mathjax", "End of mermaid configuration"
    used = {c for tag in soup.find_all(class_=True) for c in tag["class"]}
    return html_of(soup), used_css("\n".join(styles), used)


CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
VAR_USE = re.compile(r"var\(\s*(--[\w-]+)")
# Pygments' token colours as JupyterLab writes them: the page uses Material's (`.highlight`).
PYGMENTS = re.compile(r"\.highlight-ipynb\s+\.[a-z0-9]{1,3}\b")


def used_css(css: str, classes: set[str]) -> str:
    """The rules of `css` whose selectors could match a page with `classes`, and the custom
    properties (`--jp-...`) those rules read, directly or through other properties."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    kept = _kept_rules(rules, classes)
    text = "\n".join(kept)
    needed = set(VAR_USE.findall(text))
    definitions: dict[str, str] = {}
    for rule in rules:  # custom properties, from :root and theme selectors
        if rule.type != "qualified-rule":
            continue
        for decl in tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                                   skip_whitespace=True):
            if decl.type == "declaration" and decl.name.startswith("--"):
                definitions.setdefault(decl.name, tinycss2.serialize(decl.value).strip())
    todo = list(needed)
    while todo:
        for name in VAR_USE.findall(definitions.get(todo.pop(), "")):
            if name not in needed:
                needed.add(name)
                todo.append(name)
    root = "".join(f"{n}:{definitions[n]};" for n in sorted(needed) if n in definitions)
    return (f":root{{{root}}}\n" if root else "") + text


def _kept_rules(rules, classes: set[str]) -> list[str]:
    kept = []
    for rule in rules:
        if rule.type == "at-rule" and rule.lower_at_keyword == "media" and rule.content:
            inner = _kept_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True,
                                                         skip_whitespace=True), classes)
            if inner:
                kept.append(f"@media {tinycss2.serialize(rule.prelude).strip()}"
                            f"{{{''.join(inner)}}}")
        elif rule.type == "qualified-rule":
            selectors = _selectors(rule.prelude)
            live = [s for s in selectors if not PYGMENTS.search(s)
                    and all(c in classes for c in CLASS.findall(s))]
            body = ";".join(
                tinycss2.serialize([d]).strip() for d in tinycss2.parse_blocks_contents(
                    rule.content, skip_comments=True, skip_whitespace=True)
                if d.type == "declaration" and not d.name.startswith("--"))
            if live and body and CLASS.search(",".join(live)):
                kept.append(f"{','.join(live)}{{{body}}}")
    return kept


FLAG = re.compile(r"--?[A-Za-z][\w-]*(?:[= ][^\s]{0,24})?$")  # `--jobs N`, `--format=csv`


def _selectors(prelude) -> list[str]:
    """A rule's selectors, split at its own commas (not those inside `:is(...)`)."""
    parts: list[list] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return [tinycss2.serialize(p).strip() for p in parts]


def plain_code(content: str) -> str:
    """Code cells as `<pre><code>` in Material's `.highlight`, its copy button's target and
    colours; no per-cell widget, no list of the cell's tags (they drive the build, they are not
    for readers); no collapsers, prompts or tab stops on wrappers. Inline code that is a
    command-line flag is marked `cli-flag`, which never breaks at its hyphens; an output
    table's "->" is the site's one arrow, "→"."""
    soup = soup_of(content)
    for junk in soup.select("div.zeroclipboard-container, div.clipboard-copy-txt, "
                            "div.celltoolbar, div.jp-Collapser, div.jp-InputPrompt, "
                            "div.jp-OutputPrompt"):
        junk.decompose()
    for wrapper in soup.select("[tabindex='0']"):
        if wrapper.name == "div":
            del wrapper["tabindex"]
    for cell in soup.select(".jp-OutputArea-output :is(td, th)"):  # one arrow style: →
        for text in cell.find_all(string=lambda t: "->" in t):
            text.replace_with(text.replace("->", "→"))
    for code in soup.find_all("code"):
        if code.parent.name != "pre" and FLAG.match(code.get_text()):
            code["class"] = code.get("class", []) + ["cli-flag"]
    for block in soup.select("div.highlight-ipynb"):
        block["class"] = block["class"] + ["highlight"]
        pre = block.find("pre", recursive=False)
        if pre is None or pre.find("code", recursive=False) is not None:
            continue
        first = pre.contents[0] if pre.contents else None
        if isinstance(first, Tag) and first.name == "span" and not first.contents:
            first.decompose()
        code = soup.new_tag("code")
        for child in list(pre.contents):
            code.append(child.extract())
        pre.append(code)
    # A name (`n`) or blank (`w`) token takes the code's own colour in Material's theme
    # (--md-code-hl-name-color is --md-code-fg-color): its <span> only weighs, 23 bytes a token,
    # some 18 KB on 1.1.
    for span in soup.select("div.highlight-ipynb pre > code > span:is(.n, .w)"):
        if span["class"] in (["n"], ["w"]):
            span.unwrap()
    return html_of(soup)


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


def _words(heading: Tag) -> str:
    """A heading's words, each formula as its text twin, tags dropped."""
    parts = []
    for node in heading.descendants:
        if isinstance(node, Tag) and "katex" in (node.get("class") or []):
            parts.append(BeautifulSoup(katex_search_text(str(node)), "html.parser").get_text())
        elif isinstance(node, str) and not isinstance(node, Comment) \
                and not any("katex" in (p.get("class") or []) for p in node.parents):
            parts.append(str(node))
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def headings(full: str, twin: str | None = None) -> tuple[str, str | None, list[dict]]:
    """Readable ids and permalinks in a page (and in its text-twin version, when given).

    Returns both pages and the TOC tokens, whose names are the typeset headings."""
    soup = soup_of(full)
    twin_tree = BeautifulSoup(twin, "html.parser") if twin is not None else None
    # A heading's words: from the text twin when there is one, else from KaTeX's MathML.
    twin_words = iter([_words(h) for h in twin_tree.find_all(HEADINGS)
                       if h.find("a", class_="anchor-link", recursive=False)]
                      if twin_tree is not None else [])
    taken: set[str] = set()
    tokens, renamed = [], {}
    for h in soup.find_all(HEADINGS):
        anchor = h.find("a", class_="anchor-link", recursive=False)
        if anchor is None:
            continue
        anchor.decompose()
        new = slugify(next(twin_words, None) or _words(h), taken)
        renamed[h.get("id", "")] = new
        h["id"] = new
        tokens.append({"level": int(h.name[1]), "id": new,
                       "name": "".join(str(c) for c in h.contents).strip(), "children": []})
        link = soup.new_tag("a", attrs={"class": "headerlink", "href": f"#{new}",
                                        "title": "Permanent link"})
        link.string = "\N{PILCROW SIGN}"
        h.append(link)

    # A folded box with a title of its own ("Common mistake: ...") gets an id from its words,
    # for links and for its own entry in the search index.
    for box in soup.find_all("details"):
        summary = box.find("summary", recursive=False)
        if summary is not None and not box.get("id") and "nb-fold" not in box.get("class", []):
            box["id"] = slugify(_words(summary), taken)

    def relink(tree: BeautifulSoup) -> None:
        for a in tree.select('a[href^="#"]'):
            a["href"] = "#" + renamed.get(a["href"][1:], a["href"][1:])

    relink(soup)
    out_twin = None
    if twin_tree is not None:  # the same ids in the twin version, heading by heading
        tree = twin_tree
        ids = iter(t["id"] for t in tokens)
        for h in tree.find_all(HEADINGS):
            anchor = h.find("a", class_="anchor-link", recursive=False)
            if anchor is not None:
                anchor.decompose()
                h["id"] = next(ids, h.get("id", ""))
        relink(tree)
        out_twin = str(tree)
    return html_of(soup), out_twin, tokens


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


def _prints_nothing(cell: Tag) -> bool:
    return not any(o.get_text(strip=True) or o.find(["img", "svg", "table"])
                   for o in cell.select(".jp-OutputArea-output"))


def fold_inputs(content: str) -> str:
    """Wrap the input of each `hide-input` cell in a closed <details> ("Show code"); adjacent
    such cells that print nothing share one fold, so no stack of empty folds shows."""
    soup = soup_of(content)
    last: tuple[Tag, Tag] | None = None  # (cell, fold) of a silent folded cell just before
    for cell in soup.select("div.jp-Cell.celltag_hide-input"):
        wrapper = cell.find("div", class_="jp-Cell-inputWrapper", recursive=False)
        if wrapper is None:
            continue
        outer = cell.parent if "jp-Cell" in (cell.parent.get("class") or []) else cell
        silent = _prints_nothing(outer)
        if silent and last is not None and outer.find_previous_sibling(True) is last[0]:
            last[1].append(wrapper.extract())
            outer.decompose()  # it printed nothing, and its code is in the fold before
            continue
        fold = soup.new_tag("details", attrs={"class": "nb-fold"})
        summary = soup.new_tag("summary")
        summary.string = "Show code"
        fold.append(summary)
        wrapper.wrap(fold)
        last = (outer, fold) if silent else None
    return html_of(soup)


def source_links(content: str, page, files) -> str:
    """Links to a docs source (`homework_1_1.py`, `../index.md`) become links to its page."""
    soup = soup_of(content)
    base = posixpath.dirname(page.file.src_uri)
    for a in soup.find_all("a", href=True):
        href = a["href"]
        path, _, fragment = href.partition("#")
        if re.match(r"[a-z]+:|#|/", href) or not path.endswith((".py", ".md", ".ipynb")):
            continue
        target = files.get_file_from_path(posixpath.normpath(posixpath.join(base, path)))
        if target is None or target is page.file:
            continue
        a["href"] = target.url_relative_to(page.file) + (f"#{fragment}" if fragment else "")
    return html_of(soup)
