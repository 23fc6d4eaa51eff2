"""API tokens open the JSON API only: never a page, never a form.

Regression for an attack: a read-scope token sent as ``Authorization: Bearer`` to
the HTML forms (with a CSRF token any visitor can fetch) registered, edited and
retired capabilities, recorded adoptions and deliveries, imported a CSV and minted
itself a write token at /account/tokens. A form is a signed-in person's, whatever
the token's scope.
"""

import io

import pytest
import sqlalchemy as sa

from catalog import accounts
from catalog.adoptions import adopt
from catalog.models import Adoption, ApiToken, Business, Team
from tests.conftest import csrf_token


@pytest.fixture
def world(make, db):
    """A team with a capability and a business that uses it, and an admin with tokens."""
    make.team("trade")
    make.domain("transaction")
    make.capability("order-service", lifecycle="production")
    make.capability("payment-gateway", lifecycle="production")
    team = db.session.scalar(sa.select(Team).where(Team.slug == "trade"))
    db.session.add(Business(slug="taobao", name="Taobao", team=team))
    db.session.commit()
    adopt({"business": "taobao", "capability": "order-service", "since": "2024-01-01"}, None)
    admin = make.user("boss", role="admin", team="")
    return {"read": accounts.issue_token(admin, "dashboards", "read"),
            "write": accounts.issue_token(admin, "ci", "write")}


def form_posts(client, db):
    """Every HTML form that writes: (what, path, form fields)."""
    adoption_id = db.session.scalar(sa.select(Adoption.id))
    csv = b"business,title,requested_on\ntaobao,Gift cards,2025-01-02\n"
    return [
        ("register", "/capabilities/new", {
            "slug": "stolen", "name": "Stolen", "summary": "x", "domain": "transaction",
            "team": "trade", "lifecycle": "proposed", "tier": "3"}),
        ("edit", "/capabilities/order-service/edit", {
            "name": "Order service", "summary": "Defaced.", "domain": "transaction",
            "team": "trade", "lifecycle": "production", "tier": "3"}),
        ("retire", "/capabilities/payment-gateway/edit", {
            "name": "Payment gateway", "summary": "x", "domain": "transaction",
            "team": "trade", "lifecycle": "retired", "tier": "3"}),
        ("dependency", "/capabilities/order-service/edit", {
            "name": "Order service", "summary": "x", "domain": "transaction", "team": "trade",
            "lifecycle": "production", "tier": "3", "dep_provider": "payment-gateway",
            "dep_kind": "sync"}),
        ("adoption", "/adoptions/new", {
            "business": "taobao", "capability": "payment-gateway", "since": "2024-02-01"}),
        ("end adoption", f"/adoptions/{adoption_id}/end", {"until": "2024-06-01"}),
        ("delivery", "/deliveries/new", {
            "business": "taobao", "title": "Gift cards", "requested_on": "2025-01-02"}),
        ("CSV import", "/deliveries/import", {"file": (io.BytesIO(csv), "d.csv"),
                                              "confirm": ""}),
        ("new token", "/account/tokens", {"name": "escalated", "scopes": "write"}),
    ]


@pytest.mark.parametrize("scope", ["read", "write"])
def test_a_bearer_token_writes_through_no_form(client, db, world, unchanged, scope):
    headers = {"Authorization": f"Bearer {world[scope]}"}
    tokens_before = db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken))
    for what, path, fields in form_posts(client, db):
        unchanged()
        token = csrf_token(client, "/auth/login")  # any visitor can read one
        response = client.post(path, data={**fields, "csrf_token": token}, headers=headers,
                               content_type="multipart/form-data")
        assert response.status_code == 302, (what, response.status_code)
        assert "/auth/login" in response.headers["Location"], what
        unchanged.check()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == tokens_before


def test_a_bearer_token_opens_no_form_page(client, db, world):
    headers = {"Authorization": f"Bearer {world['write']}"}
    for path in ("/capabilities/new", "/capabilities/order-service/edit", "/adoptions/new",
                 "/deliveries/new", "/deliveries/import", "/account/tokens"):
        response = client.get(path, headers=headers)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], path


def test_pages_treat_a_bearer_token_as_a_visitor(client, app, db, world):
    """Behind the login wall a token opens the API, not the pages."""
    headers = {"Authorization": f"Bearer {world['read']}"}
    app.config["REQUIRE_LOGIN"] = True
    try:
        assert client.get("/api/v1/capabilities", headers=headers).status_code == 200
        page = client.get("/capabilities", headers=headers)
        assert page.status_code == 302 and "/auth/login" in page.headers["Location"]
    finally:
        app.config["REQUIRE_LOGIN"] = False


def test_the_api_still_writes_with_a_write_token(client, db, world):
    response = client.post("/api/v1/capabilities", headers={
        "Authorization": f"Bearer {world['write']}"}, json={
        "slug": "gift-cards", "name": "Gift cards", "domain": "transaction", "team": "trade"})
    assert response.status_code == 201
