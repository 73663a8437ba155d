"""The site: a strict build with every notebook executed, then a real browser on every page.

Headless Debian Chromium, driven by Playwright, visits the site served on 127.0.0.1 under a
sub-path. A failing page leaves a screenshot in test-output/browser/.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.site

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "test-output" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]

# Text left after removing typeset math and code: no raw TeX delimiters may survive.
UNTYPESET_JS = """() => {
  const clone = document.createElement("div");
  for (const part of document.querySelectorAll("article, .md-nav--secondary")) {
    clone.appendChild(part.cloneNode(true));
  }
  clone.querySelectorAll(".katex, pre, code, script, style, .highlight, .jp-InputArea, " +
                        ".clipboard-copy-txt").forEach(e => e.remove());
  return clone.innerText;
}"""
MATH_JS = """() => ({
  katex: document.querySelectorAll(".katex").length,
  errors: [...document.querySelectorAll(".katex-error")].map(e => e.textContent).slice(0, 3),
  untypeset: [...document.querySelectorAll(".arithmatex, .jp-RenderedLatex")]
      .filter(e => !e.querySelector(".katex")).map(e => e.textContent.slice(0, 80)),
})"""
IMAGES_JS = """() => [...document.querySelectorAll("article img")].map(i => ({
  src: i.currentSrc.slice(0, 60), ok: i.complete, w: i.naturalWidth, h: i.naturalHeight}))"""


def test_strict_build_log_is_clean(built_site):
    site_dir, log = built_site
    noise = [line for line in log.splitlines() if re.search(r"WARNING|ERROR|Traceback", line)]
    assert noise == [], "the build log should hold no warning:\n" + "\n".join(noise)
    assert (site_dir / "assets" / "katex" / "katex.min.js").exists()


def test_no_absolute_links(built_site):
    """Served under /<name>/, a link that starts with / would leave the site."""
    site_dir, _ = built_site
    bad = {}
    for html in site_dir.rglob("*.html"):
        if html.name == "404.html":  # served from any depth, so MkDocs makes it absolute
            continue
        hits = re.findall(r'(?:href|src)="(/[^"/][^"]*)"', html.read_text(encoding="utf-8"))
        if hits:
            bad[str(html.relative_to(site_dir))] = hits[:3]
    assert bad == {}


def _pages(site_dir: Path) -> list[str]:
    pages = sorted(p.parent.relative_to(site_dir).as_posix() for p in site_dir.rglob("index.html"))
    return ["" if p == "." else p + "/" for p in pages]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, served_site):
    """A fresh page that records console errors, failed responses and non-local requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.problems = []
    allowed = {urlparse(served_site).netloc}

    def route(r):
        url = urlparse(r.request.url)
        if url.scheme in ("data", "blob") or url.netloc in allowed:
            return r.continue_()
        page.problems.append(f"request to another host: {r.request.url}")
        return r.abort()

    context.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("response", lambda r: r.status >= 400 and page.problems.append(
        f"HTTP {r.status}: {r.url}"))
    yield page
    context.close()


def _check_page(page, url: str) -> list[str]:
    page.problems.clear()
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    problems = list(page.problems)
    math = page.evaluate(MATH_JS)
    if math["errors"]:
        problems.append(f"KaTeX could not parse: {math['errors']}")
    if math["untypeset"]:
        problems.append(f"math left raw: {math['untypeset'][:3]}")
    leftover = page.evaluate(UNTYPESET_JS)
    for delim in ("$$", "\\[", "\\(", "$\\"):
        if delim in leftover:
            at = leftover.index(delim)
            problems.append(f"raw {delim!r} in text: ...{leftover[max(0, at - 40):at + 40]!r}")
    for img in page.evaluate(IMAGES_JS):
        if not img["ok"] or img["w"] < 100 or img["h"] < 100:
            problems.append(f"image not drawn at a real size: {img}")
    return problems


def test_every_page_in_the_browser(page, served_site, built_site):
    site_dir, _ = built_site
    pages = _pages(site_dir)
    assert "" in pages and len(pages) >= 2
    failures, typeset = {}, 0
    for rel in pages:
        problems = _check_page(page, served_site + rel)
        typeset += page.evaluate("document.querySelectorAll('.katex').length")
        if problems:
            SHOTS.mkdir(parents=True, exist_ok=True)
            shot = SHOTS / ((rel.strip("/").replace("/", "_") or "home") + ".png")
            page.screenshot(path=str(shot), full_page=True)
            failures[rel or "home"] = problems + [f"screenshot: {shot}"]
    assert failures == {}
    assert typeset > 0, "no math was typeset anywhere on the site"


def test_home_page_math_is_typeset(page, served_site):
    page.goto(served_site, wait_until="networkidle")
    assert page.locator("article .katex").count() >= 5


def test_search_finds_sigmoid(page, served_site):
    page.goto(served_site, wait_until="networkidle")
    page.locator("input.md-search__input").click()
    page.keyboard.type("sigmoid")  # Material searches on key events; fill() sends none
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=15_000)
    assert results.count() > 0
    assert "sigmoid" in results.first.inner_text().lower()
    assert page.problems == []
