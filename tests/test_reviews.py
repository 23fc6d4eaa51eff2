"""Reviews: leaving proposed needs an architect's or admin's approval, on the web and the API."""

import pytest

from catalog import accounts
from catalog.capabilities import get_capability, update_capability
from catalog.errors import Conflict
from catalog.models import Change, Review
from tests.conftest import csrf_token


@pytest.fixture
def catalog(make):
    make.team("trade")
    make.team("growth")
    make.domain("transaction")
    make.capability("gift-cards", team="trade")           # proposed
    make.capability("loyalty", team="growth")             # proposed
    make.capability("orders", team="trade", lifecycle="production")


def token(make, role, team="trade"):
    user = make.user(f"{role}-{team}-api", role=role, team=team)
    return {"Authorization": f"Bearer {accounts.issue_token(user, 'test', 'write')}"}


def review(client, headers, slug="gift-cards", **body):
    return client.post(f"/api/v1/capabilities/{slug}/reviews",
                       json=body or {"decision": "approve", "comment": "Looks right."},
                       headers=headers)


@pytest.mark.parametrize("role,team,status", [
    ("architect", "trade", 201), ("architect", "growth", 201),
    ("admin", "trade", 201), ("admin", "growth", 201),
    ("contributor", "trade", 403), ("contributor", "growth", 403),
    ("viewer", "trade", 403),
])
def test_who_may_approve_through_the_api(client, db, make, catalog, unchanged, role, team, status):
    """Architects and admins approve any team's capability; a contributor none, its own least."""
    headers = token(make, role, team)
    if status != 201:
        unchanged()
    response = review(client, headers)
    assert response.status_code == status, response.get_json()
    db.session.expire_all()
    if status == 201:
        assert get_capability("gift-cards").lifecycle == "approved"
        assert response.get_json()["decision"] == "approve"
    else:
        unchanged.check()
        assert get_capability("gift-cards").lifecycle == "proposed"


def test_a_contributor_is_told_it_cannot_approve_its_own_team(client, db, make, catalog):
    response = review(client, token(make, "contributor", "trade"))
    assert response.status_code == 403
    assert "own team" in response.get_json()["error"]


def test_a_review_needs_a_token(client, db, catalog, unchanged):
    unchanged()
    assert review(client, {}).status_code == 401
    unchanged.check()


@pytest.mark.parametrize("role,team", [("contributor", "trade"), ("architect", "growth"),
                                       ("admin", "trade")])
@pytest.mark.parametrize("target", ["approved", "production", "deprecated", "retired"])
def test_nobody_leaves_proposed_without_a_review(client, db, make, catalog, unchanged,
                                                 role, team, target):
    headers = token(make, role, team)
    unchanged()
    response = client.patch("/api/v1/capabilities/gift-cards",
                            json={"lifecycle": target, "sunset_on": "2099-01-01"},
                            headers={**headers, "If-Match": "*"})
    assert response.status_code == 409, response.get_json()
    assert "review" in response.get_json()["errors"]["lifecycle"][0]
    unchanged.check()


def test_a_contributor_cannot_register_past_proposed(client, db, make, catalog, unchanged):
    headers = token(make, "contributor", "trade")
    unchanged()
    response = client.post("/api/v1/capabilities", headers=headers, json={
        "slug": "vouchers", "name": "Vouchers", "domain": "transaction", "team": "trade",
        "lifecycle": "production"})
    assert response.status_code == 409
    assert "review" in response.get_json()["errors"]["lifecycle"][0]
    unchanged.check()


@pytest.mark.parametrize("body,field", [
    ({"decision": "maybe"}, "decision"),
    ({}, "decision"),
    ({"decision": "reject"}, "comment"),
    ({"decision": "changes", "comment": "  "}, "comment"),
    ({"decision": "approve", "comment": "x" * 2001}, "comment"),
    ({"decision": "approve", "comment": 42}, "comment"),
])
def test_bad_decisions_name_the_field_and_write_nothing(client, db, make, catalog, unchanged,
                                                        body, field):
    headers = token(make, "architect", "growth")
    unchanged()
    response = client.post("/api/v1/capabilities/gift-cards/reviews", json=body, headers=headers)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    unchanged.check()


def test_only_proposed_capabilities_are_reviewed(client, db, make, catalog, unchanged):
    headers = token(make, "architect", "growth")
    unchanged()
    response = review(client, headers, slug="orders")
    assert response.status_code == 409
    assert "not proposed" in response.get_json()["errors"]["decision"][0]
    assert review(client, headers, slug="nothing-here").status_code == 404
    unchanged.check()


def test_the_queue_lists_pending_then_decided(client, db, make, catalog):
    headers = token(make, "architect", "growth")
    body = client.get("/api/v1/reviews").get_json()
    assert {item["capability"] for item in body["items"]} == {"gift-cards", "loyalty"}
    assert body["total"] == 2 and body["next"] is None
    review(client, headers, slug="loyalty", decision="changes", comment="Name an owner contact.")
    review(client, headers, slug="gift-cards")
    assert client.get("/api/v1/reviews?status=pending").get_json()["total"] == 0
    decided = client.get("/api/v1/reviews?status=decided").get_json()
    assert [(i["capability"], i["decision"]) for i in decided["items"]] == [
        ("gift-cards", "approve"), ("loyalty", "changes")]
    # The team changes it: back in the queue, with the last decision shown.
    update_capability(get_capability("loyalty"), {"summary": "Points for every order."}, None)
    pending = client.get("/api/v1/reviews").get_json()["items"]
    assert [i["capability"] for i in pending] == ["loyalty"]
    assert pending[0]["last_decision"]["comment"] == "Name an owner contact."


def test_the_queue_pages_in_the_house_shape(client, db, make, catalog):
    body = client.get("/api/v1/reviews?per_page=1").get_json()
    assert set(body) == {"items", "total", "next"} and body["total"] == 2
    assert "page=2" in body["next"]
    assert client.get("/api/v1/reviews?status=open").status_code == 422
    assert "status" in client.get("/api/v1/reviews?status=open").get_json()["errors"]


def test_every_decision_and_the_move_are_in_the_history(client, db, make, catalog):
    headers = token(make, "architect", "growth")
    review(client, headers, slug="loyalty", decision="reject", comment="Duplicate of points.")
    review(client, headers)
    changes = db.session.query(Change).filter(Change.kind == "review").order_by(Change.id).all()
    assert [(c.action, c.changes["decision"][1], c.actor, c.source) for c in changes] == [
        ("review", "reject", "architect-growth-api", "api"),
        ("review", "approve", "architect-growth-api", "api")]
    assert changes[0].changes["comment"] == [None, "Duplicate of points."]
    moves = client.get("/api/v1/capabilities/gift-cards").get_json()["lifecycle_moves"]
    assert [(m["from"], m["to"], m["actor"]) for m in moves] == [
        (None, "proposed", None), ("proposed", "approved", "architect-growth-api")]


def test_after_approval_the_owner_moves_it_on(client, db, make, catalog):
    review(client, token(make, "architect", "growth"))
    headers = token(make, "contributor", "trade")
    response = client.patch("/api/v1/capabilities/gift-cards", json={"lifecycle": "production"},
                            headers={**headers, "If-Match": "*"})
    assert response.status_code == 200
    assert response.get_json()["launched_on"] is not None


def test_the_system_may_set_any_lifecycle(db, catalog):
    """Imports and the seed state what another catalog decided."""
    update_capability(get_capability("gift-cards"), {"lifecycle": "production"}, None)
    assert get_capability("gift-cards").lifecycle == "production"


def test_a_move_backwards_to_proposed_is_refused(db, make, catalog):
    architect = make.user("arch", role="architect", team="growth")
    with pytest.raises(Conflict):
        update_capability(get_capability("orders"), {"lifecycle": "proposed"}, architect)


# -- the web ----------------------------------------------------------------------------


@pytest.mark.parametrize("role,team,status", [
    ("architect", "trade", 302), ("architect", "growth", 302), ("admin", "growth", 302),
    ("contributor", "trade", 403), ("contributor", "growth", 403), ("viewer", "trade", 403),
])
def test_who_may_decide_on_the_page(client, db, make, login, catalog, unchanged, role, team,
                                    status):
    login(role, team=team)
    page = client.get("/capabilities/gift-cards").get_data(as_text=True)
    assert ('name="decision"' in page) == (status == 302)
    token_ = csrf_token(client, "/capabilities/gift-cards")
    if status != 302:
        unchanged()
    response = client.post("/capabilities/gift-cards/reviews", data={
        "decision": "approve", "comment": "ok", "csrf_token": token_})
    assert response.status_code == status
    db.session.expire_all()
    if status == 302:
        assert get_capability("gift-cards").lifecycle == "approved"
        assert db.session.query(Review).one().reviewer == f"{role}-{team}"
    else:
        unchanged.check()


def test_the_form_names_the_field_and_escapes_the_comment(client, db, make, login, catalog,
                                                          unchanged):
    login("architect", team="growth")
    token_ = csrf_token(client, "/capabilities/gift-cards")
    unchanged()
    response = client.post("/capabilities/gift-cards/reviews", data={
        "decision": "reject", "comment": "", "csrf_token": token_})
    assert response.status_code == 422
    assert "Say why in the comment" in response.get_data(as_text=True)
    unchanged.check()
    client.post("/capabilities/gift-cards/reviews", data={
        "decision": "changes", "comment": "<script>alert(1)</script>", "csrf_token": token_})
    page = client.get("/capabilities/gift-cards").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


def test_the_form_needs_csrf(client, db, make, login, catalog, unchanged):
    login("architect", team="growth")
    unchanged()
    response = client.post("/capabilities/gift-cards/reviews", data={"decision": "approve"})
    assert response.status_code == 400
    unchanged.check()


def test_a_contributor_moving_a_proposed_capability_on_the_form_is_told_to_get_a_review(
        client, db, make, login, catalog, unchanged):
    login("contributor", team="trade")
    page = client.get("/capabilities/gift-cards/edit").get_data(as_text=True)
    version = page.split('name="version" type="hidden" value="')[1].split('"')[0]
    unchanged()
    response = client.post("/capabilities/gift-cards/edit", data={
        "name": "Gift cards", "summary": "s", "domain": "transaction", "team": "trade",
        "lifecycle": "production", "tier": "3", "version": version,
        "csrf_token": csrf_token(client, "/capabilities/gift-cards/edit")})
    assert response.status_code == 409
    assert "approving review" in response.get_data(as_text=True)
    unchanged.check()


@pytest.mark.parametrize("role,status", [("architect", 200), ("admin", 200),
                                         ("contributor", 403), ("viewer", 403)])
def test_the_queue_page_is_for_architects(client, db, make, login, catalog, role, status):
    login(role, team="growth")
    response = client.get("/governance/reviews")
    assert response.status_code == status
    home = client.get("/").get_data(as_text=True)
    assert ('id="nav-reviews"' in home) == (status == 200)
    if status == 200:
        page = response.get_data(as_text=True)
        assert "Gift Cards" in page and "Loyalty" in page
        assert 'aria-label="Review queue: 2 waiting"' in home


def test_the_queue_page_asks_visitors_to_sign_in(client, db, catalog):
    assert client.get("/governance/reviews").status_code == 302
