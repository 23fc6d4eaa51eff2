"""axe-core finds no violation on any page of the demo, at desktop and phone widths."""

import pytest
from playwright.sync_api import expect

from catalog.seed import seed_demo
from tests.a11y import axe_violations
from tests.conftest import sign_in

pytestmark = pytest.mark.browser
#: How long a page may take on a busy machine before a check gives up (ms).
PATIENCE = 20_000

#: Every kind of page, read anonymously (the demo's own slugs).
PAGES = [
    "/", "/capabilities", "/capabilities?q=membership", "/capabilities?q=memebership",
    "/capabilities?q=zzzz&lifecycle=retired", "/capabilities/member-account",
    "/capabilities/distributed-cache", "/capabilities/member-account/impact",
    "/capabilities/member-account/consumers", "/graph", "/graph?focus=member-account",
    "/reuse", "/delivery", "/governance", "/domains", "/domains/membership", "/teams",
    "/teams/membership-team", "/businesses", "/businesses/taobao", "/changes",
    "/auth/login", "/api/docs",
]


@pytest.fixture
def demo(db, cheap_hashing):
    seed_demo()


def check(page, url, found):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('.htmx-request')", timeout=PATIENCE)
    found.extend(f"{url}: {line}" for line in axe_violations(page))


def test_no_axe_violations_on_any_page(live_server, demo, page):
    found: list[str] = []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for path in PAGES:
            check(page, live_server + path, found)
    page.set_viewport_size({"width": 1280, "height": 900})
    # a failed sign-in
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("Username").fill("viewer")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("main")).to_contain_text("wrong password", timeout=PATIENCE)
    found.extend(f"login with errors: {line}" for line in axe_violations(page))
    # the forms, empty and with errors
    sign_in(page, live_server, "taobao-lead", "demo-taobao-pass", timeout=PATIENCE)
    for path in ("/capabilities/new", "/adoptions/new?business=taobao",
                 "/deliveries/new?business=taobao", "/account/tokens"):
        check(page, live_server + path, found)
    page.goto(f"{live_server}/capabilities/new")
    page.get_by_label("Slug").fill("Bad Slug")
    page.get_by_role("button", name="Add an API").click()
    # the new row takes the focus when it lands: type into the search only after that
    expect(page.locator("#apis-0-name")).to_be_focused(timeout=PATIENCE)
    page.locator("#dependency-search").press_sequentially("member")
    expect(page.locator("#picker-results [role=option]").first).to_be_visible(timeout=PATIENCE)
    found.extend(f"register form, picker open: {line}" for line in axe_violations(page))
    page.get_by_role("button", name="Register capability", exact=True).last.click()
    expect(page.locator(".form-errors")).to_be_visible(timeout=PATIENCE)
    found.extend(f"register form with errors: {line}" for line in axe_violations(page))
    page.goto(f"{live_server}/deliveries/new?business=taobao")
    page.get_by_role("button", name="Record").last.click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible(timeout=PATIENCE)
    found.extend(f"delivery form with errors: {line}" for line in axe_violations(page))
    assert found == [], f"{len(found)} axe violations:\n" + "\n".join(found)
