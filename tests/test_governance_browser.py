"""Reviews, deprecation plans and dependency warnings in Chromium, under the CSP."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from catalog.capabilities import get_capability, update_capability
from catalog.models._time import today
from tests.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def governed(live_server, make):
    make.trade_and_growth(infrastructure="middleware")
    make.capability("gift-cards", team="trade")
    make.capability("cart-v1", team="trade", lifecycle="production", tags=["cart"])
    make.capability("cart-v2", team="trade", lifecycle="production", tags=["cart"])
    make.capability("checkout", team="growth", lifecycle="production", dependencies=["cart-v1"])
    make.capability("message-queue", domain="middleware", team="growth", lifecycle="production")
    update_capability(get_capability("cart-v1"), {
        "lifecycle": "deprecated", "sunset_on": today() + dt.timedelta(days=30),
        "replacement": "cart-v2"}, None)
    make.user("arch", role="architect", team="growth")
    make.user("grower", role="contributor", team="growth")
    return live_server


def test_an_architect_approves_from_the_queue(governed, page, page_errors):
    sign_in(page, governed, "arch")
    nav = page.locator("#nav-reviews")
    expect(nav).to_contain_text("1")
    nav.click()
    expect(page.locator(".review-table")).to_contain_text("Gift Cards")
    page.get_by_role("button", name="Review", exact=True).click()
    expect(page).to_have_url(re.compile(r"/capabilities/gift-cards#reviews"))
    page.get_by_role("button", name="Record the decision").click()  # nothing chosen
    expect(page.locator("#decision-errors")).to_contain_text("Decision must be one of")
    page.get_by_label("Approve (moves it to approved)").check()
    page.get_by_label("Comment").fill("Owner and SLA are set.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".flash-success")).to_contain_text("Approved Gift Cards")
    expect(page.locator(".review-thread")).to_contain_text("Owner and SLA are set.")
    expect(page.locator(".moves")).to_contain_text("approved")
    expect(page.locator("#nav-reviews")).to_contain_text("0")


def test_a_consumer_team_updates_its_migration(governed, page):
    sign_in(page, governed, "grower")
    page.goto(f"{governed}/capabilities/checkout")
    expect(page.locator(".sunset-notes")).to_contain_text("deprecated, sunset in 30 days")
    page.locator(".sunset-notes").get_by_role("link", name="plan").click()
    expect(page.locator("#countdown")).to_have_text("30 days left")
    expect(page.locator(".plan-grid")).to_contain_text("Cart V2")
    row = page.locator("#migration-growth")
    row.get_by_label("Status of Growth").select_option("in-progress")
    row.get_by_label("Note of Growth").fill("Half the calls moved.")
    row.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-success")).to_contain_text("Migration status saved")
    expect(page.locator("#migration-growth")).to_contain_text("by grower")
    expect(page.locator("#migration-growth select")).to_have_value("in-progress")


def test_the_edit_form_warns_before_saving_a_layering_break(governed, page):
    sign_in(page, governed, "grower")
    page.goto(f"{governed}/capabilities/message-queue/edit")
    page.locator("#dependency-search").press_sequentially("checkout")
    page.locator("#picker-results button[data-slug=checkout]").click()
    warning = page.locator("#dependency-list .dependency-warning")
    expect(warning).to_contain_text("Layering break")
    expect(warning).to_contain_text("Only architects and admins can save it")
