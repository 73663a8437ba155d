"""The "Derive your own" page in headless Chromium: SymPy in Pyodide, served by the site alone.

Three expressions are typed into the page; the derivative it shows is held against SymPy run
here, natively, on the same text. Every request the page and its worker make must go to
127.0.0.1. Playwright reports the worker's requests with the page's (the test checks that the
WebAssembly and the wheels are among them), and any other host is unresolvable in this browser,
so the page works only if it needs nothing else. (Chromium's own traffic, to its update,
account and autofill services, is not the page's and goes nowhere either.)
"""

from __future__ import annotations

import tempfile
from urllib.parse import urlparse

import pytest
import sympy as sp

from derivations.bound import sup_abs

from . import browser as B

pytestmark = pytest.mark.site

# Every host but this one unresolvable: the page works only if it needs nothing else.
CHROMIUM_ARGS = [*B.CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
EXPRESSIONS = ["u*tanh(log(1 + exp(u)))", "1/(1 + exp(-u))", "u*(1 + erf(u/sqrt(2)))/2"]
BAD = {"foo(u)": "unknown name 'foo'", "u +* 2": "syntax error",
       "2 + 3": "does not depend on u", "u.__class__": "attribute access"}
u = sp.Symbol("u", real=True)
LOAD_MS = 240_000  # a cold start on a loaded two-core machine; not a performance claim


@pytest.fixture(scope="module")
def page(served_site):
    """The derive page, loaded once for the module, in a fresh profile; every request recorded
    (`page.requests`), any to another host aborted as well, console errors kept."""
    with B.playwright() as pw, tempfile.TemporaryDirectory() as profile:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=str(B.CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.requests, page.problems = [], []
        page.on("request", lambda r: page.requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
        page.on("pageerror", lambda e: page.problems.append(str(e)))
        context.route("**/*", lambda r: r.continue_() if urlparse(r.request.url).hostname
                      == "127.0.0.1" else r.abort())
        page.goto(served_site + "derive/", wait_until="networkidle")
        yield page
        context.close()


def _derive(page, text: str) -> None:
    box = page.locator("#derive-input")
    box.fill("")
    box.press_sequentially(text)
    box.press("Enter")  # run() disables the buttons before it first awaits
    page.wait_for_function("!document.getElementById('derive-run').disabled", timeout=LOAD_MS)


def _layers(page, layers: int) -> float:
    """Move the L slider as a reader would (an input event); the factor shown for it."""
    page.locator("#derive-layers").evaluate(
        "(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }", str(layers))
    return float(page.locator("#derive-factor").get_attribute("data-value"))


def _annotation(page, element_id: str) -> str:
    return page.locator(f"#{element_id} annotation").first.text_content()


def test_python_loads_only_when_asked(page):
    assert page.locator("#derive-names").inner_text().startswith("Names you may use: u, exp")
    assert not [r for r in page.requests if "/assets/pyodide/" in r or "/derive/worker" in r]


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_derivative_shown_is_sympys(page, text):
    _derive(page, text)
    assert page.locator("#derive-error").is_hidden()
    expected = sp.diff(sp.sympify(text, locals={"u": u}), u)
    shown_text = page.locator("#derive-df-text").inner_text()
    assert shown_text == str(sp.simplify(expected))  # the same SymPy, in the browser
    shown = sp.sympify(shown_text, locals={"u": u})
    assert sp.simplify((shown - expected).rewrite(sp.exp)) == 0
    assert _annotation(page, "derive-df") == f"f'(u) = {sp.latex(shown)}"
    delta = _annotation(page, "derive-delta")
    # The recursion, then the same step with this f' applied to every entry of Z_1.
    assert r"\Delta_{1} &= \left(\Delta_{3} W^{(2)}\right) \had f'(Z_{1})" in delta
    assert sp.latex(shown.xreplace({u: sp.Symbol("Z_1", real=True)})) in delta
    for curve in ("f", "df"):
        d = page.locator(f"#derive-plot path[data-curve={curve}]").get_attribute("d")
        assert d.startswith("M") and d.count("L") == 400  # 401 samples, no gap
    bound = sup_abs(shown, u)
    for layers in (1, 7, 30):
        assert _layers(page, layers) == bound.value ** layers


def test_sigmoid_bound_is_exact(page):
    _derive(page, "1/(1 + exp(-u))")
    assert r"= \frac{1}{4} \quad \text{at } u = 0" in _annotation(page, "derive-sup")
    assert _layers(page, 10) == 0.25 ** 10


@pytest.mark.parametrize("text", list(BAD))
def test_bad_input_is_explained_and_the_page_still_works(page, text):
    _derive(page, text)
    assert BAD[text] in page.locator("#derive-error").inner_text()
    assert page.locator("#derive-output").is_hidden()
    _derive(page, "tanh(u)")
    assert page.locator("#derive-error").is_hidden()
    assert page.locator("#derive-df-text").inner_text() == str(sp.diff(sp.tanh(u), u).simplify())


def test_no_request_left_the_machine(page):
    _derive(page, EXPRESSIONS[0])  # Python loaded, whichever tests ran before
    hosts = {urlparse(r).hostname for r in page.requests if not r.startswith(("data:", "blob:"))}
    assert hosts == {"127.0.0.1"}
    assert any("/assets/pyodide/pyodide.asm.wasm" in r for r in page.requests)  # worker seen
    assert any(r.endswith(".whl") for r in page.requests)
    assert page.problems == []
