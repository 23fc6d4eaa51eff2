"""Team and domain pages list their capabilities in pages, with links to filter and export."""

import csv
import io
import re

import pytest

from catalog.capabilities import register_capability


@pytest.fixture
def big_team(make, db):
    make.team("trade", name="Trade")
    make.domain("transaction")
    for i in range(45):
        register_capability({"slug": f"svc-{i:02d}", "name": f"Svc {i:02d}", "summary": "x",
                             "domain": "transaction", "team": "trade"}, None)


def listed(html):
    return re.findall(r'<a href="/capabilities/(svc-\d+)"><strong>', html)


@pytest.mark.parametrize("path", ["/teams/trade", "/domains/transaction"])
def test_pages_of_capabilities(client, big_team, path):
    html = client.get(path).get_data(as_text=True)
    assert listed(html) == [f"svc-{i:02d}" for i in range(20)] and "1–20 of 45" in html
    last = client.get(f"{path}?page=3", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in last and listed(last) == [f"svc-{i:02d}" for i in range(40, 45)]
    assert client.get(f"{path}?page=x").status_code == 422


def test_export_has_every_row_with_the_browse_filters(client, big_team):
    html = client.get("/teams/trade").get_data(as_text=True)
    assert 'href="/capabilities/export.csv?team=trade"' in html
    rows = list(csv.DictReader(io.StringIO(
        client.get("/capabilities/export.csv?team=trade").get_data(as_text=True))))
    assert len(rows) == 45 and rows[0]["slug"] == "svc-00" and rows[0]["layer"] == "business-platform"
    assert client.get("/capabilities/export.csv?layer=moon").status_code == 422
