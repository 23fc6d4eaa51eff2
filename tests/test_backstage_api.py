"""The Backstage catalog API under /api/catalog: Backstage's query semantics, read-only, guarded.

A small catalog is enough to pin each rule; ``test_backstage_client.py``
reads a bigger one with Backstage's own client.
"""

import base64
import json

import pytest
import sqlalchemy as sa
import yaml

from catalog import accounts
from catalog.adoptions import adopt
from catalog.backstage import export_catalog
from catalog.capabilities import add_dependency, get_capability, update_capability
from catalog.models import Capability

API = "/api/catalog"
SERVED_ONLY = ("namespace", "uid", "etag")


@pytest.fixture
def catalog(make):
    """Two teams, two domains, four capabilities (one a hub), a business adopting the hub."""
    make.team("trade")
    make.team("growth", kind="business")
    make.domain("transaction")
    make.domain("search", layer="infrastructure")
    make.capability("search-engine", domain="search", team="growth", lifecycle="production",
                    tags=["java", "search"], apis=[{"name": "Query", "kind": "grpc"}])
    make.capability("order-service", lifecycle="production", tags=["java"],
                    dependencies=["search-engine"])
    make.capability("coupon-engine", name="Coupon Engine", dependencies=["search-engine"])
    make.capability("price-engine", lifecycle="production", team="growth",
                    dependencies=[{"provider": "search-engine", "api": "Query"}])
    make.business("taobao")
    adopt({"business": "taobao", "capability": "search-engine", "since": "2024-01-01"}, None)
    return make


def get(client, path, **params):
    response = client.get(f"{API}{path}", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def names(entities):
    return [e["metadata"]["name"] for e in entities]


def query(client, **params):
    return get(client, "/entities/by-query", **params)


def backstage_error(response, status, text):
    """Backstage's error body: what its client reads the message from."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"]["name"] == {400: "InputError", 404: "NotFoundError"}[status]
    assert text in body["error"]["message"], body
    assert body["response"] == {"statusCode": status}
    assert body["request"]["method"] == response.request.method
    return body


# -- entities: the export, plus what the catalog backend adds -----------------------------


def test_entities_are_the_export_plus_namespace_uid_etag_and_relations(client, catalog):
    exported = list(yaml.safe_load_all(export_catalog()))
    served = client.get(f"{API}/entities").get_json()
    assert len(served) == len(exported)
    by_ref = {(e["kind"], e["metadata"]["name"]): e for e in served}
    for entity in exported:
        got = dict(by_ref[entity["kind"], entity["metadata"]["name"]])
        assert got.pop("relations") is not None
        metadata = dict(got.pop("metadata"))
        assert metadata["namespace"] == "default" and len(metadata["etag"]) == 40
        for key in SERVED_ONLY:
            metadata.pop(key)
        assert {**got, "metadata": metadata} == entity


def test_relations_are_computed_as_backstage_does(client, catalog):
    hub = get(client, "/entities/by-name/component/default/search-engine")
    relations = {(r["type"], r["targetRef"]) for r in hub["relations"]}
    assert relations == {
        ("ownedBy", "group:default/growth"), ("partOf", "system:default/search"),
        ("providesApi", "api:default/query"),
        ("dependencyOf", "component:default/order-service"),
        ("dependencyOf", "component:default/coupon-engine"),
        ("dependencyOf", "component:default/taobao"),  # the business adopting it
    }
    assert hub["relations"] == sorted(hub["relations"], key=lambda r: (r["type"], r["targetRef"]))
    api = get(client, "/entities/by-name/API/default/Query")
    assert {(r["type"], r["targetRef"]) for r in api["relations"]} == {
        ("apiProvidedBy", "component:default/search-engine"),
        ("apiConsumedBy", "component:default/price-engine"),
        ("ownedBy", "group:default/growth"), ("partOf", "system:default/search")}
    group = get(client, "/entities/by-name/group/default/growth")
    assert ("ownerOf", "component:default/search-engine") in {
        (r["type"], r["targetRef"]) for r in group["relations"]}


def test_a_dangling_owner_keeps_its_relation(client, catalog, db):
    capability = db.session.scalar(sa.select(Capability).where(Capability.slug == "coupon-engine"))
    capability.team = None
    db.session.commit()
    entity = get(client, "/entities/by-name/component/default/coupon-engine")
    assert {"type": "ownedBy", "targetRef": "group:default/capability-portal.unowned"} in \
        entity["relations"]


def test_uid_is_stable_and_etag_follows_changes(client, catalog):
    before = {e["metadata"]["name"]: e["metadata"] for e in client.get(f"{API}/entities").get_json()}
    capability = get_capability("order-service")
    update_capability(capability, {"summary": "Orders, now with a new summary."}, None)
    add_dependency({"consumer": "coupon-engine", "provider": "order-service"}, None)
    after = {e["metadata"]["name"]: e["metadata"] for e in client.get(f"{API}/entities").get_json()}
    assert {name: m["uid"] for name, m in after.items()} == \
        {name: m["uid"] for name, m in before.items()}
    changed = {name for name in after if after[name]["etag"] != before[name]["etag"]}
    # order-service changed; coupon-engine depends on it now (so order-service also gains a
    # dependencyOf relation); nothing else moved.
    assert changed == {"order-service", "coupon-engine"}
    uid = after["order-service"]["uid"]
    assert get(client, f"/entities/by-uid/{uid.upper()}")["metadata"]["name"] == "order-service"


# -- by-query: filters, order, full text, fields, paging ------------------------------------


@pytest.mark.parametrize("filters, expected", [
    (["kind=component,spec.lifecycle=production"],
     ["order-service", "price-engine", "search-engine", "taobao"]),
    (["KIND=Component,Spec.Type=WEBSITE"], ["taobao"]),  # keys and values ignore case
    (["kind=api", "kind=component,spec.type=website"], ["Query", "taobao"]),  # sets are OR
    (["kind=component,metadata.name=coupon-engine,metadata.name=taobao"],
     ["coupon-engine", "taobao"]),  # a key named twice: any of its values
    (["kind=component,spec.consumesApis"], ["price-engine"]),  # the key exists
    (["metadata.tags.java"], ["order-service", "search-engine"]),  # an item of a list
    (["metadata.tags=search"], ["search-engine"]),
    (["relations.ownedBy=group:default/growth,kind=component"],
     ["price-engine", "search-engine"]),
    (["relations.dependencyof=component:default/taobao"], ["search-engine"]),
    (["metadata.annotations.capability-portal/layer=frontend"], ["taobao"]),
    (["kind=component,spec.lifecycle=nothing"], []),
    ([",,"], None),  # no condition at all: no filter
])
def test_filters_have_backstage_semantics(client, catalog, filters, expected):
    found = sorted(names(query(client, filter=filters, limit=500)["items"]))
    if expected is None:
        assert len(found) == len(client.get(f"{API}/entities").get_json())
    else:
        assert found == sorted(expected)


def test_paging_by_cursor_visits_every_entity_once_and_goes_back(client, catalog):
    everything = client.get(f"{API}/entities").get_json()
    first = query(client, limit=4)
    assert first["totalItems"] == len(everything) and "prevCursor" not in first["pageInfo"]
    assert names(first["items"]) == names(sorted(everything, key=lambda e: e["metadata"]["uid"])[:4])
    pages, page = [first], first
    while "nextCursor" in page["pageInfo"]:
        page = query(client, cursor=page["pageInfo"]["nextCursor"], limit=4)
        assert page["totalItems"] == len(everything)
        pages.append(page)
    seen = [e["metadata"]["uid"] for p in pages for e in p["items"]]
    assert seen == sorted(e["metadata"]["uid"] for e in everything)
    back = query(client, cursor=pages[2]["pageInfo"]["prevCursor"], limit=4)
    assert names(back["items"]) == names(pages[1]["items"])


def test_order_field_lists_only_entities_with_it_and_pages_in_order(client, catalog):
    desc = query(client, orderField="metadata.title,desc", limit=2)
    titled = [e for e in client.get(f"{API}/entities").get_json() if "title" in e["metadata"]]
    expected = sorted(titled, key=lambda e: (e["metadata"]["title"].lower(), e["metadata"]["uid"]),
                      reverse=True)
    assert desc["totalItems"] == len(titled)
    got = list(desc["items"])
    while "nextCursor" in desc["pageInfo"]:
        desc = query(client, cursor=desc["pageInfo"]["nextCursor"], limit=2)
        got += desc["items"]
    assert names(got) == names(expected)


def test_full_text_searches_the_fields_asked(client, catalog):
    found = query(client, fullTextFilterTerm=" ENGINE ", fullTextFilterFields="metadata.name",
                  filter="kind=component")
    assert sorted(names(found["items"])) == ["coupon-engine", "price-engine", "search-engine"]
    assert found["totalItems"] == 3
    by_title = query(client, fullTextFilterTerm="coupon e", fullTextFilterFields="metadata.title")
    assert names(by_title["items"]) == ["coupon-engine"]
    # Without fields Backstage searches the order field (here the name), else the uid.
    assert names(query(client, fullTextFilterTerm="taob", orderField="metadata.name,asc")
                 ["items"]) == ["taobao"]
    assert query(client, fullTextFilterTerm="taob")["items"] == []


def test_fields_limit_offset_and_total(client, catalog):
    everything = query(client, limit=500)["items"]
    page = query(client, fields="metadata.name,kind", offset=2, limit=3, totalItems="exclude")
    assert page["totalItems"] == 0
    assert page["items"] == [{"metadata": {"name": e["metadata"]["name"]}, "kind": e["kind"]}
                             for e in everything[2:5]]
    annotation = query(client, fields="metadata.annotations.capability-portal/layer",
                       filter="metadata.name=taobao")["items"]
    assert annotation == [{"metadata": {"annotations": {"capability-portal/layer": "frontend"}}}]
    assert query(client, limit=0)["items"] == []


# -- the other reads --------------------------------------------------------------------------


def test_the_older_list_orders_pages_and_links_the_next_page(client, catalog):
    everything = client.get(f"{API}/entities").get_json()
    refs = [f"{e['kind']}:default/{e['metadata']['name']}".lower() for e in everything]
    assert refs == sorted(refs)
    response = client.get(f"{API}/entities", query_string={
        "filter": "kind=component", "order": "desc:metadata.name", "limit": 2})
    assert names(response.get_json()) == ["taobao", "search-engine"]
    link = response.headers["Link"]
    assert link.startswith(f"<{API}/entities?") and link.endswith('>; rel="next"')
    following = client.get(link[1:link.index(">")]).get_json()
    assert names(following) == ["price-engine", "order-service"]
    ordered = client.get(f"{API}/entities", query_string={"order": "asc:metadata.title"})
    titled = sorted((e for e in everything if "title" in e["metadata"]),
                    key=lambda e: (e["metadata"]["title"].lower(), e["metadata"]["uid"]))
    untitled = sorted((e for e in everything if "title" not in e["metadata"]),
                      key=lambda e: e["metadata"]["uid"])
    assert names(ordered.get_json()) == names(titled + untitled)  # missing values last


def test_by_name_by_uid_and_by_refs(client, catalog):
    entity = get(client, "/entities/by-name/Component/DEFAULT/Order-Service")
    assert entity["metadata"]["name"] == "order-service"
    assert get(client, f"/entities/by-uid/{entity['metadata']['uid']}") == entity
    backstage_error(client.get(f"{API}/entities/by-name/component/default/nope"), 404,
                    "No entity named 'nope' found, with kind 'component' in namespace 'default'")
    backstage_error(client.get(f"{API}/entities/by-uid/nope"), 404, "No entity with uid nope")
    response = client.post(f"{API}/entities/by-refs?fields=kind", json={
        "entityRefs": ["component:default/taobao", "component:default/ghost", "component:taobao",
                       "API:default/query"], "fields": ["metadata.name"]})
    assert response.status_code == 200
    assert response.get_json() == {"items": [
        {"kind": "Component", "metadata": {"name": "taobao"}}, None, None,
        {"kind": "API", "metadata": {"name": "Query"}}]}
    filtered = client.post(f"{API}/entities/by-refs?filter=kind=api", json={
        "entityRefs": ["component:default/taobao", "api:default/query"]}).get_json()
    assert filtered["items"][0] is None and filtered["items"][1]["kind"] == "API"


def test_facets_count_entities_under_the_filter(client, catalog):
    facets = get(client, "/entity-facets", facet=["spec.owner", "Kind"],
                 filter="kind=component")["facets"]
    assert facets == {  # the business has no team: Backstage's dangling owner
        "spec.owner": [{"value": "group:default/capability-portal.unowned", "count": 1},
                       {"value": "group:default/growth", "count": 2},
                       {"value": "group:default/trade", "count": 2}],
        "Kind": [{"value": "Component", "count": 5}]}
    tags = get(client, "/entity-facets", facet="metadata.tags")["facets"]["metadata.tags"]
    assert tags == [{"value": "java", "count": 2}, {"value": "search", "count": 1}]


def test_a_write_is_seen_by_the_next_read(client, catalog):
    assert query(client, filter="metadata.name=gift-cards")["items"] == []
    catalog.capability("gift-cards")
    assert names(query(client, filter="metadata.name=gift-cards")["items"]) == ["gift-cards"]


# -- bad input, writes, login --------------------------------------------------------------


def cursor(data) -> str:
    return base64.b64encode(json.dumps(data).encode()).decode()


GOOD_CURSOR = {"filter": None, "orderFields": [], "fullTextFilter": {"term": "", "fields": None},
               "orderFieldValues": ["0"], "firstSortFieldValues": None, "isPrevious": False,
               "totalItems": 3}


@pytest.mark.parametrize("path, params, message", [
    ("/entities/by-query", {"filter": "=x"}, "Invalid filter, '=x' is not a valid statement"),
    ("/entities/by-query", {"orderField": "metadata.name,up"}, "must be asc or desc"),
    ("/entities/by-query", {"limit": "ten"}, "Invalid limit, not an integer"),
    ("/entities/by-query", {"limit": "-1"}, "Invalid limit, must be zero or greater"),
    ("/entities/by-query", {"offset": "1.5"}, "Invalid offset, not an integer"),
    ("/entities/by-query", {"fields": "relations[0]"}, "array type fields are not supported"),
    ("/entities/by-query", {"totalItems": "some"}, 'Invalid totalItems parameter "some"'),
    ("/entities/by-query", {"cursor": "not a cursor"}, "Malformed cursor"),
    ("/entities/by-query", {"cursor": "bm90IGpzb24="}, "Malformed cursor"),
    ("/entities/by-query", {"cursor": cursor([1, 2])}, "Malformed cursor"),
    ("/entities/by-query", {"cursor": cursor({**GOOD_CURSOR, "orderFieldValues": [None]})},
     "Malformed cursor"),
    ("/entities/by-query", {"cursor": cursor({**GOOD_CURSOR, "totalItems": True})},
     "Malformed cursor"),
    ("/entities/by-query", {"cursor": cursor({**GOOD_CURSOR, "orderFields": [
        {"field": "metadata.name", "order": "asc"}]})}, "Malformed cursor"),
    ("/entities/by-query", {"cursor": "A" * 20_000}, "Invalid cursor, longer than"),
    ("/entities/by-query", {"filter": ["kind=x"] * 51}, "at most 50 filter parameters"),
    ("/entities", {"order": "metadata.name"}, 'Invalid order parameter "metadata.name"'),
    ("/entities", {"limit": "0"}, "Invalid limit, must be greater than zero"),
    ("/entities", {"after": ""}, "Invalid after, must not be empty"),
    ("/entities", {"after": "%%%"}, "Malformed after cursor"),
    ("/entities", {"after": cursor({"offset": "2"})}, "Malformed after cursor, offset"),
    ("/entity-facets", {}, "Missing facet parameter"),
    ("/entity-facets", {"facet": "kind", "filter": "=y"}, "Invalid filter"),
])
def test_bad_parameters_are_a_backstage_400(client, catalog, path, params, message):
    backstage_error(client.get(f"{API}{path}", query_string=params), 400, message)


def test_a_cursor_keeps_working_and_a_forged_one_cannot_break_the_query(client, catalog):
    forged = cursor({**GOOD_CURSOR, "filter": [[["kind", ["component"]]]],
                     "orderFieldValues": ["zzzz"], "totalItems": 99})
    page = query(client, cursor=forged, limit=10)
    assert page["items"] == [] and page["totalItems"] == 99


@pytest.mark.parametrize("body, message", [
    ({"entityRefs": "component:default/a"}, "entityRefs must be a list of strings"),
    ({"entityRefs": [1]}, "entityRefs must be a list of strings"),
    ({"entityRefs": [], "fields": "kind"}, "fields must be a list of strings"),
    ({"entityRefs": ["x"] * 10_001}, "at most 10,000 entityRefs"),
    ([], "the body must be a JSON object"),
])
def test_a_bad_by_refs_body_is_a_backstage_400(client, catalog, body, message):
    backstage_error(client.post(f"{API}/entities/by-refs", json=body), 400, message)
    backstage_error(client.post(f"{API}/entities/by-refs", data="entityRefs=x"), 400,
                    "Malformed request body")


@pytest.mark.parametrize("method, path", [
    ("DELETE", "/entities/by-uid/abc"), ("POST", "/refresh"), ("POST", "/locations"),
    ("PUT", "/locations/1"), ("DELETE", "/locations/1"), ("POST", "/validate-entity"),
    ("POST", "/analyze-location"), ("POST", "/entities"), ("PATCH", "/entities/by-query"),
])
def test_writes_are_refused_with_the_house_405(client, catalog, unchanged, method, path):
    unchanged()
    response = client.open(f"{API}{path}", method=method, json={"entityRef": "x"})
    assert response.status_code == 405 and response.mimetype == "application/json"
    assert response.get_json()["status"] == 405
    assert method not in response.headers.get("Allow", "")
    unchanged.check()


def test_an_unknown_path_is_a_json_404(client, catalog):
    response = client.get(f"{API}/no-such-thing")
    assert response.status_code == 404 and response.get_json()["status"] == 404


def test_login_wall_and_tokens_apply_as_for_api_v1(client, app, catalog, monkeypatch):
    user = accounts.create_user("reader", "correct-horse-battery", role="viewer")
    token = accounts.issue_token(user, "backstage", "read")
    bad = client.get(f"{API}/entities/by-query", headers={"Authorization": "Bearer cpt_nope"})
    assert bad.status_code == 401 and bad.get_json()["status"] == 401
    monkeypatch.setitem(app.config, "REQUIRE_LOGIN", True)
    for path in ("/entities/by-query", "/entities", "/entity-facets?facet=kind"):
        refused = client.get(f"{API}{path}")
        assert refused.status_code == 401 and refused.get_json()["status"] == 401
        allowed = client.get(f"{API}{path}", headers={"Authorization": f"Bearer {token}"})
        assert allowed.status_code == 200
    refs = client.post(f"{API}/entities/by-refs", json={"entityRefs": []})
    assert refs.status_code == 401


def test_hostile_text_is_returned_as_json_data(client, catalog):
    catalog.capability("xss-probe", name="<script>alert(1)</script>",
                       description="</script><img src=x onerror=alert(1)>")
    response = client.get(f"{API}/entities/by-name/component/default/xss-probe")
    assert response.mimetype == "application/json"
    assert response.get_json()["metadata"]["title"] == "<script>alert(1)</script>"
    probe = client.get(f"{API}/entities/by-query",
                       query_string={"filter": "metadata.title=<script>alert(1)</script>"})
    assert names(probe.get_json()["items"]) == ["xss-probe"]
