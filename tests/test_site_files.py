"""The built site's files: the build log, links, the search index, page weights, anchors, the
API reference, and what each page offers around its text (download, edit, date, previews).

The site is built once per session (tests/conftest.py: strict; every notebook executed, or its
run under the same key reused).
"""

from __future__ import annotations

import collections
import json
import re
import subprocess

import pytest

from tools import check_links

from .conftest import REPO_URL, ROOT, SITE_URL, SUBPATH

pytestmark = pytest.mark.site

NOTEBOOK_PAGE_LIMIT = 150_000  # bytes of HTML; the notebooks' shared styles live in one file
TEX_COMMAND = re.compile(r"\\[a-zA-Z]{2,}|\$")
CODE = re.compile(r"<(code|pre)>.*?</\1>", re.S)


def _pages(site_dir):
    return {p.relative_to(site_dir).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(site_dir.rglob("*.html"))}


def _notebook_pages(site_dir):
    return {k: v for k, v in _pages(site_dir).items() if 'class="jupyter-wrapper"' in v}


def test_strict_build_log_is_clean(built_site):
    site_dir, log = built_site
    noise = [line for line in log.splitlines() if re.search(r"WARNING|ERROR|Traceback", line)]
    assert noise == [], "the build log should hold no warning:\n" + "\n".join(noise)
    assert (site_dir / "assets" / "katex" / "katex.min.css").exists()


def test_no_absolute_links(built_site):
    """Served under /<name>/, a link that starts with / would leave the site."""
    site_dir, _ = built_site
    bad = {name: re.findall(r'(?:href|src)="(/[^"/][^"]*)"', html)[:3]
           for name, html in _pages(site_dir).items() if name != "404.html"}
    assert {k: v for k, v in bad.items() if v} == {}


def test_every_internal_link_resolves(built_site):
    """Files and #anchors, in every page (notebook cells included) and every search result."""
    site_dir, _ = built_site
    assert check_links.broken_links(site_dir, f"/{SUBPATH}/") == []


def test_math_is_typeset_at_build_not_in_the_browser(built_site):
    site_dir, _ = built_site
    pages = _pages(site_dir)
    assert sum(html.count('class="katex"') for html in pages.values()) > 100
    for name, html in pages.items():
        if "assets/derive/" in html:  # the playground typesets what a reader types, by design
            continue
        scripts = re.findall(r'<script[^>]*src="([^"]*)"', html)
        assert not [s for s in scripts if "katex" in s or "mathjax" in s.lower()], name


def test_search_index_holds_text_not_code_or_tex(built_site):
    site_dir, _ = built_site
    docs = json.loads((site_dir / "search" / "search_index.json").read_text())["docs"]
    problems = []
    for doc in docs:
        text = doc["title"] + " " + doc["text"]
        prose = CODE.sub("", text)
        for bad in ("¶", "Copied!", "In ["):
            if bad in text:
                problems.append((doc["location"], bad))
        if m := TEX_COMMAND.search(prose):
            problems.append((doc["location"], prose[max(0, m.start() - 40):m.end() + 20]))
    assert problems == []
    homework = [d for d in docs if d["location"].startswith("notebooks/homework_1_1/")]
    assert any("dJdW1" in d["text"] for d in homework), "1.1 should be found by `dJdW1`"


def _typeset_math_bytes(html: str) -> int:
    """Bytes of KaTeX output in a page: each `<span class="katex">` element, whole."""
    total = 0
    for m in re.finditer(r'<span class="katex">', html):
        depth = 0
        for tag in re.finditer(r"<(/?)span\b", html[m.start():]):
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                total += tag.end()
                break
    return total


def test_notebook_pages_share_their_styles(built_site):
    """The 600 KB of JupyterLab styles is one shared file, not repeated in every page.

    The limit is on the page without its typeset math: KaTeX's HTML is some 25 times the TeX
    it comes from, so that part weighs what the page's formulas weigh (tools/site_math.py).
    """
    site_dir, _ = built_site
    pages = _notebook_pages(site_dir)
    assert all("<style" not in html for html in pages.values())
    heavy = {name: (len(html.encode()), _typeset_math_bytes(html))
             for name, html in pages.items()
             if len(html.encode()) - _typeset_math_bytes(html) > NOTEBOOK_PAGE_LIMIT}
    assert heavy == {}


def test_heading_anchors_are_words_not_tex(built_site):
    site_dir, _ = built_site
    bad = []
    for name, html in _notebook_pages(site_dir).items():
        for m in re.finditer(r'<h([1-6]) id="([^"]*)">(.*?)</h\1>', html, re.S):
            commands = set(re.findall(r"\\([a-zA-Z]{3,})", m.group(3)))
            if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", m.group(2)) or any(
                    c.lower() in m.group(2) for c in commands):
                bad.append((name, m.group(2)))
    assert bad == []


def test_api_documents_each_object_once(built_site):
    site_dir, _ = built_site
    seen = collections.Counter()
    for name, html in _pages(site_dir).items():
        if not name.startswith("api/"):
            continue
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert [i for i, n in collections.Counter(ids).items() if n > 1] == [], name
        for block in re.findall(r'Source code in <code>(.*?)</details>', html, re.S):
            seen[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", block))] += 1
    assert seen and [src[:80] for src, n in seen.items() if n > 1] == []


def _meta(html, prop):
    m = re.search(rf'<meta (?:property|name)="{prop}" content="([^"]*)"', html)
    return m and m.group(1)


def test_every_page_has_a_preview_an_edit_link_and_its_date(built_site):
    site_dir, _ = built_site
    for name, html in _pages(site_dir).items():
        if name == "404.html" or "/assets/" in name:
            continue
        assert _meta(html, "og:title") and _meta(html, "og:description"), name
        image = _meta(html, "og:image")
        assert image.startswith(SITE_URL) and (site_dir / image[len(SITE_URL):]).is_file()
        edit = re.search(r'<a href="([^"]+)"[^>]*rel="edit"', html).group(1)
        assert edit.startswith(f"{REPO_URL}/edit/main/docs/"), name
        source = edit.removeprefix(f"{REPO_URL}/edit/main/")
        assert (ROOT / source).is_file(), edit
        date = subprocess.run(["git", "log", "-1", "--format=%cs", "--", source], cwd=ROOT,
                              capture_output=True, text=True).stdout.strip()
        if date:
            assert date in html.split('class="md-source-file"', 1)[-1], (name, date)


def test_notebook_pages_offer_the_executed_notebook(built_site):
    site_dir, _ = built_site
    pages = _notebook_pages(site_dir)
    assert len(pages) >= 10
    for name, html in pages.items():
        href = re.search(r'<a href="([^"]+)" download[^>]*nb-download', html).group(1)
        nb = json.loads((site_dir / name).parent.joinpath(href).read_text())
        assert nb["nbformat"] == 4 and href.endswith(".ipynb")
        assert any(c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code"), name


def test_plots_are_files_with_alt_text_that_open_full_size(built_site):
    """Each plot is a file with its size and its cell's alt text, linked to the whole figure;
    a figure of several panels is a named group of one file per panel."""
    from bs4 import BeautifulSoup

    site_dir, _ = built_site
    pages = _notebook_pages(site_dir)
    assert sum(html.count('class="nb-figure"') for html in pages.values()) >= 5
    panelled = 0
    for name, html in pages.items():
        assert "data:image" not in html, name
        folder = (site_dir / name).parent
        soup = BeautifulSoup(html, "html.parser")
        for link in soup.select("a.nb-figure"):
            img = link.find("img")
            assert folder.joinpath(link["href"]).is_file() and folder.joinpath(img["src"]).is_file()
            assert img.get("width") and img.get("height"), (name, img["src"])
            group = link.find_parent(class_="nb-panels")
            alt = group["aria-label"] if group else img["alt"]
            assert len(alt) > 10 and "No description" not in alt, (name, alt)
            if group is None:
                assert img["src"] == link["href"], (name, img["src"])
            else:
                panelled += 1
                assert img["alt"].startswith("Panel "), (name, img["alt"])
        assert len(soup.select("article img")) == len(soup.select("a.nb-figure img")), name
    assert panelled >= 2, "the multi-panel figures should be split into panels"


def test_no_memory_addresses_in_outputs(built_site):
    site_dir, _ = built_site
    found = {name: re.findall(r"at 0x[0-9a-fA-F]{6,}", html)
             for name, html in _notebook_pages(site_dir).items()}
    assert {k: v for k, v in found.items() if v} == {}


def test_pages_cite_no_issue_numbers(built_site):
    site_dir, _ = built_site
    cited = {name: re.findall(r"\bissues? #?\d+", CODE.sub("", html), re.I)
             for name, html in _pages(site_dir).items()}
    assert {k: v for k, v in cited.items() if v} == {}


def test_404_page_helps(built_site):
    site_dir, _ = built_site
    html = (site_dir / "404.html").read_text()
    assert "Page not found" in html
    assert html.count(f'href="/{SUBPATH}/notebooks/') >= 5
