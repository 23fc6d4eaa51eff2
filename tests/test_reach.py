"""Reach queries: the prepared index against networkx, kinds of link, sync and async."""

import json
import random

import networkx as nx
import pytest

from graphs.analysis import dependencies_of, impact_of
from graphs.reach import LINKS, ReachIndex
from graphs.reports import reach_report, reach_report_json


def catalog(edges):
    """A graph of ``(consumer, provider, kind[, api])``; ``business:*`` nodes adopt."""
    G = nx.DiGraph()
    for consumer, provider, kind, *api in edges:
        link = "adoption" if consumer.startswith("business:") else "dependency"
        G.add_edge(consumer, provider, link=link, kind=kind, api=bool(api and api[0]))
    for node in G:
        kind, _, slug = node.partition(":")
        G.nodes[node].update(kind=kind, slug=slug, name=slug.title(), tier=1, team="t",
                             team_name="T", team_contact="t@example.com")
    return G


class TestSearch:
    def test_distances_and_order_agree_with_networkx(self):
        rng = random.Random(3)
        G = nx.gnp_random_graph(300, 0.02, seed=3, directed=True)
        nx.set_edge_attributes(G, {e: rng.choice(["sync", "async"]) for e in G.edges}, "kind")
        index = ReachIndex(G)
        for node in rng.sample(sorted(G), 20):
            for direction, reference in (("up", impact_of), ("down", dependencies_of)):
                found = index.search(node, direction=direction)
                assert dict(zip((index.nodes[i] for i in found.order), found.distance,
                                strict=True)) == reference(G, node)
                assert found.distance == sorted(found.distance)

    def test_a_node_reached_through_async_only_is_not_sync(self):
        G = catalog([("capability:mail", "capability:orders", "async"),
                     ("capability:shop", "capability:orders", "sync")])
        found = ReachIndex(G).search("capability:orders")
        assert dict(zip(found.order, found.sync, strict=True)) == {
            ReachIndex(G).number["capability:mail"]: False,
            ReachIndex(G).number["capability:shop"]: True}

    def test_a_longer_sync_chain_makes_it_sync_whatever_the_shortest_path(self):
        """Regression: sync-ness must not be read off the breadth-first (shortest) path."""
        G = catalog([("capability:report", "capability:db", "async"),
                     ("capability:report", "capability:api", "sync"),
                     ("capability:api", "capability:db", "sync")])
        report = reach_report(G, "db")
        assert {c["slug"]: (c["distance"], c["sync"]) for c in report["capabilities"]} == {
            "api": (1, True), "report": (1, True)}

    def test_links_limit_what_is_followed(self):
        G = catalog([("capability:orders", "capability:db", "sync"),
                     ("capability:bills", "capability:db", "sync", True),
                     ("business:shop", "capability:orders", "adoption"),
                     ("business:tmall", "capability:db", "adoption")])

        def reached(*links):
            report = reach_report(G, "db", links=links)
            return sorted(r["slug"] for r in report["capabilities"] + report["businesses"])

        assert reached(*LINKS) == ["bills", "orders", "shop", "tmall"]
        assert reached("depends-on") == ["orders"]
        assert reached("api") == ["bills"]
        assert reached("adoption") == ["tmall"]
        assert reached("depends-on", "adoption") == ["orders", "shop", "tmall"]

    def test_unknown_node_and_link(self):
        index = ReachIndex(catalog([("capability:a", "capability:b", "sync")]))
        with pytest.raises(nx.NodeNotFound):
            index.search("capability:ghost")
        with pytest.raises(ValueError, match="unknown kinds of link"):
            index.search("capability:a", links=["calls"])


class TestReachReport:
    @pytest.fixture
    def G(self):
        return catalog([("capability:b", "capability:a", "sync"),
                        ("capability:c", "capability:b", "async"),
                        ("capability:d", "capability:c", "sync"),
                        ("business:x", "capability:d", "adoption")])

    def test_depth_cuts_the_rows_not_the_levels(self, G):
        report = reach_report(G, "a", depth=2)
        assert [c["slug"] for c in report["capabilities"]] == ["b", "c"]
        assert report["summary"]["levels"] == 4
        assert report["summary"]["capabilities"] == 2 and report["summary"]["businesses"] == 0

    def test_summary_counts_sync_capabilities_and_teams(self, G):
        summary = reach_report(G, "a")["summary"]
        assert summary["sync_capabilities"] == 1  # only b goes down with a
        assert summary["teams_to_notify"] == [
            {"slug": "t", "name": "T", "contact": "t@example.com", "capabilities": 3, "sync": 1}]

    @pytest.mark.parametrize("options", [{}, {"depth": 1}, {"direction": "down"},
                                         {"links": ("adoption",)}])
    def test_json_is_the_report(self, G, options):
        slug = "d" if options.get("direction") == "down" else "a"
        index = ReachIndex(G)
        assert json.loads(reach_report_json(G, slug, index=index, **options)) == \
            reach_report(G, slug, index=index, **options)
