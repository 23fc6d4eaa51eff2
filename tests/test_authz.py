"""Who may write what through the API: role x action x own / other team, one table.

The rules are the forms' (catalog.permissions): viewers write nothing;
contributors write for their own team (its capabilities, its businesses'
adoptions and deliveries); architects and admins write for every team; a
Backstage import is an architect's or admin's. A refused write changes nothing.
"""

import pytest
import sqlalchemy as sa

from catalog import accounts
from catalog.adoptions import adopt
from catalog.models import Adoption, Business, Team, User

ROLES = ("viewer", "contributor", "architect", "admin")
TEAM_ACTIONS = ("register", "patch", "depend", "adopt", "end_adoption", "deliver",
                "import_deliveries")
SUCCESS = {"register": 201, "patch": 200, "depend": 201, "adopt": 201, "end_adoption": 200,
           "deliver": 201, "import_deliveries": 200, "import_backstage": 200}


def expected(role: str, action: str, side: str) -> int:
    """The table: what each role gets for an action on its own or another team."""
    if role == "viewer":
        return 403
    if action == "import_backstage":
        return SUCCESS[action] if role in ("architect", "admin") else 403
    if role == "contributor" and side == "other":
        return 403
    return SUCCESS[action]


MATRIX = [(role, action, side, expected(role, action, side))
          for role in ROLES for action in TEAM_ACTIONS for side in ("own", "other")]
MATRIX += [(role, "import_backstage", "any", expected(role, "import_backstage", "any"))
           for role in ROLES]


@pytest.fixture
def teams(make, db):
    """Two teams, each with a capability and a business; a provider both may use."""
    make.team("trade")
    make.team("growth")
    make.domain("transaction")
    make.capability("trade-cap", team="trade")
    make.capability("growth-cap", team="growth")
    make.capability("shared-provider", team="growth", lifecycle="production")
    for slug in ("trade", "growth"):
        team = db.session.scalar(sa.select(Team).where(Team.slug == slug))
        db.session.add(Business(slug=f"{slug}-biz", name=f"{slug.title()} app", team=team))
    db.session.commit()
    for slug in ("trade", "growth"):
        adopt({"business": f"{slug}-biz", "capability": f"{slug}-cap", "since": "2024-01-01"},
              None)
    return make


def act(client, db, action: str, side: str, headers: dict):
    """Perform ``action`` on the acting user's team (own) or the other team."""
    team = "trade" if side in ("own", "any") else "growth"
    if action == "register":
        return client.post("/api/v1/capabilities", headers=headers, json={
            "slug": f"new-{team}", "name": "New", "domain": "transaction", "team": team})
    if action == "patch":
        return client.patch(f"/api/v1/capabilities/{team}-cap",
                            headers={**headers, "If-Match": "*"}, json={"summary": "Changed."})
    if action == "depend":
        return client.post("/api/v1/dependencies", headers=headers,
                           json={"consumer": f"{team}-cap", "provider": "shared-provider"})
    if action == "adopt":
        return client.post("/api/v1/adoptions", headers=headers,
                           json={"business": f"{team}-biz", "capability": "shared-provider"})
    if action == "end_adoption":
        adoption_id = db.session.scalar(sa.select(Adoption.id).join(Adoption.business)
                                        .where(Business.slug == f"{team}-biz"))
        return client.post(f"/api/v1/adoptions/{adoption_id}/end", headers=headers)
    if action == "deliver":
        return client.post("/api/v1/deliveries", headers=headers, json={
            "business": f"{team}-biz", "title": "Gift cards", "requested_on": "2025-01-02"})
    if action == "import_deliveries":
        csv = f"business,title,requested_on\n{team}-biz,Gift cards,2025-01-02\n"
        return client.post("/api/v1/import/deliveries?dry_run=true", data=csv,
                           headers={**headers, "Content-Type": "text/csv"})
    if action == "import_backstage":
        yaml_text = ("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n"
                     "  name: imported\nspec:\n  type: service\n  lifecycle: production\n"
                     "  owner: group:default/trade\n")
        return client.post("/api/v1/import/backstage?dry_run=true", data=yaml_text,
                           headers={**headers, "Content-Type": "application/yaml"})
    raise AssertionError(action)


def token_for(db, role: str, scopes: str = "write") -> dict:
    """A token of a new user of team trade (no password: tokens are all the API needs)."""
    team = db.session.scalar(sa.select(Team).where(Team.slug == "trade"))
    user = User(username=f"{role}-user", role=role, team=team, password_hash="!")
    db.session.add(user)
    db.session.commit()
    return {"Authorization": f"Bearer {accounts.issue_token(user, 'ci', scopes)}"}


@pytest.mark.parametrize("role, action, side, status", MATRIX)
def test_the_authorisation_matrix(client, db, teams, unchanged, role, action, side, status):
    headers = token_for(db, role)
    unchanged()
    response = act(client, db, action, side, headers)
    assert response.status_code == status, response.get_json()
    assert response.is_json
    if status == 403:
        assert response.get_json()["status"] == 403
        unchanged.check()


@pytest.mark.parametrize("action", (*TEAM_ACTIONS, "import_backstage"))
def test_no_token_is_401_and_a_read_token_is_403(client, db, teams, unchanged, action):
    read = token_for(db, "admin", scopes="read")
    unchanged()
    anonymous = act(client, db, action, "own", {})
    assert anonymous.status_code == 401, anonymous.get_json()
    assert anonymous.headers["WWW-Authenticate"].lower().startswith("bearer")
    assert act(client, db, action, "own", read).status_code == 403
    unchanged.check()


def test_a_contributor_cannot_move_a_capability_to_another_team(client, db, teams, unchanged):
    headers = token_for(db, "contributor")
    unchanged()
    response = client.patch("/api/v1/capabilities/trade-cap",
                            headers={**headers, "If-Match": "*"}, json={"team": "growth"})
    assert response.status_code == 403
    unchanged.check()
