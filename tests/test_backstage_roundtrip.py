"""Backstage out and back: the export is what Backstage accepts and imports back unchanged.

Round trip: import the public example catalog, export, import that export
into an empty portal, export again: the two exports are the same text and
the two catalog graphs are the same graph.
"""


import jsonschema
import networkx as nx
import pytest
import sqlalchemy as sa
import yaml

from catalog import accounts, seed
from catalog.adoptions import adopt
from catalog.backstage import MAX_TEXT_BYTES, UNOWNED, export_catalog, import_catalog, import_text
from catalog.capabilities import add_dependency
from catalog.models import Business, Capability, User
from catalog.schemas import SCHEMAS
from catalog.serialize import capability_detail
from catalog.snapshots import capability_snapshot
from graphs.build import build_graph
from tests.conftest import BACKSTAGE_EXAMPLES as FIXTURE
from tests.conftest import wipe

ENTRY = FIXTURE / "catalog-info.yaml"
RELATIONS = ("owner", "system", "domain", "dependsOn", "providesApis", "consumesApis")


def graph_data(G: nx.DiGraph) -> dict:
    """Node-link data of the catalog graph, in a fixed order and without the revision."""
    data = nx.node_link_data(G, edges="edges")
    data["graph"].pop("revision", None)
    data["nodes"].sort(key=lambda node: node["id"])
    data["edges"].sort(key=lambda edge: (edge["source"], edge["target"]))
    return data


def catalog_rows(db) -> list[dict]:
    """Every capability as the API shows it, minus what a new row cannot keep (dates, versions)."""
    rows = []
    for capability in db.session.scalars(sa.select(Capability).order_by(Capability.slug)):
        row = capability_detail(capability_snapshot(capability), layer=capability.domain.layer,
                                consumers={}, business_reach=0)
        for key in ("created_at", "updated_at", "version", "launched_on", "deprecated_on"):
            row.pop(key)
        # Imports keep text without surrounding blanks (the demo seed writes descriptions
        # ending in a newline straight into the table).
        row["description"] = row["description"].strip()
        rows.append(row)
    return rows


def seed_with_api_links(db) -> None:
    """The demo catalog, plus a dependency and an adoption through an API (consumesApis)."""
    seed.seed_demo()
    capabilities = list(db.session.scalars(sa.select(Capability).order_by(Capability.slug)))
    provider = next(c for c in capabilities if c.apis and c.lifecycle == "production")
    consumer = next(c for c in capabilities if c is not provider and c.lifecycle != "retired"
                    and provider not in [d.provider for d in c.dependencies])
    add_dependency({"consumer": consumer.slug, "provider": provider.slug,
                    "api": provider.apis[0].name, "kind": "async"}, None)
    business = db.session.scalars(sa.select(Business).order_by(Business.slug)).first()
    adopted = {a.capability_id for a in business.adoptions if a.active}
    target = next(c for c in capabilities if c.apis and c.id not in adopted
                  and c.lifecycle != "retired")
    adopt({"business": business.slug, "capability": target.slug, "api": target.apis[0].name,
           "since": "2024-01-01"}, None)


def round_trip(db) -> tuple[str, str]:
    """Export what is in the portal, empty it, import the export, export again."""
    first, graph, rows = export_catalog(), graph_data(build_graph()), catalog_rows(db)
    db.session.remove()
    wipe(db)
    report = import_text(first, name="the first export")
    assert report.ok and report.written, report.errors
    second = export_catalog()
    assert graph_data(build_graph()) == graph
    assert nx.utils.graphs_equal(build_graph(), nx.node_link_graph(
        {**graph, "graph": {"revision": build_graph().graph["revision"]}}, edges="edges"))
    assert catalog_rows(db) == rows
    return first, second


def test_the_example_catalog_round_trips_exactly(db):
    assert import_catalog(ENTRY).ok
    first, second = round_trip(db)
    assert first == second
    assert first.count("\nkind: Component") == 13 and "\nkind: Resource" in first


def test_the_demo_catalog_round_trips_exactly(db):
    """Portal fields Backstage has no place for (tier, SLA, summaries, exact lifecycles,
    dependency kinds, API names with spaces, adoptions through an API) survive as annotations."""
    seed_with_api_links(db)
    first, second = round_trip(db)
    assert first == second
    assert "capability-portal/sla-availability" in first and "capability-portal/api-name" in first


def test_the_export_is_what_backstage_accepts(db):
    seed_with_api_links(db)
    documents = list(yaml.safe_load_all(export_catalog()))
    kinds = {doc["kind"] for doc in documents}
    assert {"Group", "Domain", "System", "Component", "API"} <= kinds
    validator = jsonschema.Draft202012Validator(SCHEMAS["BackstageEntity"])
    names = set()
    for doc in documents:
        validator.validate(doc)
        names_key = (doc["kind"], doc["metadata"]["name"].lower())
        assert names_key not in names, names_key
        names.add(names_key)
        spec = doc["spec"]
        if doc["kind"] in ("Component", "Resource", "API", "System", "Domain"):
            assert spec["owner"].startswith("group:default/")  # required by Backstage
        if doc["kind"] == "Component":
            assert {"type", "lifecycle", "owner"} <= set(spec)
        if doc["kind"] == "API":
            assert spec["definition"] and {"type", "lifecycle", "owner"} <= set(spec)
        if doc["kind"] == "Group":
            assert spec["children"] == [] and spec["type"] == "team"
        for key in set(spec) & set(RELATIONS):
            refs = spec[key] if isinstance(spec[key], list) else [spec[key]]
            assert all(":" in ref and "/" in ref for ref in refs), (doc["metadata"], key)
    components = [doc for doc in documents if doc["kind"] == "Component"]
    assert any("capability-portal/layer" in doc["metadata"]["annotations"] for doc in components)
    assert any(doc["spec"].get("dependsOn") for doc in components)
    assert any(doc["spec"].get("providesApis") for doc in components)
    assert any(doc["spec"].get("consumesApis") for doc in components)


def test_a_capability_without_a_team_keeps_none(db, make):
    make.domain("transaction")
    make.team("trade")
    make.capability("orphan", team="trade")
    capability = db.session.scalar(sa.select(Capability))
    capability.team = None
    db.session.commit()
    text = export_catalog()
    assert f"owner: {UNOWNED}" in text
    db.session.remove()
    wipe(db)
    report = import_text(text)
    assert report.ok and any("dangling owner" in p.message for p in report.warnings)
    assert db.session.scalar(sa.select(Capability)).team is None


def test_an_empty_catalog_exports_nothing(db):
    assert export_catalog() == ""


# -- the command line and the API -----------------------------------------------------------


def test_export_backstage_writes_a_file_or_stdout(runner, make, tmp_path):
    make.team("trade")
    make.domain("transaction")
    make.capability("orders")
    out = tmp_path / "catalog-info.yaml"
    result = runner.invoke(args=["export-backstage", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == export_catalog()
    printed = runner.invoke(args=["export-backstage"])
    assert printed.exit_code == 0 and printed.output == export_catalog()


@pytest.fixture
def architect(db):
    user = User(username="architect", role="architect", password_hash="!")
    db.session.add(user)
    db.session.commit()
    return {"Authorization": f"Bearer {accounts.issue_token(user, 'ci', 'write')}"}


def post_yaml(client, headers, text, query=""):
    return client.post(f"/api/v1/import/backstage{query}", data=text,
                       headers={**headers, "Content-Type": "application/yaml"})


def test_the_api_round_trips_too(client, db, architect):
    seed.seed_demo()
    exported = client.get("/api/v1/export/backstage")
    assert exported.status_code == 200 and exported.mimetype == "application/yaml"
    assert "catalog-info.yaml" in exported.headers["Content-Disposition"]
    graph = graph_data(build_graph())
    db.session.remove()
    wipe(db)
    user = User(username="architect", role="architect", password_hash="!")
    db.session.add(user)
    db.session.commit()
    headers = {"Authorization": f"Bearer {accounts.issue_token(user, 'ci', 'write')}"}
    imported = post_yaml(client, headers, exported.data)
    assert imported.status_code == 201, imported.get_json()
    assert graph_data(build_graph()) == graph
    assert client.get("/api/v1/export/backstage").data == exported.data


def test_a_dry_run_returns_the_plan_and_writes_nothing(client, db, architect, unchanged):
    text = ("apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: trade}\n"
            "spec: {type: team, children: []}\n---\n"
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: orders}\n"
            "spec: {type: service, lifecycle: production, owner: trade}\n")
    unchanged()
    response = post_yaml(client, architect, text, "?dry_run=true")
    assert response.status_code == 200
    report = response.get_json()
    assert report["dry_run"] is True and report["written"] is False
    assert {(p["action"], p["kind"], p["key"]) for p in report["plan"]} >= {
        ("create", "teams", "trade"), ("create", "capabilities", "orders")}
    orders = next(p for p in report["plan"] if p["key"] == "orders")
    assert {"name", "lifecycle", "team", "domain"} <= set(orders["fields"])
    unchanged.check()
    written = post_yaml(client, architect, text)
    assert written.status_code == 201 and written.get_json()["written"] is True
    again = post_yaml(client, architect, text)
    assert again.status_code == 200 and again.get_json()["plan"] == []


def test_a_multipart_upload_imports_the_same(client, db, architect):
    import io

    text = b"apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: trade}\nspec: {}\n"
    response = client.post("/api/v1/import/backstage", headers=architect, data={
        "file": (io.BytesIO(text), "catalog-info.yaml")}, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["source"] == "catalog-info.yaml"


@pytest.mark.parametrize("text, where, message", [
    ("kind: Component\nmetadata: {name: Bad Name}\nspec: {}\n", "metadata.name",
     "cannot be a portal slug"),
    ("a: [1\n", "catalog-info.yaml#0", "Malformed YAML"),
    ("base: &b {kind: Group}\nother: *b\n", "catalog-info.yaml#0", "aliases"),
    ('kind: Group\nmetadata: {name: "x\\0y"}\n', "catalog-info.yaml#0", "NUL"),
    ("kind: Component\nmetadata: {name: orders}\nspec: {dependsOn: [component:ghost]}\n",
     "spec.dependsOn[0]", "Dangling reference"),
])
def test_an_import_with_errors_is_422_with_the_report(client, db, architect, unchanged, text,
                                                       where, message):
    unchanged()
    response = post_yaml(client, architect, text)
    assert response.status_code == 422
    body = response.get_json()
    assert any(where in location and any(message in m for m in messages)
               for location, messages in body["errors"].items()), body["errors"]
    assert body["report"]["ok"] is False and body["report"]["written"] is False
    unchanged.check()


def test_an_upload_over_the_cap_is_413(client, db, architect, unchanged):
    unchanged()
    response = post_yaml(client, architect, "#" * (MAX_TEXT_BYTES + 1))
    assert response.status_code == 413 and "bytes" in response.get_json()["error"]
    unchanged.check()
    too_big = import_text("#" * (MAX_TEXT_BYTES + 1))
    assert not too_big.ok and "at most" in too_big.errors[0].message


def test_importing_is_for_architects_and_admins(db, make):
    from catalog.errors import Forbidden

    make.team("trade")
    contributor = make.user("dev", role="contributor")
    with pytest.raises(Forbidden):
        import_text("kind: Group\nmetadata: {name: x}\n", actor=contributor)
    with pytest.raises(Forbidden):
        import_catalog(ENTRY, actor=contributor, dry_run=True)
