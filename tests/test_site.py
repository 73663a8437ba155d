"""The site in a real browser at 1280 px: every page, search, the 404, math without JavaScript.

Headless Debian Chromium, driven by Playwright, visits the site served on 127.0.0.1 under a
sub-path, and fails on a console error or a request to any other host; a failing page leaves a
screenshot in test-output/browser/. The phone-width sweep is test_site_phone.py.
"""

from __future__ import annotations

import pytest

from . import browser as B
from . import site_js as JS

pytestmark = pytest.mark.site


@pytest.fixture()
def page(browser, served_site):
    context, page = B.context(browser, served_site, viewport={"width": 1280, "height": 900})
    yield page
    context.close()


def _check_page(page, url: str) -> list[str]:
    start = B.visit(page, url)
    problems = []
    math = page.evaluate(JS.MATH)
    if math["errors"]:
        problems.append(f"KaTeX could not parse: {math['errors']}")
    if math["untypeset"]:
        problems.append(f"math left raw: {math['untypeset'][:3]}")
    problems += B.raw_tex(page.evaluate(JS.UNTYPESET))
    for img in page.evaluate(JS.IMAGES):
        if not img["ok"] or img["w"] < 100 or img["h"] < 100:
            problems.append(f"image not drawn at a real size: {img}")
    if broken := page.evaluate(JS.MIDWORD):
        problems.append(f"words broken across lines: {broken}")
    if wide := page.evaluate(JS.TABLES):
        problems.append(f"tables wider than the column at 1280 px: {wide}")
    return page.problems[start:] + problems


def test_every_page_at_1280_px(page, served_site, built_site):
    site_dir, _ = built_site
    pages = B.pages(site_dir)
    assert "" in pages and len(pages) >= 10
    failures, typeset = {}, 0
    for rel in pages:
        problems = _check_page(page, served_site + rel)
        seen = len(page.problems)
        typeset += page.evaluate("document.querySelectorAll('.katex').length")
        if problems:
            failures[rel or "home"] = problems + [f"screenshot: {B.shot(page, rel, B.SHOTS)}"]
    if late := B.late_problems(page, seen):
        failures["after the last page"] = late
    assert failures == {}
    assert typeset > 100, "math should be typeset across the site"


@pytest.mark.parametrize("rel", ["", "notebooks/homework_1_1/", "notebooks/homework_1_2/"])
def test_math_shows_with_javascript_off_and_in_print(browser, served_site, rel):
    context, page = B.context(browser, served_site, java_script_enabled=False)
    page.goto(served_site + rel, wait_until="load")
    assert page.locator("article .katex").count() >= 5
    assert B.raw_tex(page.evaluate(JS.UNTYPESET)) == []
    page.emulate_media(media="print")
    sizes = page.evaluate("[...document.querySelectorAll('article .katex')].map(e => "
                          "e.getBoundingClientRect().width)")
    assert min(sizes) > 0, "every formula should print"
    context.close()


def _search(page, served_site, query: str) -> list[tuple[str, str]]:
    B.visit(page, served_site)
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
        assert B.raw_tex(text) == [] and "¶" not in text and "Copied!" not in text
    assert page.problems == []


def test_a_missing_page_gets_the_sites_404(page, served_site):
    response = page.goto(served_site + "no/such/page/", wait_until="load")
    assert response.status == 404
    assert page.locator("article h1").inner_text() == "Page not found"
    assert page.locator("article a").count() >= 5
    # The stylesheets loaded (a bare page would be black on white in the default font):
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header'))"
                         ".position") == "sticky"
    assert page.problems == []
