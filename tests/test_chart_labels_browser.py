"""Names with markup are text in every chart (plotly reads a little HTML in labels).

Regression: a business named ``<a href=...>`` became a link in the /delivery and
/reuse charts. Names are escaped where the figures are built (graphs/labels.py);
here Chromium draws them and nothing but text comes out.
"""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from catalog import history
from catalog.models import Business, Capability
from catalog.seed import seed_demo

pytestmark = pytest.mark.browser

HOSTILE = '<a href="https://evil.example/">Shop</a>'


@pytest.fixture
def hostile(live_server, db, page_errors):
    """The demo catalog, with Taobao and the most reused capability renamed to markup."""
    seed_demo()
    db.session.execute(sa.update(Business).where(Business.slug == "taobao").values(name=HOSTILE))
    db.session.execute(sa.update(Capability).where(Capability.slug == "payment-gateway")
                       .values(name=HOSTILE + " pay"))
    history.bump_revision()  # cached graphs and reports are per catalog revision
    db.session.commit()
    return live_server


def assert_drawn_as_text(page, count):
    page.wait_for_function(f"() => window.__plots >= {count}")
    svg = page.locator(".main-svg")
    expect(svg.first).to_be_attached()
    assert page.locator('svg a, svg [href*="evil.example"]').count() == 0
    texts = " ".join(page.locator("svg text").all_text_contents())
    assert '<a href="https://evi' in texts, texts[:2000]  # long labels are cut with …


def test_delivery_charts_show_the_markup_as_text(hostile, page):
    page.goto(f"{hostile}/delivery")
    assert_drawn_as_text(page, 3)


def test_reuse_charts_and_grid_show_the_markup_as_text(hostile, page):
    page.goto(f"{hostile}/reuse")
    assert_drawn_as_text(page, 2)
    assert page.locator('a[href*="evil.example"]').count() == 0
    expect(page.locator("table").get_by_text(HOSTILE).first).to_be_visible()


def test_the_graph_shows_the_markup_as_text(hostile, page):
    page.goto(f"{hostile}/graph")
    assert_drawn_as_text(page, 1)
