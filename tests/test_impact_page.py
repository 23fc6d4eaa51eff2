"""The impact page: counts first, direct consumers by default, rows in pages, CSV of every row."""

import csv
import io
import re

import pytest

from catalog import seed
from catalog.capabilities import register_capability
from catalog.models import Adoption, Business


@pytest.fixture
def demo(db):
    seed.seed_demo()


@pytest.fixture
def hub(make, db):
    """``queue`` with 120 direct consumers (every fifth async), two owner teams, a business on top."""
    make.trade_and_growth(infrastructure="middleware")
    make.capability("queue", domain="middleware", tier=1)
    for i in range(120):
        register_capability({
            "slug": f"consumer-{i:03d}", "name": f"Consumer {i:03d}", "summary": "Uses the queue.",
            "domain": "transaction", "team": "growth" if i < 30 else "trade",
            "dependencies": [{"provider": "queue", "kind": "async" if i % 5 == 0 else "sync"}],
        }, None)
    shop = make.business("shop", name="Shop")
    db.session.add(Adoption(business=shop, capability_id=_id(db, "consumer-001")))
    db.session.commit()


def _id(db, slug):
    from catalog.capabilities import get_capability
    return get_capability(slug).id


def page_of(client, query=""):
    response = client.get(f"/capabilities/queue/impact{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def rows(html):
    return re.findall(r'<td data-label="Capability"><a href="/capabilities/([a-z0-9-]+)"', html)


def test_direct_consumers_by_default_and_all_levels_on_demand(client, hub):
    html = page_of(client)
    assert "Up to 1 hop away (direct consumers)" in html
    assert "Show all 2 levels" in html
    assert 'id="impact-businesses"' not in html  # the business is two hops away
    everything = page_of(client, "?depth=all")
    assert 'href="/businesses/shop"' in everything and "Show all" not in everything
    assert "Every level: 2 hops deep." in everything


def test_counts_come_first_and_rows_come_in_pages(client, hub):
    html = page_of(client)
    kpis = html[html.index('class="kpis"'):html.index("</section>", html.index('class="kpis"'))]
    assert "<strong>120</strong><span>capabilities hit" in kpis
    assert "<strong>96</strong><span>go down with it (sync)" in kpis
    assert "<strong>24</strong><span>degrade or lag" in kpis
    assert len(rows(html)) == 50 and "1–50 of 120" in html
    last = page_of(client, "?page=3")
    assert len(rows(last)) == 20 and "101–120 of 120" in last
    assert rows(last)[-1] == "consumer-119"
    assert page_of(client, "?page=99").count('data-label="Capability"') == 20  # the last page


def test_teams_are_grouped_with_counts_and_filter_the_list(client, hub):
    html = page_of(client)
    teams = html[html.index('id="impact-teams"'):]
    assert teams.index("Trade") < teams.index("Growth")  # 90 before 30
    assert ">90</a>" in teams and ">30</a>" in teams
    growth = page_of(client, "?team=growth")
    assert set(rows(growth)) == {f"consumer-{i:03d}" for i in range(30)}
    assert "Owned by <strong>Growth</strong>" in growth


def test_sync_and_async_are_listed_apart(client, hub):
    degraded = rows(page_of(client, "?coupling=async"))
    assert degraded == [f"consumer-{i:03d}" for i in range(0, 120, 5)]
    down = page_of(client, "?coupling=sync&page=2")
    assert "51–96 of 96" in down and "consumer-000" not in rows(down)


def test_htmx_gets_the_body_alone(client, hub):
    html = client.get("/capabilities/queue/impact?page=2", headers={"HX-Request": "true"})
    assert "<html" not in html.get_data(as_text=True)
    assert "51–100 of 120" in html.get_data(as_text=True)
    assert "HX-Request" in html.headers["Vary"]


def test_kinds_of_link_limit_the_page(client, hub, db):
    html = page_of(client, "?depth=all&link=adoption")
    assert "No other capability depends on it." in html and 'href="/businesses/shop"' not in html


def test_csv_has_every_row_whatever_the_page(client, hub):
    response = client.get("/capabilities/queue/impact.csv?depth=all&page=3&coupling=async")
    assert response.mimetype == "text/csv"
    found = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len([r for r in found if r["kind"] == "capability"]) == 120
    assert [r["slug"] for r in found if r["kind"] == "business"] == ["shop"]
    api = client.get("/api/v1/capabilities/queue/impact").get_json()
    assert [r["slug"] for r in found if r["kind"] == "capability"] == \
        [c["slug"] for c in api["capabilities"]]
    assert {r["sync"] for r in found} == {"True", "False"}


def test_csv_link_keeps_depth_and_links(client, hub):
    html = page_of(client, "?depth=all&link=depends-on&page=2")
    link = re.search(r'href="(/capabilities/queue/impact\.csv[^"]*)"', html).group(1)
    assert "depth=all" in link and "link=depends-on" in link and "page" not in link


@pytest.mark.parametrize("query, field", [
    ("?depth=99", "depth"), ("?depth=x", "depth"), ("?link=calls", "link"),
    ("?page=0", "page"), ("?teams_page=x", "teams_page"), ("?coupling=maybe", "coupling"),
    ("?team=%3Cscript%3E", "team"),
])
def test_bad_parameters_name_the_field(client, hub, query, field):
    response = client.get(f"/capabilities/queue/impact{query}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field in html and "<script>" not in html


def test_unknown_capability_is_404(client, db):
    assert client.get("/capabilities/ghost/impact").status_code == 404
    assert client.get("/capabilities/ghost/impact.csv").status_code == 404


def test_hostile_names_are_escaped(client, hub, make):
    register_capability({"slug": "evil", "name": '<img src=x onerror="alert(1)">',
                         "summary": "x", "domain": "transaction", "team": "trade",
                         "dependencies": ["queue"]}, None)
    html = page_of(client, "?depth=all&coupling=sync&page=2")
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_demo_impact_lists_the_businesses_the_api_lists(client, demo):
    html = client.get("/capabilities/payment-gateway/impact?depth=all").get_data(as_text=True)
    api = client.get("/api/v1/capabilities/payment-gateway/impact").get_json()
    listed = re.findall(r'href="/businesses/([a-z0-9-]+)"', html[html.index('id="impact-businesses"'):
                                                                 html.index('id="notify-heading"')])
    assert listed == [b["slug"] for b in api["businesses"]]
    assert Business.query.count() >= len(listed)


def test_the_default_page_offers_every_level_as_csv(client, hub):
    html = page_of(client)
    assert "Download every row (all 2 levels) as CSV" in html
    link = re.search(r'href="(/capabilities/queue/impact\.csv[^"]*)"', html).group(1)
    found = list(csv.DictReader(io.StringIO(client.get(link).get_data(as_text=True))))
    assert [r["slug"] for r in found if r["kind"] == "business"] == ["shop"]
    two = client.get("/capabilities/queue/impact.csv?depth=1").get_data(as_text=True)
    assert "business,shop" not in two
