"""The OpenAPI document: valid, complete, and drawn from the rules the code enforces."""

import re

import jsonschema
import pytest
from openapi_spec_validator import validate

from catalog import browse, fields, schemas, validation
from catalog.models.capability import API_STATUSES, DEPENDENCY_KINDS, LAYERS, LIFECYCLES, TIERS
from catalog.validation import Errors, check_capability, check_delivery
from graphs.params import MAX_DEPTH
from portal import create_app
from portal.openapi import API_PREFIX, CATALOG_PREFIX, OPERATIONS, api_rules, document


@pytest.fixture
def doc(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_the_document_is_valid_openapi_3_1(doc):
    assert doc["openapi"].startswith("3.1")
    validate(doc)


def test_every_api_route_is_documented_and_every_documented_path_is_routed(app, doc):
    """No drift: the URL map and the document list the same (method, path) pairs."""
    routed = {(method.lower(), path) for method, path, _ in api_rules(app)}
    documented = {(method, path) for path, item in doc["paths"].items() for method in item
                  if method != "servers"}
    assert routed == documented
    assert {endpoint for _, _, endpoint in api_rules(app)} == set(OPERATIONS)


def test_the_public_contract_is_all_there(doc):
    """DESIGN's list of endpoints under /api/v1."""
    contract = [("get", "/capabilities"), ("post", "/capabilities"),
                ("get", "/capabilities/{slug}"),
                ("patch", "/capabilities/{slug}"), ("get", "/capabilities/{slug}/impact"),
                ("get", "/capabilities/{slug}/dependencies"), ("post", "/dependencies"),
                ("post", "/adoptions"), ("get", "/deliveries"), ("post", "/deliveries"),
                ("get", "/graph"), ("get", "/graph/cycles"), ("get", "/metrics/reuse"),
                ("get", "/metrics/delivery"), ("post", "/import/backstage"),
                ("get", "/export/backstage"), ("get", "/openapi.json")]
    for method, path in contract:
        assert method in doc["paths"].get(path, {}), (method, path)


def test_a_route_missing_from_the_table_fails_the_build():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "SECRET_KEY": "x"})
    app.add_url_rule(f"{API_PREFIX}/undocumented", "api.undocumented", lambda: "")
    with pytest.raises(LookupError, match="undocumented"):
        document(app)


def test_writes_need_the_bearer_token_and_reads_may_send_it(doc):
    """A write needs a token; a read (GET, or the catalog API's POST by-refs) may send one."""
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method == "servers":
                continue
            described = OPERATIONS[f"{_blueprint(item)}.{operation['operationId']}"]
            assert described.write == (method != "get" and _blueprint(item) == "api"), path
            if not described.write:
                assert {} in operation["security"], path
            else:
                assert operation["security"] == [{"bearerAuth": []}], (method, path)
                for status in ("401", "403", "413", "422"):
                    assert status in operation["responses"], (method, path, status)


def _blueprint(path_item: dict) -> str:
    """The blueprint of a documented path: the catalog API's carry their own server."""
    return "backstage_api" if "servers" in path_item else "api"


def test_the_catalog_api_is_documented_under_its_own_server(doc):
    item = doc["paths"]["/entities/by-query"]
    assert item["servers"] == [{"url": CATALOG_PREFIX}]
    assert item["get"]["tags"] == ["backstage"] and "422" not in item["get"]["responses"]
    assert set(doc["paths"]["/refresh"]["post"]["responses"]) == {"400", "401", "405", "503"}


def test_every_reference_resolves(doc):
    names = set(doc["components"]["schemas"])
    refs = re.findall(r'"\$ref": "#/components/schemas/(\w+)"', str(doc).replace("'", '"'))
    assert refs and set(refs) <= names


# -- the schemas are the rules ------------------------------------------------------------


def props(name: str) -> dict:
    return schemas.SCHEMAS[name]["properties"]


def test_capability_schema_constants_are_the_validation_constants():
    create = props("CapabilityCreate")
    assert create["slug"] is schemas.SLUG or create["slug"] == schemas.SLUG
    assert schemas.SLUG["pattern"] == fields.SLUG_RE.pattern
    assert schemas.SLUG["maxLength"] == fields.SLUG_MAX
    assert create["name"]["maxLength"] == fields.NAME_MAX
    assert create["summary"]["maxLength"] == fields.SUMMARY_MAX
    assert create["description"]["maxLength"] == fields.DESCRIPTION_MAX
    assert create["lifecycle"]["enum"] == list(LIFECYCLES)
    assert create["tier"]["enum"] == list(TIERS)
    assert create["tags"]["maxItems"] == fields.TAGS_MAX
    assert create["tags"]["items"]["pattern"] == fields.TAG_RE.pattern
    assert create["tags"]["items"]["maxLength"] == fields.TAG_MAX
    assert create["docs_url"]["maxLength"] == fields.URL_MAX
    assert create["sla_p99_ms"]["anyOf"][0]["maximum"] == fields.P99_MAX_MS
    assert create["apis"]["maxItems"] == fields.APIS_MAX
    assert create["dependencies"]["maxItems"] == fields.DEPENDENCIES_MAX
    api = props("ApiInput")
    assert api["status"]["enum"] == list(API_STATUSES)
    assert api["kind"]["pattern"] == fields.KIND_RE.pattern
    assert api["kind"]["maxLength"] == fields.API_KIND_MAX
    assert api["version"]["maxLength"] == fields.API_VERSION_MAX
    assert api["spec"]["maxLength"] == fields.SPEC_MAX
    assert props("DependencyCreate")["kind"]["enum"] == list(DEPENDENCY_KINDS)


def test_delivery_and_adoption_schema_constants_are_the_validation_constants():
    delivery = props("DeliveryCreate")
    assert delivery["title"]["maxLength"] == fields.TITLE_MAX
    assert delivery["external_ref"]["maxLength"] == fields.EXTERNAL_REF_MAX
    assert delivery["capabilities"]["maxItems"] == fields.DELIVERY_CAPABILITIES_MAX
    assert delivery["source"]["enum"] == list(fields.DELIVERY_SOURCES)
    assert delivery["requested_on"]["pattern"] == fields.DATE_RE.pattern
    assert props("AdoptionCreate")["purpose"]["maxLength"] == fields.PURPOSE_MAX


def test_list_parameters_are_the_browse_and_paging_rules(doc):
    def params(path, method="get"):
        return {p["name"]: p["schema"] for p in doc["paths"][path][method].get("parameters", [])}

    browse_params = params("/capabilities")
    assert browse_params["sort"]["enum"] == list(browse.SORTS)
    assert browse_params["layer"]["enum"] == list(LAYERS)
    assert browse_params["lifecycle"]["enum"] == list(LIFECYCLES)
    assert browse_params["q"]["maxLength"] == browse.Q_MAX
    assert browse_params["per_page"]["maximum"] == validation.PER_PAGE_MAX
    assert browse_params["page"]["maximum"] == validation.PAGE_MAX
    assert set(browse.FACETS) <= set(browse_params)
    for path in ("/adoptions", "/deliveries"):
        assert params(path)["per_page"]["maximum"] == validation.PER_PAGE_MAX
    assert params("/capabilities/{slug}/impact")["depth"]["maximum"] == MAX_DEPTH


# One table, two judges: the JSON Schema and the validation rules agree on each value.
CAPABILITY = {"slug": "order-service", "name": "Orders", "domain": "transaction",
              "team": "trade"}
AGREEMENT = [
    ("slug", "a" * fields.SLUG_MAX, True),
    ("slug", "a" * (fields.SLUG_MAX + 1), False),
    ("slug", "Order_Service", False),
    ("slug", "order--service", False),
    ("name", "n" * fields.NAME_MAX, True),
    ("name", "n" * (fields.NAME_MAX + 1), False),
    ("name", "two\nlines", False),
    ("name", "   ", False),
    ("summary", "s" * fields.SUMMARY_MAX, True),
    ("summary", "s" * (fields.SUMMARY_MAX + 1), False),
    ("lifecycle", "production", True),
    ("lifecycle", "launched", False),
    ("tier", 1, True),
    ("tier", 4, False),
    ("tags", ["checkout", "b2c"], True),
    ("tags", ["Checkout!"], False),
    ("tags", ["t" * (fields.TAG_MAX + 1)], False),
    ("tags", [f"t{i}" for i in range(fields.TAGS_MAX + 1)], False),
    ("docs_url", "https://wiki.example.com/orders", True),
    ("docs_url", "ftp://example.com/orders", False),
    ("docs_url", "https://x.example.com/" + "p" * fields.URL_MAX, False),
    ("sla_availability", 99.95, True),
    ("sla_availability", 0, False),
    ("sla_availability", 100.5, False),
    ("sla_p99_ms", fields.P99_MAX_MS, True),
    ("sla_p99_ms", fields.P99_MAX_MS + 1, False),
    ("sla_p99_ms", 0, False),
    ("apis", [{"name": "Orders", "kind": "grpc", "status": "stable"}], True),
    ("apis", [{"name": "Orders", "status": "frozen"}], False),
    ("apis", [{"name": "Orders", "kind": "k" * (fields.API_KIND_MAX + 1)}], False),
    ("apis", [{"name": "Orders", "version": "v" * (fields.API_VERSION_MAX + 1)}], False),
    ("dependencies", ["search-engine", {"provider": "ledger", "kind": "data"}], True),
    ("dependencies", [{"provider": "ledger", "kind": "telepathy"}], False),
]


@pytest.mark.parametrize("field, value, valid", AGREEMENT)
def test_schema_and_rules_agree(field, value, valid):
    data = {**CAPABILITY, field: value}
    errors = Errors()
    check_capability(data, errors)
    by_rules = not errors
    by_schema = _schema_accepts("CapabilityCreate", data)
    assert (by_rules, by_schema) == (valid, valid)


@pytest.mark.parametrize("field, value, valid", [
    ("title", "t" * fields.TITLE_MAX, True),
    ("title", "t" * (fields.TITLE_MAX + 1), False),
    ("requested_on", "2025-02-01", True),
    ("requested_on", "1/2/2025", False),
    ("capabilities", [f"c{i}" for i in range(fields.DELIVERY_CAPABILITIES_MAX + 1)], False),
    ("source", "fax", False),
    ("external_ref", "r" * (fields.EXTERNAL_REF_MAX + 1), False),
])
def test_delivery_schema_and_rules_agree(field, value, valid):
    import datetime as dt

    data = {"business": "taobao", "title": "Gift cards", "requested_on": "2025-01-01",
            field: value}
    errors = Errors()
    check_delivery(data, errors, today=dt.date(2025, 6, 1))
    assert (not errors, _schema_accepts("DeliveryCreate", data)) == (valid, valid)


def _schema_accepts(name: str, instance) -> bool:
    """Validate ``instance`` against component ``name``, its references resolved in place."""
    root = {"$ref": f"#/components/schemas/{name}", "components": {"schemas": schemas.SCHEMAS}}
    validator = jsonschema.Draft202012Validator(
        root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return validator.is_valid(instance)


def test_a_patch_takes_the_same_fields_as_a_post_but_the_slug():
    patch, create = props("CapabilityPatch"), props("CapabilityCreate")
    assert set(patch) == set(create) - {"slug"} | {"version"}
    assert "required" not in schemas.SCHEMAS["CapabilityPatch"]


def test_the_reference_page_renders_offline(client):
    response = client.get("/api/docs")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "/api/v1/capabilities/{slug}" in html and "CapabilityCreate" in html
    assert "write token" in html
    assert not re.search(r'<script[^>]+src="https?://', html)
