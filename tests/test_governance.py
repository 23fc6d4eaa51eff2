"""The governance page, over the demo catalog."""

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


def test_governance_lists_the_last_import_warnings(client, runner, db):
    result = runner.invoke(args=["import-backstage", str(BACKSTAGE_EXAMPLES / "catalog-info.yaml")])
    assert result.exit_code == 0, result.output
    html = client.get("/governance").get_data(as_text=True)
    section = html[html.index('id="import"'):]
    assert "component:default/playback-order" in section and "spec.owner" in section
    assert "17 User" in section
