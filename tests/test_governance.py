"""The impact page and the governance page, over the demo catalog."""

import csv
import io

import pytest

from catalog import seed
from tests.conftest import BACKSTAGE_EXAMPLES


@pytest.fixture
def demo(db):
    seed.seed_demo()


def test_governance_finds_the_seeded_cycle_and_layering_break(client, demo):
    html = client.get("/governance").get_data(as_text=True)
    cycle = html[html.index('id="cycles"'):html.index('id="layering"')]
    assert "coupon-center" in cycle and "promotion-engine" in cycle
    layering = html[html.index('id="layering"'):html.index('id="blast"')]
    assert 'href="/capabilities/search-indexer"' in layering
    assert 'href="/capabilities/product-center"' in layering
    assert layering.count("<tr>") == 2  # the header row and the one break


def test_governance_lists_the_highest_blast_radius(client, demo):
    html = client.get("/governance").get_data(as_text=True)
    blast = html[html.index('id="blast"'):html.index('id="unowned"')]
    assert blast.count('data-label="Dependents"') == 10
    assert 'href="/capabilities/' in blast and "/impact" in blast


def test_governance_lists_unowned_and_unused(client, make, db):
    make.team("trade")
    make.domain("transaction")
    make.capability("lonely", lifecycle="production")
    make.capability("used", lifecycle="production")
    make.capability("user", dependencies=["used"], lifecycle="proposed")
    from catalog.capabilities import get_capability

    orphan = get_capability("user")
    orphan.team = None
    db.session.commit()
    html = client.get("/governance").get_data(as_text=True)
    unowned = html[html.index('id="unowned"'):html.index('id="unused"')]
    assert 'href="/capabilities/user"' in unowned and "lonely" not in unowned
    unused = html[html.index('id="unused"'):]
    assert 'href="/capabilities/lonely"' in unused
    assert 'href="/capabilities/used"' not in unused
    assert 'href="/capabilities/user"' not in unused  # proposed: nobody expects consumers yet


def test_empty_catalog_governance(client, db):
    html = client.get("/governance").get_data(as_text=True)
    assert "No cycles." in html and "No layering breaks." in html


def test_impact_page_lists_businesses_and_teams(client, demo):
    html = client.get("/capabilities/payment-gateway/impact").get_data(as_text=True)
    businesses = html[html.index('id="impact-businesses"'):]
    for name in ("Taobao", "Tmall"):
        assert name in businesses
    assert "Who to notify" in html and "mailto:" in html


def test_impact_page_depth(client, demo):
    everything = client.get("/capabilities/payment-gateway/impact").get_data(as_text=True)
    direct = client.get("/capabilities/payment-gateway/impact?depth=1").get_data(as_text=True)
    assert direct.count('data-label="Distance"') < everything.count('data-label="Distance"')
    assert 'data-label="Distance" class="num">2<' not in direct


def test_impact_page_bad_depth_is_422(client, demo):
    response = client.get("/capabilities/payment-gateway/impact?depth=99")
    assert response.status_code == 422
    assert "Depth must be" in response.get_data(as_text=True)


def test_impact_csv_matches_the_api(client, demo):
    response = client.get("/capabilities/payment-gateway/impact.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    api = client.get("/api/v1/capabilities/payment-gateway/impact").get_json()
    assert [r["slug"] for r in rows if r["kind"] == "capability"] == [c["slug"] for c in api["capabilities"]]
    assert [r["slug"] for r in rows if r["kind"] == "business"] == [b["slug"] for b in api["businesses"]]


def test_impact_of_unknown_capability_is_404(client, db):
    assert client.get("/capabilities/ghost/impact").status_code == 404
    assert client.get("/capabilities/ghost/impact.csv").status_code == 404


def test_governance_lists_the_last_import_warnings(client, runner, db):
    result = runner.invoke(args=["import-backstage", str(BACKSTAGE_EXAMPLES / "catalog-info.yaml")])
    assert result.exit_code == 0, result.output
    html = client.get("/governance").get_data(as_text=True)
    section = html[html.index('id="import"'):]
    assert "component:default/playback-order" in section and "spec.owner" in section
    assert "17 User" in section
