"""Personal API tokens: created in the browser and shown once, stored hashed, used, revoked."""

import re

import pytest
import sqlalchemy as sa

from catalog import accounts
from catalog.models import ApiToken
from tests.conftest import csrf_token

NEW = {"slug": "price-engine", "name": "Price engine", "domain": "transaction",
       "team": "trade"}


@pytest.fixture(autouse=True)
def trade(make):
    """The team contributors belong to and the domain capabilities go in."""
    make.team("trade")
    make.domain("transaction")


def create(client, name="CI pipeline", scopes="write"):
    """Create a token through the page; return (response, secret)."""
    response = client.post("/account/tokens", data={
        "name": name, "scopes": scopes, "csrf_token": csrf_token(client, "/account/tokens")})
    match = re.search(r'<code id="new-token">(cpt_[^<]+)</code>', response.get_data(as_text=True))
    return response, match.group(1) if match else None


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_the_page_needs_a_login(client, db):
    response = client.get("/account/tokens")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_token_is_shown_once_and_stored_hashed(client, login, db):
    login("contributor")
    response, secret = create(client)
    assert response.status_code == 200 and secret and secret.startswith("cpt_")
    assert response.headers["Cache-Control"] == "no-store"
    stored = db.session.scalar(sa.select(ApiToken))
    assert stored.name == "CI pipeline" and stored.scopes == "write"
    assert secret not in stored.token_hash and len(stored.token_hash) == 64
    again = client.get("/account/tokens").get_data(as_text=True)
    assert "CI pipeline" in again and secret not in again


def test_the_list_shows_when_a_token_was_last_used(client, login, db, make):
    login("contributor")
    _, secret = create(client)
    assert "never" in client.get("/account/tokens").get_data(as_text=True)
    assert client.get("/api/v1/capabilities", headers=bearer(secret)).status_code == 200
    page = client.get("/account/tokens").get_data(as_text=True)
    row = re.search(r'<tr id="token-\d+">(.*?)</tr>', page, re.DOTALL).group(1)
    assert "never" not in row and "<time" in row.split("</td>", 4)[3]


def test_a_bad_name_is_refused_beside_its_field(client, login, db):
    login("viewer")
    response, secret = create(client, name=" ")
    assert response.status_code == 422 and secret is None
    assert "Token name is required" in response.get_data(as_text=True)


def test_the_form_needs_its_csrf_token(client, login, db):
    login("viewer")
    response = client.post("/account/tokens", data={"name": "x", "scopes": "read"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_revoking_stops_the_token_at_once(client, login, db, make):
    login("contributor")
    _, secret = create(client)
    assert client.post("/api/v1/capabilities", json=NEW, headers=bearer(secret)).status_code == 201
    token_id = db.session.scalar(sa.select(ApiToken.id))
    response = client.post(f"/account/tokens/{token_id}/revoke",
                           data={"csrf_token": csrf_token(client, "/account/tokens")})
    assert response.status_code == 302
    assert "revoked" in client.get("/account/tokens").get_data(as_text=True)
    for call in (lambda: client.get("/api/v1/capabilities", headers=bearer(secret)),
                 lambda: client.post("/api/v1/capabilities", json={**NEW, "slug": "other"},
                                     headers=bearer(secret))):
        refused = call()
        assert refused.status_code == 401
        assert refused.get_json()["status"] == 401
        assert refused.headers["WWW-Authenticate"].lower().startswith("bearer")


def test_nobody_revokes_someone_elses_token(client, login, db, make):
    other = make.user("other", role="viewer")
    accounts.issue_token(other, "theirs", "read")
    theirs = db.session.scalar(sa.select(ApiToken.id))
    login("viewer")
    response = client.post(f"/account/tokens/{theirs}/revoke",
                           data={"csrf_token": csrf_token(client, "/account/tokens")})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, theirs).revoked_at is None


def test_a_read_token_reads_but_never_writes(client, make, db):
    user = make.user("architect", role="architect", team="")
    secret = accounts.issue_token(user, "dashboards", "read")
    assert client.get("/api/v1/capabilities", headers=bearer(secret)).status_code == 200
    response = client.post("/api/v1/capabilities", json=NEW, headers=bearer(secret))
    assert response.status_code == 403
    assert "read-only" in response.get_json()["error"]


def test_reads_are_open_unless_login_is_required(client, app, make, db):
    user = make.user("viewer", role="viewer")
    secret = accounts.issue_token(user, "reader", "read")
    assert client.get("/api/v1/capabilities").status_code == 200
    app.config["REQUIRE_LOGIN"] = True
    try:
        assert client.get("/api/v1/capabilities").status_code == 401
        assert client.get("/api/v1/capabilities", headers=bearer(secret)).status_code == 200
    finally:
        app.config["REQUIRE_LOGIN"] = False


def test_a_token_does_not_outlive_its_request(client, make, db):
    """Regression: ``g`` is shared by requests under one app context (tests, scripts);
    a token used by one call must not authenticate the next call that sends none."""
    user = make.user("architect", role="architect", team="")
    secret = accounts.issue_token(user, "ci", "write")
    assert client.get("/api/v1/capabilities", headers=bearer(secret)).status_code == 200
    assert client.post("/api/v1/capabilities", json=NEW).status_code == 401


def test_unknown_and_malformed_credentials_are_401(client, db):
    for header in ("Bearer cpt_not-a-token", "Basic dXNlcjpwYXNz", "Bearer "):
        response = client.get("/api/v1/capabilities", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.is_json
