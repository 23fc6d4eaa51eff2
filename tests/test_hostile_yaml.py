"""YAML that attacks the server: alias bombs, deep nesting, odd keys (specs and imports).

Regressions: a 386-byte API spec of nested aliases cost ~1 GB and seconds on every
view of its capability page (its operations' summaries were the expansion); a spec
nested thousands of levels deep, or a Backstage file, crashed with RecursionError;
an operation keyed by a number broke the page.
"""

import pytest
import sqlalchemy as sa

from catalog import accounts, safe_yaml
from catalog.backstage import import_text
from catalog.models import Api, Capability
from catalog.openapi import operations
from catalog.validation import SPEC_NOT_A_DOCUMENT, read_spec

#: Each level repeats the one below nine times: 9**6 = 531,441 "lol"s from 300 bytes.
BOMB = "\n".join(
    ["openapi: 3.0.0", "x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 6)]
    + ["paths: {/boom: {get: {summary: *a5}}}"])
DEEP = "openapi: 3.0.0\nx: " + "[" * 3000 + "]" * 3000 + "\n"
DEEP_JSON = '{"openapi": "3.0.0", "x": ' + "[" * 3000 + "]" * 3000 + "}"


@pytest.fixture
def catalog(make):
    make.team("trade")
    make.domain("transaction")
    return make.capability("order-service")


@pytest.fixture
def writer(make, db):
    user = make.user("dev", role="contributor")
    return {"Authorization": f"Bearer {accounts.issue_token(user, 'ci', 'write')}"}


@pytest.mark.parametrize("spec, message", [
    (BOMB, "anchors or aliases"),
    (DEEP, "nested more than 64 levels"),
    (DEEP_JSON, "nested more than 64 levels"),
    ('openapi: 3.0.0\ninfo: {title: "a\\0b"}', "NUL"),
])
def test_a_hostile_spec_is_refused_beside_its_field(client, db, catalog, writer, unchanged,
                                                     spec, message):
    etag = client.get("/api/v1/capabilities/order-service").headers["ETag"]
    unchanged()
    response = client.patch("/api/v1/capabilities/order-service", headers={
        **writer, "If-Match": etag}, json={"apis": [{"name": "Boom", "spec": spec}]})
    assert response.status_code == 422, response.get_json()
    assert any(message in m for m in response.get_json()["errors"]["apis.0.spec"])
    unchanged.check()


def store_spec(db, capability, spec):
    """Put a spec in the database as an older version (without today's rules) left it."""
    db.session.add(Api(capability_id=capability.id, name="Stored", kind="openapi", spec=spec))
    db.session.commit()


def test_a_stored_alias_bomb_is_not_expanded_on_the_page(client, db, catalog):
    store_spec(db, catalog, BOMB)
    page = client.get("/capabilities/order-service")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Stored" in html and "lol" not in html
    assert operations(BOMB) == []


def test_a_stored_deep_spec_does_not_break_the_page(client, db, catalog):
    store_spec(db, catalog, DEEP)
    assert client.get("/capabilities/order-service").status_code == 200


def test_an_operation_keyed_by_a_number_does_not_break_the_page(client, db, catalog):
    spec = ("openapi: 3.0.0\npaths:\n  /pets:\n    1: {summary: odd}\n"
            "    get: {summary: List pets}\n  404: {get: {summary: Numbered path}}\n")
    store_spec(db, catalog, spec)
    page = client.get("/capabilities/order-service")
    assert page.status_code == 200
    assert "List pets" in page.get_data(as_text=True)
    assert [op["path"] for op in operations(spec)] == ["/pets", "404"]


def test_a_backstage_file_nested_thousands_deep_is_a_422(client, db, make, unchanged):
    admin = make.user("boss", role="admin", team="")
    headers = {"Authorization": f"Bearer {accounts.issue_token(admin, 'ci', 'write')}",
               "Content-Type": "application/yaml"}
    text = ("apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: trade}\n"
            "spec: {children: " + "[" * 3000 + "]" * 3000 + "}\n")
    unchanged()
    response = client.post("/api/v1/import/backstage", data=text, headers=headers)
    assert response.status_code == 422
    assert "nested more than 64 levels" in str(response.get_json()["errors"])
    unchanged.check()


def test_a_backstage_api_with_an_alias_bomb_keeps_no_definition(db, make):
    """The definition is text inside the descriptor: imported, it is read as a spec."""
    text = ("apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: trade}\n"
            "spec: {type: team}\n---\n"
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: orders}\n"
            "spec: {type: service, lifecycle: production, owner: trade, providesApis: [boom]}\n"
            "---\n"
            "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: boom}\n"
            "spec: {type: openapi, lifecycle: production, owner: trade,\n"
            "       definition: " + repr(BOMB).replace("'", '"') + "}\n")
    report = import_text(text)
    assert report.ok, report.errors
    assert any("anchors or aliases" in w.message for w in report.warnings)
    capability = db.session.scalar(sa.select(Capability).where(Capability.slug == "orders"))
    assert [(api.name, api.spec) for api in capability.apis] == [("boom", "")]


def test_the_guard_counts_nodes_and_keeps_plain_yaml():
    assert safe_yaml.load("a: [1, 2, {b: c}]") == {"a": [1, 2, {"b": "c"}]}
    with pytest.raises(Exception, match="more than 10 YAML nodes"):
        safe_yaml.load("[" + ", ".join(["x"] * 20) + "]", max_nodes=10)
    assert read_spec("[1, 2]") == (None, SPEC_NOT_A_DOCUMENT)
