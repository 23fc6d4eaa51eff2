"""Importing Backstage descriptors: the public example catalog, idempotence, bad input, CLI."""

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from catalog.backstage import ImportFailed, import_catalog, latest_import
from catalog.backstage import write as backstage_write
from catalog.history import current_revision
from catalog.models import (
    Adoption,
    Business,
    Capability,
    Change,
    ChangeScope,
    Dependency,
    Domain,
    Team,
    Version,
)
from catalog.snapshots import capability_snapshot
from tests.conftest import BACKSTAGE_EXAMPLES as FIXTURE
from tests.conftest import wipe

ENTRY = FIXTURE / "catalog-info.yaml"

FIXTURE_READ = {"API": 10, "Component": 13, "Domain": 3, "Group": 8, "Location": 9,
                "Resource": 1, "System": 3, "User": 17}
# 13 Components: 2 websites (queue-proxy, www-artist) -> businesses, 11 -> capabilities,
# plus the Resource artists-db. 5 of the 10 APIs are provided by a component.
# Domains: audio, artists, playback, plus "unassigned" and "infrastructure-resources".
FIXTURE_CREATED = {"teams": 8, "domains": 5, "businesses": 2, "capabilities": 12, "apis": 5,
                   "dependencies": 3, "adoptions": 0}
NOTHING = dict.fromkeys(FIXTURE_CREATED, 0)


def entity(kind: str, name: str, **spec) -> dict:
    return {"apiVersion": "backstage.io/v1alpha1", "kind": kind, "metadata": {"name": name},
            "spec": spec}


def write(path: Path, *docs) -> Path:
    """Write ``docs`` as one multi-document YAML file and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    return path


TEAM = entity("Group", "team-x", type="team", profile={"email": "x@example.com"})


def component(name: str, **spec) -> dict:
    return entity("Component", name, **{"type": "service", "lifecycle": "production",
                                         "owner": "team-x", **spec})


def problem(problems, field: str):
    """Return the one problem reported at ``field``."""
    found = [p for p in problems if p.field == field]
    assert len(found) == 1, problems
    return found[0]


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def capability(db, slug: str) -> Capability:
    return db.session.scalar(sa.select(Capability).where(Capability.slug == slug))


# -- the public example catalog ----------------------------------------------------


def test_the_example_catalog_imports_with_the_expected_counts(db):
    report = import_catalog(ENTRY)
    assert report.ok, report.errors
    assert report.written and not report.dry_run
    assert report.read == FIXTURE_READ
    assert report.unmapped == {"User": 17}
    assert report.created == FIXTURE_CREATED
    assert report.updated == NOTHING
    assert {model.__name__: count(db, model) for model in (Team, Domain, Business, Capability)} \
        == {"Team": 8, "Domain": 5, "Business": 2, "Capability": 12}
    assert len(report.warnings) == 11


def test_the_dangling_owner_is_a_warning_and_the_capability_is_kept(db):
    report = import_catalog(ENTRY)
    owners = [p for p in report.warnings if p.field == "spec.owner"]
    assert [p.ref for p in owners] == ["component:default/playback-order",
                                       "component:default/searcher",
                                       "component:default/shuffle-api"]
    guest = owners[0]
    assert (guest.file, guest.document) == ("components/playback-order-component.yaml", 0)
    assert "group:default/guest" in guest.message and "dangling" in guest.message
    kept = capability(db, "playback-order")
    assert kept.team is None and kept.lifecycle == "production"
    assert kept.tags == ["java", "playback"]


def test_systems_give_their_domain_and_websites_become_businesses(db):
    import_catalog(ENTRY)
    domains = {c.slug: c.domain.slug for c in db.session.scalars(sa.select(Capability))}
    assert domains["artist-lookup"] == "artists"  # system artist-engagement-portal
    assert domains["playback-sdk"] == domains["shuffle-api"] == domains["podcast-api"] == "playback"
    assert domains["petstore"] == domains["wayback-search"] == "unassigned"  # no system
    artists_db = capability(db, "artists-db")  # a Resource whose domain is not infrastructure
    assert artists_db.domain.slug == "infrastructure-resources"
    assert artists_db.layer == "infrastructure" and artists_db.lifecycle == "production"
    businesses = {b.slug: b.team.slug for b in db.session.scalars(sa.select(Business))}
    assert businesses == {"queue-proxy": "team-b", "www-artist": "team-a"}
    lookup = capability(db, "artist-lookup")
    assert (lookup.team.slug, lookup.lifecycle, lookup.summary) == ("team-a", "proposed",
                                                                    "Artist Lookup")
    assert lookup.search_text == "artist-lookup artist-lookup artist lookup data java"
    teams = {t.slug: (t.name, t.contact, t.kind) for t in db.session.scalars(sa.select(Team))}
    assert teams["team-b"] == ("Team B", "team-b@example.com", "platform")
    assert teams["team-a"] == ("team-a", "team-a@example.com", "platform")  # no displayName


def test_apis_attach_to_their_providers(db):
    report = import_catalog(ENTRY)
    petstore = capability(db, "petstore")
    assert petstore.repo_url == "https://github.com/swagger-api/swagger-petstore"
    apis = {api.name: api for api in petstore.apis}
    assert sorted(apis) == ["hello-world", "petstore", "streetlights"]
    assert (apis["hello-world"].kind, apis["hello-world"].status) == ("grpc", "deprecated")
    assert "greetingsfgfg" in apis["hello-world"].spec  # the stored fixture's typo, kept as given
    assert apis["petstore"].spec.startswith('openapi: "3.0.0"')
    assert (apis["streetlights"].kind, apis["streetlights"].status) == ("asyncapi", "stable")
    archive = capability(db, "wayback-archive").apis[0]
    assert archive.spec == ""  # $text is an https URL: not fetched
    fetched = [p for p in report.warnings if p.field == "spec.definition.$text"]
    assert [p.ref for p in fetched] == ["api:default/wayback-archive", "api:default/wayback-search"]
    unprovided = [p.ref for p in report.warnings if p.message.startswith("No component provides")]
    assert unprovided == ["api:default/backstage-mcp-server", "api:default/hello-world-trpc",
                          "api:default/petstore-webhook", "api:default/spotify",
                          "api:default/starwars-graphql"]


def test_consumed_apis_and_subcomponents_become_dependencies(db):
    import_catalog(ENTRY)
    deps = {(d.consumer.slug, d.provider.slug): d.api.name if d.api else None
            for d in db.session.scalars(sa.select(Dependency))}
    assert deps == {
        ("wayback-search", "wayback-archive"): "wayback-archive",  # spec.consumesApis
        ("wayback-archive", "wayback-archive-ingestion"): None,  # parent -> subcomponent
        ("wayback-archive", "wayback-archive-storage"): None,
    }


def test_the_example_folder_imports_the_same_entities(db):
    """A file of the folder that an API reads as its definition is no problem to report."""
    report = import_catalog(FIXTURE)
    assert report.ok and report.read == FIXTURE_READ and report.created == FIXTURE_CREATED
    assert not [p for p in report.warnings if p.file == "apis/petstore-webhook.oas.yaml"]
    assert report.files["apis/petstore-webhook.oas.yaml"] == {
        "entities": 0, "errors": 0, "warnings": 0}
    assert report.files["apis/petstore-webhook-api.yaml"]["entities"] == 1


def test_importing_twice_creates_nothing_the_second_time(db, unchanged):
    import_catalog(ENTRY)
    revision = current_revision()
    unchanged()
    again = import_catalog(ENTRY)
    assert again.ok and not again.written
    assert again.created == again.updated == NOTHING
    assert again.unchanged == FIXTURE_CREATED
    unchanged.check()  # same row counts, no new audit event, same revision
    assert current_revision() == revision


def test_a_dry_run_writes_nothing_and_plans_what_a_real_run_does(db, unchanged):
    unchanged()
    dry = import_catalog(ENTRY, dry_run=True)
    assert dry.ok and dry.dry_run and not dry.written
    unchanged.check()
    real = import_catalog(ENTRY)
    assert (dry.created, dry.updated, dry.unchanged) == (real.created, real.updated,
                                                         real.unchanged)
    assert dry.warnings == real.warnings


def test_one_change_carries_the_counts_and_warnings(db):
    revision = current_revision()
    report = import_catalog(ENTRY)
    assert current_revision() == revision + 1
    summary = latest_import()
    assert summary["created"] == FIXTURE_CREATED
    assert summary["warnings"] == [str(p) for p in report.warnings]
    created = db.session.execute(sa.select(Change.slug, Change.source).where(
        Change.action == "create", Change.kind == "capability")).all()
    assert ("playback-order", "import") in set(created)


def test_the_report_is_json_ready(db):
    data = json.loads(json.dumps(import_catalog(ENTRY, dry_run=True).as_dict()))
    assert data["ok"] is True and data["dry_run"] is True and data["written"] is False
    assert data["created"] == FIXTURE_CREATED and data["unmapped"] == {"User": 17}
    assert set(data["warnings"][0]) == {"file", "document", "ref", "field", "message"}


# -- matching what the portal already has -----------------------------------------------


def test_existing_rows_are_updated_in_place_and_others_left_alone(db, make, tmp_path):
    make.team("team-x", kind="business")
    make.team("trade")
    make.domain("transaction")
    old = make.capability("orders", name="Old name", tier=1, tags=["legacy"])
    other = make.capability("payments")
    source = write(tmp_path / "catalog-info.yaml", TEAM,
                   component("orders", lifecycle="deprecated", dependsOn=["component:payments"]))
    report = import_catalog(source)
    assert report.ok, report.errors
    assert report.updated["capabilities"] == 1 and report.created["capabilities"] == 0
    assert report.updated["teams"] == 1 and report.created["dependencies"] == 1
    db.session.expire_all()
    orders = capability(db, "orders")
    assert orders.id == old.id and orders.version == 2
    assert (orders.name, orders.lifecycle, orders.team.slug) == ("orders", "deprecated", "team-x")
    assert orders.tier == 1  # not described by Backstage: left as it was
    assert orders.domain.slug == "unassigned" and orders.tags == []
    assert [dep.provider.slug for dep in orders.dependencies] == ["payments"]
    team = db.session.scalar(sa.select(Team).where(Team.slug == "team-x"))
    assert team.kind == "business" and team.contact == "x@example.com"
    assert capability(db, "payments").version == other.version


def test_a_website_consuming_a_capability_is_an_adoption(db, tmp_path):
    source = write(tmp_path / "catalog-info.yaml", TEAM,
                   component("shop", type="website", dependsOn=["component:cart"]),
                   component("cart", providesApis=["cart-api"]),
                   entity("API", "cart-api", type="openapi", lifecycle="production",
                          owner="team-x", definition="openapi: 3.0.0\npaths: {}\n"))
    report = import_catalog(source)
    assert report.ok, report.errors
    assert report.created["businesses"] == 1 and report.created["adoptions"] == 1
    adoption = db.session.scalar(sa.select(Adoption))
    assert (adoption.business.slug, adoption.capability.slug) == ("shop", "cart")


def test_layer_annotations_tags_lifecycles_and_local_definitions(db, tmp_path):
    layer = "capability-portal/layer"
    data = entity("Domain", "insights")
    data["metadata"]["annotations"] = {layer: "data-platform"}
    marked = component("profile-tags", system="insights-system", lifecycle="beta",
                       providesApis=["profile-api"])
    marked["metadata"].update(annotations={layer: "infrastructure"},
                              tags=["Machine_Learning", "c++", "ML"])
    frontend = component("mobile-app", type="mobile")
    frontend["metadata"]["annotations"] = {layer: "frontend"}
    api = entity("API", "profile-api", type="openapi", lifecycle="experimental", owner="team-x",
                 definition={"$text": "./specs/profile.yaml"})
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "profile.yaml").write_text("openapi: 3.0.0\npaths: {/tags: {}}\n")
    source = write(tmp_path / "catalog-info.yaml", TEAM, data,
                   entity("System", "insights-system", owner="team-x", domain="insights"),
                   marked, frontend, api)
    report = import_catalog(source)
    assert report.ok, report.errors
    tags = capability(db, "profile-tags")
    assert tags.layer == "data-platform" and tags.lifecycle == "proposed"
    assert tags.tags == ["machine-learning", "ml"]
    assert tags.apis[0].spec == "openapi: 3.0.0\npaths: {/tags: {}}"  # kept as the form keeps it: stripped
    assert tags.apis[0].status == "beta"
    assert db.session.scalar(sa.select(Business.slug)) == "mobile-app"
    warned = {p.field: p.message for p in report.warnings if p.ref.endswith("/profile-tags")}
    assert "domain decides" in warned[f"metadata.annotations[{layer}]"]
    assert "'c++'" in warned["metadata.tags[1]"]
    assert "imported as 'proposed'" in warned["spec.lifecycle"]


def test_an_openapi_definition_that_does_not_parse_is_dropped_with_a_warning(db, tmp_path):
    source = write(tmp_path / "catalog-info.yaml", TEAM, component("shop", providesApis=["a"]),
                   entity("API", "a", type="openapi", lifecycle="production",
                          definition="not an OpenAPI document"))
    report = import_catalog(source)
    assert report.ok, report.errors
    assert capability(db, "shop").apis[0].spec == ""
    dropped = problem(report.warnings, "spec.definition")
    assert (dropped.ref, dropped.document) == ("api:default/a", 2)


def test_locations_are_followed_once_and_urls_skipped(db, tmp_path):
    write(tmp_path / "b.yaml", entity("Location", "b", targets=["./catalog-info.yaml"]), TEAM)
    source = write(tmp_path / "catalog-info.yaml",
                   entity("Location", "a", targets=["./b.yaml",
                                                    "https://example.com/catalog-info.yaml"]))
    report = import_catalog(source)
    assert report.ok, report.errors
    assert report.read == {"Group": 1, "Location": 2}
    url = problem(report.warnings, "spec.targets[1]")
    assert (url.file, url.document, url.ref) == ("catalog-info.yaml", 0, "location:default/a")


def test_unmapped_kinds_are_counted_with_one_warning_each(db, tmp_path):
    source = write(tmp_path / "catalog-info.yaml", TEAM, entity("User", "ann.lee"),
                   entity("User", "bob"), entity("Template", "new-service"))
    report = import_catalog(source)
    assert report.ok and report.unmapped == {"Template": 1, "User": 2}
    assert [(p.ref, p.field) for p in report.warnings] == [
        ("template:default/new-service", "kind"), ("user:default/ann.lee", "kind")]


def test_progress_is_reported_while_writing(db, tmp_path):
    groups = [entity("Group", f"team-{i}") for i in range(1001)]
    calls = []
    report = import_catalog(write(tmp_path / "catalog-info.yaml", *groups),
                            progress=lambda done, total: calls.append((done, total)))
    assert report.ok and report.created["teams"] == 1001
    assert calls == [(500, 1001), (1000, 1001), (1001, 1001)]


# -- errors: nothing is written, each problem is located --------------------------------


def _malformed(tmp_path):
    path = write(tmp_path / "catalog-info.yaml", TEAM)
    path.write_text(path.read_text() + "---\nkind: Component\nmetadata: {name: [x\n")
    return path


BAD_INPUTS = {
    "malformed YAML": (_malformed, ("catalog-info.yaml", 1, "", ""), "Malformed YAML"),
    "not a mapping": (
        lambda tmp: write(tmp / "catalog-info.yaml", TEAM, ["just", "a", "list"]),
        ("catalog-info.yaml", 1, "", ""), "must be a mapping"),
    "missing name": (
        lambda tmp: write(tmp / "catalog-info.yaml", TEAM,
                          {"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
                           "metadata": {"title": "No name"}}),
        ("catalog-info.yaml", 1, "component:default/?", "metadata.name"), "missing"),
    "missing kind": (
        lambda tmp: write(tmp / "catalog-info.yaml", TEAM,
                          {"apiVersion": "backstage.io/v1alpha1", "metadata": {"name": "x"}}),
        ("catalog-info.yaml", 1, "?:default/x", "kind"), "kind is missing"),
    "bad name": (
        lambda tmp: write(tmp / "catalog-info.yaml", TEAM, component("Bad_Name")),
        ("catalog-info.yaml", 1, "component:default/Bad_Name", "metadata.name"), "'Bad_Name'"),
    "dangling dependsOn": (
        lambda tmp: write(tmp / "catalog-info.yaml", TEAM, component("cart"),
                          component("shop", dependsOn=["component:cart", "component:ghost"])),
        ("catalog-info.yaml", 2, "component:default/shop", "spec.dependsOn[1]"),
        "component:default/ghost"),
    "dangling consumesApis": (
        lambda tmp: write(tmp / "catalog-info.yaml", TEAM,
                          component("shop", consumesApis=["ghost-api"])),
        ("catalog-info.yaml", 1, "component:default/shop", "spec.consumesApis[0]"),
        "api:default/ghost-api"),
    "dangling providesApis": (
        lambda tmp: write(tmp / "catalog-info.yaml", TEAM,
                          component("shop", providesApis=["api:default/ghost-api"])),
        ("catalog-info.yaml", 1, "component:default/shop", "spec.providesApis[0]"),
        "api:default/ghost-api"),
    "missing Location target": (
        lambda tmp: (write(tmp / "teams.yaml", TEAM),
                     write(tmp / "catalog-info.yaml",
                           entity("Location", "root", targets=["./teams.yaml", "./gone.yaml"])))[1],
        ("catalog-info.yaml", 0, "location:default/root", "spec.targets[1]"), "does not exist"),
    "Location target outside the folder": (
        lambda tmp: write(tmp / "inner" / "catalog-info.yaml", TEAM,
                          entity("Location", "up", target="../elsewhere.yaml")),
        ("catalog-info.yaml", 1, "location:default/up", "spec.target"), "outside"),
    "missing definition file": (
        lambda tmp: write(tmp / "catalog-info.yaml", TEAM, component("shop", providesApis=["a"]),
                          entity("API", "a", type="grpc", lifecycle="production",
                                 definition={"$text": "./a.proto"})),
        ("catalog-info.yaml", 2, "api:default/a", "spec.definition.$text"), "does not exist"),
    "defined twice": (
        lambda tmp: write(tmp / "catalog-info.yaml", TEAM, component("shop"), component("shop")),
        ("catalog-info.yaml", 2, "component:default/shop", "metadata.name"), "defined twice"),
    "two entities, one slug": (
        lambda tmp: write(tmp / "catalog-info.yaml", TEAM, component("shop"),
                          entity("Resource", "shop", type="database", owner="team-x")),
        ("catalog-info.yaml", 2, "resource:default/shop", "metadata.name"),
        "would both be capability 'shop'"),
    "two APIs, one name": (
        lambda tmp: write(tmp / "catalog-info.yaml", TEAM,
                          component("shop", providesApis=["orders", "Orders"]),
                          entity("API", "orders", type="grpc", lifecycle="production"),
                          entity("API", "Orders", type="grpc", lifecycle="production")),
        ("catalog-info.yaml", 3, "api:default/Orders", "metadata.name"),
        "would both be API 'orders' of 'shop'"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_writes_nothing_and_says_where(db, make, unchanged, tmp_path, case):
    make_source, (file, document, ref, field), fragment = BAD_INPUTS[case]
    source = make_source(tmp_path)
    unchanged()
    report = import_catalog(source)
    assert not report.ok and not report.written
    unchanged.check()
    located = [(p.file, p.document, p.ref, p.field) for p in report.errors]
    assert (file, document, ref, field) in located, report.errors
    error = report.errors[located.index((file, document, ref, field))]
    assert fragment in error.message
    failure = report.as_error()
    assert isinstance(failure, ImportFailed) and failure.report is report
    assert error.location in failure.errors


def test_a_depends_on_an_existing_portal_capability_is_not_dangling(db, make, tmp_path):
    make.team("trade")
    make.domain("transaction")
    make.capability("payments")
    source = write(tmp_path / "catalog-info.yaml", TEAM,
                   component("shop", dependsOn=["component:payments"]))
    report = import_catalog(source)
    assert report.ok and report.created["dependencies"] == 1


def test_flushing_in_chunks_saves_each_capability_once(db, make, tmp_path, monkeypatch):
    """A capability written twice in an import is saved once, however often the import flushes."""
    monkeypatch.setattr(backstage_write, "FLUSH_EVERY", 1)
    make.team("trade")
    make.domain("transaction")
    before = make.capability("payments").version
    source = write(tmp_path / "catalog-info.yaml", TEAM,
                   component("shop", dependsOn=["component:cart"]),  # cart comes later
                   component("cart"), component("search"),
                   component("payments", dependsOn=["component:search"]))
    report = import_catalog(source)
    assert report.ok, report.errors
    db.session.expire_all()
    assert {slug: capability(db, slug).version for slug in ("shop", "cart", "search")} == \
        dict.fromkeys(("shop", "cart", "search"), 1)
    assert capability(db, "payments").version == before + 1
    assert [dep.provider.slug for dep in capability(db, "shop").dependencies] == ["cart"]
    changes = db.session.scalars(sa.select(Change.slug).where(Change.kind == "capability",
                                                              Change.source == "import")).all()
    assert sorted(changes) == ["cart", "payments", "search", "shop"]


# -- a first import: every capability new, written in bulk ----------------------------


def retired(name: str) -> dict:
    doc = component(name, lifecycle="deprecated")
    doc["metadata"]["annotations"] = {"capability-portal/lifecycle": "retired"}
    return doc


@pytest.mark.parametrize("provider_first", [True, False], ids=["provider-first", "provider-later"])
def test_a_rule_broken_midway_through_a_first_import_writes_nothing_and_names_it(
        db, unchanged, tmp_path, provider_first):
    """A provider checked before or after its consumer: the same rule, the same error, no row."""
    consumer = component("shop", dependsOn=["component:old"])
    middle = [retired("old"), consumer] if provider_first else [consumer, retired("old")]
    source = write(tmp_path / "catalog-info.yaml", TEAM, component("cart"), *middle,
                   component("search"))
    unchanged()
    report = import_catalog(source)
    assert not report.ok and not report.written
    unchanged.check()
    (error,) = report.errors
    assert (error.ref, error.field) == ("component:default/shop", "spec.dependsOn[0]")
    assert error.document == (3 if provider_first else 2)
    assert "'old' is retired" in error.message


BULK_DOCS = (TEAM,
             component("shop", dependsOn=["component:cart"], consumesApis=["cart-api"]),
             component("cart", providesApis=["cart-api"], dependsOn=["component:search"]),
             entity("API", "cart-api", type="grpc", lifecycle="production", owner="team-x"),
             component("search", subcomponentOf="component:shop"),
             component("payments", dependsOn=["component:search"]))


def created_rows(db, slugs) -> dict:
    """Each capability's row and the history of its creation, without ids and times."""
    def timeless(doc):
        return {k: v for k, v in doc.items() if k not in ("created_at", "updated_at")}

    db.session.expire_all()
    found = {}
    for slug in slugs:
        row = capability(db, slug)
        change = db.session.scalar(sa.select(Change).where(Change.kind == "capability",
                                                           Change.slug == slug))
        scopes = db.session.execute(sa.select(ChangeScope.kind, ChangeScope.slug)
                                    .where(ChangeScope.change_id == change.id)
                                    .order_by(ChangeScope.kind, ChangeScope.slug)).all()
        version = db.session.scalar(sa.select(Version.data).where(
            Version.kind == "capability", Version.key == slug, Version.valid_to.is_(None)))
        found[slug] = {"row": timeless(capability_snapshot(row)), "search": row.search_text,
                       "version": row.version, "change": (change.action, change.source,
                                                          change.actor, change.note),
                       "changes": timeless(change.changes), "scopes": scopes,
                       "snapshot": timeless(version)}
    return found


def test_a_first_import_leaves_the_rows_and_history_the_services_leave(db, make, tmp_path):
    """Written in bulk (no capability of the import exists) or one by one through the
    services (one exists): the new capabilities' rows, changes and versions are the same."""
    source = write(tmp_path / "catalog-info.yaml", *BULK_DOCS)
    new = ("shop", "cart", "search")
    make.team("trade")
    make.domain("transaction")
    assert import_catalog(source).ok
    bulk = created_rows(db, new)
    assert [dep["provider"] for dep in bulk["shop"]["row"]["dependencies"]] == ["cart", "search"]
    assert bulk["shop"]["row"]["dependencies"][0]["api"] == "cart-api"
    wipe(db)
    make.team("trade")
    make.domain("transaction")
    make.capability("payments")
    report = import_catalog(source)
    assert report.ok and report.updated["capabilities"] == 1
    assert created_rows(db, new) == bulk


# -- the command line ------------------------------------------------------------------


def test_cli_imports_the_example_catalog(runner, db):
    result = runner.invoke(args=["import-backstage", str(ENTRY)])
    assert result.exit_code == 0, result.output
    assert "capabilities" in result.stdout and "17 User" in result.stdout
    assert count(db, Capability) == 12


def test_cli_fails_on_a_bad_file_with_every_error_on_stderr(runner, db, unchanged, tmp_path):
    source = write(tmp_path / "catalog-info.yaml", TEAM,
                   component("shop", dependsOn=["component:ghost"]), component("Bad_Name"))
    unchanged()
    result = runner.invoke(args=["import-backstage", str(source)])
    assert result.exit_code == 1
    assert "catalog-info.yaml#1 component:default/shop spec.dependsOn[0]:" in result.stderr
    assert "catalog-info.yaml#2 component:default/Bad_Name metadata.name:" in result.stderr
    unchanged.check()


def test_cli_dry_run_writes_nothing(runner, db, unchanged, tmp_path):
    source = write(tmp_path / "catalog-info.yaml", TEAM, component("shop"))
    unchanged()
    result = runner.invoke(args=["import-backstage", str(source), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Dry run" in result.stdout
    unchanged.check()
