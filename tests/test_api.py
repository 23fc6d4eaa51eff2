"""The first JSON endpoints: list, read, register, change; errors are JSON."""

import pytest

from tests.bad_inputs import BAD_CAPABILITIES, Bad
from tests.support import assert_only_field_error


@pytest.fixture
def catalog(make):
    make.trade_and_growth()
    make.capability("search-engine", name="Search engine", domain="search", team="growth",
                    tags=["search"], lifecycle="production")
    make.capability("order-service", name="Order service", tags=["checkout"],
                    dependencies=["search-engine"], apis=[{"name": "Orders", "kind": "openapi"}])
    make.capability("coupon-engine", name="Coupon engine", tier=1, lifecycle="production")
    return make


@pytest.fixture
def token(token, catalog):
    """The shared token fixture (conftest), once the test's catalog exists."""
    return token


NEW = {"slug": "price-engine", "name": "Price engine", "summary": "Prices.",
       "domain": "transaction", "team": "trade", "tags": ["pricing"],
       "apis": [{"name": "Prices", "kind": "grpc", "status": "stable"}],
       "dependencies": [{"provider": "search-engine", "kind": "sync"}]}


def test_list_has_the_public_shape(client, catalog):
    body = client.get("/api/v1/capabilities").get_json()
    assert body["total"] == 3 and body["next"] is None
    first = body["items"][0]
    for key in ("slug", "name", "summary", "domain", "layer", "team", "lifecycle", "tier",
                "tags", "apis", "version"):
        assert key in first
    assert [item["slug"] for item in body["items"]] == ["coupon-engine", "order-service", "search-engine"]


def test_list_takes_the_browse_filters(client, catalog):
    body = client.get("/api/v1/capabilities?q=engine&layer=infrastructure").get_json()
    assert [item["slug"] for item in body["items"]] == ["search-engine"]
    body = client.get("/api/v1/capabilities?tag=checkout").get_json()
    assert [item["slug"] for item in body["items"]] == ["order-service"]
    body = client.get("/api/v1/capabilities?sort=-consumers").get_json()
    assert body["items"][0]["slug"] == "search-engine"
    assert body["items"][0]["direct_consumers"] == 1


def test_list_pages_with_a_next_link(client, catalog):
    body = client.get("/api/v1/capabilities?per_page=2").get_json()
    assert len(body["items"]) == 2 and body["total"] == 3
    assert "page=2" in body["next"]
    second = client.get(body["next"]).get_json()
    assert [item["slug"] for item in second["items"]] == ["search-engine"]
    assert second["next"] is None


@pytest.mark.parametrize("query, field", [("page=0", "page"), ("per_page=500", "per_page"),
                                          ("sort=random", "sort"), ("layer=moon", "layer")])
def test_bad_list_parameters_are_422(client, catalog, query, field):
    response = client.get(f"/api/v1/capabilities?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_get_one_with_etag(client, catalog):
    response = client.get("/api/v1/capabilities/order-service")
    assert response.status_code == 200
    assert response.headers["ETag"] == '"1"'
    body = response.get_json()
    assert body["dependencies"] == [{"provider": "search-engine", "kind": "sync", "api": None}]
    assert body["apis"][0]["name"] == "Orders"


def test_unknown_slug_is_json_404(client, catalog):
    response = client.get("/api/v1/capabilities/ghost")
    assert response.status_code == 404
    assert response.is_json and "ghost" in response.get_json()["error"]


def test_unknown_api_route_is_json_404(client, catalog):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.is_json


def test_register(client, catalog, token):
    response = client.post("/api/v1/capabilities", json=NEW, headers=token())
    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"].endswith("/api/v1/capabilities/price-engine")
    body = response.get_json()
    assert body["layer"] == "business-platform" and body["version"] == 1
    assert body["apis"][0]["kind"] == "grpc"


def test_register_needs_a_token(client, catalog, unchanged):
    unchanged()
    response = client.post("/api/v1/capabilities", json=NEW)
    assert response.status_code == 401 and response.is_json
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    unchanged.check()


def test_bad_token_is_401(client, catalog):
    response = client.post("/api/v1/capabilities", json=NEW,
                           headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_read_only_token_cannot_write(client, catalog, token, unchanged):
    headers = token(scopes="read")
    unchanged()
    response = client.post("/api/v1/capabilities", json=NEW, headers=headers)
    assert response.status_code == 403 and response.is_json
    unchanged.check()


def test_contributor_token_for_another_team_is_403(client, catalog, token, unchanged):
    headers = token(role="contributor", team="growth")
    unchanged()
    response = client.post("/api/v1/capabilities", json=NEW, headers=headers)
    assert response.status_code == 403
    unchanged.check()


def test_viewer_token_is_403(client, catalog, token):
    response = client.post("/api/v1/capabilities", json=NEW, headers=token(role="viewer"))
    assert response.status_code == 403


@pytest.mark.parametrize("changes, field, words, status", [
    *BAD_CAPABILITIES,
    # The form cannot send these: its tags are one comma-separated text.
    Bad({"tags": {"not": "a list"}}, "tags", "Tags must be a list or a comma-separated string."),
])
def test_bad_body_is_refused_naming_the_field(client, catalog, token, unchanged, changes, field,
                                              words, status):
    catalog.capability("old-ledger", lifecycle="retired")  # as in the form tests' catalog
    headers = token()
    unchanged()
    response = client.post("/api/v1/capabilities", json={**NEW, **changes}, headers=headers)
    assert_only_field_error(response, field, words, status)
    unchanged.check()


@pytest.mark.parametrize("kwargs, status", [
    ({"data": "slug=x", "content_type": "application/x-www-form-urlencoded"}, 415),
    ({"data": "{not json", "content_type": "application/json"}, 400),
    ({"json": ["a", "list"]}, 400),
])
def test_body_that_is_not_a_json_object(client, catalog, token, kwargs, status):
    response = client.post("/api/v1/capabilities", headers=token(), **kwargs)
    assert response.status_code == status and response.is_json


def test_patch_changes_only_given_fields(client, catalog, token):
    response = client.patch("/api/v1/capabilities/order-service",
                            json={"summary": "Takes orders.", "tier": 1},
                            headers={**token(), "If-Match": '"1"'})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["summary"] == "Takes orders." and body["tier"] == 1
    assert body["name"] == "Order service" and body["version"] == 2
    assert [d["provider"] for d in body["dependencies"]] == ["search-engine"]


@pytest.mark.parametrize("role, slug, if_match, status", [
    ("architect", "order-service", '"7"', 412),  # a stale If-Match
    ("contributor", "search-engine", "*", 403),  # another team's capability
])
def test_refused_patch_writes_nothing(client, catalog, token, unchanged, role, slug, if_match,
                                      status):
    headers = token(role=role, team="trade")
    unchanged()
    response = client.patch(f"/api/v1/capabilities/{slug}", json={"summary": "mine now"},
                            headers={**headers, "If-Match": if_match})
    assert response.status_code == status
    unchanged.check()


def test_patch_with_current_if_match_works(client, catalog, token):
    response = client.patch("/api/v1/capabilities/order-service", json={"summary": "x"},
                            headers={**token(), "If-Match": '"1"'})
    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'


def test_patch_cannot_change_the_slug(client, catalog, token):
    response = client.patch("/api/v1/capabilities/order-service", json={"slug": "renamed"},
                            headers={**token(), "If-Match": "*"})
    assert response.status_code == 422 and "slug" in response.get_json()["errors"]


def test_patch_unknown_is_404(client, catalog, token):
    response = client.patch("/api/v1/capabilities/ghost", json={"summary": "x"},
                            headers={**token(), "If-Match": "*"})
    assert response.status_code == 404


def test_patch_without_a_precondition_is_428(client, catalog, token, unchanged):
    """Regression: a PATCH without If-Match silently overwrote changes it never saw."""
    headers = token()
    unchanged()
    response = client.patch("/api/v1/capabilities/order-service", json={"summary": "x"},
                            headers=headers)
    assert response.status_code == 428 and response.is_json
    assert "If-Match" in response.get_json()["error"]
    unchanged.check()
    with_version = client.patch("/api/v1/capabilities/order-service", headers=headers,
                                json={"summary": "x", "version": 1})
    assert with_version.status_code == 200


def test_wrong_method_is_json_405(client, catalog):
    response = client.delete("/api/v1/capabilities/order-service")
    assert response.status_code == 405 and response.is_json
