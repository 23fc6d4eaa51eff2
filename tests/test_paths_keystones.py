"""How does A reach B, and the keystones: graph functions, API and the governance panels."""

import networkx as nx
import pytest

from catalog.adoptions import adopt
from graphs.paths import keystone_ranking, shortest_paths


class TestShortestPaths:
    def test_every_shortest_path_and_no_longer_one(self):
        G = nx.DiGraph([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("a", "e"), ("e", "f"),
                        ("f", "d")])
        found = shortest_paths(G, "a", "d")
        assert found["paths"] == [["a", "b", "d"], ["a", "c", "d"]] and found["hops"] == 2

    def test_capped(self):
        G = nx.DiGraph([("s", f"m{i}") for i in range(5)] + [(f"m{i}", "t") for i in range(5)])
        found = shortest_paths(G, "s", "t", limit=3)
        assert len(found["paths"]) == 3 and found["truncated"]

    def test_unreachable_both_ways(self):
        G = nx.DiGraph([("a", "b"), ("c", "b")])
        assert shortest_paths(G, "a", "c") == {"paths": [], "hops": None, "reversed": False,
                                               "truncated": False}

    def test_unknown_node_raises(self):
        with pytest.raises(nx.NodeNotFound):
            shortest_paths(nx.DiGraph([("a", "b")]), "a", "x")


class TestKeystones:
    def test_the_bridge_is_first_and_an_articulation_point(self):
        G = nx.DiGraph([("a", "hub"), ("b", "hub"), ("hub", "c"), ("hub", "d")])
        rows = keystone_ranking(G)
        assert rows[0]["node"] == "hub" and rows[0]["articulation"]
        assert rows[0]["dependents"] == 2

    def test_sampled_betweenness_is_repeatable(self):
        G = nx.gnp_random_graph(80, 0.05, seed=1, directed=True)
        assert keystone_ranking(G, k=20) == keystone_ranking(G, k=20)

    def test_businesses_are_not_ranked(self):
        G = nx.DiGraph([("business:x", "capability:a"), ("capability:a", "capability:b")])
        G.nodes["business:x"]["kind"] = "business"
        assert "business:x" not in {r["node"] for r in keystone_ranking(G)}


@pytest.fixture
def chain(make, db):
    make.team("trade")
    make.domain("transaction")
    make.capability("pay", name="Payments")
    make.capability("order", dependencies=["pay"])
    make.capability("cart", dependencies=["pay"])
    make.capability("checkout", dependencies=["order", "cart"])
    make.business("taobao", name="Taobao")
    adopt({"business": "taobao", "capability": "checkout"}, None)
    return make


def test_api_paths_between_a_business_and_a_capability(client, chain):
    body = client.get("/api/v1/graph/paths?from=taobao&to=pay").get_json()
    assert body["from"] == "business:taobao" and body["to"] == "capability:pay"
    assert body["hops"] == 3 and not body["reversed"]
    assert body["paths"] == [
        ["business:taobao", "capability:checkout", "capability:cart", "capability:pay"],
        ["business:taobao", "capability:checkout", "capability:order", "capability:pay"]]
    assert body["names"]["capability:pay"] == "Payments"


def test_api_paths_the_other_way_round(client, chain):
    body = client.get("/api/v1/graph/paths?from=pay&to=checkout&limit=1").get_json()
    assert body["reversed"] and body["truncated"] and len(body["paths"]) == 1


@pytest.mark.parametrize("query, fields", [
    ("from=ghost&to=pay", {"from"}), ("from=pay&to=ghost", {"to"}), ("", {"from", "to"}),
    ("from=pay&to=order&limit=0", {"limit"}), ("from=pay&to=order&limit=x", {"limit"}),
    ("from=" + "a" * 200 + "&to=pay", {"from"})])
def test_api_paths_bad_input_is_422_naming_the_field(client, chain, query, fields):
    response = client.get(f"/api/v1/graph/paths?{query}")
    assert response.status_code == 422 and set(response.get_json()["errors"]) == fields


def test_api_keystones_ranked_and_paged(client, chain):
    body = client.get("/api/v1/graph/keystones?per_page=2").get_json()
    assert body["total"] == 4 and len(body["items"]) == 2 and "page=2" in body["next"]
    assert body["items"][0]["betweenness"] >= body["items"][1]["betweenness"]
    assert {"slug", "name", "betweenness", "articulation", "dependents"} <= set(body["items"][0])
    assert client.get("/api/v1/graph/keystones?page=0").status_code == 422


def test_governance_page_has_both_panels(client, chain):
    html = client.get("/governance").get_data(as_text=True)
    assert 'id="paths-panel"' in html and 'hx-get="/governance/keystones"' in html
    panel = client.get("/governance/keystones").get_data(as_text=True)
    assert 'href="/capabilities/checkout"' in panel or 'href="/capabilities/order"' in panel


def test_paths_panel_answers_in_place_and_as_a_page(client, chain):
    fragment = client.get("/governance/paths?from=taobao&to=pay", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html
    assert "reaches <strong>Payments</strong>" in html and "in 3 hops" in html
    page = client.get("/governance/paths?from=ghost&to=pay")
    assert page.status_code == 422 and "No capability or business has the slug" in page.get_data(
        as_text=True)
    bad = client.get("/governance/paths?from=ghost&to=pay", headers={"HX-Request": "true"})
    assert bad.status_code == 200 and "No capability or business" in bad.get_data(as_text=True)


def test_paths_panel_escapes_what_was_typed(client, chain):
    html = client.get("/governance/paths?from=<script>x</script>&to=pay").get_data(as_text=True)
    assert "<script>x" not in html
