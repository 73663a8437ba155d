"""Every page of the site at a phone's 390 px (touch) in headless Chromium, by measurement.

On each page: nothing wider than the screen; no figure drawn below half its own size (a
multi-panel figure re-stacks for narrow screens, tools/notebook_figures.py); a table fits, or
scrolls in its own box;
wide display math scrolls in its own box with a shadow at the edge as the cue; no console error,
failed response or request to another host. Measuring replaces a screenshot sweep: a failing
page leaves its screenshot in test-output/browser/phone/. (Its own file, so it runs beside
test_site.py's 1280 px sweep.)
"""

from __future__ import annotations

import pytest

from . import browser as B
from . import site_js as JS

pytestmark = pytest.mark.site
# The pages whose every table fits a phone (the home page's notation table above all); on the
# others a wide table of numbers scrolls in its own box.
READ_ON_A_PHONE = {"", "notebooks/homework_1_1/", "notebooks/homework_1_2/"}


@pytest.fixture()
def phone(browser, served_site):
    context, page = B.context(browser, served_site, viewport={"width": 390, "height": 844},
                              is_mobile=True, has_touch=True)
    yield page
    context.close()


def test_every_page_at_phone_width(phone, served_site, built_site):
    site_dir, _ = built_site
    failures = {}
    for rel in B.pages(site_dir):
        start = B.visit(phone, served_site + rel)
        problems = phone.problems[start:] + phone.evaluate(JS.PHONE, rel in READ_ON_A_PHONE)
        seen = len(phone.problems)
        if problems:
            failures[rel or "home"] = problems + [
                f"screenshot: {B.shot(phone, rel, B.SHOTS / 'phone')}"]
    if late := B.late_problems(phone, seen):
        failures["after the last page"] = late
    assert failures == {}
