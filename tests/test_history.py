"""One writer with history: every path records the same changes; the catalog as of any date.

The time-travel tests capture what the live API answers, write more, and
ask again ``as_of`` the moment of the capture: the answers must be equal.
"""

import datetime as dt
import io
import textwrap

import pytest
import sqlalchemy as sa
import yaml

from catalog import adoptions, deliveries, history, seed
from catalog.backstage import export_catalog, import_text
from catalog.capabilities import add_dependency, get_capability, update_capability
from catalog.models import Change, Dependency, Version
from catalog.models._time import clock_at, utcnow
from tests.conftest import csrf_token, table_counts

CAPTURED = ("/api/v1/graph", "/api/v1/capabilities/orders",
            "/api/v1/capabilities/payments/impact", "/api/v1/capabilities/checkout/dependencies",
            "/api/v1/metrics/reuse")


@pytest.fixture
def shop(make):
    """checkout -> orders -> payments; Taobao adopts checkout."""
    make.team("trade", name="Trade Platform")
    make.team("member", name="Membership Platform")
    make.team("taobao-team", kind="business")
    make.domain("transaction")
    make.domain("infra", layer="infrastructure")
    make.business("taobao", team="taobao-team")
    make.capability("payments", domain="infra", lifecycle="production",
                    apis=[{"name": "Pay", "kind": "openapi", "version": "v1"}])
    make.capability("orders", lifecycle="production", dependencies=["payments"])
    make.capability("checkout", lifecycle="production", dependencies=["orders"])
    adoptions.adopt({"business": "taobao", "capability": "checkout"}, None)
    return make


@pytest.fixture
def auth(make, app):
    """Bearer headers of an architect's write token."""
    from catalog import accounts

    make.user("arch", role="architect", team="")
    secret = accounts.issue_token_for("arch", "ci", "write")
    return {"Authorization": f"Bearer {secret}"}


def changes_of(db, kind, slug):
    return db.session.scalars(sa.select(Change).where(Change.kind == kind, Change.slug == slug)
                              .order_by(Change.id)).all()


# -- one writer, every path -------------------------------------------------------------


def test_every_path_records_who_and_from_where(client, db, shop, auth, login, runner):
    response = client.patch("/api/v1/capabilities/orders", headers={**auth, "If-Match": '"1"'},
                            json={"tier": 1})
    assert response.status_code == 200, response.get_json()
    api_change = changes_of(db, "capability", "orders")[-1]
    assert (api_change.actor, api_change.source, api_change.token) == ("arch", "api", "ci")
    assert api_change.changes == {"tier": [3, 1]}

    login("architect", username="lin")
    page = client.get("/capabilities/orders/edit").get_data(as_text=True)
    assert "Edit" in page
    client.post("/adoptions/new", data={
        "business": "taobao", "capability": "orders", "purpose": "Orders in the app",
        "csrf_token": csrf_token(client, "/adoptions/new")})
    web_change = db.session.scalars(sa.select(Change).where(Change.kind == "adoption")
                                    .order_by(Change.id.desc())).first()
    assert (web_change.actor, web_change.source, web_change.token) == ("lin", "web", None)
    assert {(s.kind, s.slug) for s in web_change.scopes} >= {("business", "taobao"),
                                                              ("capability", "orders")}

    result = runner.invoke(args=["create-user", "kim", "--role", "viewer", "--password", "x" * 12])
    assert result.exit_code == 0, result.output
    assert changes_of(db, "user", "kim")[-1].source == "cli"


def test_form_api_and_import_leave_the_same_change_for_the_same_registration(
        client, db, shop, auth, login):
    fields = {"name": "Gift Cards", "summary": "Sell gift cards.", "domain": "transaction",
              "team": "trade", "lifecycle": "proposed", "tier": 2, "tags": ["gifts"]}
    client.post("/api/v1/capabilities", headers=auth, json={"slug": "gift-api", **fields,
                                                            "dependencies": ["payments"]})
    login("architect", username="lin")
    client.post("/capabilities/new", data={
        "slug": "gift-form", **{k: v for k, v in fields.items() if k != "tags"}, "tags": "gifts",
        "dep_provider": "payments", "dep_kind": "sync",
        "csrf_token": csrf_token(client, "/capabilities/new")})
    import_text(yaml.safe_dump_all([{
        "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
        "metadata": {"name": "gift-import", "title": "Gift Cards", "description": "Sell gift cards.",
                     "tags": ["gifts"], "annotations": {"capability-portal/lifecycle": "proposed",
                                                        "capability-portal/tier": "2"}},
        "spec": {"type": "service", "lifecycle": "experimental", "owner": "group:default/trade",
                 "system": "system:default/transaction", "dependsOn": ["component:default/payments"]},
    }, {"apiVersion": "backstage.io/v1alpha1", "kind": "System",
        "metadata": {"name": "transaction"}, "spec": {"owner": "trade", "domain": "transaction"}}]))

    told = {}
    for slug, source in (("gift-api", "api"), ("gift-form", "web"), ("gift-import", "import")):
        (change,) = changes_of(db, "capability", slug)
        assert (change.action, change.source) == ("create", source)
        told[slug] = {field: after for field, (_, after) in change.changes.items()
                      if field not in ("slug", "created_at", "docs_url", "repo_url",
                                       "description")}
    assert told["gift-api"] == told["gift-form"] == told["gift-import"]
    assert told["gift-api"]["dependencies"][0]["provider"] == "payments"


def test_an_import_that_only_changes_dependencies_bumps_the_version(client, db, shop, auth):
    """Drift fixed: the importer used to write the dependency without touching the version,
    so an editor holding the old ETag could overwrite the import without a 412."""
    etag = client.get("/api/v1/capabilities/checkout").headers["ETag"]
    text = export_catalog()
    docs = list(yaml.safe_load_all(text))
    checkout = next(d for d in docs if d["metadata"]["name"] == "checkout")
    checkout["spec"]["dependsOn"].append("resource:default/payments"
                                         if any(d["kind"] == "Resource" and
                                                d["metadata"]["name"] == "payments" for d in docs)
                                         else "component:default/payments")
    report = import_text(yaml.safe_dump_all(docs))
    assert report.ok and report.written, report
    assert client.get("/api/v1/capabilities/checkout").headers["ETag"] != etag
    stale = client.patch("/api/v1/capabilities/checkout", headers={**auth, "If-Match": etag},
                         json={"tier": 1})
    assert stale.status_code == 412


def test_the_open_version_is_the_live_capability_after_every_kind_of_write(client, db, shop,
                                                                           auth):
    """One capability by name is read from its open version: it must be the live row,
    whatever wrote last (service, API, import, API change, retirement)."""
    from catalog import timetravel
    from catalog.snapshots import capability_snapshot

    update_capability(get_capability("orders"), {"tier": 1, "tags": ["core"]}, None)
    client.post("/api/v1/dependencies", headers=auth,
                json={"consumer": "checkout", "provider": "payments"})
    docs = list(yaml.safe_load_all(export_catalog()))
    payments = next(d for d in docs if d["metadata"]["name"] == "payments")
    payments["metadata"]["description"] = "Pays, refunds and reconciles."
    assert import_text(yaml.safe_dump_all(docs)).ok
    update_capability(get_capability("checkout"), {"lifecycle": "deprecated"}, None)
    for slug in ("payments", "orders", "checkout"):
        snapshot, layer = timetravel.current_snapshot(slug)
        live = get_capability(slug)
        assert (snapshot, layer) == (capability_snapshot(live), live.domain.layer)
        answer = client.get(f"/api/v1/capabilities/{slug}")
        assert answer.headers["ETag"] == f'"{live.version}"'
    assert timetravel.current_snapshot("nope") is None
    assert client.get("/api/v1/capabilities/nope").status_code == 404


def test_an_import_cannot_add_a_dependency_on_a_retired_capability(db, shop, unchanged):
    """Drift fixed: the form refused it, the importer did not."""
    update_capability(get_capability("payments"), {"lifecycle": "retired"}, None)
    unchanged()
    report = import_text(textwrap.dedent("""\
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: refunds}
        spec: {type: service, lifecycle: production, owner: trade,
               dependsOn: [component:default/payments]}
        """))
    assert not report.ok
    assert any("'payments' is retired" in p.message and p.field.startswith("spec.dependsOn")
               and p.ref == "component:default/refunds" for p in report.errors), report.errors
    unchanged.check()


def test_a_csv_import_records_each_delivery_as_the_form_does(db, shop):
    csv_text = ("business,title,requested_on,delivered_on,capabilities,external_ref\n"
                "taobao,Gift cards,2025-03-02,2025-04-11,checkout;orders,TB-1\n")
    assert deliveries.import_deliveries_csv(io.StringIO(csv_text)).ok
    form = deliveries.record_delivery({"business": "taobao", "title": "Gift cards",
                                       "requested_on": "2025-03-02", "delivered_on": "2025-04-11",
                                       "capabilities": ["checkout", "orders"],
                                       "external_ref": "TB-2"}, None, source="csv")
    imported, recorded = db.session.scalars(sa.select(Change).where(Change.kind == "delivery")
                                            .order_by(Change.id)).all()
    assert imported.source == "import" and recorded.source == "cli"
    without_id = [{k: v for k, v in c.changes.items() if k not in ("id", "external_ref")}
                  for c in (imported, recorded)]
    assert without_id[0] == without_id[1]
    assert recorded.slug == str(form.id)


def test_nothing_written_leaves_no_change(db, shop, unchanged):
    unchanged()
    with pytest.raises(Exception):  # noqa: B017 - any refusal
        add_dependency({"consumer": "payments", "provider": "ghost"}, None)
    update_capability(get_capability("orders"), {"tier": 3}, None)  # the value it has
    unchanged.check()


# -- nothing hard-deleted -----------------------------------------------------------------


def test_a_removed_dependency_keeps_its_past(client, db, shop):
    before = utcnow()
    update_capability(get_capability("checkout"), {"dependencies": []}, None)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dependency)) == 1
    then = client.get("/api/v1/capabilities/checkout/dependencies",
                      query_string={"as_of": before.isoformat() + "Z"}).get_json()
    assert [c["slug"] for c in then["capabilities"]] == ["orders", "payments"]
    now = client.get("/api/v1/capabilities/checkout/dependencies").get_json()
    assert now["capabilities"] == []
    (removal,) = [c for c in changes_of(db, "capability", "checkout") if c.action == "update"]
    assert [d["provider"] for d in removal.changes["dependencies"][0]] == ["orders"]


def test_api_versions_and_lifecycle_keep_their_past(db, shop):
    update_capability(get_capability("payments"), {"apis": [
        {"name": "Pay", "kind": "openapi", "version": "v2", "spec": "openapi: 3.0.0"}],
        "lifecycle": "deprecated"}, None)
    versions = db.session.scalars(sa.select(Version).where(
        Version.kind == "capability", Version.key == "payments").order_by(Version.id)).all()
    assert [v.data["apis"][0]["version"] for v in versions] == ["v1", "v2"]
    assert [v.data["lifecycle"] for v in versions] == ["production", "deprecated"]
    assert versions[0].valid_to == versions[1].valid_from and versions[1].valid_to is None
    assert versions[1].data["apis"][0]["spec"] == history.spec_digest("openapi: 3.0.0")


# -- the changes feed -------------------------------------------------------------------


def test_the_changes_api_filters_and_pages(client, db, shop):
    update_capability(get_capability("orders"), {"team": "member"}, None)
    body = client.get("/api/v1/changes", query_string={"entity": "capability:orders"}).get_json()
    assert body["total"] == 2 and body["next"] is None
    newest = body["items"][0]
    assert set(newest) >= {"id", "at", "actor", "source", "entity", "action", "changes"}
    assert newest["entity"] == {"kind": "capability", "slug": "orders"}
    assert newest["changes"]["team"] == ["trade", "member"]
    # The move shows under both teams.
    for team in ("trade", "member"):
        slugs = [c["entity"]["slug"] for c in client.get(
            "/api/v1/changes", query_string={"team": team, "kind": "capability"}).get_json()["items"]]
        assert "orders" in slugs
    paged = client.get("/api/v1/changes", query_string={"per_page": 2}).get_json()
    assert len(paged["items"]) == 2 and paged["next"] and "page=2" in paged["next"]
    assert paged["total"] == db.session.scalar(sa.select(sa.func.count()).select_from(Change))
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    assert client.get("/api/v1/changes", query_string={"since": tomorrow}).get_json()["total"] == 0


@pytest.mark.parametrize("args, field", [
    ({"entity": "planet:earth"}, "entity"), ({"since": "yesterday"}, "since"),
    ({"kind": "widget"}, "kind"), ({"team": "Not A Slug"}, "team"),
    ({"since": "2025-02-01", "until": "2025-01-01"}, "until"), ({"page": "0"}, "page"),
])
def test_bad_change_filters_get_a_422_naming_the_field(client, db, args, field):
    response = client.get("/api/v1/changes", query_string=args)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


# -- time travel ---------------------------------------------------------------------------


def capture(client):
    answers = {path: client.get(path).get_json() for path in CAPTURED}
    return utcnow(), answers


def test_as_of_answers_what_the_live_api_answered_then(client, db, shop):
    moments = [capture(client)]
    update_capability(get_capability("orders"), {"team": "member", "lifecycle": "deprecated"},
                      None)
    add_dependency({"consumer": "payments", "provider": "checkout"}, None)  # a cycle
    moments.append(capture(client))
    adoptions.end_adoption(("taobao", "checkout"), None, None)
    update_capability(get_capability("checkout"), {"dependencies": []}, None)
    moments.append(capture(client))
    for moment, answers in moments:
        stamp = moment.isoformat() + "Z"
        for path, answer in answers.items():
            assert client.get(path, query_string={"as_of": stamp}).get_json() == answer, path


def test_as_of_before_the_first_record_is_the_empty_catalog(client, db, shop):
    graph = client.get("/api/v1/graph", query_string={"as_of": "2001-01-01"}).get_json()
    assert graph["nodes"] == [] and graph["edges"] == []
    assert client.get("/api/v1/capabilities/orders",
                      query_string={"as_of": "2001-01-01"}).status_code == 404


@pytest.mark.parametrize("value", ["2999-01-01", "tomorrow", "2025-13-01", "1" * 50])
def test_a_future_or_unreadable_as_of_is_a_422_naming_it(client, db, shop, value):
    for path in CAPTURED:
        response = client.get(path, query_string={"as_of": value})
        assert response.status_code == 422, path
        assert "as_of" in response.get_json()["errors"]


def test_the_graph_diff_tells_what_changed_between_two_dates(client, db, shop):
    start = utcnow()
    make_more = [
        lambda: update_capability(get_capability("orders"), {"team": "member"}, None),
        lambda: update_capability(get_capability("payments"), {"lifecycle": "retired"}, None),
        lambda: add_dependency({"consumer": "orders", "provider": "checkout"}, None),
    ]
    for write in make_more:
        write()
    body = client.get("/api/v1/graph/diff", query_string={"from": start.isoformat()}).get_json()
    assert body["owner_changes"] == [{"slug": "orders", "before": "trade", "after": "member"}]
    assert body["capabilities_retired"] == ["payments"]
    assert body["dependencies_added"] == [{"consumer": "orders", "provider": "checkout",
                                           "kind": "sync"}]
    assert body["cycles_appeared"] == [["checkout", "orders"]]
    assert body["layering_breaks_appeared"] == []
    assert client.get("/api/v1/graph/diff").status_code == 422
    reverse = client.get("/api/v1/graph/diff", query_string={"from": "2999-01-01"})
    assert reverse.status_code == 422 and "from" in reverse.get_json()["errors"]


def test_the_demo_tells_three_years_of_history(client, db):
    seed.seed_demo()
    three_years_ago = (dt.date.today() - dt.timedelta(days=3 * 365)).isoformat()
    then = client.get("/api/v1/graph", query_string={"as_of": three_years_ago}).get_json()
    now = client.get("/api/v1/graph").get_json()
    count = lambda graph: sum(1 for n in graph["nodes"] if n["kind"] == "capability")  # noqa: E731
    assert 0 < count(then) < count(now)
    legacy_then = next(n for n in then["nodes"] if n["id"] == "capability:legacy-sku-mapping")
    legacy_now = next(n for n in now["nodes"] if n["id"] == "capability:legacy-sku-mapping")
    assert (legacy_then["lifecycle"], legacy_now["lifecycle"]) == ("production", "retired")
    reuse_then = client.get("/api/v1/metrics/reuse", query_string={"as_of": three_years_ago})
    assert reuse_then.get_json()["reuse_rate"] < client.get("/api/v1/metrics/reuse").get_json()[
        "reuse_rate"]
    handover = client.get("/api/v1/changes", query_string={
        "entity": "capability:88vip-membership"}).get_json()["items"]
    assert any(c["changes"].get("team") == ["taobao-team", "membership-team"] for c in handover)
    assert {c["source"] for c in handover} == {"seed"}


def test_a_write_replayed_in_the_past_is_dated_then(db, shop):
    with clock_at(dt.datetime(2024, 5, 1, 9, 0)):
        update_capability(get_capability("orders"), {"tier": 1}, None)
    change = changes_of(db, "capability", "orders")[-1]
    assert change.at == dt.datetime(2024, 5, 1, 9, 0)


def test_counts_stay_put_when_a_transaction_fails(db, shop):
    counts = table_counts(db)
    with pytest.raises(RuntimeError):
        with history.batch(None):
            update_capability(get_capability("orders"), {"tier": 1}, None)
            raise RuntimeError("abort")
    db.session.rollback()
    assert table_counts(db)["change"] == counts["change"]


def test_init_db_starts_history_for_rows_written_before_it(runner, db, make):
    from catalog.models import Team

    db.session.add(Team(slug="legacy", name="Legacy Team"))  # as a pre-history database had it
    db.session.commit()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0 and "History starts now for 1 entities." in result.output
    (change,) = changes_of(db, "team", "legacy")
    assert change.action == "baseline" and change.changes["name"] == [None, "Legacy Team"]
    assert "History starts" not in runner.invoke(args=["init-db"]).output


def test_a_transaction_sees_one_revision_and_the_next_sees_another_writer(db, shop):
    revision = history.current_revision()
    with db.engine.begin() as other:  # another worker writes meanwhile
        other.execute(sa.text("UPDATE catalog_revision SET revision = revision + 1"))
    assert history.current_revision() == revision  # read once in this transaction
    db.session.rollback()
    assert history.current_revision() == revision + 1
    history.bump_revision()  # this transaction's own write is seen at once
    assert history.current_revision() == revision + 2
