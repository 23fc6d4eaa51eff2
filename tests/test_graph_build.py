"""Building the networkx graph from the catalog database."""

import datetime as dt

import pytest
import sqlalchemy as sa

from catalog.history import current_revision
from catalog.models import Adoption, Capability
from graphs.build import build_graph
from graphs.nodes import business_node, capability_node, parse_node


@pytest.fixture
def small_catalog(db, make):
    """Two domains, two businesses, three capabilities: taobao -> cart -> order -> queue."""
    make.team("trade")
    make.domain("transaction", name="Transaction")
    make.domain("middleware", layer="infrastructure", name="Middleware")
    make.capability("queue", domain="middleware", lifecycle="production", tier=1)
    make.capability("order", dependencies=[{"provider": "queue", "kind": "async"}],
                    lifecycle="production", tier=2)
    make.capability("cart", dependencies=["order"])
    taobao = make.business("taobao", name="Taobao")
    tmall = make.business("tmall")
    cart, order = (capability(db, slug) for slug in ("cart", "order"))
    db.session.add_all([
        Adoption(business=taobao, capability=cart),
        Adoption(business=tmall, capability=order, until=dt.date(2024, 1, 31)),
    ])
    db.session.commit()
    return db


def capability(db, slug):
    return db.session.scalar(sa.select(Capability).where(Capability.slug == slug))


def test_capability_nodes_carry_their_attributes(small_catalog):
    G = build_graph()
    assert G.nodes[capability_node("order")] == {
        "kind": "capability", "slug": "order", "name": "Order", "layer": "business-platform",
        "domain": "transaction", "domain_name": "Transaction", "team": "trade",
        "team_name": "Trade", "team_contact": "trade@example.com", "lifecycle": "production", "tier": 2,
    }
    assert G.nodes[capability_node("queue")]["layer"] == "infrastructure"


def test_business_nodes_carry_their_attributes(small_catalog):
    G = build_graph()
    assert G.nodes[business_node("taobao")] == {
        "kind": "business", "slug": "taobao", "name": "Taobao", "layer": "frontend",
        "status": "live",
    }


def test_nodes_in_slug_order_capabilities_first(small_catalog):
    assert list(build_graph()) == [
        "capability:cart", "capability:order", "capability:queue",
        "business:taobao", "business:tmall",
    ]


def test_dependency_edges_run_consumer_to_provider(small_catalog):
    G = build_graph()
    assert G.edges["capability:order", "capability:queue"] == {"link": "dependency", "kind": "async",
                                                               "api": False}
    assert G.edges["capability:cart", "capability:order"] == {"link": "dependency", "kind": "sync",
                                                              "api": False}


def test_active_adoption_is_an_edge(small_catalog):
    G = build_graph()
    assert G.edges["business:taobao", "capability:cart"] == {"link": "adoption", "kind": "adoption"}


def test_ended_adoption_is_left_out(small_catalog):
    """An adoption with an ``until`` date no longer links the business."""
    G = build_graph()
    assert not G.has_edge("business:tmall", "capability:order")
    assert G.degree("business:tmall") == 0
    assert G.number_of_edges() == 3


def test_capability_without_team(small_catalog):
    domain = capability(small_catalog, "queue").domain
    small_catalog.session.add(Capability(slug="orphan", name="Orphan", domain=domain))
    small_catalog.session.commit()
    attrs = build_graph().nodes["capability:orphan"]
    assert (attrs["team"], attrs["team_name"]) == (None, None)


def test_empty_catalog(db):
    G = build_graph()
    assert (G.number_of_nodes(), G.number_of_edges()) == (0, 0)


def test_revision_recorded(small_catalog):
    assert build_graph().graph["revision"] == current_revision() > 0


def test_node_ids_round_trip():
    assert parse_node(capability_node("order")) == ("capability", "order")
    assert parse_node(business_node("taobao")) == ("business", "taobao")


def test_a_dependency_through_an_api_says_so(small_catalog, make):
    make.capability("billing", apis=[{"name": "Charges", "kind": "openapi"}])
    make.capability("checkout", dependencies=[{"provider": "billing", "api": "Charges"}])
    G = build_graph()
    assert G.edges["capability:checkout", "capability:billing"]["api"] is True
