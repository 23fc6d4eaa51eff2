"""The focus graph in Chromium: groups open on click, the neighbour list follows, by keyboard too."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import drawn
from tests.test_focus_view import small_focus  # noqa: F401 (the fixture)
from tests.test_graph_browser import NODE_POSITION, click_node
from tests.test_impact_page import hub  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser

NODES = ("document.getElementById('graph-plot').data.filter(t => t.customdata)"
         ".reduce((n, t) => n + t.customdata.length, 0)")


def test_a_group_opens_on_click_and_the_list_follows(live_server, hub, small_focus, page,  # noqa: F811
                                                     page_errors):
    page.goto(f"{live_server}/graph?focus=queue&depth=1")
    before = drawn(page)
    assert page.evaluate(NODES) <= 100
    expect(page.locator("#graph-message")).to_contain_text("folded into 1 groups")
    group = page.evaluate("""() => document.getElementById('graph-plot').data
        .flatMap(t => t.hovertext || []).find(h => h.startsWith('<b>+'))""")
    name = re.match(r"<b>(.*?)</b>", group).group(1)
    folded = int(name[1:].split()[0])
    assert page.evaluate(NODE_POSITION, name)

    click_node(page, name)
    drawn(page, before + 1)
    expect(page).to_have_url(re.compile(r"expand=group(%3A|:)up(%3A|:)transaction"))
    assert page.evaluate(NODES) <= 100
    expect(page.locator("#graph-message")).not_to_contain_text(f"+{folded} ")
    # the neighbour list beside the drawing lists what the drawing shows
    expect(page.locator("#graph-neighbours .neighbour-list li")).to_have_count(
        page.evaluate(NODES) - 1)


def test_the_neighbour_list_works_by_keyboard(live_server, hub, small_focus, page):  # noqa: F811
    page.goto(f"{live_server}/graph?focus=queue&depth=1")
    before = drawn(page)
    first = page.locator("#graph-neighbours .neighbour-list a").first
    first.focus()
    expect(first).to_be_focused()
    page.keyboard.press("Enter")
    drawn(page, before + 1)
    expect(page).to_have_url(re.compile(r"focus=capability(%3A|:)consumer-000"))
    expect(page.locator("#graph-neighbours h2")).to_have_text("Consumer 000")


def test_focus_by_name_with_suggestions(live_server, hub, page):  # noqa: F811
    page.goto(f"{live_server}/graph")
    drawn(page)
    field = page.locator("input[name=focus]")
    field.fill("consumer 11")
    expect(page.locator("#graph-nodes option")).to_have_count(10)
    field.fill("Consumer 110")
    field.press("Enter")
    expect(page).to_have_url(re.compile(r"focus=Consumer\+110"))
    expect(page.locator("#graph-neighbours h2")).to_have_text("Consumer 110")


def test_no_share_to_an_outside_cloud_in_the_toolbar(live_server, hub, page):  # noqa: F811
    page.goto(f"{live_server}/graph?focus=queue")
    drawn(page)
    page.hover("#graph-plot")
    titles = page.evaluate("[...document.querySelectorAll('.modebar-btn')].map(b => "
                           "b.getAttribute('data-title'))")
    assert "Pan" in titles
    assert not [t for t in titles if any(word in t.lower() for word in ("share", "cloud", "studio"))]
