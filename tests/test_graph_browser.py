"""The graph page in Chromium: drawing, redrawing without a reload, clicks, the table.

The demo_site catalog is seeded before each test; the live server reads the same
database. ``window.__plots`` counts plotly_afterplot events (static/js/graph.js).
"""

import re

import pytest
from playwright.sync_api import expect

from catalog.seed import seed_demo
from tests.conftest import back_in_place, drawn

pytestmark = pytest.mark.browser

# Label boxes in the page, and the pairs of them that overlap.
OVERLAPS = """() => {
  const boxes = [...document.querySelectorAll('#graph-plot .textpoint text')]
    .filter(t => t.textContent)
    .map(t => { const r = t.getBoundingClientRect();
                return [t.textContent, r.left, r.top, r.right, r.bottom]; });
  const bad = [];
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach(b => {
    if (a[1] < b[3] && b[1] < a[3] && a[2] < b[4] && b[2] < a[4]) bad.push([a[0], b[0]]);
  }));
  return {labels: boxes.length, overlaps: bad};
}"""

# The viewport position of the node whose hover text starts with <b>NAME</b>.
NODE_POSITION = """(name) => {
  const gd = document.getElementById('graph-plot');
  const box = gd.getBoundingClientRect();
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  for (const trace of gd.data) {
    if (!trace.customdata || !trace.hovertext) continue;
    const i = trace.hovertext.findIndex(h => h.startsWith('<b>' + name + '</b>'));
    if (i >= 0) return {x: box.left + xa._offset + xa.l2p(trace.x[i]),
                        y: box.top + ya._offset + ya.l2p(trace.y[i])};
  }
  return null;
}"""


def click_node(page, name, *, holding=None):
    """Click the node called ``name`` with the mouse (holding a key, e.g. "Shift")."""
    position = page.evaluate(NODE_POSITION, name)
    assert position, f"no node {name!r} on the picture"
    page.evaluate("y => window.scrollBy(0, y - window.innerHeight / 2)", position["y"])
    position = page.evaluate(NODE_POSITION, name)
    page.mouse.move(position["x"], position["y"])
    if holding:
        page.keyboard.down(holding)
    page.mouse.click(position["x"], position["y"])
    if holding:
        page.keyboard.up(holding)


def test_figure_redraws_on_a_filter_without_reloading(demo_site, page):
    page.goto(f"{demo_site}/graph")
    before = drawn(page)
    expect(page.locator("#graph-summary")).to_have_text("101 nodes and 431 edges shown.")
    assert page.evaluate(OVERLAPS)["overlaps"] == []
    page.evaluate("window.__sameDocument = true")

    page.select_option("select[name=domain]", "transaction")
    drawn(page, before + 1)
    expect(page).to_have_url(re.compile(r"/graph\?domain=transaction$"))
    expect(page.locator("#graph-summary")).to_contain_text("hidden by the focus, depth or filters")
    assert page.evaluate("window.__sameDocument") is True
    dashed = page.evaluate("document.getElementById('graph-plot').data"
                           ".filter(t => t.line && t.line.dash === 'dash').length")
    assert dashed == 1  # indirect edges through the hidden domains

    back_in_place(page, r"/graph$", domain="")
    expect(page.locator("#graph-summary")).to_have_text("101 nodes and 431 edges shown.")


def test_a_shared_url_draws_the_same_view(demo_site, page):
    page.goto(f"{demo_site}/graph?focus=capability:order-center&depth=1&direction=up")
    drawn(page)
    expect(page.locator("input[name=focus]")).to_have_value("capability:order-center")
    expect(page.locator("select[name=direction]")).to_have_value("up")
    names = page.evaluate("document.getElementById('graph-plot').data"
                          ".filter(t => t.customdata).flatMap(t => t.text || [])")
    assert "Order Center" in names and "Member Account" not in names


def test_click_selects_a_node_shows_its_blast_radius_and_focuses(demo_site, page):
    page.goto(f"{demo_site}/graph")
    before = drawn(page)
    click_node(page, "Order Center")
    panel = page.locator("#graph-panel")
    expect(panel).to_be_visible()
    expect(panel.locator("h2")).to_have_text("Order Center")
    expect(panel).to_contain_text("owner Transaction Platform")
    expect(panel).to_contain_text("Blast radius in this view:")
    blast = page.evaluate("document.getElementById('graph-plot').data"
                          ".filter(t => t.name === 'Blast radius')[0].x.length")
    assert blast > 0
    faded = page.evaluate("document.getElementById('graph-plot').data.filter(t => t.customdata)"
                          ".flatMap(t => t.marker.opacity).filter(o => o < 1).length")
    assert 0 < faded < 100
    expect(panel.locator("a.graph-open")).to_have_attribute("href", "/capabilities/order-center")

    plots = page.evaluate("window.__plots")
    panel.get_by_role("button", name="Focus here").click()
    drawn(page, plots + 1)
    expect(page).to_have_url(re.compile(r"focus=capability(%3A|:)order-center"))
    expect(page.locator("input[name=focus]")).to_have_value("capability:order-center")
    assert page.evaluate("window.__plots") > before


def test_shift_click_opens_the_node_page(demo_site, page):
    page.goto(f"{demo_site}/graph")
    drawn(page)
    with page.expect_navigation():
        click_node(page, "Taobao", holding="Shift")
    expect(page).to_have_url(re.compile(r"/businesses/taobao$"))


def test_a_domain_node_opens_that_domain(demo_site, page):
    page.goto(f"{demo_site}/graph?aggregate=domain")
    before = drawn(page)
    click_node(page, "Settlement")
    drawn(page, before + 1)
    expect(page).to_have_url(re.compile(r"/graph\?domain=settlement$"))
    expect(page.locator("input[name=aggregate]")).not_to_be_checked()


def test_the_table_lists_the_edges_and_follows_the_filters(demo_site, page):
    page.goto(f"{demo_site}/graph")
    before = drawn(page)
    page.locator("#graph-table-details summary").click()
    rows = page.locator("#graph-table tbody tr")
    expect(rows).to_have_count(100)
    expect(page.locator("#graph-table .pager span")).to_have_text("1–100 of 431")
    expect(page.locator("#graph-table")).to_contain_text("Order Center")
    page.locator("#graph-table").get_by_role("link", name="Next →").click()
    expect(page.locator("#graph-table .pager span")).to_have_text("101–200 of 431")
    expect(rows).to_have_count(100)
    page.select_option("select[name=lifecycle]", "deprecated")
    drawn(page, before + 1)
    expect(page.locator("#graph-table")).to_contain_text("indirect, via")
    count = page.evaluate("document.getElementById('graph-plot').data"
                          ".filter(t => t.mode === 'lines').reduce((n, t) => n + "
                          "t.x.filter(v => v === null).length, 0)")
    expect(rows).to_have_count(count)


@pytest.mark.parametrize("width, path, labels", [
    (390, "/graph", 40),
    (1920, "/graph?focus=capability:order-center", 40),
    (1280, "/graph?aggregate=domain", 25),  # every domain and business
])
def test_labels_do_not_overlap(demo_site, page, width, path, labels):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{demo_site}{path}")
    drawn(page)
    found = page.evaluate(OVERLAPS)
    assert found["overlaps"] == [] and found["labels"] >= labels


def test_without_javascript_the_form_and_the_table_still_work(live_server, db, browser):
    seed_demo()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/graph")
    expect(page.locator("noscript").first).to_be_attached()
    page.select_option("select[name=domain]", "transaction")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"domain=transaction"))
    expect(page.locator("#graph-summary")).to_contain_text("hidden by the focus, depth or filters")
    page.locator("#graph-table-details summary").click()
    expect(page.locator("#graph-table tbody tr").first).to_be_visible()
    expect(page.locator("#graph-table")).to_contain_text("indirect, via")
    context.close()


def test_the_impact_page_lists_the_businesses_hit(demo_site, page):
    """From a capability page to its impact: the businesses listed are those the graph says."""
    from graphs.cache import reach

    direct = [b["name"] for b in reach("youku-membership", depth=1)["businesses"]]
    everything = [b["name"] for b in reach("youku-membership")["businesses"]]
    assert "Taobao" in everything  # Youku VIP used as a Taobao marketing perk
    page.goto(f"{demo_site}/capabilities/youku-membership")
    page.get_by_role("button", name="Impact").click()
    expect(page).to_have_url(re.compile(r"/capabilities/youku-membership/impact$"))
    expect(page.locator("#impact-businesses li a")).to_have_text(direct)
    page.select_option("select[name=depth]", "all")
    expect(page).to_have_url(re.compile(r"depth=all"))
    expect(page.locator("#impact-businesses li a")).to_have_text(everything)


def test_the_picture_comes_before_plotly_and_plotly_replaces_it(demo_site, page):
    """While plotly.js (4.8 MB) is on its way, the figure is already drawn as a still SVG."""
    held = []
    page.route("**/plotly.min.js*", lambda route: held.append(route))  # answered below
    page.goto(f"{demo_site}/graph?focus=capability:order-center&depth=1")
    preview = page.locator("#graph-plot svg.graph-preview")
    expect(preview.locator("text", has_text="Order Center")).to_have_count(1)
    expect(preview.locator("text", has_text="Reviews & Ratings")).to_have_count(1)  # not &amp;
    assert page.evaluate("window.__plots") == 0
    for route in held:
        route.continue_()
    assert drawn(page) >= 1
    expect(preview).to_have_count(0)
    expect(page.locator("#graph-plot .main-svg").first).to_be_visible()
