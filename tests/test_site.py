"""The site in a real browser at 1280 px: every page, search, the 404, math without JavaScript,
accessibility (axe-core from npm, light and dark), print.

Headless Debian Chromium, driven by Playwright, visits the site served on 127.0.0.1 under a
sub-path, and fails on a console error or a request to any other host; a failing page leaves a
screenshot in test-output/browser/. The phone-width sweep is test_site_phone.py.
"""

from __future__ import annotations

import re

import pytest

from . import browser as B
from . import site_js as JS
from .conftest import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Between the schemes only colours change: the dark pass re-runs the rules that read colour.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]

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
        if not img["sized"]:  # without them the page shifts as the image arrives
            problems.append(f"image without width and height: {img['src']}")
    if broken := page.evaluate(JS.MIDWORD):
        problems.append(f"words broken across lines: {broken}")
    if wide := page.evaluate(JS.TABLES):
        problems.append(f"tables wider than the column at 1280 px: {wide}")
    page.keyboard.press("Tab")  # as a keyboard user starts: the page marks its scroll boxes
    page.add_script_tag(path=str(AXE))
    problems += [f"axe, light: {v}" for v in page.evaluate(JS.AXE, None)]
    problems += [f"axe, dark: {v}" for v in page.evaluate(JS.AXE, COLOUR_RULES)]
    if stops := page.evaluate(JS.FOCUS):
        problems.append(f"tab stops that are not controls: {stops}")
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
    # Print leaves out closed boxes and code (extra.css); every other formula prints.
    sizes = page.evaluate("[...document.querySelectorAll('article .katex')]"
                          ".filter(e => !e.closest('details:not([open]), .jp-CodeCell pre'))"
                          ".map(e => e.getBoundingClientRect().width)")
    assert len(sizes) >= 5 and min(sizes) > 0, "every formula should print"
    context.close()


def _search(page, query: str) -> list[dict]:
    """The results the real search box shows for `query`, typed as a reader types it."""
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("")
    page.keyboard.type(query)  # Material searches on key events; fill() sends none
    page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
    page.wait_for_function(  # the results of the whole query, not of its first letters
        "q => document.querySelector('.md-search-result__meta').textContent.length > 0 &&"
        " document.querySelector('input.md-search__input').value === q", arg=query)
    results = page.evaluate(JS.SEARCH_RESULTS)
    page.keyboard.press("Escape")
    return results


# Each query, and the (page, question) that must be among the first 3 results: a section of
# the page under that question (a homework heading's id starts with its question, 1.2.b's with
# `12b-`; a box inside a question is titled with it), or the page itself when no question is
# named. "a|b": either.
ANSWERS = [
    ("BCE", ["notebooks/homework_1_2/ 1.2.b"]),
    ("jacobian of relu", ["notebooks/homework_1_1/ 1.1.d"]),
    ("common mistake", ["notebooks/homework_1_1/", "notebooks/homework_1_2/"]),
    ("sigmoid derivative", ["notebooks/homework_1_2/ 1.2.a|notebooks/activations/"]),
    ("dJdW1", ["notebooks/homework_1_1/ 1.1.c"]),
    ("transpose", ["notebooks/homework_1_1/ 1.1.c"]),
]


def _answers(want: str, results: list[dict]) -> bool:
    for option in want.split("|"):
        page, _, question = option.partition(" ")
        anchor = "#" + question.replace(".", "") + "-"
        for r in results[:3]:
            for href, title in zip(r["links"], r["titles"], strict=True):
                if page in href and (not question or anchor in href
                                     or title.startswith(question)):
                    return True
    return False


def test_search_answers_in_the_first_three_results_with_prose_snippets(page, served_site):
    B.visit(page, served_site)
    missed, dumps = {}, {}
    for query, wanted in ANSWERS:
        results = _search(page, query)
        for want in wanted:
            if not _answers(want, results):
                missed[query] = (want, [r["titles"][:2] for r in results[:3]])
        for r in results:
            text = r["text"]
            bad = B.raw_tex(text) + [m for m in ("¶", "Copied!", "tensor(", ">>>", "Traceback",
                                                 "def ", "import ", "PASS", "FAIL") if m in text]
            if r["code"] or bad:
                dumps[query] = (r["links"][0], bad, r["code"][:1])
    assert missed == {}, "answers not in the first 3 results"
    assert dumps == {}, "snippets with code, TeX or program output"
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


def test_homework_1_1_prints_its_answers_on_at_most_six_a4_pages(browser, served_site):
    """Print leaves out code, folds, buttons and navigation, keeps the answers and figures, and
    starts each question on a new page; Chromium's own PDF is counted."""
    context, page = B.context(browser, served_site)
    page.goto(served_site + "notebooks/homework_1_1/", wait_until="load")
    page.emulate_media(media="print")
    shown = page.evaluate("""() => {
      const visible = s => [...document.querySelectorAll(s)]
        .filter(e => e.getClientRects().length > 0);
      return {code: visible("article pre").length, folds: visible("details.nb-fold").length,
              buttons: visible(".md-content__button, .md-clipboard").length,
              nav: visible(".md-sidebar, .md-header").length,
              answers: visible(".admonition").length,
              checks: visible(".answer-check, .answer-check-syntax").length,
              graph: visible("svg.computational-graph").length,
              breaks: [...document.querySelectorAll("article h2")].slice(1)
                        .map(h => getComputedStyle(h).breakBefore)};
    }""")
    assert shown["code"] == shown["folds"] == shown["buttons"] == shown["nav"] == 0, shown
    assert shown["checks"] == 0 and shown["graph"] == 1, shown
    assert shown["answers"] >= 4 and set(shown["breaks"]) == {"page"}, shown
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert 1 <= pages <= 6, f"1.1 prints on {pages} A4 pages"
    context.close()
