"""The incubate page and saved plans through forms: who may, bad input, nothing written."""

import re

import pytest
import sqlalchemy as sa

from catalog import incubation
from catalog.adoptions import adopt
from catalog.models import Business, Capability, IncubationPlan
from tests.conftest import csrf_token


@pytest.fixture
def org(make, db):
    make.team("trade")
    make.team("lingxi-team", kind="business")
    make.domain("transaction")
    make.capability("sms", lifecycle="production")
    make.capability("cart", lifecycle="production", dependencies=["sms"])
    make.capability("hostile", name="<script>alert(1)</script>", lifecycle="production")
    make.business("taobao")
    adopt({"business": "taobao", "capability": "cart"}, None)
    return make


def form(client, **fields):
    return {"csrf_token": csrf_token(client, "/businesses/incubate"), **fields}


def plans(db):
    return db.session.scalar(sa.select(sa.func.count()).select_from(IncubationPlan))


def test_the_page_shows_the_plan_of_the_picks_in_the_url(client, org):
    html = client.get("/businesses/incubate?capabilities=cart&capabilities=hostile"
                      "&needs=Shoppable+posts").get_data(as_text=True)
    assert 'value="cart" checked' in html and 'href="/capabilities/sms"' in html
    assert "&lt;script&gt;alert(1)" in html and "<script>alert" not in html
    assert "Shoppable posts" in html and "Sign in</a> to save" in html


def test_htmx_gets_the_plan_and_fresh_search_results(client, org):
    response = client.get("/businesses/incubate?capabilities=cart&q=s",
                          headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<!doctype" not in html
    assert 'id="search-results"' in html and 'hx-swap-oob="true"' in html
    assert 'value="sms"' in html  # sms matches "s" and is not picked


def test_search_leaves_out_what_is_picked(client, org):
    html = client.get("/businesses/incubate/search?q=cart").get_data(as_text=True)
    assert 'value="cart"' in html
    html = client.get("/businesses/incubate/search?q=cart&capabilities=cart").get_data(
        as_text=True)
    assert 'value="cart"' not in html


def test_unknown_picks_are_named_on_the_page(client, org):
    response = client.get("/businesses/incubate?capabilities=cart&capabilities=nope")
    assert response.status_code == 422
    assert "Unknown capabilities: nope." in response.get_data(as_text=True)


def test_a_contributor_saves_a_plan(client, org, login, db):
    login("contributor", team="lingxi-team")
    response = client.post("/businesses/plans", data=form(
        client, name="Lingxi", purpose="Social shopping", capabilities=["cart"],
        needs="Shoppable posts\n"))
    assert response.status_code == 302
    plan = db.session.scalar(sa.select(IncubationPlan))
    assert response.headers["Location"].endswith(f"/businesses/plans/{plan.id}")
    assert (plan.team.slug, plan.capabilities, plan.needs) == (
        "lingxi-team", ["cart"], ["Shoppable posts"])
    html = client.get(f"/businesses/plans/{plan.id}").get_data(as_text=True)
    assert "Create it and adopt 1 capability" in html and f"entity=plan:{plan.id}" in html
    assert "Propose it as a capability" in html
    listed = client.get("/businesses/plans").get_data(as_text=True)
    assert f'href="/businesses/plans/{plan.id}"' in listed
    told = client.get("/changes", query_string={"kind": "plan"}).get_data(as_text=True)
    assert re.search(rf'<a href="/businesses/plans/{plan.id}">Lingxi</a>\s*<strong>created<', told)


@pytest.mark.parametrize("fields, field, words", [
    ({"name": "", "capabilities": ["cart"]}, "name", "Name is required"),
    ({"name": "x" * 121, "capabilities": ["cart"]}, "name", "at most 120"),
    ({"name": "P", "capabilities": ["nope"]}, "capabilities", "Unknown capabilities: nope"),
    ({"name": "P"}, "capabilities", "Pick at least one"),
])
def test_a_bad_plan_is_422_naming_the_field_and_writes_nothing(client, org, login, db,
                                                              fields, field, words):
    login("contributor", team="lingxi-team")
    response = client.post("/businesses/plans", data=form(client, **fields))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'data-field="{field}"' in html and words in html
    assert plans(db) == 0


def test_who_may_save_on_the_page(client, org, login, db):
    assert client.post("/businesses/plans", data=form(client, name="P", capabilities=["cart"])
                       ).status_code == 302  # to the sign-in page
    login("viewer", team="")
    response = client.post("/businesses/plans", data=form(client, name="P",
                                                          capabilities=["cart"]))
    assert response.status_code == 403
    assert client.post("/businesses/plans", data={"name": "P", "capabilities": ["cart"]}
                       ).status_code == 400  # no CSRF token
    assert plans(db) == 0


@pytest.fixture
def plan(org):
    return incubation.save_plan({"name": "Lingxi", "capabilities": ["cart"],
                                 "needs": ["Shoppable posts"], "team": "lingxi-team"}, None)


def test_adopt_from_the_plan_page(client, org, plan, login, db):
    login("contributor", team="lingxi-team")
    response = client.post(f"/businesses/plans/{plan.id}/adopt",
                           data=form(client, slug="lingxi", name="Lingxi"))
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/businesses/lingxi")
    business = db.session.scalar(sa.select(Business).where(Business.slug == "lingxi"))
    assert business.status == "incubating" and [a.capability.slug for a in business.adoptions] == [
        "cart"]


def test_adopting_with_a_taken_slug_names_it_and_writes_nothing(client, org, plan, login, db):
    login("contributor", team="lingxi-team")
    response = client.post(f"/businesses/plans/{plan.id}/adopt",
                           data=form(client, slug="taobao", name="Lingxi"))
    assert response.status_code == 409
    assert 'data-field="slug"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Business)) == 1


def test_another_team_may_not_adopt_the_plan(client, org, plan, login, db):
    login("contributor", team="trade")
    html = client.get(f"/businesses/plans/{plan.id}").get_data(as_text=True)
    assert "Create it and adopt" not in html
    response = client.post(f"/businesses/plans/{plan.id}/adopt",
                           data=form(client, slug="lingxi"))
    assert response.status_code == 403
    assert db.session.scalar(sa.select(Business).where(Business.slug == "lingxi")) is None


def test_propose_a_need_from_the_plan_page(client, org, plan, login, db):
    login("contributor", team="lingxi-team")
    response = client.post("/businesses/incubate/propose", data=form(
        client, need="Shoppable posts", domain="transaction", plan=str(plan.id)))
    assert response.status_code == 302
    capability = db.session.scalar(sa.select(Capability).where(
        Capability.slug == "shoppable-posts"))
    assert capability.lifecycle == "proposed" and capability.team.slug == "lingxi-team"
    db.session.refresh(plan)
    assert plan.needs == [] and plan.capabilities == ["cart", "shoppable-posts"]


def test_propose_from_the_incubate_page_picks_it(client, org, login, db):
    login("contributor", team="lingxi-team")
    response = client.post("/businesses/incubate/propose", data=form(
        client, need="Group buying", domain="transaction",
        back="capabilities=cart&needs=Group+buying%0AOther&name=Lingxi"))
    location = response.headers["Location"]
    assert "capabilities=cart" in location and "capabilities=group-buying" in location
    assert "Group+buying" not in location and "needs=Other" in location


def test_a_bad_proposal_is_flashed_and_writes_nothing(client, org, plan, login, db):
    login("contributor", team="lingxi-team")
    client.post("/businesses/incubate/propose", data=form(
        client, need="Posts", domain="nope", plan=str(plan.id)))
    html = client.get(f"/businesses/plans/{plan.id}").get_data(as_text=True)
    assert "Could not propose it: domain:" in html
    assert db.session.scalar(sa.select(Capability).where(Capability.slug == "posts")) is None


def test_unknown_plan_is_404(client, org):
    assert client.get("/businesses/plans/424242").status_code == 404
    assert client.get("/businesses/plans/99999999999").status_code == 404


def test_home_names_the_businesses_what_they_reuse_and_the_two_journeys(client, org, make):
    make.business("tmall", name="Tmall")
    adopt({"business": "tmall", "capability": "cart"}, None)
    html = client.get("/").get_data(as_text=True)
    assert "2 businesses run on one shared platform" in html
    story = html[html.index('id="businesses-heading"'):]
    assert 'href="/businesses/taobao"' in story and 'href="/businesses/tmall"' in story
    assert "adopts 1, uses 2 in all, 2 of them shared with other businesses" in story
    assert 'href="/capabilities/cart"' in story
    assert "Starting a business?" in html and 'href="/businesses/incubate"' in html
    assert "What would a spin-off take?" in html and 'action="/businesses/spin-off"' in html


def test_the_spin_off_chooser_goes_to_the_business(client, org):
    response = client.get("/businesses/spin-off?business=taobao")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/businesses/taobao/spin-off")
    assert client.get("/businesses/spin-off?business=nope").status_code == 404
    missing = client.get("/businesses/spin-off")
    assert missing.status_code == 422 and "Choose a business" in missing.get_data(as_text=True)


def test_an_empty_catalog_home_still_offers_the_journeys(client, db):
    html = client.get("/").get_data(as_text=True)
    assert "Starting a business?" in html and "No business yet." in html


def test_search_finds_by_need_and_domain(client, org, make):
    make.domain("membership", name="Membership")
    make.capability("vip-levels", domain="membership", name="Levels", summary="Tiers.",
                    lifecycle="production")
    html = client.get("/businesses/incubate/search?q=membership").get_data(as_text=True)
    assert 'value="vip-levels"' in html  # found through its domain's name
    html = client.get("/businesses/incubate/search?q=tiers").get_data(as_text=True)
    assert 'value="vip-levels"' in html  # through its summary
    assert "No capability matches" in client.get(
        "/businesses/incubate/search?q=zzzz").get_data(as_text=True)


def test_a_plan_naming_a_capability_no_longer_there_still_shows(client, org, plan, db):
    """Regression: a saved pick whose slug changed must not break the plan's page."""
    plan.capabilities = ["cart", "renamed-away"]
    db.session.commit()
    response = client.get(f"/businesses/plans/{plan.id}")
    assert response.status_code == 200
    assert "No longer in the catalog: renamed-away." in response.get_data(as_text=True)
