"""The impact page in Chromium: counts first, paging and filters in place, history kept."""

import re

import pytest
from playwright.sync_api import expect

from tests.test_impact_page import hub  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser


def test_grouped_impact_pages_and_filters_without_reloading(live_server, hub, page,  # noqa: F811
                                                            page_errors):
    page.goto(f"{live_server}/capabilities/queue/impact")
    page.evaluate("window.__sameDocument = true")
    kpis = page.locator(".kpis")
    expect(kpis).to_contain_text("120capabilities hit")
    expect(kpis).to_contain_text("96go down with it (sync)")
    rows = page.locator("#impact-capabilities tbody tr")
    expect(rows).to_have_count(50)
    expect(page.locator("#impact-teams tbody tr").first).to_contain_text("Trade")

    page.get_by_role("navigation", name="Pages of capabilities").get_by_role("link", name="Next →").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator("#impact-list .pager span")).to_have_text("51–100 of 120")
    expect(rows.first).to_contain_text("Consumer 050")

    page.get_by_role("link", name="Degrade or lag (24)").click()
    expect(page).to_have_url(re.compile(r"coupling=async"))
    expect(rows).to_have_count(24)
    expect(page.locator("#impact-capabilities .coupling-sync")).to_have_count(0)

    page.locator("#impact-teams").get_by_role("link", name="30").click()
    expect(page.locator(".filter-note")).to_contain_text("Owned by Growth")
    expect(rows).to_have_count(6)  # consumers 0, 5, ..., 25: async and Growth's

    page.get_by_role("link", name="Show all 2 levels").click()
    expect(page).to_have_url(re.compile(r"depth=all"))
    expect(page.locator("#impact-businesses")).to_contain_text("Shop")

    page.go_back()
    expect(page.locator("#impact-businesses")).to_have_count(0)
    expect(page.locator(".filter-note")).to_contain_text("Owned by Growth")
    assert page.evaluate("window.__sameDocument") is True


def test_depth_and_links_redraw_in_place(live_server, hub, page):  # noqa: F811
    page.goto(f"{live_server}/capabilities/queue/impact")
    page.evaluate("window.__sameDocument = true")
    page.select_option("select[name=depth]", "all")
    expect(page.locator("#impact-businesses")).to_contain_text("Shop")
    page.get_by_label("adoptions").uncheck()
    expect(page).to_have_url(re.compile(r"link=depends-on&link=api"))
    expect(page.locator("#impact-businesses")).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True
