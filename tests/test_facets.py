"""Facet counts as JSON: the browse page's counts, for tools (Backstage's /entities/facets)."""

import pytest


@pytest.fixture
def catalog(make, db):
    make.trade_and_growth(infrastructure="middleware")
    make.capability("orders", lifecycle="production", tier=1, tags=["checkout"])
    make.capability("carts", lifecycle="production", tags=["checkout"])
    make.capability("coupons", team="growth", lifecycle="proposed", tags=["promotions"])
    make.capability("queue", domain="middleware", lifecycle="production", tier=1)


def test_every_facet_by_default(client, catalog):
    body = client.get("/api/v1/facets").get_json()
    assert body["total"] == 4
    assert set(body["facets"]) == {"domain", "layer", "team", "lifecycle", "tier", "tag"}
    assert body["facets"]["team"] == [{"value": "growth", "label": "Growth", "count": 1},
                                      {"value": "trade", "label": "Trade", "count": 3}]
    assert body["facets"]["tier"] == [{"value": "1", "label": "Tier 1", "count": 2},
                                      {"value": "3", "label": "Tier 3", "count": 2}]
    assert {"value": "checkout", "label": "checkout", "count": 2} in body["facets"]["tag"]


def test_one_facet_with_the_browse_filters(client, catalog):
    body = client.get("/api/v1/facets?facet=team&lifecycle=production").get_json()
    assert body == {"total": 3, "facets": {"team": [
        {"value": "trade", "label": "Trade", "count": 3}]}}
    # a facet ignores its own filter, as on the browse page
    own = client.get("/api/v1/facets?facet=team&team=growth").get_json()
    assert own["total"] == 1 and len(own["facets"]["team"]) == 2


@pytest.mark.parametrize("filters", ["", "&lifecycle=production", "&q=c", "&team=trade&tier=1"])
@pytest.mark.parametrize("name", ["domain", "layer", "team", "lifecycle"])
def test_one_facet_alone_counts_as_all_facets_together(client, catalog, name, filters):
    alone = client.get(f"/api/v1/facets?facet={name}{filters}").get_json()  # its own GROUP BY
    together = client.get(f"/api/v1/facets?{filters[1:]}").get_json()  # one GROUP BY for all
    assert alone["facets"][name] == together["facets"][name]
    assert alone["total"] == together["total"]
    assert all(row["count"] > 0 for row in alone["facets"][name])


def test_counts_match_the_browse_page(client, catalog):
    api = client.get("/api/v1/facets?q=c&facet=domain&facet=lifecycle").get_json()
    html = client.get("/capabilities?q=c").get_data(as_text=True)
    for rows in api["facets"].values():
        for row in rows:
            assert f'value="{row["value"]}" >{row["label"]} ({row["count"]})' in html or \
                f'>{row["label"]} ({row["count"]})</option>' in html


@pytest.mark.parametrize("query, field", [("?facet=owner", "facet"), ("?layer=moon", "layer"),
                                          ("?q=" + "x" * 201, "q")])
def test_bad_parameters_are_422(client, catalog, query, field):
    response = client.get(f"/api/v1/facets{query}")
    assert response.status_code == 422 and field in response.get_json()["errors"]
