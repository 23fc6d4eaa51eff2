"""Warnings while editing: a dependency that closes a cycle or breaks the layering."""

import pytest

from catalog import accounts
from catalog.capabilities import get_capability
from catalog.models import Change
from tests.conftest import csrf_token


@pytest.fixture
def catalog(make):
    make.trade_and_growth(infrastructure="middleware")
    make.capability("order-center", lifecycle="production")
    make.capability("payments", lifecycle="production", dependencies=["order-center"])
    make.capability("checkout", lifecycle="production", dependencies=["payments"])
    make.capability("message-queue", domain="middleware", lifecycle="production")


def token(make, role, team="trade"):
    user = make.user(f"{role}-{team}-api", role=role, team=team)
    return {"Authorization": f"Bearer {accounts.issue_token(user, 'test', 'write')}"}


@pytest.mark.parametrize("consumer,provider,words", [
    ("order-center", "checkout", "closes a cycle"),
    ("message-queue", "payments", "Layering break"),
])
def test_a_contributor_is_refused_naming_the_field(client, db, make, catalog, unchanged,
                                                   consumer, provider, words):
    headers = token(make, "contributor")
    unchanged()
    response = client.post("/api/v1/dependencies", json={"consumer": consumer,
                                                         "provider": provider}, headers=headers)
    assert response.status_code == 422, response.get_json()
    assert words in response.get_json()["errors"]["provider"][0]
    unchanged.check()


@pytest.mark.parametrize("role", ["architect", "admin"])
def test_an_architect_saves_it_and_the_warning_is_kept(client, db, make, catalog, role):
    response = client.post("/api/v1/dependencies", json={
        "consumer": "order-center", "provider": "checkout"}, headers=token(make, role, "growth"))
    assert response.status_code == 201
    change = db.session.query(Change).filter(
        Change.kind == "capability", Change.slug == "order-center").order_by(Change.id.desc()).first()
    assert "closes a cycle" in change.note
    feed = client.get("/api/v1/changes?entity=capability:order-center").get_json()["items"]
    assert "closes a cycle" in feed[0]["note"]


def test_a_patch_with_the_whole_list_is_checked_too(client, db, make, catalog, unchanged):
    headers = {**token(make, "contributor"), "If-Match": "*"}
    unchanged()
    response = client.patch("/api/v1/capabilities/order-center",
                            json={"dependencies": ["checkout"]}, headers=headers)
    assert response.status_code == 422
    assert "closes a cycle" in response.get_json()["errors"]["dependencies.0"][0]
    unchanged.check()


def test_a_harmless_dependency_has_no_warning(client, db, make, catalog):
    response = client.post("/api/v1/dependencies", json={
        "consumer": "checkout", "provider": "message-queue"}, headers=token(make, "contributor"))
    assert response.status_code == 201


def test_existing_tangles_do_not_block_other_edits(db, make, catalog):
    """A cycle saved by an architect does not stop the team from editing its summary."""
    from catalog.capabilities import update_capability

    architect = make.user("arch", role="architect", team="growth")
    contributor = make.user("cont", role="contributor", team="trade")
    update_capability(get_capability("order-center"), {"dependencies": ["checkout"]}, architect)
    update_capability(get_capability("order-center"), {"summary": "Still here."}, contributor)
    assert get_capability("order-center").summary == "Still here."


def test_the_inline_check_shows_the_warning_before_saving(client, db, make, login, catalog):
    login("contributor")
    row = client.get("/capabilities/picker/checkout?consumer=order-center").get_data(as_text=True)
    assert "closes a cycle" in row and "Only architects and admins can save it" in row
    row = client.get("/capabilities/picker/payments?domain=middleware").get_data(as_text=True)
    assert "Layering break" in row  # while registering, from the domain chosen
    row = client.get("/capabilities/picker/message-queue?consumer=checkout").get_data(as_text=True)
    assert "dependency-warning" not in row
    results = client.get("/capabilities/picker?q=check&exclude=order-center").get_data(
        as_text=True)
    assert "consumer=order-center" in results and 'hx-include="#domain"' in results


def test_the_inline_check_tells_an_architect_it_may_save(client, db, make, login, catalog):
    login("architect", team="growth")
    row = client.get("/capabilities/picker/checkout?consumer=order-center").get_data(as_text=True)
    assert "You may save it" in row


def test_the_edit_form_refuses_a_contributor_and_names_the_row(client, db, make, login,
                                                                catalog, unchanged):
    login("contributor")
    page = client.get("/capabilities/order-center/edit").get_data(as_text=True)
    version = page.split('name="version" type="hidden" value="')[1].split('"')[0]
    form = {"name": "Order Center", "summary": "s", "domain": "transaction", "team": "trade",
            "lifecycle": "production", "tier": "3", "version": version,
            "dep_provider": "checkout", "dep_kind": "sync",
            "csrf_token": csrf_token(client, "/capabilities/order-center/edit")}
    unchanged()
    response = client.post("/capabilities/order-center/edit", data=form)
    assert response.status_code == 422
    assert "closes a cycle" in response.get_data(as_text=True)
    unchanged.check()
