"""Impact, dependencies, graph and cycles over the JSON API."""

import pytest

from catalog.capabilities import get_capability, update_capability
from catalog.models import Adoption


@pytest.fixture
def chain(make, db):
    """taobao -> checkout -> order -> payment <- refund <- tmall."""
    make.team("trade", contact="trade@example.com")
    make.team("pay", name="Payments", contact="pay@example.com")
    make.domain("transaction")
    make.domain("gateway", layer="infrastructure")
    make.capability("payment", domain="gateway", team="pay", tier=1)
    make.capability("order", dependencies=["payment"], tier=1)
    make.capability("checkout", dependencies=["order"], tier=2)
    refund = make.capability("refund", dependencies=["payment"], tier=3)
    taobao, tmall = make.business("taobao", name="Taobao"), make.business("tmall", name="Tmall")
    db.session.add_all([
        Adoption(business=taobao, capability=get_capability("checkout"), purpose="cart"),
        Adoption(business=tmall, capability=refund, purpose="returns"),
    ])
    db.session.commit()
    return make


def test_impact_lists_dependents_with_distance(client, chain):
    body = client.get("/api/v1/capabilities/payment/impact").get_json()
    assert body["slug"] == "payment"
    assert [(c["slug"], c["distance"]) for c in body["capabilities"]] == [
        ("order", 1), ("refund", 1), ("checkout", 2)]
    assert body["capabilities"][0] == {"slug": "order", "name": "Order", "distance": 1, "tier": 1,
                                       "team": "trade", "team_name": "Trade",
                                       "lifecycle": "proposed",
                                       "layer": "business-platform", "sync": True}
    assert [(b["slug"], b["distance"]) for b in body["businesses"]] == [("tmall", 2), ("taobao", 3)]
    assert body["summary"]["tier1_capabilities"] == 1
    assert [t["contact"] for t in body["summary"]["teams_to_notify"]] == ["trade@example.com"]


def test_impact_depth_bounds_it(client, chain):
    body = client.get("/api/v1/capabilities/payment/impact?depth=1").get_json()
    assert [c["slug"] for c in body["capabilities"]] == ["order", "refund"]
    assert body["businesses"] == []


@pytest.mark.parametrize("depth", ["0", "11", "x", "-1", "1.5"])
def test_depth_out_of_range_is_422(client, chain, depth):
    response = client.get(f"/api/v1/capabilities/payment/impact?depth={depth}")
    assert response.status_code == 422
    assert "depth" in response.get_json()["errors"]


def test_impact_of_unknown_slug_is_404(client, chain):
    assert client.get("/api/v1/capabilities/ghost/impact").status_code == 404
    assert client.get("/api/v1/capabilities/ghost/dependencies").status_code == 404


def test_dependencies_lists_providers(client, chain):
    body = client.get("/api/v1/capabilities/checkout/dependencies").get_json()
    assert [(c["slug"], c["distance"]) for c in body["capabilities"]] == [("order", 1), ("payment", 2)]
    assert body["businesses"] == []


def test_graph_is_node_link_json(client, chain):
    body = client.get("/api/v1/graph").get_json()
    ids = {node["id"] for node in body["nodes"]}
    assert "capability:payment" in ids and "business:taobao" in ids
    edges = {(e["source"], e["target"]) for e in body["edges"]}
    assert ("capability:order", "capability:payment") in edges
    assert ("business:taobao", "capability:checkout") in edges
    assert body["directed"] is True


def test_cycles(client, chain, make):
    make.capability("coupon", dependencies=["order"])
    make.capability("promo", dependencies=["coupon"])
    update_capability(get_capability("coupon"), {"dependencies": ["order", "promo"]}, None)
    body = client.get("/api/v1/graph/cycles").get_json()
    assert body["cycles"] == [["coupon", "promo"]]
    assert body["components"] == [["coupon", "promo"]]


def test_graph_follows_every_write(client, chain, make):
    """A cached graph must never outlive the catalog revision it was built from."""
    assert len(client.get("/api/v1/capabilities/payment/impact").get_json()["capabilities"]) == 3
    make.capability("invoice", dependencies=["payment"])
    body = client.get("/api/v1/capabilities/payment/impact").get_json()
    assert "invoice" in [c["slug"] for c in body["capabilities"]]


def test_impact_limited_to_kinds_of_link(client, chain):
    adoptions = client.get("/api/v1/capabilities/refund/impact?link=adoption").get_json()
    assert adoptions["links"] == ["adoption"]
    assert adoptions["capabilities"] == [] and [b["slug"] for b in adoptions["businesses"]] == ["tmall"]
    depends = client.get("/api/v1/capabilities/payment/impact?link=depends-on").get_json()
    assert [c["slug"] for c in depends["capabilities"]] == ["order", "refund", "checkout"]
    assert depends["businesses"] == []
    both = client.get("/api/v1/capabilities/payment/impact?link=depends-on,adoption").get_json()
    assert both == client.get("/api/v1/capabilities/payment/impact"
                              "?link=adoption&link=depends-on").get_json()
    assert len(both["businesses"]) == 2


def test_unknown_kind_of_link_is_422(client, chain):
    response = client.get("/api/v1/capabilities/payment/impact?link=calls")
    assert response.status_code == 422
    assert "depends-on, api, adoption" in response.get_json()["errors"]["link"][0]


def test_async_dependents_are_marked(client, chain, make):
    make.capability("ledger", dependencies=[{"provider": "refund", "kind": "async"}])
    body = client.get("/api/v1/capabilities/payment/impact").get_json()
    sync = {c["slug"]: c["sync"] for c in body["capabilities"]}
    assert sync == {"order": True, "refund": True, "checkout": True, "ledger": False}
    assert body["summary"]["sync_capabilities"] == 3
