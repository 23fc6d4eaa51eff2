"""Incubating a business and looking at a spin-off, in Chromium: htmx picks, save, adopt, figure."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from catalog.adoptions import adopt
from catalog.models import Business, IncubationPlan
from tests.conftest import sign_in

pytestmark = pytest.mark.browser
#: htmx round trips and page loads on a busy shared machine: patience, not a time budget.
PATIENCE = 20_000


@pytest.fixture
def estate(live_server, make, db, page_errors):
    make.team("trade")
    make.team("member-team")
    make.team("lingxi-team", kind="business")
    make.domain("transaction")
    make.capability("sms-gateway", name="SMS Gateway", lifecycle="production")
    make.capability("member-account", name="Member Account", team="member-team",
                    lifecycle="production", dependencies=["sms-gateway"])
    make.capability("coupon-center", name="Coupon Center", lifecycle="production")
    make.business("taobao")
    adopt({"business": "taobao", "capability": "member-account"}, None)
    adopt({"business": "taobao", "capability": "coupon-center"}, None)
    make.user("lead", role="contributor", team="lingxi-team")
    return live_server


def test_pick_save_and_adopt_a_plan(estate, page, db):
    sign_in(page, estate, "lead", timeout=PATIENCE)
    page.goto(f"{estate}/businesses/incubate")
    page.get_by_label("Name", exact=True).fill("Lingxi")
    page.get_by_label("Search by name, domain or need").fill("member")
    result = page.locator("#search-results input[value=member-account]")
    expect(result).to_be_visible(timeout=PATIENCE)
    # click, not check(): the swap that answers the tick removes the box from the results,
    # and check() would wait for the box it just ticked to show it is ticked
    result.click()
    picked = page.locator("#plan .plan-picks")
    expect(picked).to_contain_text("Member Account",
                                   timeout=PATIENCE)  # swapped in place by htmx
    expect(page.locator("#plan")).to_contain_text("SMS Gateway",
                                                  timeout=PATIENCE)  # brought along
    expect(page).to_have_url(re.compile(r"capabilities=member-account"), timeout=PATIENCE)
    expect(page.locator("#search-results input[value=member-account]")).to_have_count(
        0, timeout=PATIENCE)
    # businesses with similar picks: Taobao also adopts Coupon Center; pick it from there,
    # once no htmx request is in flight (a late swap of the plan would undo the tick)
    page.wait_for_function("() => !document.querySelector('.htmx-request')", timeout=PATIENCE)
    page.locator("#plan .suggestions input[value=coupon-center]").click()
    expect(picked).to_contain_text("Coupon Center", timeout=PATIENCE)
    page.get_by_role("button", name="Save the plan").click()
    expect(page.locator("h1")).to_contain_text("Lingxi", timeout=PATIENCE)
    plan_url = page.url
    assert re.search(r"/businesses/plans/\d+$", plan_url)
    page.get_by_label("Slug").fill("lingxi")
    page.get_by_role("button", name=re.compile("Create it and adopt 2")).click()
    expect(page.locator(".flash-success")).to_contain_text("Lingxi is incubating",
                                                           timeout=PATIENCE)
    expect(page.locator("h1")).to_contain_text("incubating", timeout=PATIENCE)
    business = db.session.scalar(sa.select(Business).where(Business.slug == "lingxi"))
    assert sorted(a.capability.slug for a in business.adoptions) == ["coupon-center",
                                                                     "member-account"]
    assert db.session.scalar(sa.select(IncubationPlan.business_id)) == business.id
    page.goto(plan_url)
    expect(page.locator(".flash-success")).to_contain_text("This plan became Lingxi",
                                                           timeout=PATIENCE)


def test_a_viewer_reads_a_plan_but_cannot_save(estate, page, make):
    make.user("reader", role="viewer", team="")
    sign_in(page, estate, "reader", timeout=PATIENCE)
    page.goto(f"{estate}/businesses/incubate?capabilities=member-account")
    expect(page.locator("#plan .plan-picks")).to_contain_text("Member Account",
                                                              timeout=PATIENCE)
    expect(page.get_by_role("button", name="Save the plan")).to_have_count(0, timeout=PATIENCE)
    expect(page.locator("body")).to_contain_text("Viewers read plans", timeout=PATIENCE)


@pytest.mark.parametrize("width", [1280, 390])
def test_spin_off_draws_its_boundary_and_fits(estate, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{estate}/businesses/taobao/spin-off")
    page.wait_for_function("() => window.__plots >= 1", timeout=PATIENCE)
    expect(page.locator("[data-figure=boundary] .main-svg").first).to_be_attached()
    expect(page.locator(".chart-summary")).to_contain_text("would go with it", timeout=PATIENCE)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.goto(f"{estate}/businesses/incubate?capabilities=member-account")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
