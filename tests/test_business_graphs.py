"""graphs.business against an independent networkx computation on the same graphs."""

import random

import networkx as nx
import pytest

from graphs.analysis import business_reach, node_business_reach
from graphs.business import (
    FIGURE_NODES,
    GROUP_NODES,
    boundary_figure,
    boundary_of,
    businesses_reaching,
    domain_leaders,
    incubation_reach,
    similar_adoptions,
)

TEAMS = ("t1", "t2", "t3", "t4")
BUSINESSES = [f"business:b{i}" for i in range(6)]


def random_catalog(seed: int, n: int = 80) -> nx.DiGraph:
    """Capabilities with random dependencies (cycles included) and businesses adopting some."""
    rng = random.Random(seed)
    G = nx.DiGraph()
    capabilities = [f"capability:c{i:03d}" for i in range(n)]
    for node in capabilities:
        G.add_node(node, kind="capability", slug=node.split(":")[1], name=node.upper(),
                   team=rng.choice(TEAMS), team_name="Team", team_contact="team@example.com",
                   tier=rng.randint(1, 3), domain=rng.choice(["d1", "d2"]),
                   lifecycle=rng.choice(["production"] * 4 + ["deprecated", "proposed"]))
    for _ in range(n * 2):
        u, v = rng.sample(capabilities, 2)
        G.add_edge(u, v, link="dependency", kind="sync")
    for b in BUSINESSES:
        G.add_node(b, kind="business", slug=b.split(":")[1], name=b.upper())
        for node in rng.sample(capabilities, rng.randint(1, 6)):
            G.add_edge(b, node, link="adoption", kind="adoption")
    return G


def reference_reaching(G):
    """Which businesses reach each capability: one nx.descendants per business."""
    found = {}
    for b in BUSINESSES:
        for node in nx.descendants(G, b):
            found.setdefault(node, set()).add(b)
    return found


@pytest.mark.parametrize("seed", [1, 2, 3])
class TestAgainstNetworkx:
    def test_businesses_reaching(self, seed):
        G = random_catalog(seed)
        assert {n: set(bs) for n, bs in businesses_reaching(G).items()} == reference_reaching(G)

    def test_business_reach_of_one_node(self, seed):
        G = random_catalog(seed)
        reached = reference_reaching(G)
        whole = business_reach(G)
        for node in G:
            if G.nodes[node]["kind"] == "capability":
                assert node_business_reach(G, node) == len(reached.get(node, ())) == whole[node]

    def test_boundary(self, seed):
        G = random_catalog(seed)
        reached = reference_reaching(G)
        for b in BUSINESSES:
            slug = b.split(":")[1]
            report = boundary_of(G, b, team="t1")
            uses = {n.split(":")[1]: nx.shortest_path_length(G, b, n) for n in nx.descendants(G, b)}
            assert {r["slug"]: r["distance"] for r in report["uses"]} == uses
            assert [r["distance"] for r in report["uses"]] == sorted(uses.values())
            others = {n.split(":")[1]: sorted(x.split(":")[1] for x in reached[n] - {b})
                      for n in nx.descendants(G, b)}
            assert {r["slug"] for r in report["exclusive"]} == {s for s, o in others.items() if not o}
            assert {r["slug"]: r["also_used_by"] for r in report["shared"]} == {
                s: o for s, o in others.items() if o}
            provides = {n.split(":")[1]: sorted(x.split(":")[1] for x in reached.get(n, set()) - {b})
                        for n in G if G.nodes[n].get("team") == "t1"}
            assert {r["slug"]: sorted(r["consumers"]) for r in report["provides_to_others"]} == {
                s: c for s, c in provides.items() if c}
            assert all(r["used"] == (r["slug"] in uses) for r in report["provides_to_others"])
            teams = {t["slug"]: t for t in report["teams"]}
            for name in ("exclusive", "shared"):
                counted = {}
                for r in report[name]:
                    counted[r["team"]] = counted.get(r["team"], 0) + 1
                assert {t: row[name] for t, row in teams.items() if row[name]} == counted
            assert report["business"] == slug

    def test_incubation_distances(self, seed):
        G = random_catalog(seed)
        rng = random.Random(seed)
        picks = rng.sample([n for n in G if n.startswith("capability:")], 5)
        H = G.copy()
        H.add_edges_from(("business:new", p) for p in picks)
        expected = {n.split(":")[1]: d for n, d in
                    nx.single_source_shortest_path_length(H, "business:new").items()
                    if n != "business:new"}
        report = incubation_reach(G, picks, reaching=businesses_reaching(G))
        assert {r["slug"]: r["distance"] for r in report["capabilities"]} == expected
        assert {r["slug"] for r in report["capabilities"] if r["picked"]} == {
            p.split(":")[1] for p in picks}
        reached = reference_reaching(G)
        assert all(r["businesses"] == len(reached.get(f"capability:{r['slug']}", ()))
                   for r in report["capabilities"])
        assert {r["slug"] for r in report["warnings"]} == {
            s for s in expected
            if G.nodes[f"capability:{s}"]["lifecycle"] in ("deprecated", "proposed")}
        owners = {}
        for s in expected:
            team = G.nodes[f"capability:{s}"]["team"]
            owners[team] = owners.get(team, 0) + 1
        assert {t["slug"]: t["capabilities"] for t in report["teams"]} == owners


class TestIncubationReach:
    def test_no_picks_use_nothing(self):
        assert incubation_reach(nx.DiGraph([("a", "b")]), [])["capabilities"] == []

    def test_an_unknown_pick_raises(self):
        with pytest.raises(nx.NodeNotFound):
            incubation_reach(nx.DiGraph([("a", "b")]), ["zzz"])

    def test_a_pick_another_pick_depends_on_stays_picked_at_distance_one(self):
        """Regression: a pick reached through another pick must not move to distance 2."""
        report = incubation_reach(nx.DiGraph([("cart", "account")]), ["cart", "account"])
        assert {(r["slug"], r["distance"], r["picked"]) for r in report["capabilities"]} == {
            ("cart", 1, True), ("account", 1, True)}

    def test_deprecated_warnings_offer_production_alternatives_of_their_domain(self):
        G = nx.DiGraph([("business:x", "pay"), ("old-pay", "ledger")])
        G.nodes["business:x"]["kind"] = "business"
        for node, lifecycle in (("pay", "production"), ("old-pay", "deprecated"),
                                ("ledger", "proposed")):
            G.nodes[node].update(lifecycle=lifecycle, domain="fin")
        report = incubation_reach(G, ["old-pay"], leaders=domain_leaders(G))
        assert [(w["slug"], w["alternatives"]) for w in report["warnings"]] == [
            ("old-pay", ["pay"]), ("ledger", [])]


class TestSimilarAdoptions:
    def test_nothing_in_common_suggests_nothing(self):
        G = nx.DiGraph([("business:a", "vip")])
        G.nodes["business:a"]["kind"] = "business"
        assert similar_adoptions(G, ["cart"]) == []

    def test_weights_by_jaccard_and_skips_retired(self):
        G = nx.DiGraph([("business:a", "vip"), ("business:a", "cart"), ("business:a", "old"),
                        ("business:b", "vip"), ("business:b", "coupon")])
        nx.set_node_attributes(G, {"business:a": "business", "business:b": "business"}, "kind")
        G.nodes["old"]["lifecycle"] = "retired"
        rows = similar_adoptions(G, ["vip"])
        # a: 1 in common of 3 -> 1/3; b: 1 of 2 -> 1/2
        assert [(r["slug"], r["score"], r["adopted_by"]) for r in rows] == [
            ("coupon", 0.5, ["b"]), ("cart", 0.333, ["a"])]


class TestBoundaryFigure:
    def test_draws_a_bounded_number_of_nodes(self):
        G = nx.DiGraph()
        G.add_node("business:big", kind="business", slug="big", name="Big")
        G.add_edges_from(("business:big", f"capability:c{i}") for i in range(1000))
        figure = boundary_figure(G, boundary_of(G, "business:big"))
        drawn = sum(len(t["x"]) for t in figure["data"] if t.get("mode") != "lines")
        assert drawn == GROUP_NODES + 1  # one crowded group, and the business
        assert "960 more" in figure["summary"]
        assert "+960 more" in [a["text"] for a in figure["layout"]["annotations"]]
        assert all(not text for t in figure["data"][1:-1] for text in t["text"])  # hover only

    def test_never_more_than_the_limit_whatever_the_depth(self):
        G = nx.DiGraph()
        G.add_node("business:big", kind="business", slug="big", name="Big")
        for i in range(300):  # four levels of 300
            G.add_edge("business:big", f"capability:a{i}")
            G.add_edge(f"capability:a{i}", f"capability:b{i}")
            G.add_edge(f"capability:b{i}", f"capability:c{i}")
            G.add_edge(f"capability:c{i}", f"capability:d{i}")
        figure = boundary_figure(G, boundary_of(G, "business:big"))
        drawn = sum(len(t["x"]) for t in figure["data"] if t.get("mode") != "lines")
        assert drawn == FIGURE_NODES + 1
        assert figure["layout"]["xaxis"]["tickvals"] == [0, 1, 2, 3]

    def test_names_are_inert(self):
        G = nx.DiGraph([("business:b", "capability:x")])
        G.nodes["business:b"].update(kind="business", name="<b>Shop</b>")
        G.nodes["capability:x"]["name"] = "<img src=x>"
        figure = boundary_figure(G, boundary_of(G, "business:b"))
        text = str(figure["data"])
        assert "<img" not in text and "&lt;img src=x&gt;" in text
        assert "&lt;b&gt;Shop" in figure["layout"]["title"]["text"]

    def test_marks_the_boundary(self):
        G = nx.DiGraph([("business:b", "capability:x")])
        G.nodes["business:b"]["kind"] = "business"
        figure = boundary_figure(G, boundary_of(G, "business:b"))
        assert figure["layout"]["shapes"][0]["y0"] == 0
        assert [t["name"] for t in figure["data"] if t.get("name")] == ["Goes with it",
                                                                       "The business"]
