"""Scorecards: the rules as data, the API, the capability page and the governance board."""

import datetime as dt

import networkx as nx
import pytest
import sqlalchemy as sa

from catalog import accounts
from catalog.capabilities import get_capability, update_capability
from catalog.models import Team, User
from graphs.scorecards import RULES, graph_facts, level_of, scorecard, team_rollup

GOOD = {"team": "t", "on_call": True, "docs": True, "api_spec": True, "sla": True,
        "deprecated_dependencies": [], "layering_breaks": [], "in_cycle": False,
        "tier": 1, "runbook": True, "maintainers": 2}


class TestScorecard:
    def test_every_rule_passed_is_gold(self):
        card = scorecard(GOOD)
        assert (card["level"], card["score"]) == ("gold", 100)
        assert [c["id"] for c in card["checks"]] == [rule.id for rule in RULES]

    @pytest.mark.parametrize("fact, value, level", [
        ("team", None, "none"), ("on_call", False, "none"), ("docs", False, "none"),
        ("api_spec", False, "bronze"), ("sla", False, "bronze"),
        ("deprecated_dependencies", ["old"], "bronze"), ("layering_breaks", ["x"], "bronze"),
        ("in_cycle", True, "bronze"), ("maintainers", 1, "silver"), ("runbook", False, "silver"),
    ])
    def test_a_failed_rule_caps_the_level(self, fact, value, level):
        card = scorecard({**GOOD, fact: value})
        assert card["level"] == level
        assert card["score"] == round(100 * (len(RULES) - 1) / len(RULES))

    def test_tier_two_needs_no_runbook(self):
        assert scorecard({**GOOD, "tier": 2, "runbook": False, "maintainers": 0})["level"] == "gold"

    def test_a_higher_rule_passed_does_not_lift_a_failed_lower_level(self):
        """A capability without docs is level none even when every silver rule passes."""
        assert scorecard({**GOOD, "docs": False})["level"] == "none"

    def test_every_rule_has_a_title_why_and_known_level(self):
        assert len({rule.id for rule in RULES}) == len(RULES)
        assert all(rule.title and rule.why and rule.level in ("bronze", "silver", "gold")
                   for rule in RULES)


class TestGraphFacts:
    def test_layering_break_and_cycle_and_deprecated_provider(self):
        G = nx.DiGraph([("capability:infra", "capability:biz"), ("capability:a", "capability:b"),
                        ("capability:b", "capability:a"), ("business:x", "capability:a")])
        G.add_nodes_from(["capability:infra", "capability:biz", "capability:a", "capability:b"],
                         kind="capability", lifecycle="production", layer="business-platform")
        G.nodes["capability:infra"]["layer"] = "infrastructure"
        G.nodes["capability:biz"]["lifecycle"] = "deprecated"
        G.nodes["business:x"].update(kind="business", layer="frontend")
        facts = graph_facts(G)
        assert "x" not in facts
        assert facts["infra"] == {"deprecated_dependencies": ["biz"], "layering_breaks": ["biz"],
                                  "in_cycle": False}
        assert facts["a"]["in_cycle"] and facts["b"]["in_cycle"]


def test_rollup_counts_levels_per_team_and_leaves_retired_out():
    cards = {"a": {"team": "t", "level": "gold", "lifecycle": "production"},
             "b": {"team": "t", "level": "none", "lifecycle": "retired"},
             "c": {"team": None, "level": "bronze", "lifecycle": "proposed"}}
    assert team_rollup(cards, {"t": "Team T"}) == [
        {"team": None, "name": "No owner team", "none": 0, "bronze": 1, "silver": 0, "gold": 0,
         "total": 1},
        {"team": "t", "name": "Team T", "none": 0, "bronze": 0, "silver": 0, "gold": 1,
         "total": 1}]


@pytest.fixture
def kept(make, db):
    """checkout (tier 1, well kept but one maintainer) depends on old-pay (deprecated)."""
    make.team("trade", contact="oncall@trade.example")
    make.team("pay", name="Payments", contact="")
    make.domain("transaction")
    make.capability("old-pay", team="pay", lifecycle="deprecated")
    make.capability("checkout", tier=1, docs_url="https://docs.example.com/checkout",
                    repo_url="https://git.example.com/checkout", sla_availability="99.99",
                    dependencies=["old-pay"],
                    apis=[{"name": "Checkout API", "kind": "openapi",
                           "spec": "openapi: 3.0.0\ninfo: {title: c, version: '1'}\npaths: {}\n"}])
    make.user("alice", role="contributor", team="trade")
    return make


def test_api_scorecard_names_each_check(client, kept):
    body = client.get("/api/v1/capabilities/checkout/scorecard").get_json()
    assert set(body) == {"level", "score", "checks"}
    failed = {c["id"] for c in body["checks"] if not c["passed"]}
    assert failed == {"no-deprecated-dependency", "tier1-runbook"}
    assert body["level"] == "bronze"
    assert all({"id", "title", "passed", "why"} <= set(c) for c in body["checks"])
    assert level_of("checkout") == "bronze"
    assert level_of("ghost") is None


def test_fixing_the_facts_raises_the_level(client, kept, db):
    """A second maintainer and dropping the deprecated provider make checkout gold."""
    kept.user("bob", role="contributor", team="trade")
    checkout = get_capability("checkout")
    update_capability(checkout, {"dependencies": []}, None)
    assert client.get("/api/v1/capabilities/checkout/scorecard").get_json()["level"] == "gold"


def test_api_scorecard_of_unknown_slug_is_404(client, kept):
    response = client.get("/api/v1/capabilities/ghost/scorecard")
    assert response.status_code == 404 and response.get_json()["status"] == 404


def test_api_rollup_is_a_house_list(client, kept):
    body = client.get("/api/v1/scorecards").get_json()
    assert body["total"] == 2 and body["next"] is None
    rows = {row["team"]: row for row in body["items"]}
    assert rows["trade"]["bronze"] == 1 and rows["trade"]["total"] == 1
    assert rows["pay"]["none"] == 1  # no docs, no contact
    page = client.get("/api/v1/scorecards?per_page=1").get_json()
    assert len(page["items"]) == 1 and page["next"].endswith("page=2&per_page=1")


@pytest.mark.parametrize("query, field", [("page=0", "page"), ("per_page=1000", "per_page"),
                                          ("page=x", "page")])
def test_api_rollup_bad_paging_is_422(client, kept, query, field):
    response = client.get(f"/api/v1/scorecards?{query}")
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_a_bad_token_is_401_even_for_a_read(client, kept):
    response = client.get("/api/v1/scorecards", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_a_read_token_reads(client, kept, db):
    user = db.session.scalar(sa.select(User).where(User.username == "alice"))
    token = accounts.issue_token(user, "ci", "read")
    response = client.get("/api/v1/capabilities/checkout/scorecard",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_capability_page_shows_badge_and_checklist(client, kept):
    html = client.get("/capabilities/checkout").get_data(as_text=True)
    assert 'class="badge level-badge level-bronze"' in html
    assert 'id="scorecard"' in html
    assert "No dependency on deprecated capabilities" in html
    assert html.count('class="failed"') == 2


@pytest.mark.parametrize("role", [None, "viewer", "contributor", "architect", "admin"])
def test_scorecards_board_for_every_role(client, kept, login, role):
    if role:
        login(role)
    html = client.get("/governance/scorecards").get_data(as_text=True)
    assert "Payments" in html and "Trade" in html
    assert 'hx-get="/governance/scorecards/trend"' in html


def test_board_escapes_hostile_team_names(client, kept, db):
    team = db.session.scalar(sa.select(Team).where(Team.slug == "pay"))
    team.name = "<script>alert(1)</script>"
    db.session.commit()
    kept.capability("bump", team="pay")  # a write: the revision moves on
    html = client.get("/governance/scorecards").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_trend_is_read_from_history(client, make, db):
    from catalog.models._time import clock_at, utcnow

    past = utcnow() - dt.timedelta(days=200)
    with clock_at(past):
        make.team("trade")
        make.domain("transaction")
        make.capability("early", docs_url="https://docs.example.com/early")
    make.capability("late")
    html = client.get("/governance/scorecards/trend").get_data(as_text=True)
    rows = html.split("<tr>")
    then = next(row for row in rows if f"{past.year}Q{(past.month - 1) // 3 + 1}" in row)
    assert 'data-label="Bronze">1<' in then and 'data-label="None">0<' in then
    now = next(row for row in rows if ">now<" in row)
    assert 'data-label="Bronze">1<' in now and 'data-label="None">1<' in now
