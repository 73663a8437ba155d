"""The site in a real browser: every page at 1280 px and at a phone's 390 px, search, the 404.

Headless Debian Chromium, driven by Playwright, visits the site served on 127.0.0.1 under a
sub-path, and fails on a console error or a request to any other host. Phone-width screenshots
of every page land in test-output/browser/phone/; a failing page leaves one in
test-output/browser/.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from . import site_js as JS
from .conftest import ROOT

pytestmark = pytest.mark.site

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "test-output" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
RAW_TEX = ("$$", "\\[", "\\(", "$\\", "\\frac", "\\partial")


def _pages(site_dir: Path) -> list[str]:
    pages = sorted(p.parent.relative_to(site_dir).as_posix() for p in site_dir.rglob("index.html"))
    return ["" if p == "." else p + "/" for p in pages if not p.startswith("assets")]


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


def _context(browser, served_site, **options):
    """A browser context that records console errors, failed responses and non-local requests."""
    context = browser.new_context(**options)
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
    page.on("console", lambda m: m.type == "error" and not _missing_page(m.location["url"])
            and page.problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("response", lambda r: r.status >= 400 and not _missing_page(r.url)
            and page.problems.append(f"HTTP {r.status}: {r.url}"))
    return context, page


def _missing_page(url: str) -> bool:
    """The address the 404 test asks for; its 404 is the point."""
    return url.endswith("/no/such/page/")


@pytest.fixture()
def page(browser, served_site):
    context, page = _context(browser, served_site, viewport={"width": 1280, "height": 900})
    yield page
    context.close()


@pytest.fixture()
def phone(browser, served_site):
    context, page = _context(browser, served_site, viewport={"width": 390, "height": 844},
                             device_scale_factor=2, is_mobile=True, has_touch=True)
    yield page
    context.close()


def _raw_tex(text: str) -> list[str]:
    return [f"raw {d!r}: ...{text[max(0, text.index(d) - 40):text.index(d) + 40]!r}"
            for d in RAW_TEX if d in text]


def _visit(page, url: str) -> int:
    """Open `url` and wait until it is drawn: the load event (every stylesheet, script and
    eager image) and then its web fonts. Not "networkidle", which idles 500 ms on every page.
    Returns where this page's entries start in `page.problems`: what a page does after it was
    checked (a late request or error) lands in the next page's, or in the sweep's last look
    (`_late_problems`)."""
    start = len(page.problems)
    page.goto(url, wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    return start


def _late_problems(page, seen: int) -> list[str]:
    """What the last page of a sweep does after it was checked, `seen` entries in, and in the
    half second after. (Playwright records events only inside its own calls, so a length read
    right after a page's entries were read marks exactly what they left out.)"""
    page.wait_for_timeout(500)
    return page.problems[seen:]


def _check_page(page, url: str) -> list[str]:
    start = _visit(page, url)
    problems = []
    math = page.evaluate(JS.MATH)
    if math["errors"]:
        problems.append(f"KaTeX could not parse: {math['errors']}")
    if math["untypeset"]:
        problems.append(f"math left raw: {math['untypeset'][:3]}")
    problems += _raw_tex(page.evaluate(JS.UNTYPESET))
    for img in page.evaluate(JS.IMAGES):
        if not img["ok"] or img["w"] < 100 or img["h"] < 100:
            problems.append(f"image not drawn at a real size: {img}")
    if broken := page.evaluate(JS.MIDWORD):
        problems.append(f"words broken across lines: {broken}")
    if wide := page.evaluate(JS.TABLES):
        problems.append(f"tables wider than the column at 1280 px: {wide}")
    return page.problems[start:] + problems


def _shot(page, rel: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / ((rel.strip("/").replace("/", "_") or "home") + ".png")
    page.screenshot(path=str(shot), full_page=True, scale="css")  # a phone's 2x costs 2.6x
    return shot


def test_every_page_at_1280_px(page, served_site, built_site):
    site_dir, _ = built_site
    pages = _pages(site_dir)
    assert "" in pages and len(pages) >= 10
    failures, typeset = {}, 0
    for rel in pages:
        problems = _check_page(page, served_site + rel)
        seen = len(page.problems)
        typeset += page.evaluate("document.querySelectorAll('.katex').length")
        if problems:
            failures[rel or "home"] = problems + [f"screenshot: {_shot(page, rel, SHOTS)}"]
    if late := _late_problems(page, seen):
        failures["after the last page"] = late
    assert failures == {}
    assert typeset > 100, "math should be typeset across the site"


def test_every_page_at_phone_width(phone, served_site, built_site):
    """Nothing but a code block or a formula may be wider than a 390 px screen."""
    site_dir, _ = built_site
    failures = {}
    for rel in _pages(site_dir):
        start = _visit(phone, served_site + rel)
        width = phone.evaluate("document.documentElement.scrollWidth")
        _shot(phone, rel, SHOTS / "phone")
        problems = phone.problems[start:] + ([f"page is {width} px wide"] if width > 391 else [])
        seen = len(phone.problems)
        if problems:
            failures[rel or "home"] = problems
    if late := _late_problems(phone, seen):
        failures["after the last page"] = late
    assert failures == {}


@pytest.mark.parametrize("rel", ["", "notebooks/homework_1_1/", "notebooks/homework_1_2/"])
def test_math_shows_with_javascript_off_and_in_print(browser, served_site, rel):
    context, page = _context(browser, served_site, java_script_enabled=False)
    page.goto(served_site + rel, wait_until="load")
    assert page.locator("article .katex").count() >= 5
    assert _raw_tex(page.evaluate(JS.UNTYPESET)) == []
    page.emulate_media(media="print")
    sizes = page.evaluate("[...document.querySelectorAll('article .katex')].map(e => "
                          "e.getBoundingClientRect().width)")
    assert min(sizes) > 0, "every formula should print"
    context.close()


def _search(page, served_site, query: str) -> list[tuple[str, str]]:
    _visit(page, served_site)
    page.locator("input.md-search__input").click()
    page.keyboard.type(query)  # Material searches on key events; fill() sends none
    page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
    return page.evaluate(JS.SEARCH_RESULTS)


@pytest.mark.parametrize("query, page_path", [("sigmoid", None),
                                               ("dJdW1", "notebooks/homework_1_1/")])
def test_search_finds_the_page_and_shows_no_tex(page, served_site, query, page_path):
    results = _search(page, served_site, query)
    assert results and query.lower() in results[0][1].lower()
    if page_path:
        assert any(page_path in href for href, _ in results), [href for href, _ in results]
    for _, text in results:
        assert _raw_tex(text) == [] and "¶" not in text and "Copied!" not in text
    assert page.problems == []


def test_a_missing_page_gets_the_sites_404(page, served_site):
    response = page.goto(served_site + "no/such/page/", wait_until="networkidle")
    assert response.status == 404
    assert page.locator("article h1").inner_text() == "Page not found"
    assert page.locator("article a").count() >= 5
    # The stylesheets loaded (a bare page would be black on white in the default font):
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header'))"
                         ".position") == "sticky"
    assert page.problems == []
