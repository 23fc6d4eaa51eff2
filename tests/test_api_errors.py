"""Errors an API client can meet: always JSON, never a page or a traceback; safe concurrent edits;
``POST /dependencies`` with the edit form's rules."""

import pytest
import sqlalchemy as sa

from catalog import accounts
from catalog.models import Capability, Change, Dependency, User

NEW = {"slug": "price-engine", "name": "Price engine", "domain": "transaction", "team": "trade"}


@pytest.fixture
def catalog(make):
    make.team("trade")
    make.team("growth")
    make.domain("transaction")
    make.capability("search-engine", team="growth", lifecycle="production",
                    apis=[{"name": "Query", "kind": "grpc"}])
    make.capability("order-service", dependencies=["search-engine"])
    make.capability("old-ledger", lifecycle="retired")
    return make


@pytest.fixture
def auth(db, catalog):
    """``auth()``: headers with an architect's write token; ``auth(scopes="read")``."""

    issued = {}

    def headers(role="architect", scopes="write"):
        if (role, scopes) not in issued:
            user = User(username=f"{role}-{scopes}", role=role, password_hash="!")
            db.session.add(user)
            db.session.commit()
            issued[role, scopes] = {
                "Authorization": f"Bearer {accounts.issue_token(user, 'ci', scopes)}"}
        return issued[role, scopes]

    return headers


def is_json_error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    if status in (409, 422):
        assert body["errors"] and all(isinstance(m, list) for m in body["errors"].values())
    else:
        assert body["status"] == status and body["error"]
    return body


# -- one status each ---------------------------------------------------------------------


def test_400_for_a_body_that_is_not_a_json_object(client, auth):
    headers = {**auth(), "Content-Type": "application/json"}
    is_json_error(client.post("/api/v1/capabilities", data="{not json", headers=headers), 400)
    is_json_error(client.post("/api/v1/capabilities", data="[1, 2]", headers=headers), 400)


@pytest.mark.parametrize("request_kwargs", [
    {"path": "/api/v1/capabilities?q=a%00b"},
    {"path": "/api/v1/capabilities/a%00b"},
    {"path": "/api/v1/capabilities", "method": "POST", "json": {**NEW, "name": "a\x00b"}},
    {"path": "/api/v1/capabilities", "method": "POST", "json": {**NEW, "tags": ["\ud800"]}},
    {"path": "/api/v1/import/deliveries", "method": "POST", "data": b"business\x00,title",
     "headers": {"Content-Type": "text/csv"}},
])
def test_400_for_text_no_database_can_store(client, auth, unchanged, request_kwargs):
    """Regression (found by schemathesis on PostgreSQL): a NUL in a query, a path or a
    body reached the database driver and crashed the request with a 500."""
    kwargs = dict(request_kwargs)
    kwargs["headers"] = {**auth(), **kwargs.get("headers", {})}
    unchanged()
    body = is_json_error(client.open(**kwargs), 400)
    assert "NUL" in body["error"]
    unchanged.check()


def test_401_without_a_token_and_403_with_a_read_one(client, auth):
    is_json_error(client.post("/api/v1/capabilities", json=NEW), 401)
    is_json_error(client.post("/api/v1/capabilities", json=NEW, headers=auth(scopes="read")), 403)


def test_403_when_the_role_may_not(client, auth):
    body = is_json_error(client.post("/api/v1/capabilities", json=NEW,
                                     headers=auth(role="viewer")), 403)
    assert "role" in body["error"]


@pytest.mark.parametrize("path", ["/api/v1/capabilities/nope", "/api/v1/no-such-thing",
                                  "/api/v1/adoptions/99", "/api/v1/deliveries/99999999999999",
                                  "/api/v1/capabilities/nope/impact"])
def test_404_is_json(client, catalog, path):
    is_json_error(client.get(path), 404)


def test_405_is_json_and_says_what_is_allowed(client, catalog):
    response = client.delete("/api/v1/capabilities/order-service")
    is_json_error(response, 405)
    assert {"GET", "PATCH"} <= set(response.headers["Allow"].replace(" ", "").split(","))


def test_409_for_a_taken_slug(client, auth, unchanged):
    unchanged()
    body = is_json_error(client.post("/api/v1/capabilities", headers=auth(),
                                     json={**NEW, "slug": "search-engine"}), 409)
    assert "slug" in body["errors"]


def test_413_for_a_20_mb_body(client, auth, unchanged):
    headers = auth()
    unchanged()
    big = b'{"slug": "' + b"x" * (20 * 1024 * 1024) + b'"}'
    for extra in (headers, {}):
        response = client.post("/api/v1/capabilities", data=big,
                               headers={**extra, "Content-Type": "application/json"})
        body = is_json_error(response, 413)
        assert "16,777,216" in body["error"]
    unchanged.check()


def test_415_for_a_body_that_is_not_json(client, auth):
    is_json_error(client.post("/api/v1/capabilities", data="slug=x", headers={
        **auth(), "Content-Type": "application/x-www-form-urlencoded"}), 415)
    is_json_error(client.post("/api/v1/import/backstage", data="kind: x", headers={
        **auth(), "Content-Type": "image/png"}), 415)


def test_422_names_each_bad_field(client, auth, unchanged):
    headers = auth()
    unchanged()
    body = is_json_error(client.post("/api/v1/capabilities", headers=headers, json={
        **NEW, "slug": "Bad Slug", "tier": 9, "docs_url": "http://[::1"}), 422)
    assert {"slug", "tier", "docs_url"} <= set(body["errors"])
    unchanged.check()


def test_a_crash_is_a_json_500_without_a_traceback(catalog, app):
    from flask import Flask

    crashing = Flask("crash")
    from portal import errors

    crashing.config["SECRET_KEY"] = "x"
    errors.init_errors(crashing)

    @crashing.get("/api/v1/boom")
    def boom():
        raise RuntimeError("secret detail")

    with app.app_context():
        response = crashing.test_client().get("/api/v1/boom")
    body = is_json_error(response, 500)
    assert "secret detail" not in response.get_data(as_text=True)
    assert "Traceback" not in body["error"]


# -- ETag and If-Match ---------------------------------------------------------------------


def test_a_stale_if_match_is_412_and_changes_nothing(client, auth, unchanged):
    headers = auth()
    etag = client.get("/api/v1/capabilities/order-service").headers["ETag"]
    first = client.patch("/api/v1/capabilities/order-service", json={"summary": "First."},
                         headers={**headers, "If-Match": etag})
    assert first.status_code == 200 and first.headers["ETag"] == '"2"'
    unchanged()
    late = client.patch("/api/v1/capabilities/order-service", json={"summary": "Late."},
                        headers={**headers, "If-Match": etag})
    body = is_json_error(late, 412)
    assert "changed by someone else" in body["error"]
    unchanged.check()
    assert client.get("/api/v1/capabilities/order-service").get_json()["summary"] == "First."


@pytest.mark.parametrize("if_match, status", [('"1"', 200), ('"7", "1"', 200), ("*", 200),
                                               ('W/"1"', 412), ('"abc"', 412)])
def test_if_match_forms(client, auth, if_match, status):
    response = client.patch("/api/v1/capabilities/order-service", json={"tier": 2},
                            headers={**auth(), "If-Match": if_match})
    assert response.status_code == status


def test_a_stale_version_in_the_body_is_412_too(client, auth):
    response = client.patch("/api/v1/capabilities/order-service", headers=auth(),
                            json={"tier": 2, "version": 0})
    is_json_error(response, 412)


def test_the_edit_form_offers_the_current_version(client, catalog, login, unchanged):
    from tests.conftest import csrf_token

    login("architect")
    page = "/capabilities/order-service/edit"
    data = {"csrf_token": csrf_token(client, page), "version": "0", "name": "Late change",
            "summary": "s", "domain": "transaction", "team": "trade", "lifecycle": "proposed",
            "tier": "3"}
    unchanged()
    response = client.post(page, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 412
    assert 'id="load-current"' in html and f'href="{page}"' in html
    assert 'value="Late change"' in html  # what the user typed is still there to copy
    unchanged.check()


# -- POST /dependencies --------------------------------------------------------------------


def test_add_a_dependency(client, db, auth):
    response = client.post("/api/v1/dependencies", headers=auth(), json={
        "consumer": "search-engine", "provider": "order-service", "kind": "async"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body == {"consumer": "search-engine", "provider": "order-service", "kind": "async",
                    "api": None, "since": body["since"], "consumer_version": 2}
    assert response.headers["ETag"] == '"2"'
    assert response.headers["Location"].endswith("/api/v1/capabilities/search-engine")
    change = db.session.scalar(sa.select(Change).where(Change.kind == "capability",
                                                       Change.slug == "search-engine")
                               .order_by(Change.id.desc()))
    before, after = change.changes["dependencies"]
    assert before == [] and [(d["provider"], d["kind"]) for d in after] == [("order-service",
                                                                              "async")]
    assert change.source == "api" and change.token is not None
    reached = client.get("/api/v1/capabilities/search-engine/dependencies").get_json()
    assert [c["slug"] for c in reached["capabilities"]] == ["order-service"]


def test_a_dependency_through_an_api(client, auth, db):
    response = client.post("/api/v1/dependencies", headers=auth(), json={
        "consumer": "old-ledger", "provider": "search-engine", "api": "Query"})
    assert response.status_code == 201
    assert response.get_json()["api"] == "Query"


@pytest.mark.parametrize("body, field, message", [
    ({"consumer": "order-service", "provider": "order-service"}, "provider", "itself"),
    ({"consumer": "search-engine", "provider": "old-ledger"}, "provider", "retired"),
    ({"consumer": "search-engine", "provider": "ghost"}, "provider", "Unknown capability"),
    ({"consumer": "ghost", "provider": "search-engine"}, "consumer", "Unknown capability"),
    ({"consumer": "search-engine"}, "provider", "required"),
    ({"consumer": "search-engine", "provider": "order-service", "kind": "telepathy"}, "kind",
     "sync, async, data"),
    ({"consumer": "order-service", "provider": "search-engine", "api": "Nope"}, "api",
     "no API named"),
])
def test_a_dependency_breaking_a_rule_is_422(client, auth, unchanged, body, field, message):
    headers = auth()
    unchanged()
    errors = is_json_error(client.post("/api/v1/dependencies", headers=headers, json=body),
                           409 if "already" in message else 422)["errors"]
    assert field in errors and message in " ".join(errors[field]), errors
    unchanged.check()


def test_a_duplicate_dependency_is_409(client, auth, unchanged):
    headers = auth()
    unchanged()
    errors = is_json_error(client.post("/api/v1/dependencies", headers=headers, json={
        "consumer": "order-service", "provider": "search-engine"}), 409)["errors"]
    assert "already depends" in errors["provider"][0]
    unchanged.check()


def test_a_dependency_follows_the_consumers_team(client, auth, db, unchanged):
    """A contributor of growth cannot make trade's capability depend on anything."""
    growth = db.session.scalar(sa.select(Capability).where(Capability.slug == "search-engine")).team
    user = User(username="growth-dev", role="contributor", team=growth, password_hash="!")
    db.session.add(user)
    db.session.commit()
    headers = {"Authorization": f"Bearer {accounts.issue_token(user, 'ci', 'write')}"}
    unchanged()
    is_json_error(client.post("/api/v1/dependencies", headers=headers, json={
        "consumer": "order-service", "provider": "old-ledger"}), 403)
    unchanged.check()


def test_a_dependency_with_a_stale_if_match_is_412(client, auth, db, unchanged):
    headers = {**auth(), "If-Match": '"9"'}
    unchanged()
    is_json_error(client.post("/api/v1/dependencies", headers=headers, json={
        "consumer": "search-engine", "provider": "order-service"}), 412)
    unchanged.check()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dependency)) == 1
