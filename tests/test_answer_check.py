"""The answer boxes of the homework pages: their HTML contract, then, in headless Chromium, SymPy
in Pyodide from the site.

For every box, a right, a transposed, a misshapen and a wrong answer are typed (the table of
tests/derivations/test_answers.py) and Enter pressed; the verdict the page shows must be the one
`derivations.answers.judge` gives natively for the same text, of the expected kind. Every request
must go to 127.0.0.1 (any other host is unresolvable in this browser), Python must load only on
the first check, and once it has loaded the boxes must keep working with the network off.
The times of the first and the later checks are written to test-output/answer-check.json; they
are measurements, not assertions.
"""

from __future__ import annotations

import json
import tempfile
from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest

from derivations.answers import TARGETS, judge
from pages.answer_check import boxes

from . import browser as B
from .derivations.test_answers import ANSWERS

site = pytest.mark.site  # every test here but the first drives the built site in Chromium

CHROMIUM_ARGS = [*B.CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
PAGES = {"notebooks/homework_1_1/": ["z1", "z2", "z3", "y_hat", "dl_dW1", "dl_db1", "dl_dW2",
                                     "dl_db2", "dl_dyhat", "dz2_dz1", "dyhat_dz3"],
         "notebooks/homework_1_2/": ["dl_dyhat_bce", "dyhat_dz3_sigmoid"]}
KINDS = {"right": "correct", "transposed": "transposed", "misshapen": ("shape", "mistake"),
         "wrong": "wrong"}
LOAD_MS = 240_000  # a cold start on a loaded two-core machine; not a performance claim
TIMES = B.SHOTS.parent / "answer-check.json"


def test_boxes_keep_the_contract():
    """Each box: `.answer-check[data-target]` holding a labelled textarea, a button and a
    verdict with role="status"; the line of syntax once, above the boxes."""
    parser = _Boxes()
    parser.feed(boxes(*TARGETS, syntax=True))
    assert [b["target"] for b in parser.boxes] == list(TARGETS)
    for box in parser.boxes:
        assert box["textarea"] and box["textarea"] in parser.labels, box
        assert box["button"] == 1 and box["status"] == 1, box
    assert parser.syntax == 1 and parser.syntax_before_boxes
    parser = _Boxes()
    parser.feed(boxes("z1"))
    assert parser.syntax == 0 and len(parser.boxes) == 1


class _Boxes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.boxes, self.labels, self.syntax, self.syntax_before_boxes = [], set(), 0, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "answer-check" in (a.get("class") or "").split():
            self.boxes.append({"target": a["data-target"], "textarea": None, "button": 0,
                               "status": 0})
        elif "answer-check-syntax" in (a.get("class") or ""):
            self.syntax += 1
            self.syntax_before_boxes = not self.boxes
        elif tag == "label":
            self.labels.add(a.get("for"))
        elif self.boxes and tag == "textarea":
            self.boxes[-1]["textarea"] = a.get("id")
        elif self.boxes and tag == "button":
            self.boxes[-1]["button"] += 1
        elif self.boxes and a.get("role") == "status":
            self.boxes[-1]["status"] += 1


@pytest.fixture(scope="module")
def browser_context():
    """One fresh Chromium profile for the module; every request recorded, any to another host
    aborted as well, console errors kept."""
    with B.playwright() as pw, tempfile.TemporaryDirectory() as profile:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=str(B.CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900})
        context.requests, context.problems = [], []
        context.on("request", lambda r: context.requests.append(r.url))
        context.route("**/*", lambda r: r.continue_() if urlparse(r.request.url).hostname
                      == "127.0.0.1" else r.abort())
        yield context
        context.close()


@pytest.fixture(scope="module")
def times():
    found: dict[str, list] = {"first_ms": [], "later_ms": []}
    yield found
    TIMES.parent.mkdir(parents=True, exist_ok=True)
    TIMES.write_text(json.dumps(found, indent=1))


def _open(context, url: str):
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and not m.text.startswith(
        "Failed to load resource") and context.problems.append(m.text))
    page.on("pageerror", lambda e: context.problems.append(str(e)))
    page.goto(url, wait_until="load")
    return page


def _check(page, target: str, text: str) -> dict:
    """Type `text` into the box of `target` as a student would and press Enter; the verdict."""
    box = page.locator(f'.answer-check[data-target="{target}"]')
    area = box.locator("textarea")
    area.fill("")
    area.press_sequentially(text)
    area.press("Enter")
    page.wait_for_function(
        """(box) => !box.dataset.busy
             && box.querySelector('[role="status"]').dataset.kind !== "loading" """,
        arg=box.element_handle(), timeout=LOAD_MS)
    status = box.locator('[role="status"]')
    return {"kind": status.get_attribute("data-kind"), "text": status.inner_text(),
            "ms": int(box.get_attribute("data-ms") or -1),
            "first_ms": box.get_attribute("data-first-ms"),
            "link": status.locator("a").get_attribute("href") if status.locator("a").count()
            else None}


@pytest.fixture(scope="module")
def pages(browser_context, served_site):
    opened = {path: _open(browser_context, served_site + path) for path in PAGES}
    yield opened
    for page in opened.values():
        page.close()


@site
def test_every_box_is_on_its_page_and_python_waits_for_the_first_check(pages, browser_context):
    for path, page in pages.items():
        found = page.eval_on_selector_all(".answer-check", "els => els.map(e => e.dataset.target)")
        assert sorted(found) == sorted(PAGES[path]), path
        for target in found:
            box = page.locator(f'.answer-check[data-target="{target}"]')
            assert box.locator("textarea").count() == 1 and box.locator("button").count() == 1
            assert box.locator('[role="status"]').count() == 1
            label = box.locator("textarea").get_attribute("id")
            assert page.locator(f'label[for="{label}"]').text_content().startswith("Your ")
        assert page.locator(".answer-check-syntax").count() == 1  # one line, above the boxes
    assert not [u for u in browser_context.requests
                if "/assets/pyodide/" in u or "answer-check/worker" in u]


@site
@pytest.mark.parametrize("target", [t for ts in PAGES.values() for t in ts])
def test_the_four_kinds_of_answer(pages, target, times):
    page = next(pages[p] for p, ts in PAGES.items() if target in ts)
    for kind, text in ANSWERS[target].items():
        shown = _check(page, target, text)
        expected = judge(target, text)
        assert shown["text"].startswith(expected["text"]), (kind, text, shown)
        want = KINDS[kind]
        if kind == "transposed" and TARGETS[target].shape[0] == TARGETS[target].shape[1]:
            want = "correct"  # a diagonal Jacobian is its own transpose
        assert shown["kind"] in ((want,) if isinstance(want, str) else want), (kind, shown)
        (times["first_ms"] if shown["first_ms"] else times["later_ms"]).append(shown["ms"])
        if shown["first_ms"]:
            page.locator(f'.answer-check[data-target="{target}"]').evaluate(
                "box => { delete box.dataset.firstMs; }")


@site
def test_a_common_mistake_links_its_box(pages):
    page = pages["notebooks/homework_1_1/"]
    shown = _check(page, "dl_dyhat", "(y_hat - y).T")
    assert shown["kind"] == "mistake" and "“without the 2”" in shown["text"]
    assert shown["link"] and shown["link"].startswith("#")
    box = page.locator(shown["link"])
    assert box.count() == 1 and "without the 2" in box.inner_text()
    page.locator('.answer-check[data-target="dl_dyhat"] [role="status"] a').click()
    assert box.evaluate("el => el.tagName !== 'DETAILS' || el.open")


@site
def test_unreadable_input_is_explained(pages):
    page = pages["notebooks/homework_1_1/"]
    shown = _check(page, "dl_dW1", "x @ dl_dyhat @ W3")
    assert shown["kind"] == "error"
    assert shown["text"].startswith("Unknown name W3 at character 16")
    shown = _check(page, "dl_dW1", "x @ (dl_dyhat")
    assert shown["kind"] == "error" and shown["text"].startswith("Syntax error at character")


@site
def test_the_button_checks_too(pages):
    page = pages["notebooks/homework_1_1/"]
    box = page.locator('.answer-check[data-target="dl_db2"]')
    box.locator("textarea").fill("dl_dyhat @ dyhat_dz3")
    box.locator("button").click()
    page.wait_for_function("(s) => s.dataset.kind && s.dataset.kind !== 'loading'",
                           arg=box.locator('[role="status"]').element_handle(), timeout=LOAD_MS)
    assert box.locator('[role="status"]').inner_text().startswith("Correct")


@site
def test_offline_once_loaded_and_no_request_left_the_site(pages, browser_context):
    page = pages["notebooks/homework_1_1/"]
    _check(page, "z1", "W1 @ x + b1")  # Python loaded, whichever tests ran before
    browser_context.set_offline(True)
    try:
        shown = _check(page, "dl_dW2", "z2 @ dl_dyhat @ dyhat_dz3")
        assert shown["kind"] == "correct"
    finally:
        browser_context.set_offline(False)
    hosts = {urlparse(u).hostname for u in browser_context.requests
             if not u.startswith(("data:", "blob:"))}
    assert hosts == {"127.0.0.1"}
    assert any(u.endswith("/assets/pyodide/pyodide.asm.wasm") for u in browser_context.requests)
    assert any(u.endswith("/derivations/answers.py") for u in browser_context.requests)
    assert browser_context.problems == []


@site
def test_readable_at_390_px(browser_context, served_site):
    page = _open(browser_context, served_site + "notebooks/homework_1_1/")
    page.set_viewport_size({"width": 390, "height": 844})
    _check(page, "dl_dW2", "z2 @ dl_dyhat.T")  # the longest kind of verdict: a shape
    for box in page.locator(".answer-check").all():
        box.scroll_into_view_if_needed()
        area, button = box.locator("textarea").bounding_box(), box.locator("button")
        assert area["x"] >= 0 and area["x"] + area["width"] <= 390
        right = button.bounding_box()
        assert right["x"] + right["width"] <= 390 and button.is_visible()
        assert box.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.close()


AXE = """async (dark) => {
  // Colours settled at once: no transition half-way (a hover just left, the scheme switched).
  const still = document.createElement("style");
  still.textContent = "*, *::before, *::after { transition: none !important; }";
  document.head.appendChild(still);
  if (dark) document.body.setAttribute("data-md-color-scheme", "slate");
  const result = await axe.run({include: [[".answer-checks"]]},
                               {resultTypes: ["violations"]});
  return result.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 2)
    .map(n => n.target.join(" ")).join(" | ")}`);
}"""


@site
def test_boxes_and_every_kind_of_verdict_pass_axe_light_and_dark(pages):
    """axe-core (from npm) over the boxes, with a verdict of each colour on show."""
    page = pages["notebooks/homework_1_1/"]
    for target, kind in zip(("dl_dW1", "dl_db1", "dl_dW2", "dl_db2"), ANSWERS["dl_dW1"],
                            strict=True):
        _check(page, target, ANSWERS[target][kind])
    _check(page, "z1", "W3")  # an error
    _check(page, "dl_dyhat", "(y_hat - y).T")  # a mistake, with its link
    page.mouse.move(0, 0)  # no hover: Material's hover colours are its own
    page.add_script_tag(path=str(B.ROOT / "node_modules" / "axe-core" / "axe.min.js"))
    assert page.evaluate(AXE, False) == []
    assert page.evaluate(AXE, True) == []
    page.evaluate("document.body.removeAttribute('data-md-color-scheme')")
