"""The governance report's signals: no false 'no consumers', a blast radius that discriminates."""

import networkx as nx
import pytest

from catalog import seed
from graphs.analysis import dependent_counts
from graphs.reach import is_sync
from graphs.reports import governance_report


class TestDependentCounts:
    def test_businesses_are_not_counted(self):
        G = nx.DiGraph([("business:x", "capability:a"), ("capability:b", "capability:a")])
        G.nodes["business:x"]["kind"] = "business"
        assert dependent_counts(G) == {"capability:a": 1, "capability:b": 0}

    def test_a_cycle_does_not_count_itself(self):
        G = nx.DiGraph([("a", "b"), ("b", "a"), ("c", "a")])
        assert dependent_counts(G) == {"a": 2, "b": 2, "c": 0}

    def test_only_sync_edges_when_asked(self):
        G = nx.DiGraph([("a", "b", {"kind": "async"}), ("c", "b", {"kind": "sync"}),
                        ("d", "a", {"kind": "sync"})])
        assert dependent_counts(G)["b"] == 3
        assert dependent_counts(G, edge=is_sync)["b"] == 1

    def test_counts_match_networkx_ancestors(self):
        G = nx.gnp_random_graph(60, 0.05, seed=3, directed=True)
        expected = {n: len(nx.ancestors(G, n)) for n in G}
        assert dependent_counts(G) == expected


def test_front_ends_are_never_unused():
    """Regression: BFFs and app gateways were listed as 'no consumers'."""
    G = nx.DiGraph([("capability:bff", "capability:orders")])
    G.add_nodes_from(["capability:bff", "capability:orders", "capability:idle"],
                     kind="capability", lifecycle="production", layer="business-platform")
    G.nodes["capability:bff"]["layer"] = "frontend"
    assert [c["slug"] for c in governance_report(G)["unused"]] == ["idle"]


def test_blast_radius_ranks_by_capabilities_not_businesses():
    """Regression: every top row reached all the businesses, so the ranking said nothing."""
    G = nx.DiGraph([("business:x", "capability:top"), ("business:x", "capability:deep"),
                    ("capability:top", "capability:deep"), ("capability:mid", "capability:deep"),
                    ("business:x", "capability:mid")])
    G.add_nodes_from(["capability:top", "capability:deep", "capability:mid"],
                     kind="capability", lifecycle="production")
    G.nodes["business:x"]["kind"] = "business"
    rows = governance_report(G)["blast_radius"]
    assert [(r["slug"], r["dependents"], r["business_reach"]) for r in rows[:1]] == [
        ("deep", 2, 1)]


@pytest.fixture
def demo(db):
    seed.seed_demo()


def test_demo_blast_radius_is_not_saturated(client, demo):
    rows = client.get("/governance/blast.csv").get_data(as_text=True).splitlines()[1:]
    dependents = [int(row.split(",")[1]) for row in rows]
    assert dependents == sorted(dependents, reverse=True)
    assert len(set(dependents)) == len(dependents) == 10


def test_demo_front_ends_are_not_unused(client, demo):
    rows = client.get("/governance/unused.csv").get_data(as_text=True).splitlines()[1:]
    assert rows and not any(",frontend," in row for row in rows)
