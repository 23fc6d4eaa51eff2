"""graphs.figures: the view a query selects, the layered layout and the plotly figure.

Most tests use small graphs built here; the label and layer checks use the
demo catalog (seeded once for the module) because that is the picture people
look at.
"""

import html
import itertools
import json

import networkx as nx
import pytest
from conftest import wipe

from catalog.db import db as _db
from catalog.seed import seed_demo
from graphs import figures
from graphs.analysis import business_reach
from graphs.build import build_graph
from graphs.params import GraphQuery


@pytest.fixture(scope="module")
def demo(app):
    """The demo catalog's graph (the database is emptied again afterwards)."""
    with app.app_context():
        seed_demo()
        try:
            yield build_graph()
        finally:
            _db.session.remove()
            wipe(_db)


def draw(G, query=None, *, width=1280, focus=None, **options):
    view = figures.select_view(G, query or GraphQuery(), focus=focus, hubs=figures.hub_nodes(G), **options)
    return figures.figure(view, G, figures.layered_layout(G), reach=business_reach(G),
                          width=width)


def synthetic(capabilities: int, *, businesses: int = 3, fan_out: int = 2) -> nx.DiGraph:
    """A layered catalog: businesses use business-platform capabilities, which use
    infrastructure ones; capability i depends on the ``fan_out`` next ones."""
    G = nx.DiGraph()
    layers = ["business-platform", "data-platform", "infrastructure"]
    for i in range(capabilities):
        layer = layers[min(3 * i // capabilities, 2)]
        G.add_node(f"capability:c{i:05d}", kind="capability", slug=f"c{i:05d}",
                   name=f"Capability {i}", layer=layer, domain=layer[:4], domain_name=layer,
                   team="t", team_name="Team", lifecycle="production", tier=2)
    for b in range(businesses):
        G.add_node(f"business:b{b}", kind="business", slug=f"b{b}", name=f"Business {b}",
                   layer="frontend")
        G.add_edge(f"business:b{b}", f"capability:c{b:05d}", kind="adoption")
    for i in range(capabilities):
        for j in range(i + 1, min(i + 1 + fan_out, capabilities)):
            G.add_edge(f"capability:c{i:05d}", f"capability:c{j:05d}", kind="sync")
    return G


def node_traces(fig):
    return [t for t in fig["data"] if "customdata" in t]


def line_traces(fig):
    return [t for t in fig["data"] if t["mode"] == "lines"]


def label_boxes(fig):
    """Boxes of the drawn labels, estimated as plotly places them (see figures.CHAR_PX)."""
    boxes = []
    for trace in node_traces(fig):
        for x, y, text, position, size in zip(trace["x"], trace["y"], trace.get("text", []),
                                              trace.get("textposition", []),
                                              trace["marker"]["size"], strict=False):
            if not text:
                continue
            text = html.unescape(text)
            w = len(text) * figures.CHAR_PX
            side = 0.75 * size + 2
            left = {"bottom center": x - w / 2, "bottom right": x + side,
                    "bottom left": x - side - w}[position]
            top = -y + size / 2
            boxes.append((text, left, top, left + w, top + figures.LABEL_H))
    return boxes


# -- layout --------------------------------------------------------------------


def test_layout_is_deterministic(demo):
    first = figures.layered_layout(demo)
    assert figures.layered_layout(demo) == first
    shuffled = nx.DiGraph()
    shuffled.add_nodes_from(demo.nodes(data=True))
    shuffled.add_edges_from(demo.edges(data=True))
    assert figures.layered_layout(shuffled) == first
    assert json.dumps(draw(demo)) == json.dumps(draw(demo))


def test_layout_starts_from_a_given_order_and_pulls_consumers_over_providers():
    G = nx.DiGraph([("business:a", "capability:x"), ("business:b", "capability:y")])
    nx.set_node_attributes(G, {"business:a": "business", "business:b": "business"}, "kind")
    nx.set_node_attributes(G, {"capability:x": "business-platform",
                               "capability:y": "business-platform"}, "layer")
    # y starts left of x; the sweeps put each capability under its business.
    initial = {"capability:y": (2, 0.1), "capability:x": (2, 0.9)}
    layout = figures.layered_layout(G, initial=initial)
    assert layout["business:a"][1] < layout["business:b"][1]
    assert layout["capability:x"][1] < layout["capability:y"][1]
    assert figures.layered_layout(G, initial=initial, sweeps=0)["capability:y"][1] == 0.25


def test_businesses_on_top_then_the_layers_in_order(demo):
    fig = draw(demo)
    ys = {}
    for node in fig["nodes"]:
        band = figures.band_of({"kind": node["kind"], "layer": node["layer"]})
        ys.setdefault(band, []).append(node["y"])
    present = sorted(ys)
    assert present == [0, 1, 2, 3, 4]  # businesses, frontend, business/data platform, infra
    for upper, lower in itertools.pairwise(present):
        assert min(ys[upper]) > max(ys[lower]), (figures.BANDS[upper], figures.BANDS[lower])
    assert [t["name"] for t in node_traces(fig)] == [
        "Businesses", "Frontend", "Business platform", "Data platform", "Infrastructure"]


def test_layer_colours_are_the_portals(demo):
    colours = {t["name"]: "".join(set(t["marker"]["color"])) for t in node_traces(draw(demo))}
    assert colours["Business platform"] == "#2563eb"
    assert colours["Data platform"] == "#0f766e"
    assert colours["Infrastructure"] == "#b45309"
    assert colours["Businesses"] == colours["Frontend"] == "#7c3aed"


# -- labels ----------------------------------------------------------------------


@pytest.mark.parametrize("width", [1280, 800, 390])
def test_no_two_labels_overlap_at_demo_size(demo, width):
    fig = draw(demo, width=width)
    boxes = label_boxes(fig)
    for a, b in itertools.combinations(boxes, 2):
        overlap = a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
        assert not overlap, f"labels {a[0]!r} and {b[0]!r} overlap at {width}px"
    plot_w = width - figures.MARGIN["l"] - figures.MARGIN["r"]
    assert all(0 <= box[1] and box[3] <= plot_w + 0.01 for box in boxes)
    if width == 1280:
        assert len(boxes) >= 0.9 * len(fig["nodes"])  # nearly every node named
    assert {"Taobao", "Tmall"} <= {box[0] for box in boxes}  # businesses always


def test_long_names_are_cut_to_their_room_and_kept_whole_on_hover(demo):
    fig = draw(demo, width=800)
    texts = [t for trace in node_traces(fig) for t in trace.get("text", []) if t]
    assert any(t.endswith("…") for t in texts)
    assert all(len(t) <= figures.MAX_LABEL_CHARS for t in texts)
    hover = " ".join(h for trace in node_traces(fig) for h in trace["hovertext"])
    assert "Marketing Attribution Dataset" in hover


def test_hover_shows_owner_tier_and_consumers(demo):
    fig = draw(demo)
    hover = {node["id"]: text for trace in node_traces(fig)
             for node, text in zip((fig["nodes"][i] for i in trace["customdata"]),
                                   trace["hovertext"], strict=False)}
    order = hover["capability:order-center"]
    consumers = demo.in_degree("capability:order-center")
    assert "Owner: Transaction Platform" in order
    assert "Tier 1" in order
    assert f"Consumers: {consumers} (" in order
    assert "Reached by" in order


def test_labels_are_escaped_for_plotly():
    G = nx.DiGraph()
    G.add_node("capability:x", kind="capability", slug="x", name="<b>Bold</b> & co",
               layer="infrastructure", team_name="<i>", tier=1)
    fig = draw(G)
    trace = node_traces(fig)[0]
    assert trace["text"] == ["&lt;b&gt;Bold&lt;/b&gt; &amp; co"]
    assert "&lt;i&gt;" in trace["hovertext"][0]


# -- edges -----------------------------------------------------------------------


def test_edges_are_one_trace_with_none_separators(demo):
    fig = draw(demo)
    lines = line_traces(fig)
    assert len(lines) == 1
    trace = lines[0]
    assert trace["line"].get("dash") is None
    assert len(trace["x"]) == len(trace["y"])
    assert trace["x"].count(None) == trace["y"].count(None) == demo.number_of_edges()
    assert len(fig["edges"]) == demo.number_of_edges()
    assert all(len(e) == 3 and e[2] is False for e in fig["edges"])


def test_edges_between_nodes_of_one_row_are_arcs():
    G = nx.DiGraph([("capability:a", "capability:b")])
    nx.set_node_attributes(G, "infrastructure", "layer")
    trace = line_traces(draw(G))[0]
    assert len(trace["x"]) == figures.ARC_STEPS + 2
    assert max(trace["y"][:-1]) > trace["y"][0]  # it bends upwards


def test_indirect_edges_have_their_own_dashed_trace():
    G = nx.DiGraph([("capability:a", "capability:b"), ("capability:b", "capability:c"),
                    ("capability:a", "capability:d")])
    nx.set_node_attributes(G, {"capability:a": "x", "capability:b": "y", "capability:c": "x",
                               "capability:d": "x"}, "domain")
    nx.set_node_attributes(G, "business-platform", "layer")
    fig = draw(G, GraphQuery(domain="x"))
    direct, indirect = line_traces(fig)
    assert direct["x"].count(None) == 1 and "dash" not in direct["line"]
    assert indirect["x"].count(None) == 1 and indirect["line"]["dash"] == "dash"
    ids = [n["id"] for n in fig["nodes"]]
    edges = {(ids[i], ids[j]): ind for i, j, ind in fig["edges"]}
    assert edges == {("capability:a", "capability:c"): True, ("capability:a", "capability:d"): False}
    assert fig["stats"] == {"nodes": 3, "edges": 2, "hidden_nodes": 1, "hidden_edges": 2,
                            "indirect_edges": 1, "collapsed_nodes": 0, "collapsed_edges": 0}
    assert "1 indirect edges stand for paths" in fig["summary"]


def test_too_many_indirect_edges_are_counted_not_drawn(monkeypatch):
    monkeypatch.setattr(figures, "MAX_INDIRECT", 2)
    G = nx.DiGraph()
    for a, c in itertools.product("abc", "xyz"):
        G.add_edge(f"capability:{a}", "capability:hidden")
        G.add_edge("capability:hidden", f"capability:{c}")
    nx.set_node_attributes(G, "kept", "domain")
    G.nodes["capability:hidden"]["domain"] = "other"
    view = figures.select_view(G, GraphQuery(domain="kept"))
    assert view.graph.number_of_edges() == 0
    assert view.stats["indirect_edges"] == 9
    assert "9 indirect edges" in view.message


# -- views -----------------------------------------------------------------------


def test_focus_depth_and_direction_count_what_they_hide(demo):
    focus = "capability:order-center"
    view = figures.select_view(demo, GraphQuery(depth=1, direction="up"), focus=focus)
    assert set(view.graph) == {focus, *demo.pred[focus]}
    s = view.stats
    assert s["nodes"] + s["hidden_nodes"] == len(demo)
    assert s["edges"] + s["hidden_edges"] == demo.number_of_edges()
    fig = figures.figure(view, demo, figures.layered_layout(demo))
    assert fig["focus"] == focus
    ring = [t for t in node_traces(fig) if isinstance(t["marker"]["line"]["width"], list)]
    assert len(ring) == 1 and 3 in ring[0]["marker"]["line"]["width"]


def test_collapse_hubs_folds_the_busiest_capabilities(demo):
    hubs = figures.hub_nodes(demo)
    assert len(hubs) == figures.HUB_TOP
    assert hubs[0] == max(hubs, key=demo.in_degree)
    fig = draw(demo, GraphQuery(collapse_hubs=True))
    assert {h["id"] for h in fig["hubs"]} == set(hubs)
    assert not set(hubs) & {n["id"] for n in fig["nodes"]}
    s = fig["stats"]
    assert s["collapsed_nodes"] == len(hubs)
    assert s["edges"] + s["hidden_edges"] + s["collapsed_edges"] == demo.number_of_edges()
    assert "hubs collapsed" in fig["summary"]


def test_focus_is_never_collapsed(demo):
    hub = figures.hub_nodes(demo)[0]
    view = figures.select_view(demo, GraphQuery(collapse_hubs=True), focus=hub,
                               hubs=figures.hub_nodes(demo))
    assert hub in view.graph


def test_domain_aggregate_has_one_node_per_domain_and_weighted_edges(demo):
    fig = draw(demo, GraphQuery(by_domain=True))
    domains = {d for _, d in demo.nodes(data="domain") if d}
    kinds = [n["kind"] for n in fig["nodes"]]
    businesses = sum(1 for _, kind in demo.nodes(data="kind") if kind == "business")
    assert kinds.count("domain") == len(domains) and kinds.count("business") == businesses >= 8
    assert fig["aggregated"] and sum(fig["edge_weights"]) <= demo.number_of_edges()
    assert len(fig["edge_weights"]) == len(fig["edges"])
    midpoints = next(t for t in fig["data"] if t.get("name") == "Dependency counts")
    assert any("dependencies" in text for text in midpoints["hovertext"])
    widths = {t["line"]["width"] for t in line_traces(fig)}
    assert len(widths) > 1  # edge width grows with the dependency count
    assert "domains and businesses" in fig["summary"]


def test_large_views_show_domains_or_nodes_without_edges():
    G = synthetic(figures.MAX_NODES + 10)
    view = figures.select_view(G, GraphQuery())
    assert view.aggregated and view.auto_aggregated
    assert "too many to draw" in view.message
    everything = figures.select_view(G, GraphQuery(), show_all=True)
    assert not everything.aggregated and not everything.draw_edges
    fig = figures.figure(everything, G, figures.layered_layout(G))
    assert line_traces(fig) == []
    assert len(fig["edges"]) == G.number_of_edges()  # still there for the blast radius
    assert "Edges are not drawn" in fig["message"]
    assert figures.select_view(G, GraphQuery(), max_nodes=None).graph is G


def test_scattergl_above_the_threshold_and_labels_on_hover_only():
    small = draw(synthetic(figures.GL_ABOVE - 10))
    assert {t["type"] for t in small["data"]} == {"scatter"}
    large = draw(synthetic(figures.GL_ABOVE + 10))
    assert {t["type"] for t in large["data"]} == {"scattergl"}
    labelled = [t for trace in node_traces(large) for t in trace.get("text", []) if t]
    assert 3 <= len(labelled) <= 3 + figures.HUB_TOP  # the businesses and a few hubs
    assert all(len(trace["hovertext"]) == len(trace["x"]) for trace in node_traces(large))


def test_filters_keeping_too_many_nodes_skip_the_projection(monkeypatch):
    G = synthetic(40)
    view = figures.select_view(G, GraphQuery(lifecycle="production"), max_nodes=10)
    assert view.stats["indirect_edges"] == 0
    assert "not shown as indirect edges" in view.message
    assert view.aggregated


def test_empty_view_says_so():
    G = synthetic(5)
    fig = draw(G, GraphQuery(domain="nothing"))
    assert fig["nodes"] == [] and fig["edges"] == []
    assert "Nothing to draw" in fig["layout"]["annotations"][-1]["text"]


def test_coordinates_are_plain_rounded_numbers(demo):
    fig = draw(demo)
    text = json.dumps(fig)
    assert "NaN" not in text
    for trace in fig["data"]:
        for value in trace["x"] + trace["y"]:
            assert value is None or round(value, 4) == value


def test_find_node_and_edge_rows(demo):
    assert figures.find_node(demo, "order-center") == "capability:order-center"
    assert figures.find_node(demo, "business:taobao") == "business:taobao"
    assert figures.find_node(demo, "domain:transaction") is None
    view = figures.select_view(demo, GraphQuery(domain="transaction"))
    rows = figures.edge_rows(view, demo)
    assert len(rows) == view.stats["edges"]
    indirect = [r for r in rows if r["indirect"]]
    assert indirect and all(r["via"] for r in indirect)
    assert all(isinstance(name, str) for r in indirect for name in r["via"])
    assert len(figures.edge_rows(view, demo, limit=3)) == 3


def test_graphml_graph_round_trips(demo, tmp_path):
    view = figures.select_view(demo, GraphQuery(domain="transaction", collapse_hubs=True),
                               hubs=figures.hub_nodes(demo))
    path = tmp_path / "g.graphml"
    nx.write_graphml(figures.graphml_graph(view.graph), path)
    back = nx.read_graphml(path)
    assert set(back) == set(view.graph)
    assert back.number_of_edges() == view.graph.number_of_edges()
