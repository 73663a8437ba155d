"""Every page of the site at a phone's 390 px (2x, touch) in headless Chromium.

Nothing but a code block or a formula may be wider than the screen; no console error, failed
response or request to another host. Screenshots of every page land in
test-output/browser/phone/. (Its own file, so it runs beside test_site.py's 1280 px sweep.)
"""

from __future__ import annotations

import pytest

from . import browser as B

pytestmark = pytest.mark.site


@pytest.fixture()
def phone(browser, served_site):
    context, page = B.context(browser, served_site, viewport={"width": 390, "height": 844},
                              device_scale_factor=2, is_mobile=True, has_touch=True)
    yield page
    context.close()


def test_every_page_at_phone_width(phone, served_site, built_site):
    """Nothing but a code block or a formula may be wider than a 390 px screen."""
    site_dir, _ = built_site
    failures = {}
    for rel in B.pages(site_dir):
        start = B.visit(phone, served_site + rel)
        width = phone.evaluate("document.documentElement.scrollWidth")
        B.shot(phone, rel, B.SHOTS / "phone")
        problems = phone.problems[start:] + ([f"page is {width} px wide"] if width > 391 else [])
        seen = len(phone.problems)
        if problems:
            failures[rel or "home"] = problems
    if late := B.late_problems(phone, seen):
        failures["after the last page"] = late
    assert failures == {}
