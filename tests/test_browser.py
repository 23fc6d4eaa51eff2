"""Browser tests: what a person in Chromium relies on, end to end.

Each test builds its data with the ``make`` factory before it navigates; the
live server reads the same database. Playwright's ``expect`` does all the
waiting (no sleeps).
"""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from catalog.models import Adoption, Capability
from tests.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def base(live_server, page):
    """The live server's root URL, with the page failing on any JS dialog."""
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield live_server
    assert dialogs == [], f"a JavaScript dialog opened: {dialogs}"


def catalog_of_six(make):
    make.team("trade")
    make.team("growth", kind="business")
    make.domain("transaction")
    make.domain("marketing")
    make.domain("middleware", layer="infrastructure")
    make.capability("coupon-engine", domain="marketing", team="growth",
                    lifecycle="production", tags=["promotions"])
    make.capability("order-service", lifecycle="production")
    make.capability("payment-gateway", domain="middleware", lifecycle="production")
    make.capability("rules-engine", domain="marketing", team="growth", lifecycle="proposed")
    make.capability("search-engine", domain="middleware", lifecycle="production")
    make.capability("invoice-archive", lifecycle="deprecated")


def result_names(page):
    return page.locator("#results .result .result-name")


def no_horizontal_scroll(page) -> None:
    """Nothing sticks out sideways, whether the page scrolls or clips it."""
    widths = page.evaluate("""() => ({
        inner: window.innerWidth,
        doc: document.documentElement.scrollWidth,
        body: document.body.scrollWidth,
        h1: Math.ceil(document.querySelector('h1').getBoundingClientRect().right),
    })""")
    assert widths["doc"] <= widths["inner"], widths
    # html and body hide overflow-x, which would clip (not reveal) a too-wide
    # element: check the body's own content width and the heading too.
    assert widths["body"] <= widths["inner"], widths
    assert widths["h1"] <= widths["inner"], widths


# 1 -------------------------------------------------------------------------


def test_live_search_narrows_without_reload_and_keeps_history(base, page, make):
    catalog_of_six(make)
    page.goto(f"{base}/capabilities")
    expect(result_names(page)).to_have_count(6)
    expect(page.locator(".result-count")).to_contain_text("6 capabilities")
    page.evaluate("window.__marker = 1")

    page.locator("#q").press_sequentially("coupon")
    expect(result_names(page)).to_have_count(1)
    expect(result_names(page)).to_have_text(["Coupon Engine"])
    expect(page.locator(".result-count")).to_contain_text("1 capability matching")
    expect(page).to_have_url(re.compile(r"/capabilities\?(.*&)?q=coupon(&|$)"))
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"

    # The whole word, then one key: one request and one history entry, however slow the machine.
    page.locator("#q").fill("engine")
    page.locator("#q").press("End")
    expect(result_names(page)).to_have_text(
        ["Coupon Engine", "Rules Engine", "Search Engine"])
    expect(page).to_have_url(re.compile(r"q=engine"))

    # A facet narrows the same way, and its counts follow the search.
    lifecycle = page.locator("select[name=lifecycle]")
    expect(lifecycle.locator("option[value=production]")).to_have_text("production (2)")
    lifecycle.select_option("production")
    expect(result_names(page)).to_have_text(["Coupon Engine", "Search Engine"])
    expect(page.locator(".result-count")).to_contain_text("2 capabilities")
    expect(page).to_have_url(re.compile(r"q=engine"))
    expect(page).to_have_url(re.compile(r"lifecycle=production"))
    expect(page.locator(".result-count a", has_text="clear filters")).to_be_visible()
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"

    # Back restores the previous results (htmx history), still without a reload.
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"lifecycle=production"))
    expect(page).to_have_url(re.compile(r"q=engine"))
    expect(result_names(page)).to_have_text(["Coupon Engine", "Rules Engine", "Search Engine"])
    page.go_back()
    expect(page).to_have_url(re.compile(r"q=coupon"))
    expect(result_names(page)).to_have_text(["Coupon Engine"])
    assert page.evaluate("window.__marker") == 1, "going back reloaded the page"

    # Forward again, then a real reload of the pushed URL renders the same state.
    page.go_forward()
    page.go_forward()
    expect(page).to_have_url(re.compile(r"lifecycle=production"))
    page.reload()
    expect(result_names(page)).to_have_text(["Coupon Engine", "Search Engine"])
    expect(page.locator("#q")).to_have_value("engine")
    expect(page.locator("select[name=lifecycle]")).to_have_value("production")


# 2 -------------------------------------------------------------------------


def test_browse_works_without_javascript(live_server, browser, make):
    base = live_server
    catalog_of_six(make)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{base}/capabilities?q=coupon")
        expect(page.locator("#results .result-name")).to_have_text(["Coupon Engine"])
        expect(page.locator("#q")).to_have_value("coupon")

        page.goto(f"{base}/capabilities")
        expect(page.locator("#results .result-name")).to_have_count(6)
        page.locator("#q").fill("engine")
        page.locator("select[name=lifecycle]").select_option("production")
        search = page.get_by_role("button", name="Search")
        expect(search).to_be_visible()
        search.click()
        expect(page).to_have_url(re.compile(r"q=engine"))
        expect(page).to_have_url(re.compile(r"lifecycle=production"))
        expect(page.locator("#results .result-name")).to_have_text(
            ["Coupon Engine", "Search Engine"])
        expect(page.locator(".result-count")).to_contain_text("2 capabilities")

        # Links in the results are plain links: following one works too.
        page.locator("#results .result-name", has_text="Search Engine").click()
        expect(page).to_have_url(re.compile(r"/capabilities/search-engine$"))
        expect(page.locator("h1")).to_have_text("Search Engine")
    finally:
        context.close()


# 3 -------------------------------------------------------------------------


def test_register_capability_with_inline_checks_api_and_dependency(base, page, make, db):
    make.trade_and_growth(infrastructure="middleware")
    make.capability("order-service")
    make.capability("search-engine", domain="middleware", team="trade")
    make.user("alice", role="contributor", team="trade")
    sign_in(page, base, "alice")

    page.goto(f"{base}/capabilities/new")
    expect(page.locator("h1")).to_have_text("Register a capability")
    slug, slug_errors = page.locator("#slug"), page.locator("#slug-errors")

    slug.press_sequentially("Order Service")
    expect(slug_errors).to_contain_text("kebab-case")
    slug.fill("")
    slug.press_sequentially("order-service")
    expect(slug_errors).to_contain_text("already taken")
    slug.fill("")
    slug.press_sequentially("order-pricing")
    expect(slug_errors).to_be_empty()
    assert page.url.endswith("/capabilities/new"), "an inline check submitted the form"

    page.locator("#name").fill("Order Pricing")
    page.locator("#summary").fill("Prices an order: promotions, coupons and fees.")
    page.locator("#domain").select_option("transaction")
    expect(page.locator("#team")).to_have_value("trade")

    page.get_by_role("button", name="Add an API").click()
    expect(page.locator("[name=apis-0-name]")).to_be_visible()
    page.locator("[name=apis-0-name]").fill("Pricing API")

    page.locator("#dependency-search").press_sequentially("search")
    choice = page.locator("#picker-results button[data-slug=search-engine]")
    expect(choice).to_be_visible()
    expect(page.locator("#picker-results button[data-slug=order-service]")).to_have_count(0)
    choice.click()
    row = page.locator("#dependency-list .dependency-row[data-slug=search-engine]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Search Engine")
    expect(page.locator("#picker-results")).to_be_empty()

    page.get_by_role("button", name="Register capability").click()
    expect(page).to_have_url(re.compile(r"/capabilities/order-pricing$"))
    expect(page.locator("h1")).to_have_text("Order Pricing")
    expect(page.locator("#apis")).to_contain_text("Pricing API")
    expect(page.locator("#dependencies")).to_contain_text("Search Engine")
    expect(page.locator(".facts")).to_contain_text("Trade")

    # A server-side error: the message sits by the field and nothing is saved.
    before = _capability_count(db)
    page.goto(f"{base}/capabilities/new")
    page.locator("#slug").fill("nameless")
    page.locator("#summary").fill("Has no name.")
    page.locator("#domain").select_option("transaction")
    page.get_by_role("button", name="Add an API").click()
    page.locator("[name=apis-0-name]").fill("Kept API")
    page.locator("#dependency-search").press_sequentially("search")
    page.locator("#picker-results button[data-slug=search-engine]").click()
    expect(page.locator("#dependency-list .dependency-row")).to_have_count(1)
    page.get_by_role("button", name="Register capability").click()
    expect(page.locator(".form-errors")).to_contain_text("Nothing was saved")
    expect(page.locator("#name-errors")).to_contain_text("Name")
    expect(page.locator("#name")).to_have_attribute("aria-invalid", "true")
    # What the user typed is still there to fix.
    expect(page.locator("#slug")).to_have_value("nameless")
    expect(page.locator("[name=apis-0-name]")).to_have_value("Kept API")
    expect(page.locator("#dependency-list .dependency-row[data-slug=search-engine]")
           ).to_have_count(1)
    assert _capability_count(db) == before == 3


def _capability_count(db) -> int:
    db.session.rollback()  # start a fresh read; never hold a lock the server needs
    count = db.session.scalar(sa.select(sa.func.count(Capability.id)))
    db.session.rollback()
    return count


# 4 -------------------------------------------------------------------------


def test_follow_links_to_owner_consumers_and_businesses(base, page, make, db):
    make.team("trade")
    make.team("member-platform", contact="member@example.com")
    make.domain("user-center")
    make.domain("marketing")
    membership = make.capability("membership", domain="user-center", team="member-platform")
    make.capability("coupon-engine", domain="marketing",
                    dependencies=[{"provider": "membership", "kind": "sync"}])
    taobao = make.business("taobao")
    db.session.add(Adoption(business=taobao, capability=membership,
                            purpose="Member levels at checkout"))
    db.session.commit()

    page.goto(f"{base}/capabilities/membership")
    expect(page.locator("h1")).to_have_text("Membership")
    facts = page.locator(".facts")
    expect(facts.get_by_role("link", name="member@example.com")).to_have_attribute(
        "href", "mailto:member@example.com")

    facts.get_by_role("link", name="Member Platform").click()
    expect(page).to_have_url(re.compile(r"/teams/member-platform$"))
    expect(page.locator("h1")).to_have_text("Member Platform")
    expect(page.locator("main").get_by_role("link", name="Membership", exact=True)).to_be_visible()

    page.go_back()
    expect(page.locator("h1")).to_have_text("Membership")
    consumers = page.locator("#consumers")
    expect(consumers).to_contain_text("2: 1 business adopts it, 1 capability depends on it")
    consumers.get_by_role("link", name="Coupon Engine").click()
    expect(page).to_have_url(re.compile(r"/capabilities/coupon-engine$"))
    expect(page.locator("h1")).to_have_text("Coupon Engine")
    expect(page.locator("#dependencies").get_by_role("link", name="Membership")).to_be_visible()

    page.go_back()
    page.locator("#consumers").get_by_role("link", name="Taobao").click()
    expect(page).to_have_url(re.compile(r"/businesses/taobao$"))
    expect(page.locator("h1")).to_have_text("Taobao")
    row = page.locator("main tr", has_text="Membership")
    expect(row).to_contain_text("Member levels at checkout")
    row.get_by_role("link", name="Membership").click()
    expect(page).to_have_url(re.compile(r"/capabilities/membership$"))


# 5 -------------------------------------------------------------------------

EVIL_NAME = '<img src=x onerror="window.__pwned=1">Evil'
EVIL_DESCRIPTION = """Harmless intro.

<script>window.__pwned=1</script>

[click](javascript:window.__pwned=1)

<a href="#" onclick="window.__pwned=1">x</a>

<img src=x onerror="window.__pwned=1">
"""


def test_html_in_names_and_markdown_is_inert(base, page, make):
    make.team("trade", name='Trade <b onmouseover="window.__pwned=1">Team</b>')
    make.domain("transaction")
    make.capability("evil", name=EVIL_NAME, summary='<svg onload="window.__pwned=1">',
                    description=EVIL_DESCRIPTION)

    def assert_inert():
        assert page.evaluate("window.__pwned") is None
        live = page.locator('img[src="x"], svg[onload], b[onmouseover], [onclick], [onerror], '
                            '[onload], [onmouseover], a[href^="javascript:"]')
        assert live.count() == 0

    page.goto(f"{base}/capabilities/evil")
    expect(page.locator("h1")).to_have_text(EVIL_NAME)
    expect(page.locator("h1")).to_contain_text("<img")
    description = page.locator(".description")
    expect(description).to_contain_text("Harmless intro.")
    expect(description).to_contain_text("<script>")  # shown as text, not run
    assert description.locator('a[href^="javascript:"]').count() == 0
    page.locator('.facts a[href="/teams/trade"]').hover()
    assert_inert()

    page.goto(f"{base}/capabilities?q=evil")
    expect(page.locator("#results .result-name")).to_have_text(EVIL_NAME)
    assert_inert()

    # The same through the htmx swap of live search.
    page.goto(f"{base}/capabilities")
    page.locator("#q").press_sequentially("evil")
    expect(page.locator("#results .result-name")).to_have_count(1)
    expect(page.locator("#results .result-name")).to_have_text(EVIL_NAME)
    assert_inert()

    page.goto(f"{base}/teams/trade")
    expect(page.locator("main").get_by_role("link", name=EVIL_NAME)).to_be_visible()
    expect(page.locator("h1")).to_contain_text("<b onmouseover")
    page.locator("h1").hover()
    assert_inert()


# 6 -------------------------------------------------------------------------


def test_phone_width_has_no_horizontal_scroll(base, page, make):
    long_name = "Supercalifragilistic" * 6  # 120 characters, no spaces
    assert len(long_name) == 120
    catalog_of_six(make)
    make.capability("long-one", name=long_name, tags=["x" * 40],
                    summary="S" * 200, description="`" + "y" * 300 + "`\n\n" + "z" * 300)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{base}/capabilities")
    expect(page.locator("#results .result")).to_have_count(7)
    no_horizontal_scroll(page)

    page.goto(f"{base}/capabilities/long-one")
    expect(page.locator("h1")).to_have_text(long_name)
    no_horizontal_scroll(page)

    page.goto(f"{base}/teams/trade")
    expect(page.locator("h1")).to_have_text("Trade")
    no_horizontal_scroll(page)


# Regressions: bugs these browser tests found ----------------------------------


def test_live_search_ranks_best_match_first(base, page, make):
    """Live search ranks by best match, as the server does for a typed-in URL.

    The sort menu used to preselect the effective sort ("name" when there is no
    search text), so every live search was sent with sort=name.
    """
    make.team("trade")
    make.domain("transaction")
    make.capability("back-order-queue", name="Back Order Queue")
    make.capability("order-service", name="Order Service")
    page.goto(f"{base}/capabilities?q=order")
    expect(result_names(page)).to_have_text(["Order Service", "Back Order Queue"])

    page.goto(f"{base}/capabilities")
    page.locator("#q").press_sequentially("order")
    expect(page).to_have_url(re.compile(r"q=order"))
    expect(result_names(page)).to_have_text(["Order Service", "Back Order Queue"])


def test_back_from_a_result_shows_the_whole_browse_page(base, page, make):
    """Back from a capability shows the browse page, not a bare fragment.

    /capabilities answers with a fragment or a page for the same URL depending
    on HX-Request; without ``Vary: HX-Request`` Back replayed the cached
    fragment (no header, no search box, no styles).
    """
    catalog_of_six(make)
    page.goto(f"{base}/capabilities")
    page.locator("#q").press_sequentially("engine")
    expect(result_names(page)).to_have_count(3)
    # Leave without blurring the search box: a blur fires "change", which sends
    # the same search again and makes what the cache holds a matter of timing.
    page.goto(f"{base}/capabilities/search-engine")
    expect(page.locator("h1")).to_have_text("Search Engine")
    page.go_back()
    expect(page).to_have_url(re.compile(r"q=engine"))
    expect(page.locator("h1")).to_have_text("Capabilities")
    expect(page.locator("#q")).to_have_value("engine")
    expect(result_names(page)).to_have_count(3)


def test_back_after_history_cache_miss_shows_the_whole_browse_page(base, page, make):
    """A history restore fetched from the server gets the whole page.

    htmx re-fetches a page it has no snapshot of with HX-Request: true and
    HX-History-Restore-Request: true; answering with the results fragment
    replaced the whole <body>.
    """
    catalog_of_six(make)
    page.goto(f"{base}/capabilities")
    page.locator("#q").press_sequentially("coupon")
    expect(result_names(page)).to_have_count(1)
    page.locator("#q").fill("")
    page.locator("#q").press_sequentially("engine")
    expect(result_names(page)).to_have_count(3)
    # As when htmx's history cache (if enabled) has evicted the entry.
    page.evaluate("sessionStorage.removeItem('htmx-history-cache')")
    page.go_back()
    expect(page).to_have_url(re.compile(r"q=coupon"))
    expect(page.locator("header.site-header")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Capabilities")
    expect(result_names(page)).to_have_text(["Coupon Engine"])


def test_back_button_restores_the_search_text(base, page, make):
    """After Back, the search box shows the search whose results are listed.

    htmx history snapshots are innerHTML, which keeps an input's value
    attribute from the first page load, not the text typed since.
    """
    catalog_of_six(make)
    page.goto(f"{base}/capabilities")
    page.locator("#q").press_sequentially("coupon")
    expect(result_names(page)).to_have_text(["Coupon Engine"])
    page.locator("#q").fill("")
    page.locator("#q").press_sequentially("engine")
    expect(result_names(page)).to_have_count(3)
    page.go_back()
    expect(result_names(page)).to_have_text(["Coupon Engine"])
    expect(page.locator("#q")).to_have_value("coupon")


def test_enter_in_dependency_search_does_not_submit(base, page, make, db):
    """Enter in the dependency search box searches; it does not register.

    It used to submit the whole form, saving the capability without the
    dependency the user was looking for.
    """
    make.team("trade")
    make.domain("transaction")
    make.capability("search-engine")
    make.user("alice", role="contributor", team="trade")
    sign_in(page, base, "alice")
    page.goto(f"{base}/capabilities/new")
    page.locator("#slug").fill("pricing")
    page.locator("#name").fill("Pricing")
    page.locator("#domain").select_option("transaction")
    page.locator("#dependency-search").fill("search")
    page.locator("#dependency-search").press("Enter")
    choice = page.locator("#picker-results button[data-slug=search-engine]")
    expect(choice).to_be_visible()
    expect(page.locator("h1")).to_have_text("Register a capability")
    choice.click()
    expect(page.locator("#dependency-list .dependency-row")).to_have_count(1)
    assert _capability_count(db) == 1, "Enter registered the capability"

    page.get_by_role("button", name="Register capability").click()
    expect(page).to_have_url(re.compile(r"/capabilities/pricing$"))
    expect(page.locator("#dependencies")).to_contain_text("Search Engine")
