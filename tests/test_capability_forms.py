"""Registering and editing capabilities through the HTML forms."""

from html import unescape

import pytest
import sqlalchemy as sa

from catalog.models import Capability
from tests.bad_inputs import BAD_CAPABILITIES, as_form
from tests.conftest import capability_form


@pytest.fixture
def catalog(make):
    make.team("trade", contact="trade@example.com")
    make.team("growth")
    make.domain("transaction")
    make.domain("search", layer="infrastructure")
    make.capability("search-engine", domain="search", team="growth")
    make.capability("order-service", team="trade")
    make.capability("old-ledger", team="growth", lifecycle="retired")
    return make


def test_contributor_registers_with_api_and_dependency(client, catalog, login, db):
    login("contributor", team="trade")
    response = client.post("/capabilities/new", data=capability_form(
        client, **{"apis-0-name": "Pricing API", "apis-0-kind": "grpc", "apis-0-status": "beta",
                   "apis-3-name": "", "dep_provider": "search-engine", "dep_kind": "async",
                   "tags": "pricing, checkout"}))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/capabilities/order-pricing")
    capability = db.session.scalar(sa.select(Capability).where(Capability.slug == "order-pricing"))
    assert [api.name for api in capability.apis] == ["Pricing API"]
    assert [(d.provider.slug, d.kind) for d in capability.dependencies] == [("search-engine", "async")]
    assert capability.tags == ["checkout", "pricing"] or capability.tags == ["pricing", "checkout"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Registered Order pricing." in page


@pytest.mark.parametrize("changes, field, words, status", BAD_CAPABILITIES)
def test_bad_form_shows_the_message_and_writes_nothing(client, catalog, login, unchanged,
                                                      changes, field, words, status):
    login("architect")
    unchanged()
    response = client.post("/capabilities/new", data=capability_form(client, **as_form(changes)))
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == status
    assert words in html
    assert "Nothing was saved." in html
    unchanged.check()


def test_form_error_sits_beside_its_field(client, catalog, login):
    login("architect")
    html = client.post("/capabilities/new",
                       data=capability_form(client, name="")).get_data(as_text=True)
    name_input = html.index('id="name"')
    assert html.index("Name is required.", name_input) < html.index('id="summary"')
    assert 'aria-invalid="true"' in html[name_input - 200:name_input + 400]


def test_submitted_values_survive_an_error(client, catalog, login):
    login("architect")
    html = client.post("/capabilities/new", data=capability_form(
        client, name="", summary="Keep me", dep_provider="search-engine", dep_kind="data",
        **{"apis-0-name": "Kept API"})).get_data(as_text=True)
    assert 'value="Keep me"' in html
    assert 'value="Kept API"' in html
    assert 'name="dep_provider" value="search-engine"' in html


def test_missing_csrf_token_is_refused(client, catalog, login, unchanged):
    login("architect")
    unchanged()
    data = capability_form(client)
    del data["csrf_token"]
    response = client.post("/capabilities/new", data=data)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    unchanged.check()


def test_anonymous_is_sent_to_sign_in(client, catalog):
    response = client.get("/capabilities/new")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_viewer_cannot_register(client, catalog, login):
    login("viewer")
    assert client.get("/capabilities/new").status_code == 403


def test_contributor_cannot_register_for_another_team(client, catalog, login, unchanged):
    login("contributor", team="trade")
    unchanged()
    response = client.post("/capabilities/new", data=capability_form(client, team="growth"))
    assert response.status_code == 403
    unchanged.check()


def test_contributor_edits_own_team_capability(client, catalog, login, db):
    login("contributor", team="trade")
    page = client.get("/capabilities/order-service/edit")
    assert page.status_code == 200
    response = client.post("/capabilities/order-service/edit", data=capability_form(
        client, slug="ignored", name="Order service v2", version="1"))
    assert response.status_code == 302
    capability = db.session.scalar(sa.select(Capability).where(Capability.slug == "order-service"))
    assert capability.name == "Order service v2"
    assert capability.version == 2


def test_contributor_cannot_edit_another_teams_capability(client, catalog, login, unchanged):
    login("contributor", team="trade")
    assert client.get("/capabilities/search-engine/edit").status_code == 403
    unchanged()
    response = client.post("/capabilities/search-engine/edit",
                           data=capability_form(client, name="Hijacked", domain="search",
                                                team="growth"))
    assert response.status_code == 403
    unchanged.check()


def test_architect_edits_any_capability(client, catalog, login):
    login("architect")
    response = client.post("/capabilities/search-engine/edit", data=capability_form(
        client, name="Search engine", domain="search", team="growth"))
    assert response.status_code == 302


def test_stale_edit_is_refused(client, catalog, login, unchanged):
    login("architect")
    unchanged()
    response = client.post("/capabilities/order-service/edit",
                           data=capability_form(client, name="Late change", version="0"))
    assert response.status_code == 412
    assert "changed by someone else" in response.get_data(as_text=True)
    unchanged.check()


def test_edit_keeps_dependency_on_a_provider_retired_since(client, catalog, login, db):
    """A provider retired after the link was made must not block other edits."""
    catalog.capability("billing", dependencies=["search-engine"])
    provider = db.session.scalar(sa.select(Capability).where(Capability.slug == "search-engine"))
    provider.lifecycle = "retired"
    db.session.commit()
    login("architect")
    response = client.post("/capabilities/billing/edit", data=capability_form(
        client, name="Billing 2", dep_provider="search-engine", dep_kind="sync"))
    assert response.status_code == 302


@pytest.mark.parametrize("field, value, message", [
    ("slug", "Bad Slug", "kebab-case"),
    ("slug", "order-service", "already taken"),
    ("name", "n" * 130, "at most 120"),
    ("docs_url", "not a url", "http(s) URL"),
    ("sla_p99_ms", "fast", "milliseconds"),
])
def test_inline_check_returns_the_message(client, catalog, field, value, message):
    response = client.get(f"/capabilities/check/{field}", query_string={field: value})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_inline_check_is_empty_when_fine(client, catalog):
    response = client.get("/capabilities/check/slug", query_string={"slug": "fresh-slug"})
    assert response.get_data(as_text=True).strip() == ""


def test_picker_finds_capabilities_but_not_retired_ones(client, catalog):
    html = client.get("/capabilities/picker", query_string={"q": "e"}).get_data(as_text=True)
    assert "search-engine" in html and "order-service" in html
    assert "old-ledger" not in html


def test_picker_row_for_unknown_slug_is_404(client, catalog):
    assert client.get("/capabilities/picker/ghost").status_code == 404
