"""Keyboard use in Chromium: skip link, focus after errors, the picker's arrow keys, paging."""

import pytest
from playwright.sync_api import expect

from tests.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def catalog(make):
    make.trade_and_growth()
    for name in ("Search Engine", "Search Index", "Search Ranking"):
        make.capability(name.lower().replace(" ", "-"), name=name, domain="search",
                        team="growth", lifecycle="production")
    for i in range(25):
        make.capability(f"order-step-{i:02}", team="trade")
    make.user("trade-dev", role="contributor", team="trade")
    return make


def test_the_skip_link_is_first_and_moves_focus_to_the_content(live_server, catalog, page):
    page.goto(f"{live_server}/capabilities")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the content")
    expect(skip).to_be_focused()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_a_failed_submit_focuses_the_first_field_in_error(live_server, catalog, page):
    sign_in(page, live_server, "trade-dev")
    page.goto(f"{live_server}/capabilities/new")
    page.get_by_label("Slug").fill("Bad Slug")
    page.get_by_role("button", name="Register capability", exact=True).last.click()
    expect(page.locator(".form-errors")).to_contain_text("Nothing was saved")
    expect(page.locator("#slug")).to_be_focused()


def test_the_picker_answers_arrow_keys_and_new_api_fields_get_focus(live_server, catalog, page):
    sign_in(page, live_server, "trade-dev")
    page.goto(f"{live_server}/capabilities/new")
    page.get_by_role("button", name="Add an API").click()
    expect(page.locator("#apis-0-name")).to_be_focused()
    expect(page.locator("#apis-0-kind")).to_have_js_property("tagName", "SELECT")

    search = page.get_by_label("Find a capability this one uses")
    search.press_sequentially("search")
    options = page.locator("#picker-results").get_by_role("option")
    expect(options).to_have_count(3)
    expect(search).to_have_attribute("aria-expanded", "true")
    search.press("ArrowDown")
    expect(options.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_be_focused()
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("End")
    expect(options.nth(2)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#dependency-list .dependency-row")).to_have_count(1)
    expect(page.locator("#dependency-list")).to_contain_text("Search Ranking")
    expect(search).to_be_focused()


def test_paging_scrolls_to_the_results(live_server, catalog, page):
    page.set_viewport_size({"width": 390, "height": 700})
    page.goto(f"{live_server}/capabilities")
    page.get_by_role("link", name="Next →").click()
    expect(page.locator(".pager")).to_contain_text("Page 2")
    expect(page.locator("#results")).to_be_focused()
    top = page.evaluate("document.getElementById('results').getBoundingClientRect().top")
    assert abs(top) < 5
