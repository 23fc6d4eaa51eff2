"""The tier facet on browse: a filter, counts that ignore their own filter, the same in the API."""

import pytest


@pytest.fixture
def tiers(make, db):
    make.team("trade")
    make.domain("transaction")
    make.capability("pay", tier=1)
    make.capability("order", tier=1)
    make.capability("cart", tier=2)
    make.capability("notes", tier=3)


def test_browse_filters_by_tier_and_counts_every_tier(client, tiers):
    html = client.get("/capabilities?tier=1").get_data(as_text=True)
    assert 'href="/capabilities/pay"' in html and 'href="/capabilities/order"' in html
    assert 'href="/capabilities/cart"' not in html
    assert '<option value="1" selected>Tier 1 (2)</option>' in html
    assert "Tier 2 (1)" in html and "Tier 3 (1)" in html


def test_api_list_and_facets_take_the_tier(client, tiers):
    body = client.get("/api/v1/capabilities?tier=2").get_json()
    assert [c["slug"] for c in body["items"]] == ["cart"] and body["total"] == 1
    facets = client.get("/api/v1/facets?tier=1&facet=tier&facet=team").get_json()
    assert facets["total"] == 2
    assert {row["value"]: row["count"] for row in facets["facets"]["tier"]} == {
        "1": 2, "2": 1, "3": 1}
    assert facets["facets"]["team"][0]["count"] == 2


@pytest.mark.parametrize("tier", ["0", "4", "x", "1.0"])
def test_a_bad_tier_is_422_naming_it(client, tiers, tier):
    response = client.get(f"/api/v1/capabilities?tier={tier}")
    assert response.status_code == 422 and "tier" in response.get_json()["errors"]


def test_csv_export_takes_the_tier(client, tiers):
    rows = client.get("/capabilities/export.csv?tier=3").get_data(as_text=True).splitlines()
    assert len(rows) == 2 and rows[1].startswith("notes,")
