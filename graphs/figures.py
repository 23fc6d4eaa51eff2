"""Choose a view of the catalog graph, lay it out in layers and draw it with plotly.

Pure functions over a DiGraph, no Flask and no database:

* :func:`select_view` turns a :class:`~graphs.params.GraphQuery` into the graph
  to draw, counting everything it leaves out (no edge is dropped silently);
* :func:`layered_layout` puts businesses on top, then the frontend, business
  platform, data platform and infrastructure layers, and orders each layer by
  a few barycenter sweeps (deterministic, fast enough for 10,000 nodes);
* :func:`figure` returns the figure as plain lists and dicts, with coordinates
  in pixels of the plot area so that label boxes are checked for overlap here,
  not in the browser.

Edges run consumer -> provider, so on the picture they mostly point down.
"""

import heapq
import itertools
import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import networkx as nx

from catalog.vocabulary import LAYER_COLOURS, LAYER_LABELS, OTHER_COLOUR
from graphs.analysis import (
    aggregate_by_domain,
    collapse,
    ego_subgraph,
    filter_nodes,
    group_neighbours,
    induced_copy,
    project,
)
from graphs.labels import inert
from graphs.nodes import business_node, capability_node, domain_node
from graphs.params import GraphQuery

__all__ = [
    "BANDS",
    "GL_ABOVE",
    "LAYER_COLORS",
    "MAX_NODES",
    "View",
    "band_of",
    "edge_rows",
    "figure",
    "find_node",
    "graphml_graph",
    "hub_nodes",
    "layered_layout",
    "neighbour_rows",
    "node_names",
    "select_view",
    "suggest_nodes",
    "summary",
]

#: Horizontal bands of the picture, top to bottom.
BANDS = ("business", "frontend", "business-platform", "data-platform", "infrastructure", "other")
BAND_LABELS = {
    "business": "Businesses",
    **LAYER_LABELS,
    "other": "No layer",
}
#: The portal's layer colours (catalog.vocabulary; static/css/portal.css).
LAYER_COLORS = LAYER_COLOURS
OTHER_COLOR = OTHER_COLOUR
EDGE_RGB = "71, 85, 105"
LABEL_COLOR = "#1e293b"
LABEL_HALO = "0 0 2px #fff, 0 0 2px #fff"  # CSS text-shadow: labels stay readable over edges

#: Above this many nodes the figure uses WebGL (scattergl) traces.
GL_ABOVE = 1500
#: Above this many nodes a view is shown by domain unless all nodes are asked for,
#: and a filtered view gets no indirect edges (projecting it would take too long).
MAX_NODES = 3000
#: The domain overview draws the heaviest links only (each with its count).
AGGREGATE_EDGES = 30
#: A focus view draws at most this many nodes: the others are folded into groups.
FOCUS_MAX = 300
#: More indirect edges than this are counted but not drawn.
MAX_INDIRECT = 5000
#: Above this many nodes only the businesses, the focus and the busiest nodes get labels.
LABEL_MAX_NODES = 500
#: Hubs: the capabilities with the most direct consumers.
HUB_TOP = 5
HUB_MIN_CONSUMERS = 3

# Label geometry, in pixels. A character of an 11 px sans-serif font is at
# most about 0.6 em wide on average; labels are estimated with that.
FONT_PX = 11
CHAR_PX = 0.6 * FONT_PX
LABEL_H = 14
LABEL_GAP = 8
LABEL_PAD = 2
MIN_LABEL_CHARS = 8
TARGET_LABEL_CHARS = 18
MAX_LABEL_CHARS = 26
MAX_SUBROWS = 6
MAX_DENSE_ROWS = 12
HEADER_PX = 22
BAND_GAP = 10
MARGIN = {"l": 8, "r": 8, "t": 8, "b": 8}
ARC_MAX = 28
ARC_STEPS = 6


@dataclass
class View:
    """The graph a query asks to draw, and what was left out of it.

    ``stats`` counts against the whole catalog graph: ``nodes`` and ``edges``
    shown, ``hidden_nodes`` and ``hidden_edges`` (left out by the focus, depth
    or filters), ``indirect_edges`` (paths through hidden nodes),
    ``collapsed_nodes`` and ``collapsed_edges`` (hubs and their edges).
    """

    graph: nx.DiGraph
    stats: dict[str, int]
    messages: list[str] = field(default_factory=list)
    hubs: list = field(default_factory=list)
    focus: Hashable | None = None
    aggregated: bool = False
    auto_aggregated: bool = False
    draw_edges: bool = True
    grouped: int = 0  # neighbours folded into "+N in domain X" groups

    @property
    def message(self) -> str | None:
        """The messages as one sentence or more, None when there is nothing to say."""
        return " ".join(self.messages) or None


def band_of(data: Mapping[str, Any]) -> int:
    """Return the band (index into :data:`BANDS`) of a node from its attributes.

    Examples
    --------
    >>> band_of({"kind": "business", "layer": "frontend"}), band_of({"layer": "infrastructure"})
    (0, 4)
    >>> band_of({"kind": "capability"})
    5
    """
    if data.get("kind") == "business" or data.get("members_kind") == "business":
        return 0
    layer = data.get("layer")
    return BANDS.index(layer) if layer in BANDS[1:-1] else len(BANDS) - 1


def find_node(G: nx.DiGraph, value: str, *, names: Mapping | None = None) -> str | None:
    """Return the node a focus parameter names, or None when there is none.

    ``value`` is a node id (``capability:<slug>``, ``business:<slug>``), a
    bare slug (tried as a capability first) or, given ``names``
    (:func:`node_names`), a name in any case.

    Examples
    --------
    >>> G = nx.DiGraph([("business:taobao", "capability:orders")])
    >>> find_node(G, "orders"), find_node(G, "taobao"), find_node(G, "nope")
    ('capability:orders', 'business:taobao', None)
    """
    candidates = [value] if ":" in value else [capability_node(value), business_node(value)]
    found = next((node for node in candidates if node in G), None)
    if found is None and names is not None:
        found = next(iter(names.get(value.casefold(), ())), None)
    return found


def node_names(G: nx.DiGraph) -> dict[str, list]:
    """Return ``{name.casefold(): [nodes]}``, capabilities before businesses, for :func:`find_node`.

    Examples
    --------
    >>> G = nx.DiGraph([("business:taobao", "capability:orders")])
    >>> G.nodes["capability:orders"]["name"] = "Order Center"
    >>> node_names(G)["order center"]
    ['capability:orders']
    """
    names: dict[str, list] = {}
    for node, data in sorted(G.nodes(data=True), key=lambda item: item[1].get("kind") == "business"):
        if data.get("name"):
            names.setdefault(data["name"].casefold(), []).append(node)
    return names


def suggest_nodes(G: nx.DiGraph, text: str, *, limit: int = 20,
                  names: Mapping | None = None) -> list[tuple[str, str, str]]:
    """Return up to ``limit`` ``(node, name, kind)`` whose name or slug contains ``text``.

    Names that start with the text come first, then by name.

    Examples
    --------
    >>> G = nx.DiGraph([("business:taobao", "capability:orders")])
    >>> nx.set_node_attributes(G, {"business:taobao": "Taobao", "capability:orders": "Orders"}, "name")
    >>> G.nodes["capability:orders"]["kind"] = "capability"
    >>> suggest_nodes(G, "ord")
    [('capability:orders', 'Orders', 'capability')]
    """
    needle = text.casefold().strip()
    if not needle:
        return []
    names = names if names is not None else node_names(G)
    found = []
    for name, nodes in names.items():
        for node in nodes:
            if needle in name or needle in str(node).casefold():
                found.append((not name.startswith(needle), name, node))
    found.sort()
    return [(node, G.nodes[node].get("name") or node, G.nodes[node].get("kind") or "")
            for _, _, node in found[:limit]]


def neighbour_rows(view: "View") -> dict[str, list[dict[str, Any]]]:
    """Return the focus's neighbours in ``view`` for the list beside the drawing.

    ``{"up": [...], "down": [...]}``: its dependents and its dependencies, nearest
    first, then by name; each ``{"id", "slug", "kind", "name", "distance",
    "size"}``, ``size`` being how many nodes it stands for (a group's members,
    else 1). Empty without a focus.
    """
    H, focus = view.graph, view.focus
    if focus is None or focus not in H:
        return {"up": [], "down": []}
    out = {}
    for side, distances in (("up", nx.single_source_shortest_path_length(
            H.reverse(copy=False), focus)), ("down", nx.single_source_shortest_path_length(H, focus))):
        rows = []
        for node, distance in distances.items():
            data = H.nodes[node]
            if node == focus or (data.get("kind") == "group" and data.get("side") != side):
                continue
            rows.append({"id": node, "slug": data.get("slug"), "kind": data.get("kind"),
                         "name": data.get("name") or str(node), "distance": distance,
                         "size": data.get("size") or 1})
        out[side] = sorted(rows, key=lambda r: (r["distance"], r["kind"] == "group",
                                                r["name"].casefold()))
    return out


def hub_nodes(G: nx.DiGraph, *, top: int = HUB_TOP,
              min_consumers: int = HUB_MIN_CONSUMERS) -> list:
    """Return the hub capabilities: the ``top`` with the most direct consumers.

    Parameters
    ----------
    G : networkx.DiGraph
        Edges run consumer -> provider.
    top : int, optional
        How many hubs at most.
    min_consumers : int, optional
        A hub has at least this many direct consumers.

    Returns
    -------
    list
        Nodes, most consumers first (ties by node).

    Examples
    --------
    >>> G = nx.DiGraph([("a", "mq"), ("b", "mq"), ("c", "mq"), ("a", "b")])
    >>> hub_nodes(G)
    ['mq']
    """
    ranked = sorted((-G.in_degree(n), n) for n, kind in G.nodes(data="kind") if kind != "business")
    return [n for degree, n in ranked[:top] if -degree >= min_consumers]


def select_view(G: nx.DiGraph, query: GraphQuery, *, focus: Hashable | None = None,
                hubs: Iterable = (), show_all: bool = False,
                max_nodes: int | None = MAX_NODES) -> View:
    """Return the view of ``G`` that ``query`` asks for.

    In this order: the neighbourhood of ``focus`` (``query.depth`` and
    ``query.direction``), the hubs collapsed (``query.collapse_hubs``), the
    filters (domain, business, lifecycle) with indirect edges standing in for
    paths through the nodes they hide, and the domain-level aggregate.

    Parameters
    ----------
    G : networkx.DiGraph
        The whole catalog graph; it is not changed.
    query : GraphQuery
        What to show. ``query.focus`` is ignored: pass the node as ``focus``.
    focus : node, optional
        The node in the middle (see :func:`find_node`).
    hubs : iterable of nodes
        The hubs to collapse when the query asks for it (see :func:`hub_nodes`);
        the focus is never collapsed.
    show_all : bool, optional
        Draw the nodes of a view larger than ``max_nodes`` one by one (without
        edges) instead of aggregating it by domain.
    max_nodes : int or None, optional
        Views larger than this are aggregated by domain (or drawn without
        edges with ``show_all``), and a filter keeping more nodes than this
        gets no indirect edges. None: no limit (exports).

    Returns
    -------
    View
        The graph with its counts and messages; a new graph or ``G`` itself
        when nothing is left out.

    Examples
    --------
    >>> G = nx.DiGraph([("capability:a", "capability:b"), ("capability:b", "capability:c")])
    >>> nx.set_node_attributes(G, {"capability:a": "x", "capability:b": "y",
    ...                            "capability:c": "x"}, "domain")
    >>> view = select_view(G, GraphQuery(domain="x"))
    >>> list(view.graph.edges(data="indirect")), view.stats["hidden_nodes"]
    ([('capability:a', 'capability:c', True)], 1)
    """
    limit = math.inf if max_nodes is None else max_nodes
    H = G
    messages = []
    if focus is not None:
        H = ego_subgraph(G, focus, depth=query.depth, direction=query.direction)
    used_hubs, collapsed_edges = [], 0
    if query.collapse_hubs:
        used_hubs = [hub for hub in hubs if hub in H and hub != focus]
        if used_hubs:
            H = collapse(H, used_hubs)
            collapsed_edges = H.graph["collapsed_edges"]
    indirect = 0
    filters = {"domain": query.domain or None, "business": query.business or None,
               "lifecycle": query.lifecycle or None}
    if any(filters.values()):
        keep = filter_nodes(H, **filters)
        if focus is not None and focus in H:
            keep.add(focus)
        if len(keep) > limit:
            H = induced_copy(H, keep)
            messages.append(f"The filters keep {len(keep):,} nodes: paths through the nodes "
                            "they hide are not shown as indirect edges at this size.")
        else:
            H, projected = project(H, keep)
            indirect = projected["indirect_edges"]
            if indirect > MAX_INDIRECT:
                H.remove_edges_from([(u, v) for u, v, ind in H.edges(data="indirect") if ind])
                messages.append(f"{indirect:,} indirect edges (paths through hidden nodes) are "
                                "too many to draw: they are counted, not drawn. Narrow the "
                                "filters or pick a focus.")
    direct = sum(1 for *_, ind in H.edges(data="indirect") if not ind)
    stats = {
        "nodes": len(H),
        "edges": H.number_of_edges(),
        "hidden_nodes": len(G) - len(H) - len(used_hubs),
        "hidden_edges": G.number_of_edges() - direct - collapsed_edges,
        "indirect_edges": indirect,
        "collapsed_nodes": len(used_hubs),
        "collapsed_edges": collapsed_edges,
    }
    view = View(H, stats, messages, hubs=used_hubs, focus=focus)
    if focus is not None and not query.by_domain and len(H) > FOCUS_MAX and max_nodes is not None:
        view.graph = group_neighbours(H, focus, limit=FOCUS_MAX, expand=query.expand,
                                      weight=dict(G.in_degree))
        groups = [n for n, kind in view.graph.nodes(data="kind") if kind == "group"]
        folded = sum(view.graph.nodes[g]["size"] for g in groups)
        view.grouped = folded
        messages.append(f"{folded:,} of the {len(H) - 1:,} neighbours are folded into "
                        f"{len(groups):,} groups (“+N in a domain”); click one to open it. "
                        f"{view.graph.graph['side_edges']:,} edges between neighbours are left "
                        "out: only the ways to and from the focus are drawn.")
        stats.update(nodes=len(view.graph), edges=view.graph.number_of_edges())
        return view
    if query.by_domain or (len(H) > limit and not show_all):
        if not query.by_domain:
            view.auto_aggregated = True
            messages.append(f"{len(H):,} nodes are too many to draw one by one, so this shows "
                            "domains: click a domain to open it, or filter by a domain, a "
                            "business or a focus.")
        view.graph = _aggregate(H)
        view.aggregated = True
        stats.update(nodes=len(view.graph), edges=view.graph.number_of_edges(),
                     dependencies=H.number_of_edges())
    elif len(H) > limit:
        view.draw_edges = False
        messages.append(f"Edges are not drawn above {max_nodes:,} nodes "
                        f"({H.number_of_edges():,} here): filter to see them.")
    return view


def _aggregate(H: nx.DiGraph) -> nx.DiGraph:
    """Aggregate ``H`` by domain; an edge is indirect when all its members are."""
    A = aggregate_by_domain(H)
    nx.set_edge_attributes(A, 0, "indirect_weight")
    group = {n: domain_node(d) if d is not None else n for n, d in H.nodes(data="domain")}
    for u, v, ind in H.edges(data="indirect"):
        if ind and group[u] != group[v]:
            A.edges[group[u], group[v]]["indirect_weight"] += 1
    for _, _, data in A.edges(data=True):
        data["indirect"] = data["indirect_weight"] == data["weight"]
    return A


def layered_layout(G: nx.DiGraph, *, initial: Mapping | None = None,
                   sweeps: int = 4) -> dict:
    """Return a layered layout of ``G``: the band and the order of every node.

    Each node sits in its band (:func:`band_of`: businesses, then the layers
    from frontend down to infrastructure). Within a band nodes are ordered by
    the barycenter of their neighbours in the bands above (downward sweeps)
    and below (upward sweeps), which pulls consumers over their providers.

    Parameters
    ----------
    G : networkx.DiGraph
        Nodes carry ``kind`` and ``layer``.
    initial : mapping, optional
        A previous layout (e.g. of the whole graph) to start from, so that a
        view keeps the order of the whole; nodes missing from it come last.
    sweeps : int, optional
        Rounds of one downward and one upward sweep.

    Returns
    -------
    dict
        ``{node: (band, x)}`` in ``G``'s node order, ``x`` in (0, 1): the
        position within the band, spread evenly. The same graph always gets
        the same layout.

    Examples
    --------
    >>> G = nx.DiGraph([("shop", "orders"), ("shop", "queue"), ("orders", "queue")])
    >>> nx.set_node_attributes(G, {"shop": "business", "orders": "capability",
    ...                            "queue": "capability"}, "kind")
    >>> nx.set_node_attributes(G, {"orders": "business-platform",
    ...                            "queue": "infrastructure"}, "layer")
    >>> layered_layout(G)
    {'shop': (0, 0.5), 'orders': (2, 0.5), 'queue': (4, 0.5)}
    """
    band = {n: band_of(data) for n, data in G.nodes(data=True)}
    index = {n: i for i, n in enumerate(G)}
    start = initial or {}
    rows: list[list] = [[] for _ in BANDS]
    for n in G:
        rows[band[n]].append(n)
    # Positions are whole multiples of 1 / scale, so that barycenters are exact
    # and the layout does not depend on the order edges were added in.
    scale = 2 * math.lcm(*(len(row) for row in rows if row)) if len(G) else 2
    x: dict = {}
    for row in rows:
        row.sort(key=lambda n: (start[n][1] if n in start else 2.0, index[n]))
        _spread(row, x, scale)
    for _ in range(sweeps):
        for b in range(1, len(rows)):
            _reorder(G, rows[b], band, x, scale, above=True)
        for b in range(len(rows) - 2, -1, -1):
            _reorder(G, rows[b], band, x, scale, above=False)
    return {n: (band[n], x[n] / scale) for n in G}


def _spread(row: list, x: dict, scale: int) -> None:
    step = scale // (2 * len(row)) if row else 0
    for i, n in enumerate(row):
        x[n] = (2 * i + 1) * step


def _reorder(G, row, band, x, scale, *, above) -> None:
    """Sort one band by the mean position of its neighbours in the bands above or below."""
    if len(row) < 2:
        return
    b = band[row[0]]
    key = {}
    for n in row:
        total = count = 0
        for m in itertools.chain(G.pred[n], G.succ[n]):
            if (band[m] < b) if above else (band[m] > b):
                total += x[m]
                count += 1
        key[n] = total / count if count else x[n]
    row.sort(key=lambda n: (key[n], x[n]))
    _spread(row, x, scale)


def figure(view: View, G: nx.DiGraph, base_layout: Mapping, *,
           reach: Mapping | None = None, width: int = 1100) -> dict[str, Any]:
    """Return the plotly figure of ``view`` and what the page needs beside it.

    Parameters
    ----------
    view : View
        From :func:`select_view`.
    G : networkx.DiGraph
        The whole catalog graph, for the consumer counts shown on hover.
    base_layout : mapping
        :func:`layered_layout` of ``G``; used as it is when the view is ``G``,
        else as the starting order of the view's own layout.
    reach : mapping, optional
        ``{capability: number of businesses reaching it}`` (see
        :func:`graphs.analysis.business_reach`).
    width : int, optional
        Width of the figure in pixels; labels are placed for it.

    Returns
    -------
    dict
        ``data`` (traces: edges as one line trace with None separators,
        indirect edges in their own dashed trace, then one node trace per
        band; ``scattergl`` above :data:`GL_ABOVE` nodes), ``layout``,
        ``nodes`` (``id, slug, kind, name, layer, x, y`` and hover facts, in
        trace order), ``edges`` (``[i, j, indirect]``, indexes into ``nodes``),
        ``edge_kinds`` (same order; for an aggregate ``edge_weights`` too),
        ``stats``, ``message``, ``summary``, ``hubs``, ``aggregated``.
        Coordinates are pixels of the plot area (y negative, downward),
        rounded to 2 decimals. Labels never overlap: a label that would is
        left to the hover text.
    """
    H = view.graph
    reach = reach or {}
    positions = base_layout if H is G else layered_layout(H, initial=base_layout)
    plot_w = max(width - MARGIN["l"] - MARGIN["r"], 200)
    if view.grouped:
        row_of, headers, colors = _lineage_rows(H, view.focus)
    else:
        row_of = {n: positions[n][0] for n in H}
        headers = [BAND_LABELS[band] for band in BANDS]
        colors = [LAYER_COLORS.get("frontend" if band == "business" else band, OTHER_COLOR)
                  for band in BANDS]
    rows: list[list] = [[] for _ in headers]
    for n in sorted(H, key=lambda n: (H.nodes[n].get("kind") == "group", positions[n][1], n)):
        rows[row_of[n]].append(n)
    nodes = [n for row in rows for n in row]
    index = {n: i for i, n in enumerate(nodes)}
    large = len(nodes) > LABEL_MAX_NODES
    size = {n: _marker_size(H, n, large) for n in nodes}
    consumers = _consumer_counts(G, H, nodes, view.aggregated)
    scatter = "scattergl" if len(nodes) > GL_ABOVE else "scatter"
    xy, bands, placed = _place_rows(rows, size, plot_w, large, view.aggregated, headers)

    # Labels: the focus first, then the labelled bands by priority; in a large
    # view the busiest nodes too (over their dense band: hover for the rest).
    rooms = {band.index: band.room for band in bands if band.labelled}
    candidates = [view.focus] if view.focus in index else []
    candidates += sorted((n for n in nodes if row_of[n] in rooms),
                         key=lambda n: (_label_priority(H, n, consumers), index[n]))
    if large:
        candidates += sorted(nodes, key=lambda n: (-sum(consumers[n]), index[n]))[:HUB_TOP]
    labels: dict = {}
    for n in candidates:
        if n not in labels:
            room = rooms.get(row_of[n], _room(TARGET_LABEL_CHARS))
            label = _place_label(H.nodes[n], xy[n], size[n], room, plot_w, placed)
            if label:
                labels[n] = label
            elif n == view.focus:  # the focus is always labelled, over a band header if need be
                name = H.nodes[n].get("name") or str(n)
                labels[n] = (name if len(name) <= MAX_LABEL_CHARS
                             else name[:MAX_LABEL_CHARS - 1] + "…", "bottom center")

    drawn_edges, note = list(H.edges(data=True)), None
    if view.aggregated and len(drawn_edges) > AGGREGATE_EDGES:
        drawn_edges = heapq.nlargest(AGGREGATE_EDGES, drawn_edges,
                                     key=lambda e: (e[2]["weight"], str(e[0]), str(e[1])))
        total = sum(w for *_, w in H.edges(data="weight"))
        note = (f"The {AGGREGATE_EDGES} heaviest of the {H.number_of_edges():,} links are drawn "
                f"({sum(e[2]['weight'] for e in drawn_edges):,} of {total:,} dependencies), "
                "each with its count; the table below lists them all.")
    if not view.draw_edges:
        data = []
    elif view.aggregated or view.grouped:
        data = _aggregate_edge_traces(H, xy, scatter, drawn_edges)
    else:
        data = _edge_traces(H, xy, scatter)
    for band in bands:
        data.append(_node_trace(G, H, rows[band.index], headers[band.index], index, xy, size,
                                labels, consumers, reach, scatter, view))
    if view.aggregated and drawn_edges:
        data.append(_edge_counts(H, xy, scatter, drawn_edges, placed))

    edges, kinds, weights = [], [], []
    for u, v, attrs in H.edges(data=True):
        edges.append([index[u], index[v], bool(attrs.get("indirect"))])
        kinds.append(attrs.get("kind") or ("dependencies" if view.aggregated else "dependency"))
        weights.append(attrs.get("weight", 1))
    result = {
        "data": data,
        "layout": _layout(bands, plot_w, bool(nodes), colors),
        "stats": view.stats,
        "message": " ".join(filter(None, (view.message, note))) or None,
        "summary": summary(view),
        "nodes": [_node_facts(H, n, xy[n], consumers[n], reach.get(n)) for n in nodes],
        "edges": edges,
        "edge_kinds": kinds,
        "hubs": [{"id": h, "name": G.nodes[h].get("name") or h} for h in view.hubs],
        "aggregated": view.aggregated,
        "auto_aggregated": view.auto_aggregated,
        "focus": view.focus,
        "gl": scatter == "scattergl",
    }
    if view.aggregated:
        result["edge_weights"] = weights
    return result


class _Band(NamedTuple):
    """One band of the picture as placed: pixels from the top of the plot area."""

    index: int
    top: float
    bottom: float
    header: str
    labelled: bool
    room: float  # width a label may take


def _place_rows(rows, size, plot_w, large, aggregated, titles) -> tuple[dict, list[_Band], list]:
    """Place every node: ``({node: (x, y)}, bands, boxes taken by band headers)``.

    A band whose labels fit spreads its nodes over up to MAX_SUBROWS staggered
    rows, so that neighbours in one row are that many slots apart and their
    labels get that much room; a band too dense for labels is packed into
    up to MAX_DENSE_ROWS rows of markers.
    """
    xy: dict = {}
    bands: list[_Band] = []
    headers: list[tuple] = []
    top = 0.0
    for b, row in enumerate(rows):
        if not row:
            continue
        slot = plot_w / len(row)
        biggest = max(size[n] for n in row)
        labelled = (not large or b == 0 or aggregated) and \
            math.ceil(_room(MIN_LABEL_CHARS) / slot) <= MAX_SUBROWS
        if labelled:
            subrows = min(max(math.ceil(_room(TARGET_LABEL_CHARS) / slot), 1), MAX_SUBROWS,
                          len(row))
            row_px = biggest + LABEL_H + 12
        else:
            subrows = min(max(math.ceil(len(row) * (biggest + 2) / plot_w), 1), MAX_DENSE_ROWS)
            row_px = biggest + 4
        header = f"{titles[b].upper()} · {len(row):,}{_noun(b, len(row), aggregated, titles)}"
        headers.append((0.0, top, len(header) * CHAR_PX, top + HEADER_PX))
        first = top + HEADER_PX + biggest / 2 + 2
        for i, n in enumerate(row):
            xy[n] = ((i + 0.5) * slot, first + (i % subrows) * row_px)
        bottom = first + (subrows - 1) * row_px + biggest / 2 + LABEL_H + 4
        bands.append(_Band(b, top, bottom, header, labelled, subrows * slot - LABEL_GAP))
        top = bottom + BAND_GAP
    return xy, bands, headers


def _room(chars: int) -> float:
    return chars * CHAR_PX + LABEL_GAP


def _noun(b, count, aggregated, titles) -> str:
    if aggregated and b != 0 and len(titles) == len(BANDS):
        return " domain" if count == 1 else " domains"
    return ""


def _lineage_rows(H: nx.DiGraph, focus) -> tuple[dict, list[str], list[str]]:
    """Rows of a focus view drawn as lineage: dependents above by distance, dependencies below.

    Returns ``({node: row}, row headers, row colours)``.
    """
    up = nx.single_source_shortest_path_length(H.reverse(copy=False), focus)
    down = nx.single_source_shortest_path_length(H, focus)
    levels_up, levels_down = max(up.values()), max(down.values())
    headers = ([f"Used by · {d} {'hop' if d == 1 else 'hops'}" for d in range(levels_up, 0, -1)]
               + ["Focus"]
               + [f"Depends on · {d} {'hop' if d == 1 else 'hops'}"
                  for d in range(1, levels_down + 1)])
    row_of = {}
    for n in H:
        if n == focus:
            row_of[n] = levels_up
        elif n in up and (n not in down or up[n] <= down[n]):
            row_of[n] = levels_up - up[n]
        elif n in down:
            row_of[n] = levels_up + down[n]
        else:  # reached neither way (a filter's leftover): with the focus
            row_of[n] = levels_up
    colors = [OTHER_COLOR] * len(headers)
    colors[levels_up] = "#0f172a"
    return row_of, headers, colors


def _marker_size(H: nx.DiGraph, n, large: bool) -> float:
    data = H.nodes[n]
    if data.get("kind") == "domain":
        return min(14 + 2.2 * math.sqrt(data.get("size", 1)), 44)
    if data.get("kind") == "group":
        return min(12 + 1.6 * math.sqrt(data.get("size", 1)), 34)
    consumers = H.in_degree(n)
    if data.get("kind") == "business":
        return 10 if large else 14
    if large:
        return min(4 + 0.7 * math.sqrt(consumers), 12)
    return min(9 + 2.2 * math.sqrt(consumers), 26)


def _consumer_counts(G, H, nodes, aggregated) -> dict:
    """``{node: (capabilities, businesses)}`` consuming it directly in the whole graph."""
    counts = {}
    for n in nodes:
        if aggregated and H.nodes[n].get("kind") == "domain":
            weights = [w for *_, w in H.in_edges(n, data="weight")]
            counts[n] = (sum(weights), H.in_degree(n))
            continue
        caps = biz = 0
        for p in G.pred[n] if n in G else ():
            if G.nodes[p].get("kind") == "business":
                biz += 1
            else:
                caps += 1
        counts[n] = (caps, biz)
    return counts


def _label_priority(H, n, consumers) -> tuple:
    kind = H.nodes[n].get("kind")
    return (0 if kind == "business" else 1 if kind in ("domain", "group") else 2,
            -sum(consumers[n]))


def _place_label(data, point, size, room, plot_w, placed) -> tuple | None:
    """Return ``(text, textposition)`` for a label that overlaps no placed box, or None.

    The name is cut to the room of its band; when that collides, a name cut
    to half the room is tried. Near the sides of the plot a label goes to the
    right or left of its node instead of under it. Boxes are padded by
    LABEL_PAD on each side, so that the estimate may err by a few pixels.
    """
    name = data.get("name") or data.get("slug") or ""
    chars = min(int(room // CHAR_PX), MAX_LABEL_CHARS)
    x, y = point
    side = 0.75 * size + 2  # plotly puts a side label about 1.5 marker radii away
    for limit in (chars, chars // 2):
        if limit < min(MIN_LABEL_CHARS, len(name)):
            return None
        text = name if len(name) <= limit else name[:limit - 1].rstrip() + "…"
        w = len(text) * CHAR_PX
        if x - w / 2 < 0:
            position, left = "bottom right", x + side
        elif x + w / 2 > plot_w:
            position, left = "bottom left", x - side - w
        else:
            position, left = "bottom center", x - w / 2
        box = (left - LABEL_PAD, y + size / 2, left + w + LABEL_PAD, y + size / 2 + LABEL_H)
        if box[0] >= -LABEL_PAD and box[2] <= plot_w + LABEL_PAD and \
                not any(_overlap(box, other) for other in placed):
            placed.append(box)
            return text, position
    return None


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _edge_traces(H, xy, scatter) -> list[dict]:
    """Direct edges as one line trace, indirect ones as one dashed trace.

    Edges get fainter as they get more numerous, so that a dense view stays
    a shade rather than a black block.
    """
    alpha = min(0.3, max(0.05, 8 / math.sqrt(max(H.number_of_edges(), 1))))
    traces = []
    for indirect in (False, True):
        xs, ys = [], []
        for u, v, ind in H.edges(data="indirect"):
            if bool(ind) == indirect:
                _segment(xs, ys, xy[u], xy[v])
        if xs:
            color = f"rgba({EDGE_RGB}, {min(2.5 * alpha, 0.75) if indirect else alpha:.3f})"
            traces.append(_line_trace(scatter, xs, ys, color, 1.2 if indirect else 1,
                                      "Indirect dependency" if indirect else "Dependency",
                                      dash=indirect))
    return traces


def _aggregate_edge_traces(H, xy, scatter, edges) -> list[dict]:
    """``edges`` in a few width classes (one trace each), wider and darker for more dependencies."""
    heaviest = max((data["weight"] for *_, data in edges), default=1)
    classes: dict = {}
    for u, v, data in edges:
        share = round(3 * math.sqrt(data["weight"] / heaviest))  # 0 .. 3
        classes.setdefault((share, bool(data.get("indirect"))), []).append((u, v))
    traces = []
    for (share, indirect), pairs in sorted(classes.items()):
        xs, ys = [], []
        for u, v in pairs:
            _segment(xs, ys, xy[u], xy[v])
        color = f"rgba({EDGE_RGB}, {0.7 if indirect else 0.15 + 0.1 * share:.2f})"
        traces.append(_line_trace(scatter, xs, ys, color, 1 + 1.5 * share, "Dependencies",
                                  dash=indirect))
    return traces


def _edge_counts(H, xy, scatter, edges, placed) -> dict:
    """The count of each aggregated edge in its middle, with the names on hover.

    A count whose box would overlap a label (or another count) is left to
    the hover text. Drawn after the nodes: on a tie plotly hovers the
    earlier trace, the node.
    """
    mx, my, hover, text = [], [], [], []
    for u, v, data in edges:
        (x0, y0), (x1, y1) = xy[u], xy[v]
        x, y = (x0 + x1) / 2, (y0 + y1) / 2 - _lift(xy[u], xy[v])
        mx.append(round(x, 2))
        my.append(round(-y, 2))
        w = len(f"{data['weight']:,}") * CHAR_PX / 2 + LABEL_PAD
        box = (x - w, y - LABEL_H / 2, x + w, y + LABEL_H / 2)
        free = not any(_overlap(box, other) for other in placed)
        if free:
            placed.append(box)
        indirect = f" ({data['indirect_weight']:,} indirect)" if data["indirect_weight"] else ""
        hover.append(f"{_esc(H.nodes[u].get('name'))} → {_esc(H.nodes[v].get('name'))}: "
                     f"{data['weight']:,} dependencies{indirect}")
        text.append(f"{data['weight']:,}" if free else "")
    return {"type": scatter, "mode": "markers+text", "x": mx, "y": my, "hovertext": hover,
            "text": text, "textposition": "middle center",
            "textfont": {"size": FONT_PX - 1, "color": LABEL_COLOR, "shadow": LABEL_HALO},
            "hoverinfo": "text", "name": "Dependency counts", "showlegend": False,
            "marker": {"size": 8, "color": "rgba(0,0,0,0)"}}


def _lift(a, b) -> float:
    """How far the edge from ``a`` to ``b`` bends up: only between nodes of one row."""
    return min(0.2 * abs(b[0] - a[0]), ARC_MAX) if abs(a[1] - b[1]) < 1 else 0.0


def _segment(xs, ys, a, b) -> None:
    """Add the line from ``a`` to ``b``; an arc when both sit on one row (else they'd overlap)."""
    lift = _lift(a, b)
    if lift:
        for i in range(ARC_STEPS + 1):
            t = i / ARC_STEPS
            xs.append(round(a[0] + (b[0] - a[0]) * t, 2))
            ys.append(round(-a[1] + 4 * lift * t * (1 - t), 2))
        xs.append(None)
        ys.append(None)
        return
    xs.extend((round(a[0], 2), round(b[0], 2), None))
    ys.extend((round(-a[1], 2), round(-b[1], 2), None))


def _line_trace(scatter, xs, ys, color, width, name, *, dash=False) -> dict:
    line = {"color": color, "width": width}
    if dash:
        line["dash"] = "dash"
    return {"type": scatter, "mode": "lines", "x": xs, "y": ys, "line": line,
            "hoverinfo": "skip", "name": name, "showlegend": False}


def _node_trace(G, H, row, name, index, xy, size, labels, consumers, reach, scatter,
                view) -> dict:
    gl_or_large = scatter == "scattergl" or len(index) > LABEL_MAX_NODES
    texts = [labels[n][0] if n in labels else "" for n in row]
    trace = {
        "type": scatter,
        "mode": "markers+text" if any(texts) else "markers",
        "name": name,
        "x": [round(xy[n][0], 2) for n in row],
        "y": [round(-xy[n][1], 2) for n in row],
        "customdata": [index[n] for n in row],
        "hovertext": [_hover(G, H, n, consumers[n], reach.get(n), view) for n in row],
        "hoverinfo": "text",
        "marker": {"color": [_node_color(H.nodes[n]) for n in row],
                   "size": [round(size[n], 1) for n in row],
                   "symbol": [_node_symbol(H.nodes[n]) for n in row],
                   "line": {"color": "#ffffff", "width": 0 if gl_or_large else 1}},
        "showlegend": False,
    }
    if view.focus in row:
        trace["marker"]["line"] = {"color": ["#0f172a" if n == view.focus else "#ffffff"
                                             for n in row],
                                   "width": [3 if n == view.focus else 1 for n in row]}
    if any(texts):
        trace.update(text=[_esc(t) for t in texts],
                     textposition=[labels[n][1] if n in labels else "bottom center" for n in row],
                     textfont={"size": FONT_PX, "color": LABEL_COLOR, "shadow": LABEL_HALO})
    if scatter == "scatter":
        trace["cliponaxis"] = False
    return trace


def _hover(G, H, n, counts, reach, view) -> str:
    data = H.nodes[n]
    name = _esc(data.get("name") or data.get("slug") or str(n))
    kind = data.get("kind")
    if kind == "business":
        adopted = G.out_degree(n) if n in G else H.out_degree(n)
        return f"<b>{name}</b><br>Business<br>Adopts {adopted:,} capabilities directly"
    if kind == "group":
        folded = "dependents" if data.get("side") == "up" else "dependencies"
        return (f"<b>{name}</b><br>{data['size']:,} {folded} folded into one node<br>"
                "Click to open the group")
    layer = BAND_LABELS.get(data.get("layer"), "No layer")
    if kind == "domain":
        return (f"<b>{name}</b><br>{layer} domain · {data['size']:,} capabilities<br>"
                f"{data['internal_edges']:,} dependencies inside<br>"
                f"Consumers: {counts[0]:,} dependencies from {counts[1]:,} others<br>"
                "Click to open the domain")
    lines = [
        f"<b>{name}</b>",
        f"{layer} · {_esc(data.get('domain_name') or '')}",
        f"Owner: {_esc(data.get('team_name') or 'no owner team')}",
        f"Tier {data.get('tier') or '?'} · {data.get('lifecycle') or 'unknown'}",
        f"Consumers: {sum(counts):,} ({counts[0]:,} capabilities, {counts[1]:,} businesses)",
    ]
    if reach is not None:
        lines.append(f"Reached by {reach:,} businesses")
    if data.get("uses_hubs"):
        lines.append(f"Uses collapsed hubs: {len(data['uses_hubs'])}")
    if n == view.focus:
        lines.append("(focus)")
    return "<br>".join(lines)


def _esc(text: Any) -> str:
    """Escape text for plotly's pseudo-HTML (it decodes the entities)."""
    return inert(text or "")


def _node_facts(H, n, point, counts, reach) -> dict[str, Any]:
    data = H.nodes[n]
    facts = {
        "id": n,
        "slug": data.get("slug"),
        "kind": data.get("kind"),
        "name": data.get("name") or data.get("slug") or str(n),
        "layer": data.get("layer"),
        "x": round(point[0], 2),
        "y": round(-point[1], 2),
        "consumers": sum(counts),
    }
    if data.get("kind") == "capability":
        facts.update(domain=data.get("domain"), domain_name=data.get("domain_name"),
                     team=data.get("team"), team_name=data.get("team_name"),
                     tier=data.get("tier"), lifecycle=data.get("lifecycle"), reach=reach,
                     consumer_businesses=counts[1])
    elif data.get("kind") == "domain":
        facts.update(size=data.get("size"), internal_edges=data.get("internal_edges"))
    elif data.get("kind") == "group":
        facts.update(size=data.get("size"), side=data.get("side"),
                     domain=data.get("domain"), domain_name=data.get("domain_name"))
    return facts


def _node_color(data: Mapping[str, Any]) -> str:
    """The colour of a node's layer (a business's: the frontend's)."""
    band = BANDS[band_of(data)]
    return LAYER_COLORS.get("frontend" if band == "business" else band, OTHER_COLOR)


def _node_symbol(data: Mapping[str, Any]) -> str:
    if data.get("kind") == "group":
        return "diamond"
    return "square" if band_of(data) == 0 else "circle"


def _layout(bands: list[_Band], plot_w: float, has_nodes: bool,
            colors: list[str]) -> dict[str, Any]:
    height = max(bands[-1].bottom + BAND_GAP if bands else 0.0, 120.0)
    shapes, annotations = [], []
    for band in bands:
        shapes.append({"type": "rect", "xref": "x", "yref": "y", "layer": "below",
                       "x0": 0, "x1": round(plot_w, 2), "y0": round(-band.top, 2),
                       "y1": round(-band.bottom, 2), "line": {"width": 0},
                       "fillcolor": colors[band.index], "opacity": 0.045})
        annotations.append({"x": 0, "y": round(-band.top - 4, 2), "xref": "x", "yref": "y",
                            "text": band.header, "showarrow": False, "xanchor": "left",
                            "yanchor": "top", "font": {"size": FONT_PX, "color": "#475569"}})
    if not has_nodes:
        annotations.append({"x": plot_w / 2, "y": -height / 2, "xref": "x", "yref": "y",
                            "text": "Nothing to draw: no node matches these filters.",
                            "showarrow": False, "font": {"size": 14, "color": "#475569"}})
    return {
        "height": round(height) + MARGIN["t"] + MARGIN["b"],
        "margin": {**MARGIN, "autoexpand": False},
        "xaxis": {"range": [0, round(plot_w, 2)], "visible": False},
        "yaxis": {"range": [round(-height, 2), 0], "visible": False},
        "showlegend": False,
        "hovermode": "closest",
        "dragmode": "pan",
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"},
        "hoverlabel": {"align": "left"},
        "shapes": shapes,
        "annotations": annotations,
    }


def summary(view: View) -> str:
    """Say in one or two sentences what the view shows and what it leaves out.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> summary(select_view(G, GraphQuery()))
    '3 nodes and 2 edges shown.'
    """
    s = view.stats
    if view.aggregated:
        text = (f"{s['nodes']:,} domains and businesses and {s['edges']:,} links between them "
                f"({s['dependencies']:,} dependencies) shown.")
    else:
        text = f"{s['nodes']:,} nodes and {s['edges']:,} edges shown."
    if s["hidden_nodes"] or s["hidden_edges"]:
        text += (f" {s['hidden_nodes']:,} nodes and {s['hidden_edges']:,} edges hidden by the "
                 "focus, depth or filters.")
    if s["indirect_edges"]:
        text += (f" {s['indirect_edges']:,} indirect edges stand for paths through hidden "
                 "nodes.")
    if s["collapsed_nodes"]:
        text += f" {s['collapsed_nodes']:,} hubs collapsed ({s['collapsed_edges']:,} edges)."
    return text


def edge_rows(view: View, G: nx.DiGraph, *, limit: int | None = None) -> list[dict[str, Any]]:
    """Return the edges of ``view`` as table rows, sorted by consumer and provider name.

    Each row: ``consumer`` and ``provider`` (``{"id", "kind", "slug",
    "name"}``), ``kind``, ``indirect``, ``via`` (names of the hidden nodes on
    an indirect edge's path, looked up in the whole graph ``G``) and
    ``weight`` (dependencies behind an aggregated edge, else 1). At most
    ``limit`` rows: the first ones in that order.

    Examples
    --------
    >>> G = nx.DiGraph([("business:x", "capability:a", {"kind": "adoption"})])
    >>> [(r["consumer"]["id"], r["provider"]["id"], r["kind"])
    ...  for r in edge_rows(select_view(G, GraphQuery()), G)]
    [('business:x', 'capability:a', 'adoption')]
    """
    H = view.graph
    names = {n: data.get("name") or data.get("slug") or str(n) for n, data in H.nodes(data=True)}
    folded = {n: name.lower() for n, name in names.items()}

    def order(edge):
        return folded[edge[0]], folded[edge[1]], edge[0], edge[1]

    def node(n):
        data = H.nodes[n]
        return {"id": n, "kind": data.get("kind"), "slug": data.get("slug"), "name": names[n]}

    edges = H.edges(data=True)
    chosen = sorted(edges, key=order) if limit is None else heapq.nsmallest(limit, edges, key=order)
    rows = []
    for u, v, data in chosen:
        hidden = data["via"] if data.get("indirect") else ()
        rows.append({"consumer": node(u), "provider": node(v),
                     "kind": data.get("kind") or ("dependencies" if view.aggregated else ""),
                     "indirect": bool(data.get("indirect")),
                     "via": [G.nodes[h].get("name") or str(h) for h in hidden],
                     "weight": data.get("weight", 1)})
    return rows


def graphml_graph(H: nx.DiGraph) -> nx.DiGraph:
    """Return a copy of ``H`` that GraphML accepts: None dropped, lists joined with ", ".

    Examples
    --------
    >>> H = nx.DiGraph([("a", "b", {"via": ["x", "y"], "api": None})])
    >>> graphml_graph(H).edges["a", "b"]
    {'via': 'x, y'}
    """
    out = nx.DiGraph(**_graphml_attrs(H.graph))
    out.add_nodes_from((n, _graphml_attrs(data)) for n, data in H.nodes(data=True))
    out.add_edges_from((u, v, _graphml_attrs(data)) for u, v, data in H.edges(data=True))
    return out


def _graphml_attrs(data: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple, set, frozenset)):
            value = ", ".join(map(str, value))
        elif not isinstance(value, (str, int, float, bool)):
            value = str(value)
        out[key] = value
    return out

