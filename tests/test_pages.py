"""Reading pages: capability, team, business, domain, home, sign-in."""

import pytest

from catalog.db import db as _db
from catalog.models import Adoption
from portal import create_app
from tests.conftest import PASSWORD, csrf_token

SPEC = """openapi: 3.0.3
info: {title: Membership, version: "1"}
paths:
  /members/{id}:
    get: {summary: Read a member, operationId: getMember}
    patch: {summary: Change a member}
  /members:
    post: {summary: Enrol a member}
"""


@pytest.fixture
def catalog(make, db):
    make.team("member-platform", name="Member platform", contact="member@example.com")
    make.team("growth")
    make.domain("membership")
    make.domain("marketing")
    make.capability("membership", name="Membership", domain="membership", team="member-platform",
                    tier=1, lifecycle="production", tags=["core"], sla_availability="99.99",
                    sla_p99_ms=80, docs_url="https://wiki.example.com/membership",
                    description="Members and **levels**.\n\n- points\n- tiers",
                    apis=[{"name": "Member API", "kind": "openapi", "version": "v2",
                           "status": "stable", "spec": SPEC},
                          {"name": "Member events", "kind": "asyncapi"}])
    coupon = make.capability("coupon-engine", name="Coupon engine", domain="marketing",
                             team="growth", dependencies=[{"provider": "membership", "kind": "async"}])
    taobao = make.business("taobao", name="Taobao")
    db.session.add(Adoption(business=taobao, capability=coupon.dependencies[0].provider,
                            purpose="88VIP perks"))
    db.session.commit()
    return make


def test_capability_page_shows_what_a_lead_needs(client, catalog):
    html = client.get("/capabilities/membership").get_data(as_text=True)
    for text in ("Membership", "Member platform", "mailto:member@example.com", "99.99% availability",
                 "p99 ≤ 80 ms", "#core", "https://wiki.example.com/membership",
                 "<strong>levels</strong>", "<li>points</li>", "Member API", "asyncapi"):
        assert text in html, text
    for operation in ("/members/{id}", "Read a member", "PATCH", "Enrol a member"):
        assert operation in html, operation
    assert 'href="/capabilities/coupon-engine"' in html
    assert 'href="/businesses/taobao"' in html and "88VIP perks" in html
    assert 'href="/teams/member-platform"' in html


def test_capability_page_lists_dependencies(client, catalog):
    html = client.get("/capabilities/coupon-engine").get_data(as_text=True)
    assert 'href="/capabilities/membership"' in html and "async" in html


def test_markup_in_names_and_markdown_is_escaped(client, catalog):
    catalog.capability("evil", name='<img src=x onerror="alert(1)">Evil', domain="marketing",
                       team="growth",
                       description='<script>alert(1)</script>\n\n[x](javascript:alert(1)) <b onclick="x()">b</b>')
    html = client.get("/capabilities/evil").get_data(as_text=True)
    assert '<img src=x' not in html and "&lt;img src=x" in html
    assert "<script>alert(1)</script>" not in html
    assert 'href="javascript:' not in html and "<b onclick" not in html


def test_unknown_capability_is_an_html_404(client, catalog):
    response = client.get("/capabilities/ghost")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


@pytest.mark.parametrize("path, texts", [
    ("/teams", ["Member platform", "1 capability"]),
    ("/teams/member-platform", ["Member platform", "Membership", "member@example.com"]),
    ("/businesses", ["Taobao", "uses 1 capability"]),
    ("/businesses/taobao", ["Taobao", "Membership", "88VIP perks"]),
    ("/domains", ["Membership", "Business platform"]),
    ("/domains/marketing", ["Coupon engine"]),
    ("/", ["capabilities", "Capability map", "Membership"]),
])
def test_directory_pages(client, catalog, path, texts):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in texts:
        assert text in html, text


@pytest.mark.parametrize("path", ["/teams/ghost", "/businesses/ghost", "/domains/ghost"])
def test_unknown_directory_entries_are_404(client, catalog, path):
    assert client.get(path).status_code == 404


def test_empty_catalog_pages_say_so(client, db):
    assert "The catalog is empty" in client.get("/").get_data(as_text=True)
    assert "No capability matches" in client.get("/capabilities").get_data(as_text=True)
    assert "No teams yet" in client.get("/teams").get_data(as_text=True)


def test_healthz(client, db):
    assert client.get("/healthz").get_json()["status"] == "ok"


def test_sign_in_and_out(client, make, db):
    make.team("trade")
    make.user("alice", role="contributor", team="trade")
    token = csrf_token(client, "/auth/login")
    bad = client.post("/auth/login", data={"username": "alice", "password": "wrong",
                                           "csrf_token": token})
    assert "wrong password" in bad.get_data(as_text=True)
    good = client.post("/auth/login?next=/teams", data={"username": "alice", "password": PASSWORD,
                                                        "csrf_token": token})
    assert good.headers["Location"] == "/teams"
    assert "Sign out" in client.get("/").get_data(as_text=True)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client)})
    assert "Sign in" in client.get("/").get_data(as_text=True)


def test_sign_in_never_redirects_off_site(client, make, db):
    make.team("trade")
    make.user("alice", role="contributor", team="trade")
    response = client.post("/auth/login?next=//evil.example.com/x", data={
        "username": "alice", "password": PASSWORD, "csrf_token": csrf_token(client, "/auth/login")})
    assert response.headers["Location"] == "/"


def test_login_wall_when_required(database_uri, db):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri,
                      "SECRET_KEY": "x", "REQUIRE_LOGIN": True})
    client = app.test_client()
    try:
        assert client.get("/capabilities").status_code == 302
        assert client.get("/auth/login").status_code == 200
        assert client.get("/healthz").status_code == 200
        api = client.get("/api/v1/capabilities")
        assert api.status_code == 401 and api.is_json
    finally:
        with app.app_context():
            _db.engine.dispose()


def test_secret_key_is_generated_per_instance_and_kept(tmp_path, monkeypatch):
    from portal.config import instance_secret

    first = instance_secret(tmp_path / "secret_key")
    assert len(first) == 64 and instance_secret(tmp_path / "secret_key") == first
    assert instance_secret(tmp_path / "other") != first


def test_static_files_are_versioned_and_cached_long(client, db):
    html = client.get("/").get_data(as_text=True)
    assert "/static/vendor/htmx.min.js?v=" in html
    response = client.get("/static/vendor/htmx.min.js")
    assert response.cache_control.max_age >= 30 * 24 * 3600
    response.close()


def test_plotly_js_is_served_from_the_plotly_package(client, db):
    import plotly

    response = client.get(f"/vendor/plotly.min.js?v={plotly.__version__}")
    assert response.status_code == 200
    assert response.mimetype in ("application/javascript", "text/javascript")
    assert response.cache_control.max_age >= 30 * 24 * 3600
    assert b"plotly" in response.get_data()[:2000].lower()
    response.close()
