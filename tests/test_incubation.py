"""Incubating a business: the report, saved plans, adoption in one step, proposed needs."""

import datetime as dt

import networkx as nx
import pytest
import sqlalchemy as sa

from catalog import accounts, incubation
from catalog.adoptions import adopt
from catalog.capabilities import get_capability, update_capability
from catalog.deliveries import record_delivery
from catalog.errors import Conflict, Forbidden, ValidationFailed
from catalog.models import Business, Capability, Change, IncubationPlan
from graphs.build import build_graph
from graphs.scorecards import RULES


@pytest.fixture
def org(make, db):
    make.team("trade", contact="trade@example.com")
    make.team("member-team", contact="members@example.com")
    make.team("lingxi-team", kind="business")
    make.domain("transaction")
    make.capability("sms", lifecycle="production")
    make.capability("member-account", team="member-team", lifecycle="production",
                    dependencies=["sms"], docs_url="https://docs.example.com/member",
                    sla_availability="99.95", sla_p99_ms=80,
                    apis=[{"name": "Members", "status": "stable",
                           "spec": "openapi: 3.0.0\ninfo: {title: Members, version: '1'}\npaths: {}"}])
    make.capability("cart", lifecycle="production", dependencies=["member-account"])
    make.capability("old-coupons", lifecycle="deprecated")
    make.capability("coupons", lifecycle="production")
    make.capability("group-buy", lifecycle="proposed", dependencies=["old-coupons"])
    make.capability("legacy", lifecycle="retired")
    make.business("taobao")
    make.business("tmall")
    for business, capability in (("taobao", "cart"), ("taobao", "coupons"),
                                 ("tmall", "cart")):
        adopt({"business": business, "capability": capability}, None)
    day = dt.date(2025, 1, 1)
    for i, lead in enumerate((10, 20, 30, 40)):
        record_delivery({"business": "taobao", "title": f"Feature {i}",
                         "requested_on": day.isoformat(),
                         "delivered_on": (day + dt.timedelta(days=lead)).isoformat()}, None)
    return make


@pytest.fixture
def token(org):
    def issue(role="contributor", team="lingxi-team", scopes="write"):
        user = org.user(f"{role}-{team}-{scopes}", role=role, team=team)
        return {"Authorization": f"Bearer {accounts.issue_token(user, 'ci', scopes)}"}
    return issue


# -- the report -----------------------------------------------------------------------------


def test_report_lists_picks_what_they_bring_teams_and_warnings(client, org):
    body = client.get("/api/v1/incubation?capabilities=cart,group-buy").get_json()
    rows = {r["slug"]: r for r in body["capabilities"]}
    assert {s: (r["distance"], r["picked"]) for s, r in rows.items()} == {
        "cart": (1, True), "group-buy": (1, True), "member-account": (2, False),
        "old-coupons": (2, False), "sms": (3, False)}
    assert rows["cart"]["businesses"] == 2 and rows["cart"]["team"] == "trade"
    # its scorecard: an owner with a contact, but no docs link
    assert rows["cart"]["maturity"]["level"] == "none"
    assert rows["cart"]["maturity"]["checks"]["owner"] and not rows["cart"]["maturity"]["checks"]["docs"]
    assert "maturity" not in rows["sms"]  # brought along: the table, not the details
    assert {t["slug"]: (t["contact"], t["capabilities"]) for t in body["teams"]} == {
        "trade": ("trade@example.com", 4), "member-team": ("members@example.com", 1)}
    warnings = {w["slug"]: w for w in body["deprecated"]}
    assert set(warnings) == {"group-buy", "old-coupons"}
    # production capabilities of its domain that most businesses rely on
    assert warnings["old-coupons"]["alternatives"] == ["cart", "member-account", "sms"]
    assert warnings["group-buy"]["alternatives"] == []  # proposed: nothing replaces it yet


def test_a_deprecated_picks_named_replacement_comes_first_among_its_alternatives(client, org):
    update_capability(get_capability("old-coupons"), {"replacement": "coupons"}, None)
    body = client.get("/api/v1/incubation?capabilities=group-buy").get_json()
    warning = {w["slug"]: w for w in body["deprecated"]}["old-coupons"]
    assert warning["replacement"] == "coupons"
    assert warning["alternatives"] == ["coupons", "cart", "member-account", "sms"]
    page = client.get("/businesses/incubate?capabilities=group-buy").get_data(as_text=True)
    assert "coupons</a> (its named replacement)" in page


def test_report_equals_networkx(client, org, db):
    G = build_graph()
    H = G.copy()
    H.add_edges_from([("business:new", "capability:cart"), ("business:new", "capability:coupons")])
    expected = {n.split(":")[1]: d for n, d in
                nx.single_source_shortest_path_length(H, "business:new").items() if d}
    body = client.get("/api/v1/incubation?capabilities=cart,coupons").get_json()
    assert {r["slug"]: r["distance"] for r in body["capabilities"]} == expected


def test_a_gold_pick_shows_how_to_adopt_it(client, org):
    body = client.get("/api/v1/incubation?capabilities=member-account").get_json()
    pick = body["capabilities"][0]
    assert pick["maturity"] == {"level": "gold", "score": 100, "source": "scorecard",
                                "checks": {rule.id: True for rule in RULES}}
    assert client.get("/api/v1/capabilities/member-account/scorecard").get_json()["level"] == "gold"
    assert pick["apis"][0]["name"] == "Members" and pick["docs_url"].startswith("https://")
    assert pick["sla_availability"] == 99.95 and pick["contact"] == "members@example.com"


def test_expected_lead_time_comes_with_its_cohort(client, org):
    body = client.get("/api/v1/incubation?capabilities=cart,coupons").get_json()
    # taobao adopts 2 (the cohort for 2 picks: 1..3 adoptions): its 4 deliveries
    assert body["basis"] == {"reused": 2, "cohort": {
        "adoptions_min": 1, "adoptions_max": 2, "businesses": ["taobao", "tmall"]},
        "deliveries": 4, "median_days": 25.0, "p85_days": 35.5}
    assert body["expected_lead_time_days"] == 25.0


def test_an_empty_cohort_widens_to_the_nearest_businesses(org):
    """No business adopts 5-15 capabilities: the nearest join until 10 deliveries (or none left)."""
    estimate = incubation.expected_lead_time(10)
    assert estimate["basis"]["cohort"] == {"adoptions_min": 1, "adoptions_max": 2,
                                           "businesses": ["taobao", "tmall"]}
    assert estimate["basis"]["deliveries"] == 4 and estimate["expected_lead_time_days"] == 25.0


def test_no_delivery_history_means_no_estimate(db):
    assert incubation.expected_lead_time(3) == {"expected_lead_time_days": None, "basis": {
        "reused": 3, "cohort": {"adoptions_min": None, "adoptions_max": None, "businesses": []},
        "deliveries": 0, "median_days": None, "p85_days": None}}


def test_suggestions_come_from_businesses_with_similar_adoptions(client, org):
    body = client.get("/api/v1/incubation?capabilities=cart").get_json()
    assert [(s["slug"], s["adopted_by"]) for s in body["suggestions"]] == [("coupons", ["taobao"])]


@pytest.mark.parametrize("query, words", [
    ("", "Pick at least one"),
    ("capabilities=cart,nope,zilch", "Unknown capabilities: nope, zilch"),
    ("capabilities=legacy", "Retired"),
    ("capabilities=Not%20A%20Slug", "Not capability slugs"),
    ("capabilities=" + ",".join(f"c{i}" for i in range(51)), "At most 50"),
])
def test_bad_picks_are_422_naming_them(client, org, query, words):
    response = client.get(f"/api/v1/incubation?{query}")
    assert response.status_code == 422
    assert words in " ".join(response.get_json()["errors"]["capabilities"])


# -- saved plans -----------------------------------------------------------------------------


def test_save_a_plan_via_api_and_read_it_back(client, org, token):
    response = client.post("/api/v1/incubation-plans", headers=token(), json={
        "name": "Lingxi", "purpose": "Social shopping", "capabilities": ["cart", "coupons"],
        "needs": ["Shoppable posts"]})
    assert response.status_code == 201, response.get_json()
    plan = response.get_json()
    assert plan["team"] == "lingxi-team" and plan["capabilities"] == ["cart", "coupons"]
    assert plan["created_by"] == "contributor-lingxi-team-write" and plan["business"] is None
    assert client.get(response.headers["Location"]).get_json() == plan
    listed = client.get("/api/v1/incubation-plans?team=lingxi-team").get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == plan["id"]
    assert listed["next"] is None
    change = org.db.session.scalar(sa.select(Change).where(Change.kind == "plan"))
    assert (change.actor, change.source, change.action) == (
        "contributor-lingxi-team-write", "api", "create")
    assert change.changes["capabilities"] == [None, ["cart", "coupons"]]


@pytest.mark.parametrize("body, field", [
    ({"name": "", "capabilities": ["cart"]}, "name"),
    ({"name": "x" * 121, "capabilities": ["cart"]}, "name"),
    ({"name": "P", "capabilities": ["nope"]}, "capabilities"),
    ({"name": "P"}, "capabilities"),
    ({"name": "P", "capabilities": ["cart"], "needs": ["x" * 201]}, "needs.0"),
    ({"name": "P", "capabilities": ["cart"], "needs": "\n".join(f"need {i}" for i in range(21))},
     "needs"),
    ({"name": "P", "capabilities": ["cart"], "purpose": "x" * 2001}, "purpose"),
    ({"name": "P", "capabilities": ["cart"], "team": "nope"}, "team"),
    ({"name": "P\nQ", "capabilities": ["cart"]}, "name"),
])
def test_bad_plans_are_422_naming_the_field_and_write_nothing(client, org, token, unchanged,
                                                              body, field):
    headers = token("architect", "")
    unchanged()
    response = client.post("/api/v1/incubation-plans", headers=headers, json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"], response.get_json()
    unchanged.check()


@pytest.mark.parametrize("role, team, scopes, status", [
    ("viewer", "", "write", 403),
    ("contributor", "lingxi-team", "read", 403),
    ("contributor", "lingxi-team", "write", 201),
    ("architect", "", "write", 201),
    ("admin", "", "write", 201),
])
def test_who_may_save_a_plan(client, org, token, role, team, scopes, status):
    response = client.post("/api/v1/incubation-plans", headers=token(role, team, scopes),
                           json={"name": "P", "capabilities": ["cart"]})
    assert response.status_code == status, response.get_json()


def test_saving_needs_a_token_and_a_contributor_plans_for_their_own_team(client, org, token,
                                                                        unchanged):
    headers = token()
    unchanged()
    assert client.post("/api/v1/incubation-plans",
                       json={"name": "P", "capabilities": ["cart"]}).status_code == 401
    response = client.post("/api/v1/incubation-plans", headers=headers,
                           json={"name": "P", "capabilities": ["cart"], "team": "trade"})
    assert response.status_code == 403
    unchanged.check()


# -- adopting a plan ----------------------------------------------------------------------------


@pytest.fixture
def plan(org):
    return incubation.save_plan({"name": "Lingxi", "purpose": "Social shopping",
                                 "capabilities": ["cart", "member-account"],
                                 "needs": ["Shoppable posts"], "team": "lingxi-team"}, None)


def test_adopt_a_plan_in_one_step(client, org, token, plan, db):
    response = client.post(f"/api/v1/incubation-plans/{plan.id}/adopt", headers=token(),
                           json={"slug": "lingxi"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"slug": "lingxi", "name": "Lingxi", "status": "incubating",
                                   "team": "lingxi-team", "plan": plan.id,
                                   "adoptions": ["cart", "member-account"]}
    business = db.session.scalar(sa.select(Business).where(Business.slug == "lingxi"))
    assert sorted(a.capability.slug for a in business.adoptions) == ["cart", "member-account"]
    again = client.get(f"/api/v1/incubation-plans/{plan.id}").get_json()
    assert again["business"] == "lingxi" and again["adopted_at"]
    boundary = client.get("/api/v1/businesses/lingxi/boundary").get_json()
    assert {r["slug"] for r in boundary["uses"]} == {"cart", "member-account", "sms"}
    kinds = db.session.execute(sa.select(Change.kind, Change.action)
                               .where(Change.actor == "contributor-lingxi-team-write",
                                      Change.kind != "token")).all()
    assert sorted(kinds) == [("adoption", "create"), ("adoption", "create"),
                             ("business", "create"), ("plan", "adopt")]


def test_adopting_twice_or_a_taken_slug_is_409_and_writes_nothing(client, org, token, plan,
                                                                  unchanged):
    headers = token()
    unchanged()
    taken = client.post(f"/api/v1/incubation-plans/{plan.id}/adopt", headers=headers,
                        json={"slug": "taobao"})
    assert taken.status_code == 409 and "slug" in taken.get_json()["errors"]
    unchanged.check()
    assert client.post(f"/api/v1/incubation-plans/{plan.id}/adopt", headers=headers,
                       json={"slug": "lingxi"}).status_code == 201
    unchanged()
    twice = client.post(f"/api/v1/incubation-plans/{plan.id}/adopt", headers=headers,
                        json={"slug": "lingxi-2"})
    assert twice.status_code == 409 and "plan" in twice.get_json()["errors"]
    unchanged.check()


def test_a_capability_retired_since_the_plan_fails_it_all(org, plan, db, unchanged):
    db.session.get(Capability, db.session.scalar(
        sa.select(Capability.id).where(Capability.slug == "member-account"))).lifecycle = "retired"
    db.session.commit()
    unchanged()
    with pytest.raises(ValidationFailed) as failed:
        incubation.adopt_plan(plan, {"slug": "lingxi"}, None)
    assert "member-account" in failed.value.errors["capabilities"][0]
    unchanged.check()


@pytest.mark.parametrize("role, team, status", [
    ("viewer", "", 403),
    ("contributor", "trade", 403),  # not the plan's team
    ("contributor", "lingxi-team", 201),
    ("architect", "", 201),
])
def test_who_may_adopt_a_plan(client, org, token, plan, role, team, status):
    response = client.post(f"/api/v1/incubation-plans/{plan.id}/adopt",
                           headers=token(role, team), json={"slug": "lingxi"})
    assert response.status_code == status, response.get_json()


def test_adopt_checks_the_slug(client, org, token, plan, unchanged):
    headers = token()
    unchanged()
    response = client.post(f"/api/v1/incubation-plans/{plan.id}/adopt", headers=headers,
                           json={"slug": "Not a slug"})
    assert response.status_code == 422 and "slug" in response.get_json()["errors"]
    assert client.post("/api/v1/incubation-plans/999999/adopt", headers=headers,
                       json={"slug": "x"}).status_code == 404
    unchanged.check()


# -- needs ----------------------------------------------------------------------------------------


def test_a_need_becomes_a_proposed_capability_and_joins_the_plan(org, plan, db):
    actor = org.user("lead", role="contributor", team="lingxi-team")
    capability = incubation.propose_need({"need": "Shoppable posts", "domain": "transaction"},
                                         actor, plan=plan)
    assert (capability.slug, capability.lifecycle, capability.team.slug) == (
        "shoppable-posts", "proposed", "lingxi-team")
    assert plan.needs == [] and plan.capabilities[-1] == "shoppable-posts"


def test_proposing_needs_a_writer_and_a_domain(org, plan, db, unchanged):
    viewer = org.user("reader", role="viewer", team="")
    unchanged()
    with pytest.raises(Forbidden):
        incubation.propose_need({"need": "Posts", "domain": "transaction"}, viewer, plan=plan)
    with pytest.raises(ValidationFailed) as failed:
        incubation.propose_need({"need": "Posts", "domain": "", "team": "trade"}, None)
    assert "domain" in failed.value.errors
    with pytest.raises(Conflict):
        incubation.propose_need({"need": "Cart", "domain": "transaction", "team": "trade"}, None)
    db.session.rollback()
    unchanged.check()


def test_plans_are_not_in_the_graph(org, plan, db):
    """A plan writes history but no catalog revision: the graph of every worker stays."""
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IncubationPlan)) == 1
    change = db.session.scalar(sa.select(Change).where(Change.kind == "plan"))
    assert {(s.kind, s.slug) for s in change.scopes} == {("plan", str(plan.id)),
                                                        ("team", "lingxi-team")}
