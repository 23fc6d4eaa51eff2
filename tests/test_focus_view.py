"""The focus view of a big neighbourhood: bounded, grouped by domain, groups that open."""

import networkx as nx
import pytest

from graphs import figures
from graphs.analysis import group_neighbours
from graphs.params import GraphQuery
from tests.test_impact_page import hub  # noqa: F401 (the fixture)


def star(consumers: int, domains: int = 3) -> nx.DiGraph:
    """``hub`` used by ``consumers`` capabilities spread over ``domains``, some using each other."""
    G = nx.DiGraph()
    G.add_node("capability:hub", kind="capability", slug="hub", name="Hub", domain="core",
               domain_name="Core", layer="infrastructure")
    for i in range(consumers):
        node = f"capability:c{i:03d}"
        G.add_node(node, kind="capability", slug=f"c{i:03d}", name=f"C {i:03d}",
                   domain=f"d{i % domains}", domain_name=f"Domain {i % domains}",
                   layer="business-platform")
        G.add_edge(node, "capability:hub", kind="sync")
        if i:
            G.add_edge(node, f"capability:c{i - 1:03d}", kind="sync")  # between neighbours
    G.add_edge("business:shop", "capability:c000", kind="adoption")
    G.nodes["business:shop"].update(kind="business", slug="shop", name="Shop")
    return G


class TestGroupNeighbours:
    def test_a_small_neighbourhood_is_left_alone(self):
        G = star(10)
        assert group_neighbours(G, "capability:hub", limit=300) is G

    def test_at_most_limit_nodes_and_the_focus_kept(self):
        H = group_neighbours(star(500), "capability:hub", limit=100, row_limit=40)
        assert len(H) <= 100 and "capability:hub" in H
        groups = {n: d for n, d in H.nodes(data=True) if d.get("kind") == "group"}
        assert set(groups) == {"group:up:d0", "group:up:d1", "group:up:d2"}
        assert "business:shop" in H  # alone at two hops: room to spare
        assert sum(d["size"] for d in groups.values()) + len(H) - len(groups) == 502
        assert groups["group:up:d1"]["name"].startswith("+") and "in Domain 1" in \
            groups["group:up:d1"]["name"]

    def test_edges_into_a_group_are_bundled_with_their_count(self):
        H = group_neighbours(star(500), "capability:hub", limit=100, row_limit=40)
        folded = H.nodes["group:up:d0"]["size"]
        assert H.edges["group:up:d0", "capability:hub"]["weight"] == folded

    def test_edges_between_neighbours_are_left_out_and_counted(self):
        H = group_neighbours(star(500), "capability:hub", limit=100, row_limit=40)
        assert H.graph["side_edges"] == 499
        assert not [e for e in H.edges if "capability:hub" not in e and "business:shop" not in e
                    and not e[0].startswith("group:") and not e[1].startswith("group:")]

    def test_an_expanded_group_keeps_its_members_first(self):
        H = group_neighbours(star(500), "capability:hub", limit=100, row_limit=40,
                             expand=["group:up:d2"])
        kept = [n for n in H if H.nodes[n].get("domain") == "d2" and H.nodes[n]["kind"] != "group"]
        assert len(kept) >= 40

    def test_the_busiest_neighbours_stay(self):
        G = star(500)
        weight = {"capability:c499": 1000}
        H = group_neighbours(G, "capability:hub", limit=50, row_limit=20, weight=weight)
        assert "capability:c499" in H


def test_select_view_groups_a_big_focus_and_says_so():
    G = star(500)
    view = figures.select_view(G, GraphQuery(depth=1), focus="capability:hub")
    assert view.grouped and len(view.graph) <= figures.FOCUS_MAX
    assert "folded into" in view.message and "groups" in view.message
    fig = figures.figure(view, G, figures.layered_layout(G), width=1280)
    focus = next(t for t in fig["data"] if t.get("customdata") and "Hub" in (t.get("text") or []))
    assert focus["name"] == "Focus"
    groups = [n for n in fig["nodes"] if n["kind"] == "group"]
    assert groups and all(n["size"] > 0 for n in groups)
    labels = [t for trace in fig["data"] if trace.get("customdata") for t in trace.get("text") or []]
    assert any(label.startswith("+") for label in labels)  # groups are labelled


def test_the_neighbour_list_follows_the_view():
    G = star(500)
    view = figures.select_view(G, GraphQuery(depth=1), focus="capability:hub")
    rows = figures.neighbour_rows(view)
    assert rows["down"] == []
    assert sum(r["size"] for r in rows["up"]) == 500  # every direct dependent, kept or folded


@pytest.fixture
def small_focus(monkeypatch):
    monkeypatch.setattr(figures, "FOCUS_MAX", 100)


def test_figure_json_opens_a_group(client, hub, small_focus):  # noqa: F811
    body = client.get("/graph/figure.json?focus=queue&depth=1").get_json()
    assert len(body["nodes"]) <= 100
    group = next(n for n in body["nodes"] if n["kind"] == "group")
    assert group["url"] is None
    opened = client.get(f"/graph/figure.json?focus=queue&depth=1&expand={group['id']}").get_json()
    members = [n for n in opened["nodes"] if n["kind"] == "capability"
               and n["domain"] == group["domain"]]
    assert len(members) > len([n for n in body["nodes"] if n["kind"] == "capability"
                               and n.get("domain") == group["domain"]])


@pytest.mark.parametrize("expand", ["capability:queue", "group:sideways:x", ",".join(
    f"group:up:d{i}" for i in range(51))])
def test_bad_expand_is_422(client, hub, expand):  # noqa: F811
    response = client.get(f"/graph/figure.json?focus=queue&expand={expand}")
    assert response.status_code == 422 and "expand" in response.get_json()["errors"]


def test_focus_by_name_and_suggestions(client, hub):  # noqa: F811
    by_name = client.get("/graph/figure.json?focus=QUEUE&depth=1").get_json()
    assert by_name["focus"] == "capability:queue"
    html = client.get("/graph/suggest?focus=consumer 01").get_data(as_text=True)
    assert '<option value="Consumer 010">' in html and html.count("<option") == 10
    assert client.get("/graph/suggest?focus=").get_data(as_text=True).count("<option") == 0
    evil = client.get("/graph/suggest?focus=%3Cscript%3E").get_data(as_text=True)
    assert "<script>" not in evil


def test_page_lists_the_neighbours_beside_the_drawing(client, hub, small_focus):  # noqa: F811
    html = client.get("/graph?focus=queue&depth=1").get_data(as_text=True)
    aside = html[html.index('id="graph-neighbours"'):]
    assert "Used by <small class=\"muted\">(120)</small>" in aside
    assert 'href="/graph?focus=capability:consumer-000&amp;depth=1"' in aside
    assert "data-expand=\"group:up:transaction\"" in aside


def test_the_domain_overview_draws_the_heaviest_links_with_their_counts(monkeypatch):
    G = star(300, domains=12)
    monkeypatch.setattr(figures, "AGGREGATE_EDGES", 5)
    fig = figures.figure(figures.select_view(G, GraphQuery(by_domain=True)), G,
                         figures.layered_layout(G), width=1280)
    lines = [t for t in fig["data"] if t.get("mode") == "lines"]
    assert sum(t["x"].count(None) for t in lines) == 5
    counts = next(t for t in fig["data"] if t["name"] == "Dependency counts")
    assert len(counts["x"]) == 5 and [c for c in counts["text"] if c]
    assert "The 5 heaviest of the" in fig["message"] and len(fig["edges"]) > 5
