"""Governance boards in Chromium: scorecards, duplicates, readiness, paths (demo catalog)."""

import pytest
from playwright.sync_api import expect

from catalog.seed import seed_demo

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(live_server, db, page):
    seed_demo()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield live_server
    assert errors == []


def test_scorecards_board_shows_team_bars_and_loads_the_trend(demo, page):
    page.goto(f"{demo}/governance/scorecards")
    rows = page.locator("#teams tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() > 3
    expect(rows.first.locator(".level-bar span").first).to_be_visible()
    trend = page.locator("#scorecard-trend tbody tr")
    expect(trend.last).to_contain_text("now")  # swapped in by htmx after the page painted
    assert trend.count() >= 4


def test_capability_page_badge_leads_to_its_checklist(demo, page):
    page.goto(f"{demo}/capabilities/checkout")
    badge = page.locator("header .level-badge")
    expect(badge).to_be_visible()
    badge.click()
    expect(page.locator("#scorecard .checklist li")).to_have_count(9)
