"""What the browser tests share: Debian's Chromium, a recording browser context, a page visit
that waits until the page is drawn, and screenshots. The tests: test_site.py (1280 px, search,
404, no JavaScript), test_site_phone.py (390 px) and test_derive_page.py; each file runs on an
xdist worker of its own, so the sweeps run side by side."""

from __future__ import annotations

import contextlib
from pathlib import Path
from urllib.parse import urlparse

import pytest

from .conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "test-output" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
RAW_TEX = ("$$", "\\[", "\\(", "$\\", "\\frac", "\\partial")


@contextlib.contextmanager
def playwright():
    """Playwright's sync API, failing the test with what to do if Chromium is missing."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@contextlib.contextmanager
def chromium():
    """Headless Chromium, launched as the project's browser tests launch it."""
    with playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def pages(site_dir: Path) -> list[str]:
    """Every page of the built site, as a path under its root ("" is the home page)."""
    found = sorted(p.parent.relative_to(site_dir).as_posix() for p in site_dir.rglob("index.html"))
    return ["" if p == "." else p + "/" for p in found if not p.startswith("assets")]


def context(browser, served_site, **options):
    """A browser context that records console errors, failed responses and non-local requests."""
    ctx = browser.new_context(**options)
    page = ctx.new_page()
    page.problems = []
    allowed = {urlparse(served_site).netloc}

    def route(r):
        url = urlparse(r.request.url)
        if url.scheme in ("data", "blob") or url.netloc in allowed:
            return r.continue_()
        page.problems.append(f"request to another host: {r.request.url}")
        return r.abort()

    ctx.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and not missing_page(m.location["url"])
            and page.problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("response", lambda r: r.status >= 400 and not missing_page(r.url)
            and page.problems.append(f"HTTP {r.status}: {r.url}"))
    return ctx, page


def missing_page(url: str) -> bool:
    """The address the 404 test asks for; its 404 is the point."""
    return url.endswith("/no/such/page/")


def raw_tex(text: str) -> list[str]:
    return [f"raw {d!r}: ...{text[max(0, text.index(d) - 40):text.index(d) + 40]!r}"
            for d in RAW_TEX if d in text]


def visit(page, url: str) -> int:
    """Open `url` and wait until it is drawn: the load event (every stylesheet, script and
    eager image) and then its web fonts. Not "networkidle", which idles 500 ms on every page.
    Returns where this page's entries start in `page.problems`: what a page does after it was
    checked (a late request or error) lands in the next page's, or in the sweep's last look
    (`late_problems`)."""
    start = len(page.problems)
    page.goto(url, wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    return start


def late_problems(page, seen: int) -> list[str]:
    """What the last page of a sweep does after it was checked, `seen` entries in, and in the
    half second after. (Playwright records events only inside its own calls, so a length read
    right after a page's entries were read marks exactly what they left out.)"""
    page.wait_for_timeout(500)
    return page.problems[seen:]


def shot(page, rel: str, folder: Path) -> Path:
    """A full-page screenshot of `page` into `folder`, named after the page."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ((rel.strip("/").replace("/", "_") or "home") + ".png")
    page.screenshot(path=str(path), full_page=True, scale="css")  # a phone's 2x costs 2.6x
    return path
