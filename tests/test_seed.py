"""The demo catalog and generated benchmark catalogs (catalog.seed, `flask seed-demo`)."""

import datetime as dt
import re

import networkx as nx
import pytest
import sqlalchemy as sa
from conftest import csrf_token, wipe
from sqlalchemy.orm import aliased

from catalog import accounts, seed
from catalog.capabilities import search_text
from catalog.deliveries import DeliveryFilters
from catalog.errors import ValidationFailed
from catalog.fields import SLUG_RE
from catalog.history import current_revision
from catalog.metrics import delivery_metrics, quarter_bounds, quarter_of
from catalog.models import (
    Adoption,
    Api,
    Business,
    Capability,
    CapabilityTag,
    Delivery,
    Dependency,
    Domain,
    IncubationPlan,
    Team,
    User,
    delivery_capability,
)
from catalog.models._time import today
from catalog.openapi import operations

LAYER_ORDER = ("frontend", "business-platform", "data-platform", "infrastructure")
BUSINESSES = {"taobao", "tmall", "xianyu", "youku", "fliggy", "eleme", "hema"}


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def edges(db) -> list[tuple[str, str]]:
    """Dependency edges as (consumer slug, provider slug), sorted."""
    consumer, provider = aliased(Capability), aliased(Capability)
    rows = db.session.execute(
        sa.select(consumer.slug, provider.slug).select_from(Dependency)
        .join(consumer, Dependency.consumer_id == consumer.id)
        .join(provider, Dependency.provider_id == provider.id)
    )
    return sorted(tuple(row) for row in rows)


def layering_breaks(db) -> list[tuple[str, str]]:
    """Edges whose provider sits in a higher layer than its consumer."""
    layers = dict(db.session.execute(sa.select(Capability.slug, Domain.layer).join(Domain)).all())
    return [(consumer, provider) for consumer, provider in edges(db)
            if LAYER_ORDER.index(layers[provider]) < LAYER_ORDER.index(layers[consumer])]


def snapshot(db) -> dict[str, object]:
    return {
        "capabilities": sorted(db.session.scalars(sa.select(Capability.slug))),
        "edges": edges(db),
        "adoptions": sorted(db.session.execute(
            sa.select(Business.slug, Capability.slug).join(Adoption.business)
            .join(Adoption.capability)).all()),
    }


@pytest.fixture
def demo(db, cheap_hashing):
    seed.seed_demo()
    return db


def test_cli_seeds_the_demo_and_prints_the_logins(runner, db):
    revision = current_revision()
    result = runner.invoke(args=["seed-demo"])

    assert result.exit_code == 0, result.output
    assert re.search(r"Seeded \d+ capabilities, \d+ APIs, \d+ dependencies, \d+ adoptions, "
                     r"8 businesses, \d+ teams, 6 users\. Recorded \d+ deliveries \(\d+ open\) "
                     r"and [\d,]+ changes over \d+ months of history\.",
                     result.output)
    for username, password, _, _ in seed.DEMO_LOGINS:
        assert username in result.output and password in result.output
    assert 60 <= count(db, Capability) <= 100
    assert current_revision() > revision


def test_demo_has_the_businesses_with_two_incubating(demo):
    """Lingxi is told by the story; Pet Club was started from a saved incubation plan."""
    businesses = {b.slug: b for b in demo.session.scalars(sa.select(Business))}
    incubating = {"lingxi", "pet-club"}

    assert set(businesses) == BUSINESSES | incubating
    assert {businesses[slug].status for slug in incubating} == {"incubating"}
    assert {b.status for slug, b in businesses.items() if slug not in incubating} == {"live"}
    plans = {p.name: p for p in demo.session.scalars(sa.select(IncubationPlan))}
    assert plans["Pet Club"].business is businesses["pet-club"]
    assert sorted(a.capability.slug for a in businesses["pet-club"].adoptions) == sorted(
        plans["Pet Club"].capabilities)
    assert plans["Lingxi group buying"].business is None
    assert businesses["eleme"].name == "Ele.me"
    assert all(b.team is not None and b.team.kind == "business" for b in businesses.values())


def test_demo_has_domains_in_every_layer_and_teams_of_every_kind(demo):
    assert set(demo.session.scalars(sa.select(Domain.layer))) == set(LAYER_ORDER)
    assert set(demo.session.scalars(sa.select(Team.kind))) == {
        "platform", "data", "infrastructure", "business"}
    team = demo.session.scalar(sa.select(Team).where(Team.slug == "membership-team"))
    assert team.contact == "membership-team@example.com"


def test_youku_membership_is_adopted_by_taobao_for_marketing(demo):
    adoption = demo.session.scalar(
        sa.select(Adoption).join(Adoption.business).join(Adoption.capability)
        .where(Business.slug == "taobao", Capability.slug == "youku-membership")
    )

    assert adoption is not None
    assert "88VIP" in adoption.purpose
    capability = adoption.capability
    assert capability.domain.slug == "membership"
    assert capability.team.slug.startswith("youku")


def test_adoptions_span_the_last_three_years_after_launch(demo):
    adoptions = demo.session.scalars(sa.select(Adoption)).all()
    per_business = {}
    for adoption in adoptions:
        per_business[adoption.business.slug] = per_business.get(adoption.business.slug, 0) + 1
        launched = adoption.capability.launched_on
        if launched is None and adoption.business.status == "incubating":
            continue  # an incubating business may adopt what is approved, ahead of its launch
        assert launched is not None and launched <= adoption.since, adoption
        assert today() - dt.timedelta(days=3 * 366) <= adoption.since <= today()

    assert min(per_business["taobao"], per_business["tmall"]) >= 15
    assert 1 <= per_business["lingxi"] <= 5
    assert set(per_business) == BUSINESSES | {"lingxi", "pet-club"}


def test_demo_dependency_graph_has_one_layering_break_and_a_cycle(demo):
    graph = nx.DiGraph(edges(demo))

    assert layering_breaks(demo) == [("search-indexer", "product-center")]
    cycles = list(nx.simple_cycles(graph))
    assert cycles and all(len(cycle) <= 3 for cycle in cycles)
    assert {"coupon-center", "promotion-engine"} in [set(cycle) for cycle in cycles]
    assert set(demo.session.scalars(sa.select(Dependency.kind))) == {"sync", "async", "data"}
    assert 150 <= graph.number_of_edges() <= 400


def test_every_demo_capability_is_complete(demo):
    capabilities = demo.session.scalars(sa.select(Capability)).all()

    for capability in capabilities:
        assert 2 <= len(capability.apis) <= 5, capability
        assert capability.team is not None, capability
        assert SLUG_RE.match(capability.slug)
        assert capability.summary and capability.description and capability.tags
        assert set(capability.search_text.split()) == set(search_text(capability.slug, capability.name, capability.summary, capability.tags).split())
        assert capability.docs_url.startswith("https://") and "example.com" in capability.docs_url
        if capability.lifecycle in ("production", "deprecated", "retired"):
            assert capability.launched_on is not None, capability
    lifecycles = [c.lifecycle for c in capabilities]
    assert lifecycles.count("production") > len(lifecycles) / 2
    assert 2 <= lifecycles.count("deprecated") <= 3 and lifecycles.count("retired") == 1
    assert {"approved", "proposed"} <= set(lifecycles)
    tier_one = {c.slug for c in capabilities if c.tier == 1}
    assert {"order-center", "member-account", "payment-gateway"} <= tier_one


def test_demo_apis_mix_kinds_and_some_list_operations(demo):
    apis = demo.session.scalars(sa.select(Api)).all()

    assert {"openapi", "grpc", "asyncapi", "graphql", "thrift"} <= {api.kind for api in apis}
    assert {api.status for api in apis} == {"beta", "stable", "deprecated"}
    with_operations = [api for api in apis if api.spec]
    assert len(with_operations) >= 3
    for api in with_operations:
        assert 2 <= len(operations(api.spec)) <= 4, api.name


def test_demo_logins_can_sign_in(demo):
    for username, password, role, team in seed.DEMO_LOGINS:
        user = accounts.authenticate(username, password)
        assert user is not None, username
        assert user.role == role
        assert (user.team.slug if user.team else "") == team
        assert len(password) >= 8
    roles = {role for _, _, role, _ in seed.DEMO_LOGINS}
    assert roles == {"admin", "architect", "contributor", "viewer"}


def test_demo_is_deterministic(db, cheap_hashing):
    seed.seed_demo()
    first = snapshot(db)
    wipe(db)

    seed.seed_demo()

    assert snapshot(db) == first


def test_seeding_a_non_empty_catalog_fails_and_writes_nothing(runner, make):
    make.team("trade")
    make.domain("transaction")
    make.capability("order-service")

    result = runner.invoke(args=["seed-demo"])

    assert result.exit_code != 0
    assert "not empty" in result.stderr
    assert count(make.db, Capability) == 1
    assert count(make.db, Business) == 0
    assert count(make.db, User) == 0
    with pytest.raises(ValidationFailed) as info:
        seed.seed_scale(10)
    assert "catalog" in info.value.errors


def test_if_empty_leaves_a_non_empty_catalog_unchanged(runner, make):
    make.team("trade")
    make.domain("transaction")
    make.capability("order-service")
    revision = current_revision()

    result = runner.invoke(args=["seed-demo", "--if-empty"])

    assert result.exit_code == 0, result.output
    assert "left as it is" in result.output
    assert count(make.db, Capability) == 1 and count(make.db, Business) == 0
    assert current_revision() == revision


def test_a_failing_seed_writes_nothing(db, monkeypatch, cheap_hashing):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(seed.history, "record_many", broken)

    with pytest.raises(RuntimeError):
        seed.seed_demo()
    with pytest.raises(RuntimeError):
        seed.seed_scale(50)

    for model in (Capability, Team, Domain, Business, User, Api, Dependency):
        assert count(db, model) == 0, model


def test_demo_keeps_existing_users_and_teams(make, cheap_hashing):
    make.team("membership-team", name="Members")
    make.user("admin", role="admin", team="")

    report = seed.seed_demo()

    assert "5 users" in report  # the six demo logins but the admin who was there
    assert accounts.authenticate("admin", "demo-admin-pass") is None
    assert accounts.authenticate("member-dev", "demo-member-pass").team.name == "Members"


def test_cli_scale_generates_a_layered_catalog(runner, db):
    revision = current_revision()
    result = runner.invoke(args=["seed-demo", "--scale", "300"])

    assert result.exit_code == 0, result.output
    assert "Seeded 300 generated capabilities" in result.output
    assert count(db, Capability) == 300
    pairs = edges(db)
    assert 3 <= len(pairs) / 300 <= 7
    assert all(consumer != provider for consumer, provider in pairs)
    assert len(layering_breaks(db)) <= 3
    apis_per_capability = db.session.execute(
        sa.select(sa.func.count(Api.id)).group_by(Api.capability_id)).scalars().all()
    assert len(apis_per_capability) == 300
    assert min(apis_per_capability) >= 2 and max(apis_per_capability) <= 5
    tags = db.session.execute(sa.select(sa.func.count()).select_from(CapabilityTag)
                              .group_by(CapabilityTag.capability_id)).scalars().all()
    assert set(tags) == {3}
    for capability in db.session.scalars(sa.select(Capability)):
        assert SLUG_RE.match(capability.slug)
        assert capability.team_id is not None
        assert set(capability.search_text.split()) == set(search_text(capability.slug, capability.name, capability.summary, capability.tags).split())
    assert count(db, Adoption) <= 2 * 300
    assert current_revision() > revision


def test_scale_is_deterministic_and_leaves_room_for_new_capabilities(db, make):
    seed.seed_scale(120)
    first = snapshot(db)
    wipe(db)
    seed.seed_scale(120)

    assert snapshot(db) == first
    created = make.capability("brand-new-capability", domain="transaction", team="trade-team")
    assert created.id > 120


# -- the delivery story --------------------------------------------------------------


def full_quarters(result, day):
    """The quarters of ``result`` wholly inside the demo's three years, oldest first."""
    start = day - dt.timedelta(days=seed.DELIVERY_DAYS)
    return [q for q in result["quarters"] if quarter_bounds(q["quarter"])[0] >= start
            and quarter_bounds(q["quarter"])[1] < day]


def test_demo_deliveries_span_three_years_with_a_few_open(demo):
    day = today()
    deliveries = demo.session.scalars(sa.select(Delivery)).all()

    assert 600 <= len(deliveries) <= 900
    open_ = [d for d in deliveries if d.delivered_on is None]
    assert 5 <= len(open_) <= 40
    delivered = [d.delivered_on for d in deliveries if d.delivered_on]
    assert min(delivered) >= day - dt.timedelta(days=seed.DELIVERY_DAYS) and max(delivered) <= day
    assert {d.business.slug for d in deliveries} == BUSINESSES | {"lingxi"}
    assert {d.source for d in deliveries} == {"csv", "form", "api"}
    refs = [(d.business_id, d.external_ref) for d in deliveries]
    assert len(set(refs)) == len(refs) and all(ref for _, ref in refs)
    for delivery in deliveries:  # reused only what its business had adopted by then
        adopted = {a.capability_id: a.since for a in delivery.business.adoptions}
        for capability in delivery.capabilities:
            assert adopted[capability.id] <= delivery.requested_on


def test_demo_lead_time_falls_as_reuse_grows(demo):
    day = today()
    result = delivery_metrics()
    quarters = full_quarters(result, day)
    first, last = quarters[0], quarters[-1]

    assert len(quarters) >= 10
    assert first["count"] >= 30 and last["count"] >= 30
    assert 70 <= first["median_days"] <= 110
    assert 10 <= last["median_days"] <= 30
    assert last["quarter"] == quarter_of(quarter_bounds(quarter_of(day))[0] - dt.timedelta(days=1))
    cohorts = {c["cohort"]: c for c in result["cohorts"]}
    assert cohorts["none"]["median_days"] > cohorts["1-2"]["median_days"] > \
        cohorts["3+"]["median_days"]
    assert all(c["count"] >= 100 for c in cohorts.values())


def test_the_slow_business_kept_building_its_own(demo):
    day = today()
    slow = seed.SLOW_BUSINESS
    result = delivery_metrics(DeliveryFilters(business=slow))
    quarters = [q for q in full_quarters(result, day) if q["count"]]
    business = result["businesses"][0]

    assert business["slug"] == slow and business["reused_share"] <= 0.2
    assert 80 <= business["median_days"] <= 100
    assert all(70 <= q["median_days"] <= 115 for q in quarters), quarters
    others = delivery_metrics()["businesses"]
    assert all(b["median_days"] < business["median_days"] for b in others if b["slug"] != slow)


def test_demo_adoptions_grow_over_three_years(demo):
    sinces = demo.session.scalars(sa.select(Adoption.since)).all()
    day = today()
    years = [sum(1 for s in sinces if day - dt.timedelta(days=365 * (k + 1)) < s
                 <= day - dt.timedelta(days=365 * k)) for k in range(3)]
    assert all(n >= 5 for n in years), years  # new adoptions in each of the three years
    at_start = sum(1 for s in sinces if s <= day - dt.timedelta(days=3 * 365))
    assert at_start < len(sinces) / 2  # most came later: reuse grew over time


def test_scale_adds_deliveries_that_reuse_adopted_capabilities(db):
    report = seed.seed_scale(200, deliveries=700)

    assert report.endswith("700 deliveries.")
    assert count(db, Delivery) == 700
    links = db.session.execute(sa.select(delivery_capability.c.delivery_id,
                                         delivery_capability.c.capability_id)).all()
    assert len(links) > 300
    adopted = set(db.session.execute(sa.select(Adoption.business_id, Adoption.capability_id)))
    business_of = dict(db.session.execute(sa.select(Delivery.id, Delivery.business_id)).all())
    assert all((business_of[d], c) in adopted for d, c in links)
    result = delivery_metrics()
    assert result["cohorts"][0]["median_days"] > result["cohorts"][2]["median_days"]


def test_scale_defaults_to_five_deliveries_per_capability(db):
    seed.seed_scale(60)
    assert count(db, Delivery) == 300


def test_cli_scale_takes_a_delivery_count(runner, db):
    result = runner.invoke(args=["seed-demo", "--scale", "50", "--deliveries", "120"])

    assert result.exit_code == 0, result.output
    assert "120 deliveries" in result.output and count(db, Delivery) == 120


def test_the_business_lead_adopts_and_records_deliveries_for_their_business(client, demo):
    """The demo has a business team's lead: they adopt and ship for Taobao, not for others."""
    response = client.post("/auth/login", data={
        "username": "taobao-lead", "password": "demo-taobao-pass",
        "csrf_token": csrf_token(client, "/auth/login")})
    assert response.status_code == 302
    taobao = demo.session.scalar(sa.select(Business).where(Business.slug == "taobao"))
    adopted = {a.capability_id for a in taobao.adoptions if a.active}
    fresh = demo.session.scalars(sa.select(Capability.slug).where(
        Capability.lifecycle == "production", Capability.id.not_in(adopted))
        .order_by(Capability.slug)).first()
    adopt = {"business": "taobao", "capability": fresh, "since": "2026-01-05",
             "csrf_token": csrf_token(client, "/adoptions/new")}
    assert client.post("/adoptions/new", data=adopt).status_code == 302
    delivery = {"business": "taobao", "title": "Points in the cart", "requested_on": "2026-01-05",
                "delivered_on": "2026-02-01", "capabilities": [fresh],
                "csrf_token": csrf_token(client, "/deliveries/new")}
    assert client.post("/deliveries/new", data=delivery).status_code == 302
    recorded = demo.session.scalar(sa.select(Delivery).where(Delivery.title == "Points in the cart"))
    assert recorded.business.slug == "taobao"
    assert [c.slug for c in recorded.capabilities] == [fresh]
    assert demo.session.scalar(sa.select(Adoption).where(
        Adoption.business_id == recorded.business_id,
        Adoption.capability_id == recorded.capabilities[0].id, Adoption.active)) is not None

    refused = client.post("/deliveries/new", data={**delivery, "business": "tmall",
                                                   "title": "Not ours"})
    assert refused.status_code in (403, 422)
    assert demo.session.scalar(sa.select(Delivery).where(Delivery.title == "Not ours")) is None
