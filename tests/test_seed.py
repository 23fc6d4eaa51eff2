"""The demo catalog and generated benchmark catalogs (catalog.seed, `flask seed-demo`)."""

import datetime as dt
import re
from functools import partial

import networkx as nx
import pytest
import sqlalchemy as sa
from conftest import wipe
from sqlalchemy.orm import aliased
from werkzeug.security import generate_password_hash

from catalog import accounts, seed
from catalog.audit import current_revision
from catalog.capabilities import search_text
from catalog.errors import ValidationFailed
from catalog.models import (
    Adoption,
    Api,
    Business,
    Capability,
    CapabilityTag,
    Dependency,
    Domain,
    Team,
    User,
)
from catalog.models._time import today
from catalog.openapi import operations
from catalog.validation import SLUG_RE

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
def cheap_hashing(monkeypatch):
    """Hash demo passwords with few rounds: the default scrypt costs 70 ms a user."""
    monkeypatch.setattr("catalog.models.org.generate_password_hash",
                        partial(generate_password_hash, method="pbkdf2:sha256:1000"))


@pytest.fixture
def demo(db, cheap_hashing):
    seed.seed_demo()
    return db


def test_cli_seeds_the_demo_and_prints_the_logins(runner, db):
    result = runner.invoke(args=["seed-demo"])

    assert result.exit_code == 0, result.output
    assert re.search(r"Seeded \d+ capabilities, \d+ APIs, \d+ dependencies, \d+ adoptions, "
                     r"8 businesses, \d+ teams, 5 users\.", result.output)
    for username, password, _, _ in seed.DEMO_LOGINS:
        assert username in result.output and password in result.output
    assert 60 <= count(db, Capability) <= 100
    assert current_revision() == 1


def test_demo_has_the_businesses_with_one_incubating(demo):
    businesses = {b.slug: b for b in demo.session.scalars(sa.select(Business))}

    assert set(businesses) == BUSINESSES | {"lingxi"}
    assert businesses["lingxi"].status == "incubating"
    assert {b.status for slug, b in businesses.items() if slug != "lingxi"} == {"live"}
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
        assert launched is not None and launched <= adoption.since, adoption
        assert today() - dt.timedelta(days=3 * 366) <= adoption.since <= today()

    assert min(per_business["taobao"], per_business["tmall"]) >= 15
    assert 1 <= per_business["lingxi"] <= 5
    assert set(per_business) == BUSINESSES | {"lingxi"}


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
        assert capability.version == 1
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

    monkeypatch.setattr(seed.audit, "record", broken)

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

    assert "4 users" in report
    assert accounts.authenticate("admin", "demo-admin-pass") is None
    assert accounts.authenticate("member-dev", "demo-member-pass").team.name == "Members"


def test_cli_scale_generates_a_layered_catalog(runner, db):
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
        assert capability.version == 1 and capability.team_id is not None
        assert set(capability.search_text.split()) == set(search_text(capability.slug, capability.name, capability.summary, capability.tags).split())
    assert count(db, Adoption) <= 2 * 300
    assert current_revision() == 1


def test_scale_is_deterministic_and_leaves_room_for_new_capabilities(db, make):
    seed.seed_scale(120)
    first = snapshot(db)
    wipe(db)
    seed.seed_scale(120)

    assert snapshot(db) == first
    created = make.capability("brand-new-capability", domain="transaction", team="trade-team")
    assert created.id > 120
