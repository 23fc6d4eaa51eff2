"""Reuse and delivery in Chromium: charts drawn, filters that redraw in place, links, forms.

The demo_site catalog is seeded before each test; the live server reads the same
database. ``window.__plots`` counts plotly_afterplot events (static/js/charts.js).
"""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from catalog.models import Adoption, Delivery
from tests.conftest import back_in_place, drawn, sign_in

pytestmark = pytest.mark.browser

CHARTS = {"/": 3, "/reuse": 2, "/delivery": 3}


@pytest.mark.parametrize("path", CHARTS)
def test_every_chart_is_drawn_with_its_summary(demo_site, page, path):
    page.goto(demo_site + path)
    drawn(page, CHARTS[path])
    plots = page.locator(".chart-plot")
    expect(plots).to_have_count(CHARTS[path])
    for i in range(CHARTS[path]):
        expect(plots.nth(i).locator(".main-svg").first).to_be_attached()
        assert plots.nth(i).get_attribute("aria-label")
    summaries = page.locator(".chart-summary[data-summary]").all_text_contents()
    assert len(summaries) == CHARTS[path] and all(s.strip().endswith(".") for s in summaries)


@pytest.mark.parametrize("path", CHARTS)
def test_nothing_is_wider_than_a_phone(demo_site, page, path):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(demo_site + path)
    drawn(page, CHARTS[path])
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("document.body.scrollWidth <= window.innerWidth")


def test_a_filter_redraws_without_reloading_and_the_url_follows(demo_site, page):
    page.goto(f"{demo_site}/delivery")
    before = drawn(page, 3)
    page.evaluate("window.__sameDocument = true")
    everyone = page.locator("#delivery-headline .kpi strong").first.text_content()

    page.select_option("select[name=business]", "fliggy")
    drawn(page, before + 3)
    expect(page).to_have_url(re.compile(r"/delivery\?business=fliggy$"))
    expect(page.locator("#delivery-headline .kpi strong").first).not_to_have_text(everyone)
    expect(page.locator("#business-table tbody tr")).to_have_count(1)
    expect(page.locator("#delivery-export")).to_have_attribute(
        "href", "/deliveries/export.csv?business=fliggy")
    expect(page.locator("[data-summary=businesses]")).to_contain_text("Fliggy: median")
    assert page.evaluate("window.__sameDocument") is True

    after = page.evaluate("window.__plots")
    page.select_option("select[name=quarters]", "4")
    drawn(page, after + 3)
    expect(page).to_have_url(re.compile(r"/delivery\?business=fliggy&quarters=4$"))

    back_in_place(page, r"/delivery\?business=fliggy$", quarters="", business="fliggy")


def test_a_shared_filtered_url_draws_the_same_view(demo_site, page):
    page.goto(f"{demo_site}/delivery?business=fliggy&quarters=4")
    drawn(page, 3)
    expect(page.locator("select[name=business]")).to_have_value("fliggy")
    expect(page.locator("select[name=quarters]")).to_have_value("4")
    names = page.evaluate("document.querySelector('[data-figure=businesses]').data[0].y")
    assert names == ["Fliggy"]


def test_the_matrix_links_to_capability_pages(demo_site, page):
    page.goto(f"{demo_site}/reuse")
    drawn(page, 2)
    row = page.locator("table.matrix tbody tr", has=page.get_by_role(
        "link", name="Youku VIP Membership"))
    cell = row.locator("a.cell.x.d")  # Taobao adopts Youku's membership directly
    expect(cell).to_have_count(1)
    expect(cell).to_have_attribute("aria-label", "Taobao: adopts, cross-business")
    cell.click()
    expect(page).to_have_url(re.compile(r"/capabilities/youku-membership$"))
    expect(page.locator("h1")).to_have_text("Youku VIP Membership")


def test_adopt_from_the_capability_page_then_end_it_from_the_business_page(demo_site, page, db):
    sign_in(page, demo_site, "admin", "demo-admin-pass")
    page.goto(f"{demo_site}/capabilities/coupon-center")
    page.get_by_role("button", name="Adopt", exact=True).click()
    expect(page.locator("h1")).to_have_text("Adopt Coupon Center")
    page.select_option("#business", "lingxi")
    page.fill("#purpose", "Group-buying coupons")
    page.get_by_role("button", name="Record the adoption").click()
    expect(page).to_have_url(re.compile(r"/capabilities/coupon-center$"))
    expect(page.locator(".flash-success")).to_have_text("Lingxi now uses Coupon Center.")

    page.goto(f"{demo_site}/businesses/lingxi")
    row = page.locator("tr", has=page.get_by_role("link", name="Coupon Center"))
    row.get_by_text("End…").click()
    row.get_by_role("button", name="End Lingxi's use of Coupon Center").click()
    expect(page.locator(".flash-success")).to_contain_text("Lingxi stopped using Coupon Center")
    db.session.expire_all()
    ended = db.session.scalar(sa.select(Adoption).where(Adoption.purpose == "Group-buying coupons"))
    assert ended.until is not None


def test_record_a_delivery_with_the_capability_picker(demo_site, page, db):
    sign_in(page, demo_site, "admin", "demo-admin-pass")
    page.goto(f"{demo_site}/deliveries/new?business=hema")
    page.fill("#title", "Fresh coupons")
    page.fill("#requested_on", "2026-01-05")
    page.fill("#delivered_on", "2026-02-04")
    page.locator("#dependency-search").press_sequentially("coupon")
    page.locator(".picker-choice", has_text="Coupon Center").click()
    expect(page.locator("#dependency-list .dependency-row")).to_have_count(1)
    page.get_by_role("button", name="Record the delivery").click()
    expect(page).to_have_url(re.compile(r"/delivery\?business=hema$"))
    expect(page.locator(".flash-success")).to_contain_text("30 days from request to delivery")
    delivery = db.session.scalar(sa.select(Delivery).where(Delivery.title == "Fresh coupons"))
    assert [c.slug for c in delivery.capabilities] == ["coupon-center"]
