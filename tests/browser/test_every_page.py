"""Every page of every role, opened in Chromium on the demo: it fits a 360 px phone without
sideways scrolling, and axe-core finds no WCAG 2.1 A/AA violation on it.

axe-core is the npm package installed by ``npm install`` at the repository root (``.ci/run``
does it); it is injected from node_modules, never fetched from elsewhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.clock import today
from tests.conftest import skip_or_fail
from tests.site_pages import (
    CRAWL_ROLES,
    DEMO_PASSWORD,
    ERROR_FORMS,
    ROLE_EMAILS,
    build_crawl_world,
    crawl_urls,
)
from tests.test_authorization import ACCESS
from tests.test_authorization import COORD as COORDINATOR

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Rules whose "needs review" nodes we also hold to zero: they were what a person had to check by hand.
REVIEWED_RULES = ("color-contrast", "th-has-data-cells")
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(browser, live_server):  # noqa: ANN001, ANN201
    # bypass_csp: axe-core is injected as a script of the test, which the pages' CSP would refuse.
    context = browser.new_context(base_url=live_server, locale="da-DK", viewport=PHONE, is_mobile=True,
                                  has_touch=True, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _sign_in(page, role: str) -> None:  # noqa: ANN001
    if role == "anonymous":
        return
    page.goto("/log-ind")
    page.get_by_label("E-mail").fill(ROLE_EMAILS[role])
    page.get_by_label("Adgangskode").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_load_state()
    assert "/log-ind" not in page.url, f"{role} could not sign in"


def sideways_overflow(page) -> str | None:  # noqa: ANN001
    """How much wider than the phone the page is, with the widest culprit, or None if it fits."""
    found = page.evaluate("""() => {
        const root = document.scrollingElement;
        const width = Math.max(root.clientWidth, 0), inner = window.innerWidth;
        if (root.scrollWidth <= width && root.scrollWidth <= inner) return null;
        let worst = null;
        for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.right > width + 0.5 && (!worst || r.right > worst.right)) {
                let p = el.parentElement, clipped = false;
                while (p) { const s = getComputedStyle(p); if (s.overflowX !== 'visible') { clipped = true; break; } p = p.parentElement; }
                if (!clipped) worst = {right: r.right, tag: el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')};
            }
        }
        return {scroll: root.scrollWidth, width: width, inner: inner, worst: worst};
    }""")
    if not found:
        return None
    return json.dumps(found)


def axe_violations(page) -> list[str]:  # noqa: ANN001
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations', 'incomplete']})",
        WCAG_TAGS)
    found = []
    for kind, items in (("violation", result["violations"]), ("needs review", result["incomplete"])):
        for item in items:
            if kind == "needs review" and item["id"] not in REVIEWED_RULES:
                continue
            for node in item["nodes"][:5]:
                found.append(f"{kind} {item['id']}: {node['target']} {node.get('failureSummary', '')[:300]}")
    return found


@pytest.mark.parametrize("role", CRAWL_ROLES)
def test_every_page_fits_a_360_px_phone_and_has_no_axe_violation(app, engine, phone, role):
    if not AXE.exists():
        skip_or_fail(f"axe-core is not installed at {AXE} (run npm install at the repository root)")
    build_crawl_world(engine, today())
    urls = list(crawl_urls(app, engine, role))
    if role == "admin":
        # The coordinator's crawl has already opened the pages both roles share (only the menu
        # differs, and the admin's menu is checked on the admin's own pages): keep the run short.
        urls = [(e, u) for e, u in urls if COORDINATOR not in ACCESS[e][0] or e == "coordinator.home"]
    assert len(urls) >= 3
    _sign_in(phone, role)
    problems = []
    for endpoint, url in urls:
        response = phone.goto(url)
        if response is None or response.status >= 500:
            problems.append(f"{url}: answered {response.status if response else 'nothing'}")
            continue
        overflow = sideways_overflow(phone)
        if overflow:
            problems.append(f"{url} ({endpoint}) scrolls sideways at 360 px: {overflow}")
        for violation in axe_violations(phone):
            problems.append(f"{url} ({endpoint}) {violation}")
    # The forms sent back with their errors (nothing filled in) are pages too.
    for endpoint, url in urls:
        if endpoint not in ERROR_FORMS:
            continue
        phone.goto(url)
        with phone.expect_navigation():
            phone.evaluate("""() => { const f = document.createElement('form'); f.method = 'post';
                f.action = window.location.href; document.body.appendChild(f); f.submit(); }""")
        overflow = sideways_overflow(phone)
        if overflow:
            problems.append(f"POST {url} ({endpoint}) scrolls sideways at 360 px: {overflow}")
        for violation in axe_violations(phone):
            problems.append(f"POST {url} ({endpoint}) {violation}")
    assert not problems, f"{len(problems)} problems on {len(urls)} pages as {role}:\n" + "\n".join(problems)
