"""Adoptions: recording, ending and listing them (catalog.adoptions, /api/v1/adoptions)."""

import datetime as dt

import pytest

from catalog import adoptions
from catalog.errors import Conflict, Forbidden, NotFound, ValidationFailed
from catalog.history import current_revision
from catalog.models import Adoption, Business
from catalog.models._time import today
from tests.bad_inputs import BAD_ADOPTIONS, Bad
from tests.support import assert_only_field_error


@pytest.fixture
def org(make):
    make.taobao_and_tmall()
    make.capability("order-center", lifecycle="production",
                    apis=[{"name": "Orders"}, {"name": "Order events", "kind": "asyncapi"}])
    make.capability("checkout", lifecycle="production", dependencies=["order-center"])
    make.capability("legacy-cart", lifecycle="retired")
    return make


@pytest.fixture
def token(token, org):
    """The shared token fixture (conftest), once the test's org exists."""
    return token


def post(client, headers, **body):
    return client.post("/api/v1/adoptions", json=body, headers=headers)


def impact_businesses(client, slug):
    body = client.get(f"/api/v1/capabilities/{slug}/impact").get_json()
    return {b["slug"]: b["distance"] for b in body["businesses"]}


def test_adopt_via_api_returns_201_and_the_graph_sees_it(client, token):
    revision = current_revision()

    response = post(client, token(), business="taobao", capability="checkout",
                    purpose="Taobao checkout", since="2024-05-01")

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body | {"id": 0} == {
        "id": 0, "business": "taobao", "business_name": "Taobao", "capability": "checkout",
        "capability_name": "Checkout", "api": None, "since": "2024-05-01", "until": None,
        "purpose": "Taobao checkout", "active": True}
    assert response.headers["Location"].endswith(f"/api/v1/adoptions/{body['id']}")
    assert current_revision() == revision + 1
    # checkout -> order-center: the business reaches order-center through checkout.
    assert impact_businesses(client, "checkout") == {"taobao": 1}
    assert impact_businesses(client, "order-center") == {"taobao": 2}
    assert client.get(response.headers["Location"]).get_json() == body


def test_adopt_defaults_since_to_today_and_takes_an_api(org):
    adoption = adoptions.adopt({"business": "taobao", "capability": "order-center",
                                "api": "order events"}, None)

    assert adoption.since == today() and adoption.until is None
    assert adoption.api.name == "Order events" and adoption.active


@pytest.mark.parametrize("changes, field, words, status", [
    *BAD_ADOPTIONS,
    # The adoption form has no "until": an adoption is ended by a form of its own.
    Bad({"since": "2024-05-01", "until": "2024-04-30"}, "until", "before since"),
])
def test_bad_adoptions_are_422_naming_the_field(client, token, unchanged, changes, field, words,
                                                status):
    headers = token()
    unchanged()

    response = post(client, headers, **{"business": "taobao", "capability": "order-center",
                                        **changes})

    assert_only_field_error(response, field, words, status)
    unchanged.check()


def test_an_active_adoption_twice_is_409(client, token, unchanged):
    headers = token()
    assert post(client, headers, business="taobao", capability="order-center").status_code == 201
    unchanged()

    response = post(client, headers, business="taobao", capability="order-center")

    assert response.status_code == 409
    assert "already adopts" in response.get_json()["errors"]["capability"][0]
    unchanged.check()
    # Another API of the same capability, or another business, is another adoption.
    assert post(client, headers, business="taobao", capability="order-center",
                api="Orders").status_code == 201
    assert post(client, headers, business="tmall", capability="order-center").status_code == 201


def test_an_ended_adoption_does_not_block_a_new_one(org):
    first = adoptions.adopt({"business": "taobao", "capability": "checkout",
                             "since": "2023-01-01", "until": "2023-06-30"}, None)
    assert not first.active

    again = adoptions.adopt({"business": "taobao", "capability": "checkout"}, None)

    assert again.active


@pytest.mark.parametrize("role, team, scopes, status", [
    ("viewer", "", "write", 403),
    ("architect", "", "read", 403),
    ("contributor", "trade", "write", 403),  # not the team of taobao
    ("contributor", "taobao-team", "write", 201),
    ("architect", "", "write", 201),
    ("admin", "", "write", 201),
])
def test_who_may_record_an_adoption(client, token, role, team, scopes, status):
    response = post(client, token(role, team, scopes), business="taobao",
                    capability="order-center")

    assert response.status_code == status, response.get_json()
    if status == 403:
        assert response.get_json()["status"] == 403


def test_without_a_token_it_is_401(client, org, unchanged):
    unchanged()
    response = post(client, {}, business="taobao", capability="order-center")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    unchanged.check()


def test_end_an_adoption_via_api(client, token):
    headers = token()
    created = post(client, headers, business="taobao", capability="checkout",
                   since="2024-01-10").get_json()
    revision = current_revision()

    response = client.post(f"/api/v1/adoptions/{created['id']}/end",
                           json={"until": "2024-09-30"}, headers=headers)

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["until"] == "2024-09-30"
    assert response.get_json()["active"] is False
    assert current_revision() == revision + 1
    assert impact_businesses(client, "checkout") == {}
    again = client.post(f"/api/v1/adoptions/{created['id']}/end", headers=headers)
    assert again.status_code == 422 and "already ended" in again.get_json()["errors"]["until"][0]


def test_end_by_business_and_capability_defaults_to_today(org):
    adoptions.adopt({"business": "taobao", "capability": "checkout", "since": "2024-01-01"},
                    None)

    ended = adoptions.end_adoption(("taobao", "checkout"))

    assert ended.until == today() and not ended.active
    with pytest.raises(NotFound):
        adoptions.end_adoption(("taobao", "checkout"))


@pytest.mark.parametrize("until, words", [("2023-12-31", "before since"),
                                          ("3000-01-01", "future"), ("soon", "YYYY-MM-DD")])
def test_ending_checks_the_date(org, until, words):
    adoption = adoptions.adopt({"business": "taobao", "capability": "checkout",
                                "since": "2024-01-01"}, None)

    with pytest.raises(ValidationFailed) as info:
        adoptions.end_adoption(adoption.id, until)

    assert words in info.value.errors["until"][0]
    assert adoption.active


def test_ending_a_pair_with_two_active_adoptions_asks_for_the_id(org):
    adoptions.adopt({"business": "taobao", "capability": "order-center", "api": "Orders"}, None)
    adoptions.adopt({"business": "taobao", "capability": "order-center"}, None)

    with pytest.raises(ValidationFailed) as info:
        adoptions.end_adoption(("taobao", "order-center"))

    assert "by its id" in info.value.errors["adoption"][0]


def test_ending_needs_the_business_team(org, db):
    adoption = adoptions.adopt({"business": "taobao", "capability": "checkout"}, None)
    stranger = org.user("stranger", role="contributor", team="trade")

    with pytest.raises(Forbidden):
        adoptions.end_adoption(adoption.id, None, stranger)
    with pytest.raises(NotFound):
        adoptions.end_adoption(9999)


def test_list_filters_and_pages(client, org):
    since = dt.date(2024, 1, 1)
    for i, (business, capability) in enumerate([("taobao", "checkout"), ("tmall", "checkout"),
                                                ("taobao", "order-center")]):
        adoptions.adopt({"business": business, "capability": capability,
                         "since": since + dt.timedelta(days=i)}, None)
    adoptions.end_adoption(("tmall", "checkout"), "2024-06-01")

    body = client.get("/api/v1/adoptions").get_json()
    assert body["total"] == 3 and body["next"] is None
    assert [(a["business"], a["capability"]) for a in body["items"]] == [
        ("taobao", "order-center"), ("tmall", "checkout"), ("taobao", "checkout")]
    body = client.get("/api/v1/adoptions?business=taobao").get_json()
    assert {a["capability"] for a in body["items"]} == {"checkout", "order-center"}
    body = client.get("/api/v1/adoptions?capability=checkout&active=true").get_json()
    assert [a["business"] for a in body["items"]] == ["taobao"]
    body = client.get("/api/v1/adoptions?per_page=2").get_json()
    assert len(body["items"]) == 2 and "page=2" in body["next"]
    assert client.get(body["next"]).get_json()["items"][0]["business"] == "taobao"
    bad = client.get("/api/v1/adoptions?active=maybe&per_page=0")
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"active", "per_page"}


def test_conflict_is_checked_in_the_service_too(org, db):
    adoptions.adopt({"business": "tmall", "capability": "checkout"}, None)

    with pytest.raises(Conflict):
        adoptions.adopt({"business": "tmall", "capability": "checkout"}, None)
    assert db.session.query(Adoption).join(Business).filter(Business.slug == "tmall").count() == 1
