"""The pure graph functions of graphs.analysis, on small literal graphs."""

import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from graphs.analysis import (
    aggregate_by_domain,
    business_reach,
    collapse,
    cycles,
    dependencies_of,
    ego_subgraph,
    filter_nodes,
    impact_of,
    keystones,
    layering_breaks,
    paths_between,
    project,
)

ROOT = Path(__file__).resolve().parent.parent


def with_kinds(G, businesses=(), **attrs):
    """Mark ``businesses`` as business nodes and set ``{attr: {node: value}}``."""
    for b in businesses:
        G.nodes[b].update(kind="business", slug=b)
    for name, values in attrs.items():
        nx.set_node_attributes(G, values, name)
    return G


def snapshot(G):
    return (list(G.nodes(data=True)), list(G.edges(data=True)), dict(G.graph))


class TestImpactOf:
    def test_transitive_dependents_with_distances(self):
        G = nx.DiGraph([("a", "b"), ("b", "c"), ("x", "c")])
        assert impact_of(G, "c") == {"b": 1, "x": 1, "a": 2}

    def test_diamond_keeps_shortest_distance(self):
        """A consumer reached along a long and a short chain gets the short distance."""
        G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d"), ("a", "d")])
        assert impact_of(G, "d") == {"c": 1, "a": 1, "b": 2}

    def test_depth_bounds_distance(self):
        G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d")])
        assert impact_of(G, "d", depth=2) == {"c": 1, "b": 2}

    def test_depth_zero_is_empty(self):
        G = nx.DiGraph([("a", "b")])
        assert impact_of(G, "b", depth=0) == {}

    def test_node_itself_left_out_on_a_cycle(self):
        G = nx.DiGraph([("a", "b"), ("b", "a")])
        assert impact_of(G, "a") == {"b": 1}

    def test_nearest_first(self):
        G = nx.DiGraph([("a", "b"), ("b", "c"), ("d", "c")])
        assert list(impact_of(G, "c").values()) == [1, 1, 2]

    def test_unknown_node_raises(self):
        with pytest.raises(nx.NodeNotFound):
            impact_of(nx.DiGraph([("a", "b")]), "zz")

    def test_negative_depth_raises(self):
        with pytest.raises(ValueError):
            impact_of(nx.DiGraph([("a", "b")]), "b", depth=-1)


class TestDependenciesOf:
    def test_transitive_providers_with_distances(self):
        G = nx.DiGraph([("a", "b"), ("b", "c"), ("x", "c")])
        assert dependencies_of(G, "a") == {"b": 1, "c": 2}

    def test_diamond_keeps_shortest_distance(self):
        G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d"), ("a", "d")])
        assert dependencies_of(G, "a") == {"b": 1, "d": 1, "c": 2}

    def test_depth_bounds_distance(self):
        G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d")])
        assert dependencies_of(G, "a", depth=1) == {"b": 1}

    def test_unknown_node_raises(self):
        with pytest.raises(nx.NodeNotFound):
            dependencies_of(nx.DiGraph([("a", "b")]), "zz")


class TestPathsBetween:
    def test_shortest_first(self):
        G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d"), ("a", "d"), ("a", "c")])
        assert paths_between(G, "a", "d") == [
            ["a", "d"], ["a", "c", "d"], ["a", "b", "c", "d"],
        ]

    def test_limit(self):
        G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d"), ("a", "d"), ("a", "c")])
        assert paths_between(G, "a", "d", limit=2) == [["a", "d"], ["a", "c", "d"]]

    def test_cutoff_in_hops(self):
        G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d"), ("a", "d"), ("a", "c")])
        assert paths_between(G, "a", "d", cutoff=2) == [["a", "d"], ["a", "c", "d"]]

    def test_equal_lengths_in_node_order(self):
        G = nx.DiGraph([("a", "y"), ("a", "x"), ("y", "z"), ("x", "z")])
        assert paths_between(G, "a", "z") == [["a", "x", "z"], ["a", "y", "z"]]

    def test_against_the_edges_is_no_path(self):
        G = nx.DiGraph([("a", "b"), ("b", "c")])
        assert paths_between(G, "c", "a") == []

    def test_same_node(self):
        G = nx.DiGraph([("a", "b")])
        assert paths_between(G, "a", "a") == [["a"]]

    def test_unknown_node_raises(self):
        with pytest.raises(nx.NodeNotFound):
            paths_between(nx.DiGraph([("a", "b")]), "a", "zz")


class TestCycles:
    def test_acyclic(self):
        G = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c")])
        assert cycles(G) == {"components": [], "cycles": [], "truncated": False}

    def test_two_separate_cycles(self):
        G = nx.DiGraph([("d", "c"), ("c", "d"), ("b", "a"), ("a", "b"), ("a", "x"),
                        ("e", "f"), ("f", "g"), ("g", "e")])
        assert cycles(G) == {
            "components": [["a", "b"], ["c", "d"], ["e", "f", "g"]],
            "cycles": [["a", "b"], ["c", "d"], ["e", "f", "g"]],
            "truncated": False,
        }

    def test_one_component_with_two_cycles(self):
        G = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c"), ("c", "b")])
        result = cycles(G)
        assert result["components"] == [["a", "b", "c"]]
        assert result["cycles"] == [["a", "b"], ["b", "c"]]

    def test_cycle_rotated_to_smallest_node(self):
        G = nx.DiGraph([("c", "a"), ("a", "b"), ("b", "c")])
        assert cycles(G)["cycles"] == [["a", "b", "c"]]

    def test_self_loop_is_a_cycle_not_a_component(self):
        G = nx.DiGraph([("a", "a"), ("a", "b")])
        assert cycles(G) == {"components": [], "cycles": [["a"]], "truncated": False}

    def test_length_bound(self):
        G = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c"), ("c", "d"), ("d", "b")])
        assert cycles(G, length_bound=2)["cycles"] == [["a", "b"]]

    def test_limit_truncates(self):
        G = nx.complete_graph("abcd", create_using=nx.DiGraph)
        result = cycles(G, limit=3)
        assert len(result["cycles"]) == 3
        assert result["truncated"] is True

    def test_truncated_selection_ignores_insertion_order(self):
        """Regression: which cycles survive `limit` depended on edge insertion order."""
        edges = list(nx.complete_graph("abcde", create_using=nx.DiGraph).edges)
        first = cycles(nx.DiGraph(edges), limit=5)
        second = cycles(nx.DiGraph(list(reversed(edges))), limit=5)
        assert first == second

    def test_truncated_selection_ignores_string_hashing(self):
        """Regression: simple_cycles starts at a set member, so string hashes chose the cycles."""
        code = ("import networkx as nx; from graphs.analysis import cycles; "
                "print(cycles(nx.complete_graph('abcdef', create_using=nx.DiGraph), limit=4))")
        outputs = {
            subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, text=True,
                           capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2", "3")
        }
        assert len(outputs) == 1


LAYER_OF = {"web": "frontend", "orders": "business-platform", "tags": "data-platform",
            "queue": "infrastructure", "search": "infrastructure"}


class TestLayeringBreaks:
    def graph(self, edges):
        G = nx.DiGraph(edges)
        nx.set_node_attributes(G, {n: LAYER_OF[n] for n in G if n in LAYER_OF}, "layer")
        return G

    def test_infrastructure_on_business_platform_breaks(self):
        G = self.graph([("queue", "orders")])
        assert layering_breaks(G) == [("queue", "orders")]

    def test_downward_dependencies_are_fine(self):
        G = self.graph([("web", "orders"), ("web", "queue"), ("orders", "tags"), ("tags", "queue")])
        assert layering_breaks(G) == []

    def test_same_layer_is_fine(self):
        G = self.graph([("queue", "search")])
        assert layering_breaks(G) == []

    def test_anything_on_frontend_breaks(self):
        G = self.graph([("orders", "web")])
        assert layering_breaks(G) == [("orders", "web")]

    def test_unknown_layer_is_ignored(self):
        G = self.graph([("queue", "mystery")])
        assert layering_breaks(G) == []

    def test_sorted(self):
        G = self.graph([("tags", "orders"), ("search", "tags"), ("queue", "orders")])
        assert layering_breaks(G) == [("queue", "orders"), ("search", "tags"), ("tags", "orders")]


class TestBusinessReach:
    def test_diamond_counts_each_business_once(self):
        """Regression: a business reaching a node along two chains was counted twice."""
        G = with_kinds(nx.DiGraph([("tb", "a"), ("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")]),
                       ["tb"])
        assert business_reach(G) == {"a": 1, "b": 1, "c": 1, "d": 1}

    def test_distinct_businesses(self):
        G = with_kinds(nx.DiGraph([("tb", "a"), ("tm", "b"), ("a", "c"), ("b", "c"), ("x", "c")]),
                       ["tb", "tm"])
        assert business_reach(G) == {"a": 1, "b": 1, "c": 2, "x": 0}

    def test_through_a_cycle(self):
        G = with_kinds(nx.DiGraph([("tb", "a"), ("a", "b"), ("b", "a"), ("b", "c"), ("tm", "b")]),
                       ["tb", "tm"])
        assert business_reach(G) == {"a": 2, "b": 2, "c": 2}

    def test_without_businesses(self):
        G = nx.DiGraph([("a", "b")])
        assert business_reach(G) == {"a": 0, "b": 0}


class TestKeystones:
    def graph(self):
        # b is reached by both businesses; c and d by one; e by none.
        return with_kinds(
            nx.DiGraph([("tb", "a"), ("tm", "b"), ("a", "b"), ("a", "c"), ("c", "d"), ("e", "d")]),
            ["tb", "tm"])

    def test_ranked_by_business_reach_then_betweenness(self):
        ranked = [k["node"] for k in keystones(self.graph())]
        assert ranked == ["b", "a", "c", "d", "e"]

    def test_fields(self):
        first = keystones(self.graph(), top=1)
        assert first == [{"node": "b", "business_reach": 2, "dependents": 3, "betweenness": 0.0}]

    def test_top(self):
        assert len(keystones(self.graph(), top=2)) == 2

    def test_sampled_betweenness_is_repeatable(self):
        G = self.graph()
        assert keystones(G, exact_below=0, k=3) == keystones(G, exact_below=0, k=3)


class TestEgoSubgraph:
    def graph(self):
        # b's provider c is shared with sibling s; a consumes b, c consumes d.
        G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d"), ("s", "c")])
        G.nodes["b"]["layer"] = "business-platform"
        G.edges["b", "c"]["kind"] = "sync"
        return G

    def test_down(self):
        H = ego_subgraph(self.graph(), "b", direction="down")
        assert list(H.edges) == [("b", "c")]

    def test_up(self):
        H = ego_subgraph(self.graph(), "b", direction="up")
        assert list(H.edges) == [("a", "b")]

    def test_both_leaves_out_siblings(self):
        H = ego_subgraph(self.graph(), "c", direction="both")
        assert set(H) == {"b", "c", "d", "s"}
        H = ego_subgraph(self.graph(), "b", depth=2)
        assert set(H) == {"a", "b", "c", "d"}

    def test_unbounded_depth(self):
        H = ego_subgraph(self.graph(), "a", depth=None, direction="down")
        assert set(H) == {"a", "b", "c", "d"}

    def test_keeps_attributes_in_a_copy(self):
        G = self.graph()
        H = ego_subgraph(G, "b")
        assert H.nodes["b"] == {"layer": "business-platform"}
        assert H.edges["b", "c"] == {"kind": "sync"}
        H.nodes["b"]["layer"] = "changed"
        assert G.nodes["b"]["layer"] == "business-platform"

    def test_unknown_direction_raises(self):
        with pytest.raises(ValueError):
            ego_subgraph(self.graph(), "b", direction="sideways")

    def test_unknown_focus_raises(self):
        with pytest.raises(nx.NodeNotFound):
            ego_subgraph(self.graph(), "zz")


class TestFilterNodes:
    def graph(self):
        G = nx.DiGraph([("tb", "order"), ("tm", "cart"), ("cart", "order"), ("order", "mq"),
                        ("old", "mq")])
        return with_kinds(
            G, ["tb", "tm"],
            domain={"order": "trade", "cart": "trade", "mq": "middleware", "old": "trade"},
            lifecycle={"order": "production", "cart": "approved", "mq": "production",
                       "old": "retired"})

    def test_no_filter_keeps_everything(self):
        assert filter_nodes(self.graph()) == {"tb", "tm", "order", "cart", "mq", "old"}

    def test_domain_keeps_businesses_reaching_it(self):
        """Businesses reaching a kept capability only through hidden ones are kept too."""
        assert filter_nodes(self.graph(), domain="middleware") == {"mq", "tb", "tm"}

    def test_lifecycle(self):
        assert filter_nodes(self.graph(), lifecycle="approved") == {"cart", "tm"}

    def test_filters_combine(self):
        assert filter_nodes(self.graph(), domain="trade", lifecycle="production") == {
            "order", "tb", "tm"}

    def test_business_keeps_it_and_its_downstream_only(self):
        assert filter_nodes(self.graph(), business="tm") == {"tm", "cart", "order", "mq"}

    def test_business_and_domain(self):
        assert filter_nodes(self.graph(), business="tb", domain="trade") == {"tb", "order"}

    def test_unknown_business_keeps_nothing(self):
        assert filter_nodes(self.graph(), business="nope") == set()

    def test_unknown_domain_keeps_nothing(self):
        assert filter_nodes(self.graph(), domain="nope") == set()


class TestProject:
    def test_hidden_middle_becomes_indirect_edge(self):
        """Never drop an edge silently: hiding B in A -> B -> C shows A -> C as indirect."""
        G = nx.DiGraph([("a", "b"), ("b", "c")])
        H, stats = project(G, {"a", "c"})
        assert list(H.edges(data=True)) == [("a", "c", {"indirect": True, "hops": 2, "via": ["b"]})]
        assert stats == {"hidden_nodes": 1, "hidden_edges": 2, "indirect_edges": 1}

    def test_chain_through_two_hidden_nodes(self):
        G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d")])
        H, stats = project(G, {"a", "d"})
        assert list(H.edges(data=True)) == [
            ("a", "d", {"indirect": True, "hops": 3, "via": ["b", "c"]})]
        assert stats == {"hidden_nodes": 2, "hidden_edges": 3, "indirect_edges": 1}

    def test_shortest_hidden_path_reported(self):
        G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d"), ("a", "x"), ("x", "d")])
        H, _ = project(G, {"a", "d"})
        assert H.edges["a", "d"] == {"indirect": True, "hops": 2, "via": ["x"]}

    def test_direct_edge_wins_over_indirect(self):
        G = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c")])
        G.edges["a", "c"]["kind"] = "sync"
        H, stats = project(G, {"a", "c"})
        assert list(H.edges(data=True)) == [("a", "c", {"kind": "sync"})]
        assert stats == {"hidden_nodes": 1, "hidden_edges": 2, "indirect_edges": 0}

    def test_stops_at_kept_nodes(self):
        """A path through a kept node is already drawn; no extra indirect edge skips it."""
        G = nx.DiGraph([("a", "b"), ("b", "c")])
        H, _ = project(G, {"a", "b", "c"})
        assert list(H.edges) == [("a", "b"), ("b", "c")]

    def test_no_indirect_self_loop(self):
        G = nx.DiGraph([("a", "h"), ("h", "a")])
        H, stats = project(G, {"a"})
        assert list(H.edges) == []
        assert stats == {"hidden_nodes": 1, "hidden_edges": 2, "indirect_edges": 0}

    def test_input_unchanged(self):
        G = nx.DiGraph([("a", "b"), ("b", "c")])
        before = snapshot(G)
        project(G, {"a", "c"})
        assert snapshot(G) == before

    def test_unknown_node_raises(self):
        with pytest.raises(nx.NodeNotFound):
            project(nx.DiGraph([("a", "b")]), {"a", "zz"})


class TestCollapse:
    def graph(self):
        return nx.DiGraph([("a", "mq"), ("b", "mq"), ("b", "cfg"), ("a", "b"), ("mq", "cfg"),
                           ("cfg", "disk")])

    def test_hubs_become_consumer_attribute(self):
        H = collapse(self.graph(), ["mq", "cfg"])
        assert list(H.nodes(data=True)) == [
            ("a", {"uses_hubs": ["mq"]}), ("b", {"uses_hubs": ["cfg", "mq"]}), ("disk", {})]
        assert list(H.edges) == [("a", "b")]

    def test_counts_collapsed_edges(self):
        H = collapse(self.graph(), ["mq", "cfg"])
        assert H.graph == {"collapsed_edges": 5, "hubs": ["cfg", "mq"]}

    def test_input_unchanged(self):
        G = self.graph()
        before = snapshot(G)
        collapse(G, ["mq"])
        assert snapshot(G) == before

    def test_unknown_hub_raises(self):
        with pytest.raises(nx.NodeNotFound):
            collapse(self.graph(), ["zz"])


class TestAggregateByDomain:
    def graph(self):
        G = nx.DiGraph([("tb", "order"), ("tb", "cart"), ("cart", "order"), ("order", "mq"),
                        ("cart", "mq"), ("order", "disk")])
        return with_kinds(
            G, ["tb"],
            domain={"order": "trade", "cart": "trade", "mq": "middleware", "disk": "middleware"},
            domain_name={"order": "Trade", "cart": "Trade", "mq": "Middleware",
                         "disk": "Middleware"},
            layer={"order": "business-platform", "cart": "business-platform",
                   "mq": "infrastructure", "disk": "infrastructure", "tb": "frontend"})

    def test_edge_weights(self):
        A = aggregate_by_domain(self.graph())
        assert {(u, v): w for u, v, w in A.edges(data="weight")} == {
            ("tb", "domain:trade"): 2,
            ("domain:trade", "domain:middleware"): 3,
        }

    def test_domain_nodes(self):
        A = aggregate_by_domain(self.graph())
        assert A.nodes["domain:trade"] == {"kind": "domain", "slug": "trade", "name": "Trade",
                                           "layer": "business-platform", "size": 2,
                                           "internal_edges": 1}
        assert A.nodes["domain:middleware"]["internal_edges"] == 0

    def test_businesses_kept(self):
        A = aggregate_by_domain(self.graph())
        assert A.nodes["tb"] == {"kind": "business", "slug": "tb", "layer": "frontend"}
        assert list(A) == ["tb", "domain:trade", "domain:middleware"]
