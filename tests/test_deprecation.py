"""Deprecation: a sunset date in the future, a replacement, no retiring under active consumers."""

import datetime as dt

import pytest

from catalog import accounts
from catalog.adoptions import adopt, end_adoption
from catalog.backstage import export_catalog, import_text
from catalog.capabilities import get_capability, update_capability
from catalog.models._time import today
from tests.conftest import csrf_token

FUTURE = (today() + dt.timedelta(days=90)).isoformat()


@pytest.fixture
def catalog(make):
    make.team("trade")
    make.team("growth")
    make.team("shop", kind="business")
    make.domain("transaction")
    make.capability("cart-v1", team="trade", lifecycle="production", tags=["cart"])
    make.capability("cart-v2", team="trade", lifecycle="production", tags=["cart"])
    make.capability("old-ledger", team="trade", lifecycle="retired")
    make.capability("checkout", team="growth", lifecycle="production",
                    dependencies=["cart-v1"])
    make.business("taobao", team="shop")
    adopt({"business": "taobao", "capability": "cart-v1", "since": "2024-01-01"}, None)


def token(make, role, team="trade"):
    user = make.user(f"{role}-{team}-api", role=role, team=team)
    return {"Authorization": f"Bearer {accounts.issue_token(user, 'test', 'write')}",
            "If-Match": "*"}


def patch(client, headers, slug="cart-v1", **body):
    return client.patch(f"/api/v1/capabilities/{slug}", json=body, headers=headers)


@pytest.mark.parametrize("body,field", [
    ({"lifecycle": "deprecated"}, "sunset_on"),
    ({"lifecycle": "deprecated", "sunset_on": ""}, "sunset_on"),
    ({"lifecycle": "deprecated", "sunset_on": "2020-01-01"}, "sunset_on"),
    ({"lifecycle": "deprecated", "sunset_on": today().isoformat()}, "sunset_on"),
    ({"lifecycle": "deprecated", "sunset_on": "next spring"}, "sunset_on"),
    ({"lifecycle": "deprecated", "sunset_on": FUTURE, "replacement": "cart-v1"}, "replacement"),
    ({"lifecycle": "deprecated", "sunset_on": FUTURE, "replacement": "old-ledger"},
     "replacement"),
    ({"lifecycle": "deprecated", "sunset_on": FUTURE, "replacement": "nowhere"}, "replacement"),
    ({"lifecycle": "deprecated", "sunset_on": FUTURE, "replacement": "Not A Slug"},
     "replacement"),
])
def test_bad_deprecations_name_the_field_and_write_nothing(client, db, make, catalog, unchanged,
                                                           body, field):
    headers = token(make, "contributor")
    unchanged()
    response = patch(client, headers, **body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    unchanged.check()


def test_the_owner_deprecates_with_a_sunset_and_a_replacement(client, db, make, catalog):
    response = patch(client, token(make, "contributor"), lifecycle="deprecated",
                     sunset_on=FUTURE, replacement="cart-v2")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["lifecycle"], body["sunset_on"], body["replacement"]) == (
        "deprecated", FUTURE, "cart-v2")
    assert body["deprecated_on"] == today().isoformat()
    assert [m["to"] for m in body["lifecycle_moves"]][-1] == "deprecated"


@pytest.mark.parametrize("role,team,status", [
    ("contributor", "trade", 200), ("contributor", "growth", 403), ("viewer", "trade", 403),
    ("architect", "growth", 200), ("admin", "growth", 200)])
def test_who_may_deprecate(client, db, make, catalog, role, team, status):
    response = patch(client, token(make, role, team), lifecycle="deprecated", sunset_on=FUTURE)
    assert response.status_code == status


def test_retiring_with_active_consumers_is_refused_listing_them(client, db, make, catalog,
                                                                unchanged):
    headers = token(make, "contributor")
    assert patch(client, headers, lifecycle="deprecated", sunset_on=FUTURE).status_code == 200
    unchanged()
    response = patch(client, headers, lifecycle="retired")
    assert response.status_code == 409
    message = response.get_json()["errors"]["lifecycle"][0]
    assert "checkout" in message and "business:taobao" in message
    unchanged.check()
    update_capability(get_capability("checkout"), {"dependencies": []}, None)
    end_adoption(("taobao", "cart-v1"))
    assert patch(client, headers, lifecycle="retired").status_code == 200


def test_production_cannot_jump_to_retired(client, db, make, catalog):
    response = patch(client, token(make, "architect", "growth"), lifecycle="retired",
                     slug="cart-v2")
    assert response.status_code == 409
    assert "deprecated" in response.get_json()["errors"]["lifecycle"][0]


def test_the_edit_form_deprecates_and_names_the_sunset_field(client, db, make, login, catalog,
                                                             unchanged):
    login("contributor", team="trade")
    page = client.get("/capabilities/cart-v1/edit").get_data(as_text=True)
    version = page.split('name="version" type="hidden" value="')[1].split('"')[0]
    form = {"name": "Cart v1", "summary": "s", "domain": "transaction", "team": "trade",
            "lifecycle": "deprecated", "tier": "3", "version": version,
            "csrf_token": csrf_token(client, "/capabilities/cart-v1/edit")}
    unchanged()
    response = client.post("/capabilities/cart-v1/edit", data={**form, "sunset_on": ""})
    assert response.status_code == 422
    assert "Deprecating needs a sunset date" in response.get_data(as_text=True)
    unchanged.check()
    response = client.post("/capabilities/cart-v1/edit",
                           data={**form, "sunset_on": FUTURE, "replacement": "cart-v2"})
    assert response.status_code == 302
    db.session.expire_all()
    capability = get_capability("cart-v1")
    assert capability.sunset_on.isoformat() == FUTURE and capability.replacement.slug == "cart-v2"


def test_backstage_round_trip_keeps_sunset_and_replacement(db, make, catalog):
    update_capability(get_capability("cart-v1"), {
        "lifecycle": "deprecated", "sunset_on": FUTURE, "replacement": "cart-v2"}, None)
    text = export_catalog()
    assert f"capability-portal/sunset-on: '{FUTURE}'" in text
    assert "capability-portal/replacement: cart-v2" in text
    # Lose them in the portal, then import the export back.
    update_capability(get_capability("cart-v1"), {"sunset_on": "", "replacement": ""}, None)
    report = import_text(text)
    assert report.ok, report.as_dict()
    db.session.expire_all()
    capability = get_capability("cart-v1")
    assert capability.sunset_on.isoformat() == FUTURE and capability.replacement.slug == "cart-v2"
    assert import_text(export_catalog(), dry_run=True).plan == []


# -- the plan -------------------------------------------------------------------------------


@pytest.fixture
def deprecated(client, db, make, catalog):
    """cart-v1 deprecated towards cart-v2; checkout (growth) and taobao (shop) use it."""
    make.capability("cart-mobile", team="trade", lifecycle="production", tags=["cart"],
                    apis=[{"name": "Cart lines", "kind": "grpc"}])
    make.capability("storefront", team="shop", lifecycle="production",
                    dependencies=["checkout"])
    update_capability(get_capability("cart-v1"), {
        "lifecycle": "deprecated", "sunset_on": FUTURE, "replacement": "cart-v2",
        "apis": [{"name": "Cart lines API", "kind": "openapi"}]}, None)


def test_the_plan_has_countdown_replacement_alternatives_consumers(client, db, deprecated):
    plan = client.get("/api/v1/capabilities/cart-v1/deprecation-plan").get_json()
    assert (plan["sunset_on"], plan["days_left"]) == (FUTURE, 90)
    assert plan["replacement"]["slug"] == "cart-v2"
    top = plan["alternatives"][0]
    assert top["slug"] == "cart-mobile"
    assert "same domain" in top["why"] and "cart" in top["why"] and "lines" in top["why"]
    assert "cart-v2" not in [a["slug"] for a in plan["alternatives"]]  # shown apart
    distances = {c["slug"]: (c["distance"], c["team"]) for c in plan["consumers"]["capabilities"]}
    assert distances == {"checkout": (1, "growth"), "storefront": (2, "shop")}
    assert {b["slug"]: b["distance"] for b in plan["consumers"]["businesses"]} == {"taobao": 1}
    assert [(m["team"], m["status"], m["capabilities"], m["businesses"])
            for m in plan["migrations"]] == [("growth", "not-started", ["checkout"], []),
                                             ("shop", "not-started", [], ["taobao"])]


def test_the_plan_of_an_unknown_capability_is_404(client, db, deprecated):
    assert client.get("/api/v1/capabilities/nothing/deprecation-plan").status_code == 404
    assert client.get("/capabilities/nothing/deprecation").status_code == 404


@pytest.mark.parametrize("role,team,status", [
    ("contributor", "growth", 200), ("contributor", "trade", 403), ("viewer", "growth", 403),
    ("architect", "trade", 200), ("admin", "trade", 200)])
def test_who_may_update_a_teams_migration(client, db, make, deprecated, unchanged, role, team,
                                          status):
    headers = token(make, role, team)
    if status != 200:
        unchanged()
    response = client.put("/api/v1/capabilities/cart-v1/migrations/growth",
                          json={"status": "in-progress", "note": "Half the calls moved."},
                          headers=headers)
    assert response.status_code == status, response.get_json()
    if status == 200:
        plan = client.get("/api/v1/capabilities/cart-v1/deprecation-plan").get_json()
        growth = next(m for m in plan["migrations"] if m["team"] == "growth")
        assert (growth["status"], growth["note"]) == ("in-progress", "Half the calls moved.")
        assert plan["migration_counts"]["in-progress"] == 1
    else:
        unchanged.check()


@pytest.mark.parametrize("body,team,field", [
    ({"status": "finished"}, "growth", "status"),
    ({}, "growth", "status"),
    ({"status": "done", "note": "x" * 281}, "growth", "note"),
    ({"status": "done", "note": ["a"]}, "growth", "note"),
    ({"status": "done"}, "trade", "team"),      # trade does not use it
    ({"status": "done"}, "nobody", "team"),
])
def test_bad_migration_updates_name_the_field_and_write_nothing(client, db, make, deprecated,
                                                                unchanged, body, team, field):
    headers = token(make, "admin", "trade")
    unchanged()
    response = client.put(f"/api/v1/capabilities/cart-v1/migrations/{team}", json=body,
                          headers=headers)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    unchanged.check()


def test_migrating_off_a_running_capability_is_409(client, db, make, catalog, unchanged):
    headers = token(make, "admin", "trade")
    unchanged()
    response = client.put("/api/v1/capabilities/cart-v1/migrations/growth",
                          json={"status": "done"}, headers=headers)
    assert response.status_code == 409
    unchanged.check()


def test_a_migration_update_is_in_the_history(client, db, make, deprecated):
    from catalog.models import Change

    client.put("/api/v1/capabilities/cart-v1/migrations/growth", json={"status": "done"},
               headers=token(make, "contributor", "growth"))
    change = db.session.query(Change).filter(Change.kind == "migration").one()
    assert (change.slug, change.actor, change.changes["status"]) == (
        "cart-v1/growth", "contributor-growth-api", [None, "done"])
    feed = client.get("/api/v1/changes?entity=capability:cart-v1").get_json()["items"]
    assert feed[0]["entity"]["kind"] == "migration"


def test_the_plan_page_and_its_form(client, db, make, login, deprecated, unchanged):
    login("contributor", team="growth")
    page = client.get("/capabilities/cart-v1/deprecation").get_data(as_text=True)
    assert "90 days left" in page and "Cart V2" in page and "Cart Mobile" in page
    assert 'action="/capabilities/cart-v1/migrations/growth"' in page
    assert 'action="/capabilities/cart-v1/migrations/shop"' not in page  # not its team
    token_ = csrf_token(client, "/capabilities/cart-v1/deprecation")
    unchanged()
    response = client.post("/capabilities/cart-v1/migrations/growth",
                           data={"status": "later", "csrf_token": token_})
    assert response.status_code == 422 and "Status must be one of" in response.get_data(
        as_text=True)
    assert client.post("/capabilities/cart-v1/migrations/shop",
                       data={"status": "done", "csrf_token": token_}).status_code == 403
    assert client.post("/capabilities/cart-v1/migrations/growth",
                       data={"status": "done"}).status_code == 400  # no CSRF token
    unchanged.check()
    response = client.post("/capabilities/cart-v1/migrations/growth",
                           data={"status": "done", "note": "<b>moved</b>", "csrf_token": token_})
    assert response.status_code == 302
    page = client.get("/capabilities/cart-v1/deprecation").get_data(as_text=True)
    assert "&lt;b&gt;moved&lt;/b&gt;" in page


def test_visitors_see_the_plan_but_no_form(client, db, deprecated):
    page = client.get("/capabilities/cart-v1/deprecation").get_data(as_text=True)
    assert "90 days left" in page and "<form method=\"post\" action=\"/capabilities/cart-v1/mig" \
        not in page
    assert client.post("/capabilities/cart-v1/migrations/growth",
                       data={"status": "done"}).status_code in (302, 400)


def test_a_consumer_page_says_its_provider_is_going(client, db, deprecated):
    page = client.get("/capabilities/checkout").get_data(as_text=True)
    assert "deprecated, sunset in 90 days" in page
    assert "move to" in page and "/capabilities/cart-v1/deprecation" in page
    own = client.get("/capabilities/cart-v1").get_data(as_text=True)
    assert "See the deprecation plan" in own and "in 90 days" in own
