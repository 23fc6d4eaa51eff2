"""Duplicate builds: candidates, dismissals (who and why), the board and the register notice."""

import pytest
import sqlalchemy as sa

from catalog.adoptions import adopt
from catalog.duplicates import Profile, candidates, score_pair
from catalog.models import Business, Change, Team
from tests.conftest import csrf_token
from tests.test_authz import token_for


class TestCandidates:
    def test_same_team_and_domain_is_not_a_candidate(self):
        found = {p.slug: p for p in (Profile.of("a", "Points", team="t", domain="d"),
                                     Profile.of("b", "Points", team="t", domain="d"))}
        assert candidates(found) == []

    def test_other_domain_of_the_same_team_is(self):
        found = {p.slug: p for p in (Profile.of("a", "Points", team="t", domain="d"),
                                     Profile.of("b", "Points", team="t", domain="e"))}
        assert [(c.a, c.b, c.score) for c in candidates(found)] == [("a", "b", 100)]

    def test_a_dependency_is_reuse_not_duplication(self):
        found = {p.slug: p for p in (Profile.of("a", "Points", team="t"),
                                     Profile.of("b", "Points", team="u"))}
        assert candidates(found, linked=[("b", "a")]) == []

    def test_nothing_in_common_is_never_compared(self):
        found = {p.slug: p for p in (Profile.of("a", "Search", team="t"),
                                     Profile.of("b", "Payments", team="u"))}
        assert candidates(found, threshold=0) == []

    def test_shared_api_operations_are_a_reason(self):
        a = Profile.of("a", "Order hub", operations=["POST /orders", "GET /orders/{id}"])
        b = Profile.of("b", "Trade core", operations=["POST /orders"])
        score, reasons = score_pair(a, b)
        assert "1 API operation in common: POST /orders" in reasons
        assert score > score_pair(a, Profile.of("c", "Trade core"))[0]

    def test_generic_words_and_numbers_do_not_make_names_alike(self):
        a, b = Profile.of("a", "Search Service 01"), Profile.of("b", "Payment Service 02")
        assert score_pair(a, b)[0] < 60


@pytest.fixture
def pair(make, db):
    """Loyalty points (team growth) and Points (team trade): a likely duplicate."""
    make.team("trade")
    make.team("growth", name="Growth Team")
    make.domain("transaction")
    make.domain("marketing")
    make.capability("points", name="Points", summary="Earn and burn loyalty points.",
                    tags=["loyalty"], lifecycle="production")
    make.capability("loyalty-points", name="Loyalty Points", domain="marketing", team="growth",
                    summary="Earn and burn points for loyal members.", tags=["loyalty"],
                    lifecycle="production")
    make.capability("search", name="Search", summary="Find products.")
    team = db.session.scalar(sa.select(Team).where(Team.slug == "growth"))
    db.session.add(Business(slug="taobao", name="Taobao", team=team))
    db.session.commit()
    adopt({"business": "taobao", "capability": "loyalty-points"}, None)
    return make


def test_api_lists_the_pair_with_reasons_and_users(client, pair):
    body = client.get("/api/v1/governance/duplicates").get_json()
    assert body["total"] == 1 and body["next"] is None
    item = body["items"][0]
    assert (item["a"]["slug"], item["b"]["slug"]) == ("loyalty-points", "points")
    assert item["score"] >= 60 and "names 100% alike" in item["reasons"]
    assert item["a"]["used_by"] == {"businesses": ["Taobao"], "capabilities": 0}
    assert item["a"]["team_name"] == "Growth Team" and item["dismissal"] is None


@pytest.mark.parametrize("query, field", [("dismissed=maybe", "dismissed"), ("page=0", "page"),
                                          ("per_page=101", "per_page")])
def test_api_list_bad_parameters_are_422(client, pair, query, field):
    response = client.get(f"/api/v1/governance/duplicates?{query}")
    assert response.status_code == 422 and field in response.get_json()["errors"]


def dismiss_body(reason="Points of the app and of the shop are kept apart by law."):
    return {"capability": "points", "other": "loyalty-points", "reason": reason}


@pytest.mark.parametrize("role, team, status", [
    ("viewer", "trade", 403), ("contributor", "trade", 201), ("contributor", "other", 403),
    ("architect", "other", 201), ("admin", "other", 201)])
def test_who_may_dismiss_through_the_api(client, pair, db, unchanged, role, team, status):
    pair.team("other")
    headers = token_for(db, role)
    if team == "other":
        user = db.session.scalar(sa.select(Team).where(Team.slug == "other"))
        from catalog.models import User
        account = db.session.scalar(sa.select(User).where(User.username == f"{role}-user"))
        account.team = user
        db.session.commit()
    unchanged()
    response = client.post("/api/v1/governance/duplicates/dismissals", json=dismiss_body(),
                           headers=headers)
    assert response.status_code == status, response.get_json()
    if status == 403:
        unchanged.check()
        return
    assert response.get_json()["capabilities"] == ["loyalty-points", "points"]
    assert client.get("/api/v1/governance/duplicates").get_json()["total"] == 0
    dismissed = client.get("/api/v1/governance/duplicates?dismissed=true").get_json()["items"]
    assert dismissed[0]["dismissal"]["actor"] == f"{role}-user"
    change = db.session.scalar(sa.select(Change).where(Change.kind == "dismissal"))
    assert change.actor == f"{role}-user" and change.source == "api"
    assert change.changes["reason"][1].startswith("Points of the app")


def test_no_token_is_401_and_a_read_token_is_403(client, pair, db, unchanged):
    read = token_for(db, "admin", scopes="read")
    unchanged()
    url = "/api/v1/governance/duplicates/dismissals"
    assert client.post(url, json=dismiss_body()).status_code == 401
    assert client.post(url, json=dismiss_body(), headers=read).status_code == 403
    unchanged.check()


@pytest.mark.parametrize("body, field", [
    ({"capability": "points", "other": "loyalty-points"}, "reason"),
    ({"capability": "points", "other": "loyalty-points", "reason": "  "}, "reason"),
    ({"capability": "points", "other": "loyalty-points", "reason": "x" * 501}, "reason"),
    ({"capability": "points", "other": "ghost", "reason": "why"}, "other"),
    ({"capability": "Not A Slug", "other": "points", "reason": "why"}, "capability"),
    ({"capability": "points", "other": "points", "reason": "why"}, "other"),
    ({"capability": ["points"], "other": "loyalty-points", "reason": "why"}, "capability"),
])
def test_bad_dismissals_are_422_naming_the_field(client, pair, db, unchanged, body, field):
    headers = token_for(db, "architect")
    unchanged()
    response = client.post("/api/v1/governance/duplicates/dismissals", json=body, headers=headers)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    unchanged.check()


def test_dismissing_twice_is_409(client, pair, db, unchanged):
    headers = token_for(db, "architect")
    url = "/api/v1/governance/duplicates/dismissals"
    assert client.post(url, json=dismiss_body(), headers=headers).status_code == 201
    unchanged()
    swapped = {**dismiss_body(), "capability": "loyalty-points", "other": "points"}
    response = client.post(url, json=swapped, headers=headers)
    assert response.status_code == 409
    unchanged.check()


def test_board_lists_the_pair_and_a_visitor_gets_no_form(client, pair):
    html = client.get("/governance/duplicates").get_data(as_text=True)
    assert 'href="/capabilities/loyalty-points"' in html and "Used by Taobao" in html
    assert "names 100% alike" in html and 'name="reason"' not in html


def test_architect_dismisses_on_the_board(client, pair, login, db):
    login("architect")
    html = client.get("/governance/duplicates").get_data(as_text=True)
    assert 'name="reason"' in html
    response = client.post("/governance/duplicates/dismiss", data={
        **dismiss_body("Kept apart by law."), "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    html = client.get("/governance/duplicates").get_data(as_text=True)
    assert "No likely duplicates." in html and "Kept apart by law." in html
    change = db.session.scalar(sa.select(Change).where(Change.kind == "dismissal"))
    assert change.source == "web" and change.actor == "architect-trade"


def test_board_dismissal_without_reason_is_422_and_writes_nothing(client, pair, login, unchanged):
    login("architect")
    token = csrf_token(client)
    unchanged()
    response = client.post("/governance/duplicates/dismiss", data={
        **dismiss_body(""), "csrf_token": token})
    assert response.status_code == 422
    assert "Reason is required." in response.get_data(as_text=True)
    unchanged.check()


def test_contributor_of_neither_team_is_403_on_the_board(client, pair, login, unchanged):
    pair.team("other")
    login("contributor", team="other")
    assert 'name="reason"' not in client.get("/governance/duplicates").get_data(as_text=True)
    token = csrf_token(client)
    unchanged()
    response = client.post("/governance/duplicates/dismiss", data={
        **dismiss_body(), "csrf_token": token})
    assert response.status_code == 403
    unchanged.check()


def test_board_post_needs_sign_in_and_csrf(client, pair, login, unchanged):
    unchanged()
    anonymous = client.post("/governance/duplicates/dismiss", data=dismiss_body())
    assert anonymous.status_code in (302, 400, 401)
    unchanged.check()
    login("architect")
    unchanged()
    assert client.post("/governance/duplicates/dismiss", data=dismiss_body()).status_code == 400
    unchanged.check()


def test_register_notice_names_owner_and_users(client, pair):
    html = client.get("/governance/duplicates/similar?name=Loyalty+points").get_data(as_text=True)
    assert "A similar capability exists" in html
    assert 'href="/capabilities/loyalty-points"' in html and "Growth Team" in html
    assert "Taobao" in html and "reuse it?" in html


@pytest.mark.parametrize("query", ["name=", "name=Quantum+teleporter", "summary=points",
                                   "name=" + "p" * 5000])
def test_register_notice_is_empty_without_a_match(client, pair, query):
    response = client.get(f"/governance/duplicates/similar?{query}")
    assert response.status_code == 200
    assert "similar capability" not in response.get_data(as_text=True)


def test_register_notice_escapes_what_it_shows(client, pair, db):
    pair.capability("xss", name="<b>Points</b> <script>x</script>", team="growth",
                    domain="marketing")
    html = client.get("/governance/duplicates/similar?name=points").get_data(as_text=True)
    assert "<script>x" not in html


def test_register_form_asks_for_the_notice(client, pair, login):
    login("contributor")
    html = client.get("/capabilities/new").get_data(as_text=True)
    assert 'id="similar-notice"' in html and 'hx-get="/governance/duplicates/similar"' in html


def test_a_dismissal_is_in_both_capabilities_history(client, pair, db):
    headers = token_for(db, "architect")
    client.post("/api/v1/governance/duplicates/dismissals", json=dismiss_body(), headers=headers)
    for slug in ("points", "loyalty-points"):
        feed = client.get(f"/api/v1/changes?entity=capability:{slug}").get_json()
        assert feed["items"][0]["entity"] == {"kind": "dismissal", "slug": "loyalty-points~points"}
        assert feed["items"][0]["action"] == "not-duplicate"
    html = client.get("/changes").get_data(as_text=True)
    assert "loyalty-points~points" in html and 'href="/governance/duplicates#dismissed"' in html
