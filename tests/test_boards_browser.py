"""Governance boards in Chromium: scorecards, duplicates, readiness, paths (demo_site catalog)."""

import pytest
from playwright.sync_api import expect

from tests.conftest import sign_in

pytestmark = pytest.mark.browser


def test_scorecards_board_shows_team_bars_and_loads_the_trend(demo_site, page):
    page.goto(f"{demo_site}/governance/scorecards")
    rows = page.locator("#teams tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() > 3
    expect(rows.first.locator(".level-bar span").first).to_be_visible()
    trend = page.locator("#scorecard-trend tbody tr")
    expect(trend.last).to_contain_text("now")  # swapped in by htmx after the page painted
    assert trend.count() >= 4


def test_capability_page_badge_leads_to_its_checklist(demo_site, page):
    page.goto(f"{demo_site}/capabilities/checkout")
    badge = page.locator("header .level-badge")
    expect(badge).to_be_visible()
    badge.click()
    expect(page.locator("#scorecard .checklist li")).to_have_count(9)


def test_architect_marks_a_pair_not_duplicate(demo_site, page):
    sign_in(page, demo_site, "architect", "demo-architect-pass")
    page.goto(f"{demo_site}/governance/duplicates")
    rows = page.locator("#duplicate-list tbody tr")
    before = rows.count()
    assert before >= 1
    first = rows.first
    first.locator("summary").click()
    first.get_by_label("Why are they different?").fill("Different rules and owners.")
    first.get_by_role("button", name="Not a duplicate").click()
    expect(page.locator(".flash-success")).to_contain_text("not duplicates")
    expect(page.locator("#dismissed")).to_contain_text("Different rules and owners.")
    assert page.locator("#duplicate-list tbody tr").count() == before - 1


def test_register_form_warns_of_a_similar_capability_while_typing(demo_site, page):
    sign_in(page, demo_site, "member-dev", "demo-member-pass")
    page.goto(f"{demo_site}/capabilities/new")
    page.get_by_label("Name", exact=True).press_sequentially("VIP membership", delay=20)
    notice = page.locator("#similar-notice")
    expect(notice).to_contain_text("A similar capability exists")
    expect(notice).to_contain_text("reuse it?")
    expect(notice.locator("a").first).to_have_attribute("href", "/capabilities/youku-membership")


def test_readiness_narrows_to_one_business(demo_site, page):
    page.goto(f"{demo_site}/governance/readiness")
    expect(page.locator("#capabilities tbody tr").first).to_be_visible()
    page.locator("#businesses").get_by_role("link", name="Lingxi").click()
    expect(page.locator("h1")).to_contain_text("Lingxi")
    rows = page.locator("#capabilities tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() == int(page.locator("tr.chosen td").first.inner_text())


def test_governance_paths_panel_and_keystones(demo_site, page):
    page.goto(f"{demo_site}/governance")
    expect(page.locator("#keystones tbody tr")).to_have_count(10)
    panel = page.locator("#paths-panel")
    panel.get_by_label("From").fill("xianyu")
    panel.get_by_label("To").fill("object-storage")
    panel.get_by_role("button", name="Show the paths").click()
    expect(page.locator("#paths-panel .path-list li").first).to_contain_text("Object Storage")
    assert page.url == f"{demo_site}/governance"  # answered in place
