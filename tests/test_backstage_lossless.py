"""A round trip through Backstage descriptors that loses nothing, both ways.

The portal's own data travels as annotations and ``spec.adoptions`` (demo ->
export -> import into an empty database -> every capability, adoption and
metric equal); what a Backstage catalog has that the portal does not map
travels back unchanged (Backstage's example catalog -> import -> export ->
every descriptor as it was read); Location globs, folder trees and per-file
reports.
"""

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from catalog import seed
from catalog.adoptions import adopt, end_adoption
from catalog.backstage import export_catalog, import_catalog, import_text
from catalog.backstage.descriptors import BackstageDescriptor
from catalog.backstage.parse import json_data
from catalog.capabilities import add_dependency, get_capability, update_capability
from catalog.deliveries import export_deliveries_csv, import_deliveries_csv
from catalog.errors import ValidationFailed
from catalog.metrics import delivery_metrics
from catalog.models import Adoption, Business, Capability, Dependency, Domain, Team
from catalog.serialize import capability_detail
from catalog.snapshots import capability_snapshot
from graphs.metrics import reuse_matrix, reuse_metrics, reuse_over_time
from tests.conftest import BACKSTAGE_EXAMPLES, wipe

ENTRY = BACKSTAGE_EXAMPLES / "catalog-info.yaml"
#: Record-keeping a new row cannot keep (it is new), not catalog data.
RECORD_FIELDS = ("created_at", "updated_at", "version")


def portal_state(db) -> dict:
    """Everything the catalog holds and every reuse metric, in a fixed order."""
    capabilities = []
    for capability in db.session.scalars(sa.select(Capability).order_by(Capability.slug)):
        row = capability_detail(capability_snapshot(capability), layer=capability.domain.layer,
                                consumers={}, business_reach=0)
        for key in RECORD_FIELDS:
            row.pop(key)
        row["description"] = row["description"].strip()  # the seed ends some with a newline
        capabilities.append(row)
    return {
        "capabilities": capabilities,
        "teams": sorted((t.slug, t.name, t.kind, t.contact, t.description.strip())
                        for t in db.session.scalars(sa.select(Team))),
        "domains": sorted((d.slug, d.name, d.layer, d.description.strip())
                          for d in db.session.scalars(sa.select(Domain))),
        "businesses": sorted((b.slug, b.name, b.description.strip(), b.status,
                              b.team.slug if b.team else None)
                             for b in db.session.scalars(sa.select(Business))),
        "adoptions": sorted((a.business.slug, a.capability.slug, a.api.name if a.api else "",
                             a.since, a.until or dt.date.max, a.purpose)
                            for a in db.session.scalars(sa.select(Adoption))),
        "dependencies": sorted((d.consumer.slug, d.provider.slug, d.api.name if d.api else "",
                                d.kind, d.since)
                               for d in db.session.scalars(sa.select(Dependency))),
        "reuse": reuse_metrics(top=1000),
        "reuse_over_time": reuse_over_time(quarters=40),
        "matrix": reuse_matrix(top=1000),
    }


def lead_time_figures() -> dict:
    """Every delivery metric, without the row ids a new database gives out afresh."""
    figures = delivery_metrics()
    for delivery in figures["open"]["slowest"]:
        delivery.pop("id")
    return figures


def with_history(db) -> None:
    """The demo, plus what only a lossless trip keeps: an adoption ended and taken up again,
    an adoption and a dependency through an API, dates on a capability."""
    seed.seed_demo()
    adoption = db.session.scalars(sa.select(Adoption).where(Adoption.until.is_(None))
                                  .order_by(Adoption.id)).first()
    business, capability = adoption.business.slug, adoption.capability.slug
    end_adoption(adoption.id, "2025-06-30")
    adopt({"business": business, "capability": capability, "since": "2025-09-01",
           "purpose": "Back again, after the pilot"}, None)
    provider = next(c for c in db.session.scalars(sa.select(Capability).order_by(Capability.slug))
                    if c.apis and c.lifecycle == "production")
    consumer = next(c for c in db.session.scalars(sa.select(Capability).order_by(Capability.slug))
                    if c is not provider and c.lifecycle != "retired"
                    and provider not in [d.provider for d in c.dependencies])
    add_dependency({"consumer": consumer.slug, "provider": provider.slug,
                    "api": provider.apis[0].name, "kind": "async"}, None)
    adopt({"business": business, "capability": provider.slug, "api": provider.apis[0].name,
           "since": "2024-02-29", "purpose": "Through its API"}, None)
    update_capability(get_capability(consumer.slug), {"launched_on": "2021-03-01",
                                                      "deprecated_on": "2026-01-15"}, None)


def test_the_demo_round_trips_with_every_date_adoption_and_metric(db):
    with_history(db)
    before, text = portal_state(db), export_catalog()
    deliveries, lead_times = export_deliveries_csv(), lead_time_figures()
    assert any(quarter["reuse_rate"] for quarter in before["reuse_over_time"][:-1])
    assert any(until != dt.date.max for *_, until, _ in before["adoptions"])
    db.session.remove()
    wipe(db)
    report = import_text(text)
    assert report.ok and report.written, report.errors
    assert import_deliveries_csv(deliveries).ok
    after = portal_state(db)
    for key in before:
        assert after[key] == before[key], key
    assert lead_time_figures() == lead_times
    assert export_catalog() == text


def test_adoptions_travel_in_spec_with_their_dates_and_purpose(db):
    with_history(db)
    documents = list(yaml.safe_load_all(export_catalog()))
    ended = next(item for doc in documents if doc["spec"].get("adoptions")
                 for item in doc["spec"]["adoptions"] if item.get("until"))
    assert ended["until"] == "2025-06-30" and ended["since"] and ended["capability"]
    business = next(doc for doc in documents if ended in doc["spec"].get("adoptions", []))
    again = [item for item in business["spec"]["adoptions"]
             if item["capability"] == ended["capability"]]
    assert [item.get("until") for item in again] == ["2025-06-30", None]
    assert again[1]["purpose"] == "Back again, after the pilot"
    # Backstage sees the adoptions in use as relations; the ended one is not among them.
    assert business["spec"]["dependsOn"].count(ended["capability"]) == 1


# -- what the portal does not map comes back unchanged -------------------------------------


def descriptors_of(folder: Path) -> list[dict]:
    documents = []
    for file in sorted(folder.rglob("*.yaml")):
        documents += [json_data(doc) for doc in yaml.safe_load_all(file.read_text())
                      if isinstance(doc, dict) and "kind" in doc]
    return documents


def ref(entity: dict) -> tuple:
    metadata = entity["metadata"]
    return entity["kind"], metadata.get("namespace", "default"), metadata["name"]


def test_the_example_catalog_comes_back_unchanged(db):
    """Users, Systems, Locations and their targets, group trees and members, labels, links,
    annotations, subcomponentOf, APIs no component provides: every descriptor as it was read."""
    originals = descriptors_of(BACKSTAGE_EXAMPLES)
    assert import_catalog(ENTRY).ok
    exported = {ref(entity): entity for entity in yaml.safe_load_all(export_catalog())}
    assert len(originals) == 64
    for original in originals:
        entity = exported[ref(original)]
        annotations = entity["metadata"].pop("annotations", {})
        if original["kind"] == "Location":  # its targets' entities are in the same export
            assert annotations == {"capability-portal/targets-in-export": "true"}
        else:  # the descriptor's own, plus what only the portal knows (a launch date, say)
            assert {key: value for key, value in annotations.items()
                    if not key.startswith("capability-portal/")} == \
                original["metadata"].get("annotations", {})
            if "annotations" in original["metadata"]:
                entity["metadata"]["annotations"] = original["metadata"]["annotations"]
        definition = original["spec"].get("definition")
        if isinstance(definition, dict) and definition["$text"].startswith("./"):
            # A definition file's text is written out (as Backstage's catalog reads it),
            # so that the export stands alone.
            file = BACKSTAGE_EXAMPLES / "apis" / definition["$text"]
            assert entity["spec"].pop("definition") == file.read_text()
            original["spec"].pop("definition")
        assert entity == original
    # The portal's rows the import made (domains for unsystemed components) come too.
    assert set(exported) - {ref(o) for o in originals} == {
        ("Domain", "default", "infrastructure-resources"), ("Domain", "default", "unassigned")}


def test_the_export_of_an_import_imports_back_to_the_same_portal(db):
    assert import_catalog(ENTRY).ok
    before, text = portal_state(db), export_catalog()
    db.session.remove()
    wipe(db)
    report = import_text(text)
    assert report.ok, report.errors
    assert portal_state(db) == before
    assert export_catalog() == text


def test_portal_changes_merge_into_the_descriptor_they_came_from(db):
    assert import_catalog(ENTRY).ok
    original = next(doc for doc in descriptors_of(BACKSTAGE_EXAMPLES)
                    if ref(doc) == ("Component", "default", "artist-lookup"))
    update_capability(get_capability("artist-lookup"), {"tier": 1, "name": "Artist search"},
                      None)
    add_dependency({"consumer": "artist-lookup", "provider": "searcher"}, None)
    before, text = portal_state(db), export_catalog()
    entity = next(doc for doc in yaml.safe_load_all(text)
                  if ref(doc) == ("Component", "default", "artist-lookup"))
    metadata, spec = entity["metadata"], entity["spec"]
    assert metadata["title"] == "Artist search"
    assert metadata["annotations"]["capability-portal/tier"] == "1"
    for key, value in original["metadata"].get("annotations", {}).items():
        assert metadata["annotations"][key] == value  # the descriptor's own, kept
    assert metadata["links"] == original["metadata"]["links"]
    assert spec["system"] == original["spec"]["system"] and spec["owner"] == "team-a"
    assert "dependsOn" not in original["spec"]
    assert spec["dependsOn"] == ["component:default/searcher"]
    db.session.remove()
    wipe(db)
    assert import_text(text).ok
    assert portal_state(db) == before


def test_a_business_and_a_capability_with_one_slug_are_two_entities(db, make):
    make.team("trade")
    make.domain("transaction")
    make.capability("taobao", lifecycle="production")
    make.business("taobao")
    adopt({"business": "taobao", "capability": "taobao", "since": "2024-01-01"}, None)
    before, text = portal_state(db), export_catalog()
    components = {(doc["metadata"].get("namespace", "default"), doc["spec"]["type"])
                  for doc in yaml.safe_load_all(text) if doc["kind"] == "Component"}
    assert components == {("default", "service"), ("business", "website")}
    db.session.remove()
    wipe(db)
    assert import_text(text).ok
    assert portal_state(db) == before and export_catalog() == text


def test_descriptors_are_kept_with_the_import_all_or_nothing(db, unchanged, tmp_path):
    user = {"apiVersion": "backstage.io/v1alpha1", "kind": "User",
            "metadata": {"name": "ada", "labels": {"site": "hz"}},
            "spec": {"memberOf": ["trade"]}}
    group = {"apiVersion": "backstage.io/v1alpha1", "kind": "Group",
             "metadata": {"name": "trade"}, "spec": {"type": "team", "children": []}}
    file = tmp_path / "catalog-info.yaml"
    file.write_text(yaml.safe_dump_all([group, user]))
    unchanged()
    assert import_catalog(file, dry_run=True).ok
    broken = {"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
              "metadata": {"name": "x"}, "spec": {"dependsOn": ["component:ghost"]}}
    file.write_text(yaml.safe_dump_all([group, user, broken]))
    assert not import_catalog(file).ok
    unchanged.check()  # neither a dry run nor a failed import keeps a descriptor
    file.write_text(yaml.safe_dump_all([group, user]))
    assert import_catalog(file).written
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BackstageDescriptor)) == 2
    user["metadata"]["labels"]["site"] = "sh"  # only a foreign entity changes
    file.write_text(yaml.safe_dump_all([group, user]))
    unchanged()
    report = import_catalog(file)
    assert report.written and report.created["teams"] == report.updated["teams"] == 0
    exported = {ref(doc): doc for doc in yaml.safe_load_all(export_catalog())}
    assert exported["User", "default", "ada"] == user
    assert import_catalog(file).written is False  # the same again: nothing to keep


def test_a_lifecycle_changed_in_backstage_wins_over_the_exported_annotation(db, make):
    make.team("trade")
    make.domain("transaction")
    make.capability("orders", lifecycle="approved")
    text = export_catalog().replace("lifecycle: experimental", "lifecycle: production")
    report = import_text(text)
    assert report.ok and get_capability("orders").lifecycle == "production"
    assert any("spec.lifecycle decides" in p.message for p in report.warnings)


# -- reading folders ------------------------------------------------------------------------


def component(name: str, **spec) -> dict:
    return {"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": name},
            "spec": {"type": "service", "lifecycle": "production", "owner": "platform", **spec}}


def write(path: Path, *documents: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False))
    return path


@pytest.fixture
def monorepo(tmp_path):
    """A folder tree: a team, 30 services each with its catalog-info.yaml and OpenAPI file."""
    write(tmp_path / "catalog-info.yaml",
          {"apiVersion": "backstage.io/v1alpha1", "kind": "Group",
           "metadata": {"name": "platform"}, "spec": {"type": "team", "children": []}})
    for i in range(30):
        folder = tmp_path / "services" / f"svc-{i:02d}"
        (folder / "openapi.yaml").parent.mkdir(parents=True, exist_ok=True)
        (folder / "openapi.yaml").write_text(f"openapi: 3.0.0\ninfo: {{title: svc {i}}}\n")
        depends = [f"component:svc-{i - 1:02d}"] if i else []
        write(folder / "catalog-info.yaml",
              component(f"svc-{i:02d}", providesApis=[f"svc-{i:02d}-api"], dependsOn=depends),
              {"apiVersion": "backstage.io/v1alpha1", "kind": "API",
               "metadata": {"name": f"svc-{i:02d}-api"},
               "spec": {"type": "openapi", "lifecycle": "production", "owner": "platform",
                        "definition": {"$text": "./openapi.yaml"}}})
    return tmp_path


def test_a_folder_tree_imports_with_a_report_per_file(db, monorepo):
    report = import_catalog(monorepo)
    assert report.ok, report.errors
    assert report.created["capabilities"] == 30 and report.created["dependencies"] == 29
    assert report.warnings == []  # the OpenAPI files are definitions, not strays
    assert report.files["services/svc-07/catalog-info.yaml"] == {
        "entities": 2, "errors": 0, "warnings": 0}
    assert len(report.files) == 1 + 30 * 2
    assert "services/svc-07/catalog-info.yaml: 2 entities" in str(report)
    api = get_capability("svc-07").apis[0]
    assert api.spec.startswith("openapi: 3.0.0") and "svc 7" in api.spec
    # The export stands alone: definitions are written out, not pointed at.
    exported = export_catalog()
    assert "$text" not in exported
    db.session.remove()
    wipe(db)
    assert import_text(exported).ok and get_capability("svc-07").apis[0].spec == api.spec


def test_location_targets_may_be_globs(db, monorepo):
    write(monorepo / "all.yaml", {
        "apiVersion": "backstage.io/v1alpha1", "kind": "Location", "metadata": {"name": "all"},
        "spec": {"targets": ["./catalog-info.yaml", "./services/*/catalog-info.yaml",
                             "./nothing/**/catalog-info.yaml"]}})
    report = import_catalog(monorepo / "all.yaml")
    assert report.ok and report.created["capabilities"] == 30
    assert [p.message for p in report.warnings] == [
        "Location target ./nothing/**/catalog-info.yaml matches no file."]
    assert report.files["all.yaml"] == {"entities": 1, "errors": 0, "warnings": 1}


@pytest.mark.parametrize("target", ["../*.yaml", "/etc/*.conf", "./services/../../*.yaml"])
def test_a_glob_may_not_leave_the_imported_folder(db, monorepo, target):
    write(monorepo / "all.yaml", {
        "apiVersion": "backstage.io/v1alpha1", "kind": "Location", "metadata": {"name": "all"},
        "spec": {"target": target}})
    report = import_catalog(monorepo / "all.yaml")
    assert not report.ok
    assert any("inside the imported folder" in p.message for p in report.errors)


def test_a_list_the_portal_changes_keeps_the_descriptor_s_own_items(db, tmp_path):
    """References written short stay short; items the portal has no place for stay."""
    group = {"apiVersion": "backstage.io/v1alpha1", "kind": "Group",
             "metadata": {"name": "platform"}, "spec": {"type": "team", "children": []}}
    web = component("web", dependsOn=["component:db", "group:platform"])
    web["metadata"]["tags"] = ["Java", "c++"]
    write(tmp_path / "catalog-info.yaml", group, web, component("db"), component("cache"))
    report = import_catalog(tmp_path / "catalog-info.yaml")
    assert report.ok and report.created["dependencies"] == 1  # a Group is not depended on
    add_dependency({"consumer": "web", "provider": "cache"}, None)
    update_capability(get_capability("web"), {"tags": ["java", "jvm"]}, None)
    exported = {ref(doc): doc for doc in yaml.safe_load_all(export_catalog())}
    entity = exported["Component", "default", "web"]
    assert entity["spec"]["dependsOn"] == ["component:db", "group:platform",
                                           "component:default/cache"]
    assert entity["metadata"]["tags"] == ["Java", "c++", "jvm"]


@pytest.mark.parametrize("kind, metadata, field", [
    ("User", {"name": "u" * 64}, "metadata.name"),
    ("User", {"name": "ada lovelace"}, "metadata.name"),
    ("User", {"name": "ada", "namespace": "Team_A"}, "metadata.namespace"),
    ("Widget-Thing", {"name": "w"}, "kind"),
])
def test_a_descriptor_backstage_would_refuse_is_an_error(db, unchanged, kind, metadata, field):
    unchanged()
    report = import_text(yaml.safe_dump({"apiVersion": "backstage.io/v1alpha1", "kind": kind,
                                         "metadata": metadata, "spec": {}}))
    assert not report.ok and [p.field for p in report.errors] == [field]
    unchanged.check()


def test_the_services_take_the_history_an_import_carries(db, make):
    """An adoption that ended may name a retired capability (one in use may not), and a
    dependency may say since when it holds: what a round trip must be able to write."""
    make.team("trade")
    make.domain("transaction")
    make.capability("ledger", lifecycle="production")
    make.capability("old-ledger", lifecycle="retired")
    make.capability("orders", dependencies=[{"provider": "ledger", "since": "2022-03-01"}])
    make.business("taobao")
    assert get_capability("orders").dependencies[0].since == dt.date(2022, 3, 1)
    ended = adopt({"business": "taobao", "capability": "old-ledger", "since": "2021-01-01",
                   "until": "2022-01-01"}, None)
    assert ended.until == dt.date(2022, 1, 1)
    with pytest.raises(ValidationFailed) as refused:
        adopt({"business": "taobao", "capability": "old-ledger"}, None)
    assert "retired" in refused.value.errors["capability"][0]
    with pytest.raises(ValidationFailed) as future:
        make.capability("cart", dependencies=[{"provider": "orders", "since": "2999-01-01"}])
    assert list(future.value.errors) == ["dependencies.0.since"]
