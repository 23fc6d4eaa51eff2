"""The governance page: every section filtered, paged and exported the same way."""

import csv
import io
import re

import pytest

from catalog import seed
from catalog.capabilities import register_capability
from tests.conftest import BACKSTAGE_EXAMPLES


@pytest.fixture
def demo(db):
    seed.seed_demo()


def section(html, key):
    start = html.index(f'id="section-{key}"')
    return html[start:html.index("</section>", start)]


def test_governance_finds_the_seeded_cycle_and_layering_break(client, demo):
    html = client.get("/governance").get_data(as_text=True)
    cycle = section(html, "cycles")
    assert "coupon-center" in cycle and "promotion-engine" in cycle
    layering = section(html, "layering")
    assert 'href="/capabilities/search-indexer"' in layering
    assert 'href="/capabilities/product-center"' in layering
    assert layering.count("<tr>") == 2  # the header row and the one break


def test_governance_lists_the_highest_blast_radius(client, demo):
    blast = section(client.get("/governance").get_data(as_text=True), "blast")
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
    unowned = section(html, "unowned")
    assert 'href="/capabilities/user"' in unowned and "lonely" not in unowned
    unused = section(html, "unused")
    assert 'href="/capabilities/lonely"' in unused
    assert 'href="/capabilities/used"' not in unused
    assert 'href="/capabilities/user"' not in unused  # proposed: nobody expects consumers yet


def test_empty_catalog_governance(client, db):
    html = client.get("/governance").get_data(as_text=True)
    assert "No cycles." in html and "No layering breaks." in html


@pytest.fixture
def many_unused(make, db):
    """45 live capabilities nobody uses: 30 of team trade, 15 of team growth (deprecated)."""
    make.trade_and_growth("middleware")
    for i in range(45):
        register_capability({"slug": f"idle-{i:02d}", "name": f"Idle {i:02d}", "summary": "x",
                             "domain": "middleware" if i % 3 == 0 else "transaction",
                             "team": "growth" if i >= 30 else "trade",
                             "lifecycle": "deprecated" if i >= 30 else "production"}, None)


def names(html):
    return re.findall(r'<a href="/capabilities/(idle-\d+)">', html)


def test_sections_come_in_pages(client, many_unused):
    unused = section(client.get("/governance").get_data(as_text=True), "unused")
    assert len(names(unused)) == 20 and "1–20 of 45" in unused
    last = client.get("/governance/unused?page=3", headers={"HX-Request": "true"})
    html = last.get_data(as_text=True)
    assert "<html" not in html and names(html) == [f"idle-{i:02d}" for i in range(40, 45)]
    assert "<html" in client.get("/governance/unused?page=3").get_data(as_text=True)


def test_sections_filter_with_counts_and_search(client, many_unused):
    html = client.get("/governance/unused?team=growth").get_data(as_text=True)
    assert len(names(html)) == 15 and "(15 of 45)" in html
    assert re.search(r'<option value="growth" selected>Growth \(15\)</option>', html)
    assert re.search(r'<option value="trade" >Trade \(30\)</option>', html)  # counts ignore their own filter
    layer = client.get("/governance/unused?layer=infrastructure&lifecycle=deprecated")
    assert names(layer.get_data(as_text=True)) == ["idle-30", "idle-33", "idle-36", "idle-39",
                                                   "idle-42"]
    assert names(client.get("/governance/unused?q=idle+07").get_data(as_text=True)) == ["idle-07"]
    assert "Nothing matches these filters." in client.get(
        "/governance/unused?team=nobody").get_data(as_text=True)


def test_sections_export_every_filtered_row(client, many_unused):
    response = client.get("/governance/unused.csv?team=trade&page=2")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 30 and rows[0] == {"Capability": "idle-00", "Layer": "infrastructure",
                                           "Lifecycle": "production", "Owner team": "trade"}
    html = client.get("/governance/unused?team=trade").get_data(as_text=True)
    assert 'href="/governance/unused.csv?team=trade"' in html


@pytest.mark.parametrize("query, field", [("?page=0", "page"), ("?q=" + "x" * 201, "q"),
                                          ("?team=" + "x" * 101, "team")])
def test_bad_parameters_name_the_field(client, many_unused, query, field):
    response = client.get(f"/governance/unused{query}")
    assert response.status_code == 422 and field in response.get_data(as_text=True)


def test_unknown_section_is_404(client, db):
    assert client.get("/governance/secrets").status_code == 404
    assert client.get("/governance/secrets.csv").status_code == 404


def test_hostile_search_text_is_escaped(client, many_unused):
    html = client.get('/governance/unused?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E')
    assert "<script>alert(1)" not in html.get_data(as_text=True)


def test_governance_lists_the_last_import_warnings(client, runner, db):
    result = runner.invoke(args=["import-backstage", str(BACKSTAGE_EXAMPLES / "catalog-info.yaml")])
    assert result.exit_code == 0, result.output
    html = client.get("/governance").get_data(as_text=True)
    assert "17 User" in html[html.index('id="import"'):]
    warnings = section(html, "import")
    assert "component:default/playback-order" in warnings and "spec.owner" in warnings
    found = client.get("/governance/import?q=playback-order").get_data(as_text=True)
    assert found.count("<code>") == 1


def test_exported_cells_cannot_run_in_a_spreadsheet():
    from portal.listing import Column, Listing

    listing = Listing("notes", "Notes", (Column("Warning", "warning", "code"),))
    out = listing.csv([{"warning": "=HYPERLINK(\"http://evil\")"}, {"warning": "fine"}], {})
    assert out.splitlines()[1:] == ["\"'=HYPERLINK(\"\"http://evil\"\")\"", "fine"]
