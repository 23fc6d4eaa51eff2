"""Analyse the catalog graph: impact, paths, cycles, layering, reuse, views.

Every function takes the graph first and options as keywords, never changes
its input, and returns plain lists, dicts or a new graph. Edges run consumer
-> provider, so a node's *dependents* (its blast radius) are its ancestors and
its *dependencies* are its descendants.

Node attributes used here (as :func:`graphs.build.build_graph` sets them):
``kind`` (a node whose kind is ``"business"`` is a business; every other node
counts as a capability), ``layer``, ``domain``, ``domain_name``, ``lifecycle``
and, for businesses, ``slug``. Nothing here reads the database.
"""

import collections
import itertools
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping

import networkx as nx

from graphs.layers import layer_rank
from graphs.nodes import domain_node, parse_node

__all__ = [
    "aggregate_by_domain",
    "business_reach",
    "collapse",
    "cycles",
    "dependencies_of",
    "dependent_counts",
    "direct_consumers",
    "ego_subgraph",
    "filter_nodes",
    "group_neighbours",
    "impact_of",
    "induced_copy",
    "keystones",
    "layering_breaks",
    "node_business_reach",
    "paths_between",
    "project",
    "reaching_businesses",
    "require_nodes",
]

DIRECTIONS = ("up", "down", "both")


def require_nodes(G: nx.DiGraph, *nodes: Hashable) -> None:
    """Raise ``networkx.NodeNotFound`` naming every one of ``nodes`` not in ``G``.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b")])
    >>> require_nodes(G, "a", "b")
    >>> require_nodes(G, "a", "x")
    Traceback (most recent call last):
    networkx.exception.NodeNotFound: Node 'x' is not in the graph.
    >>> require_nodes(G, "y", "x")
    Traceback (most recent call last):
    networkx.exception.NodeNotFound: Nodes not in the graph: ["'x'", "'y'"]
    """
    missing = list(dict.fromkeys(node for node in nodes if node not in G))
    if len(missing) == 1:
        raise nx.NodeNotFound(f"Node {missing[0]!r} is not in the graph.")
    if missing:
        raise nx.NodeNotFound(f"Nodes not in the graph: {sorted(map(repr, missing))}")


def direct_consumers(G: nx.DiGraph, node: Hashable) -> dict[str, list[str]]:
    """Return the slugs of what uses ``node`` directly: capabilities and businesses.

    One edge per dependent capability and per business adopting it (ended
    adoptions are not edges), so their number is ``G.in_degree(node)``.

    Examples
    --------
    >>> G = nx.DiGraph([("capability:a", "capability:c"), ("business:b", "capability:c")])
    >>> direct_consumers(G, "capability:c")
    {'capabilities': ['a'], 'businesses': ['b']}
    """
    used_by: dict[str, list[str]] = {"capabilities": [], "businesses": []}
    for consumer in G.predecessors(node):
        kind, slug = parse_node(consumer)
        used_by["businesses" if kind == "business" else "capabilities"].append(slug)
    return {kind: sorted(slugs) for kind, slugs in used_by.items()}


def impact_of(G: nx.DiGraph, node: Hashable, *, depth: int | None = None) -> dict:
    """Return the transitive dependents of ``node`` with their distances.

    The dependents are every node that reaches ``node`` along the edges: its
    direct consumers, their consumers, and so on (the blast radius of a change).

    Parameters
    ----------
    G : networkx.DiGraph
        Edges run consumer -> provider.
    node : node
        The provider whose dependents are wanted.
    depth : int, optional
        Only dependents at most this many hops away (None: all of them).

    Returns
    -------
    dict
        ``{dependent: distance}``, the distance being the shortest number of
        hops (1 = direct consumer), nearest first; ``node`` itself is left out.

    Raises
    ------
    networkx.NodeNotFound
        If ``node`` is not in ``G``.
    ValueError
        If ``depth`` is negative.

    Examples
    --------
    >>> G = nx.DiGraph([("shop", "orders"), ("orders", "payments")])
    >>> impact_of(G, "payments")
    {'orders': 1, 'shop': 2}
    >>> impact_of(G, "payments", depth=1)
    {'orders': 1}
    """
    return _distances(G.reverse(copy=False), node, depth)


def dependencies_of(G: nx.DiGraph, node: Hashable, *, depth: int | None = None) -> dict:
    """Return the transitive dependencies of ``node`` with their distances.

    The dependencies are every node ``node`` reaches along the edges: its direct
    providers, their providers, and so on. The mirror of :func:`impact_of`,
    following the edges instead of walking them back: the same parameters,
    errors and ``{node: distance}`` result (1 = direct provider).

    Examples
    --------
    >>> G = nx.DiGraph([("shop", "orders"), ("orders", "payments")])
    >>> dependencies_of(G, "shop")
    {'orders': 1, 'payments': 2}
    """
    return _distances(G, node, depth)


def _distances(G, node, depth):
    require_nodes(G, node)
    if depth is not None and depth < 0:
        raise ValueError(f"depth must be None or at least 0, not {depth!r}")
    distances = nx.single_source_shortest_path_length(G, node, cutoff=depth)
    del distances[node]
    return distances


def paths_between(G: nx.DiGraph, source: Hashable, target: Hashable, *,
                  limit: int = 20, cutoff: int | None = None) -> list[list]:
    """Return simple paths from ``source`` to ``target``, shortest first.

    Parameters
    ----------
    G : networkx.DiGraph
        Edges run consumer -> provider.
    source, target : node
        Where the paths start and end.
    limit : int, optional (default 20)
        At most this many paths.
    cutoff : int, optional
        Only paths of at most this many hops (None: any length).

    Returns
    -------
    list of lists
        Each path a list of nodes from ``source`` to ``target``; fewer hops
        first, equally long paths in node order. Empty when ``target`` cannot
        be reached. ``[[source]]`` when ``source == target``.

    Raises
    ------
    networkx.NodeNotFound
        If ``source`` or ``target`` is not in ``G``.

    Examples
    --------
    >>> G = nx.DiGraph([("shop", "orders"), ("orders", "payments"), ("shop", "payments")])
    >>> paths_between(G, "shop", "payments")
    [['shop', 'payments'], ['shop', 'orders', 'payments']]
    >>> paths_between(G, "shop", "payments", cutoff=1)
    [['shop', 'payments']]
    """
    require_nodes(G, source, target)
    if source == target:
        return [[source]] if limit > 0 else []
    found = []
    try:
        for path in itertools.islice(nx.shortest_simple_paths(G, source, target), limit):
            if cutoff is not None and len(path) - 1 > cutoff:
                break
            found.append(path)
    except nx.NetworkXNoPath:
        return []
    return sorted(found, key=lambda path: (len(path), path))


def cycles(G: nx.DiGraph, *, limit: int = 50, length_bound: int | None = None) -> dict:
    """Return the dependency cycles of ``G``.

    Parameters
    ----------
    G : networkx.DiGraph
        Edges run consumer -> provider.
    limit : int, optional (default 50)
        At most this many cycles (a tangle can hold exponentially many).
    length_bound : int, optional
        Only cycles of at most this many nodes (None: any length).

    Returns
    -------
    dict
        ``"components"``: every strongly connected component of more than one
        node, each a sorted list, the list sorted. ``"cycles"``: up to ``limit``
        simple cycles, each a list of nodes rotated to start at its smallest
        node, the list sorted; a self-loop is the cycle ``[node]``.
        ``"truncated"``: True when ``limit`` left some cycles out. Which
        cycles are kept then depends only on the nodes and edges, not on the
        order they were added in nor on the process.

    Examples
    --------
    >>> G = nx.DiGraph([("orders", "stock"), ("stock", "orders"), ("shop", "orders")])
    >>> cycles(G)
    {'components': [['orders', 'stock']], 'cycles': [['orders', 'stock']], 'truncated': False}
    """
    components = sorted(sorted(c) for c in nx.strongly_connected_components(G) if len(c) > 1)
    looped = sorted(set(nx.nodes_with_selfloops(G)))
    # simple_cycles starts each search at an arbitrary member of a set of
    # nodes; on integer labels numbered in sorted order that choice no longer
    # depends on string hashing, so a truncated list is the same in every run.
    nodes = sorted(set(itertools.chain(looped, *components)))
    number = {node: i for i, node in enumerate(nodes)}
    tangle = nx.DiGraph()
    tangle.add_nodes_from(range(len(nodes)))
    tangle.add_edges_from(sorted(
        (number[u], number[v]) for u in nodes for v in G.succ[u] if v in number
    ))
    found = [[nodes[i] for i in cycle] for cycle in itertools.islice(
        nx.simple_cycles(tangle, length_bound=length_bound), max(limit, 0) + 1)]
    truncated = len(found) > limit
    rotated = []
    for cycle in found[:limit]:
        start = cycle.index(min(cycle))
        rotated.append(cycle[start:] + cycle[:start])
    return {"components": components, "cycles": sorted(rotated), "truncated": truncated}


def layering_breaks(G: nx.DiGraph) -> list[tuple]:
    """Return the edges whose provider sits in a higher layer than its consumer.

    Layers rank frontend (0) < business-platform (1) < data-platform (2) <
    infrastructure (3). A consumer may use providers of its own layer or below
    it (a business uses anything; a data capability may use another data
    capability); infrastructure depending on business-platform is a break.
    Nodes without a known ``layer`` attribute break nothing.

    Parameters
    ----------
    G : networkx.DiGraph
        Edges run consumer -> provider; nodes carry ``layer``.

    Returns
    -------
    list of tuples
        The offending ``(consumer, provider)`` edges, sorted.

    Examples
    --------
    >>> G = nx.DiGraph([("orders", "queue"), ("queue", "members")])
    >>> nx.set_node_attributes(G, {"orders": "business-platform",
    ...     "queue": "infrastructure", "members": "business-platform"}, "layer")
    >>> layering_breaks(G)
    [('queue', 'members')]
    """
    breaks = []
    for u, v in G.edges:
        consumer = layer_rank(G.nodes[u].get("layer"))
        provider = layer_rank(G.nodes[v].get("layer"))
        if consumer is not None and provider is not None and provider < consumer:
            breaks.append((u, v))
    return sorted(breaks)


def business_reach(G: nx.DiGraph) -> dict:
    """Return, for every capability, how many businesses reach it.

    A business reaches a capability when a chain of edges leads from the
    business to it (it adopts it, or adopts something that depends on it, and
    so on). Each business counts once however many chains it has.

    Parameters
    ----------
    G : networkx.DiGraph
        Edges run consumer -> provider; businesses have ``kind="business"``.

    Returns
    -------
    dict
        ``{capability: number of distinct businesses}`` for every node whose
        ``kind`` is not ``"business"``, in the graph's node order.

    Notes
    -----
    One pass in topological order (over the condensation when ``G`` has
    cycles), carrying the set of businesses seen upstream as an integer bit
    set: linear in the size of the graph times the number of businesses / 64.

    Examples
    --------
    >>> G = nx.DiGraph([("tmall", "orders"), ("taobao", "orders"), ("orders", "payments")])
    >>> nx.set_node_attributes(G, {"tmall": "business", "taobao": "business"}, "kind")
    >>> business_reach(G)
    {'orders': 2, 'payments': 2}
    """
    bit, reached = business_bits(G)
    return {n: reached[n].bit_count() for n in G if n not in bit}


def node_business_reach(G: nx.DiGraph, node: Hashable) -> int:
    """Return how many businesses reach ``node``: :func:`business_reach` of one node.

    One walk up from ``node`` (its ancestors), for a graph whose whole map is
    not worth computing, such as the catalog as of a moment looked at once.

    Examples
    --------
    >>> G = nx.DiGraph([("tmall", "orders"), ("taobao", "orders"), ("orders", "payments")])
    >>> nx.set_node_attributes(G, {"tmall": "business", "taobao": "business"}, "kind")
    >>> node_business_reach(G, "payments"), node_business_reach(G, "tmall")
    (2, 0)
    """
    kinds = G.nodes
    return sum(1 for n in nx.ancestors(G, node) if kinds[n].get("kind") == "business")


def reaching_businesses(G: nx.DiGraph) -> dict:
    """Return, for every capability, the businesses that reach it (see :func:`business_reach`).

    Examples
    --------
    >>> G = nx.DiGraph([("tmall", "orders"), ("taobao", "orders"), ("orders", "payments")])
    >>> nx.set_node_attributes(G, {"tmall": "business", "taobao": "business"}, "kind")
    >>> reaching_businesses(G)["payments"]
    ['taobao', 'tmall']
    """
    bit, reached = business_bits(G)
    businesses = sorted(bit, key=bit.__getitem__)
    found = {}
    for n in G:
        if n in bit:
            continue
        bits, members = reached[n], []
        while bits:
            low = bits & -bits
            members.append(businesses[low.bit_length() - 1])
            bits ^= low
        found[n] = sorted(members)
    return found


def business_bits(G: nx.DiGraph) -> tuple[dict, dict]:
    """Return ``({business: its bit}, {node: bits of the businesses reaching it})``.

    Bits follow the businesses' order in ``G``; a business reaches itself.
    """
    bit = {n: 1 << i for i, n in enumerate(_businesses(G))}
    if nx.is_directed_acyclic_graph(G):
        reached = {}
        for n in nx.topological_sort(G):
            bits = bit.get(n, 0)
            for p in G.pred[n]:
                bits |= reached[p]
            reached[n] = bits
    else:
        C = nx.condensation(G)
        seen = {}
        for c in nx.topological_sort(C):
            bits = 0
            for n in C.nodes[c]["members"]:
                bits |= bit.get(n, 0)
            for p in C.pred[c]:
                bits |= seen[p]
            seen[c] = bits
        reached = {n: seen[c] for n, c in C.graph["mapping"].items()}
    return bit, reached


def dependent_counts(G: nx.DiGraph, *, edge: Callable[[dict], bool] | None = None) -> dict:
    """Return, for every capability, how many capabilities depend on it, directly or not.

    Businesses are not counted (every business reaches the deep capabilities
    of a platform, so their number does not tell them apart); a capability
    does not count itself, even inside a cycle.

    Parameters
    ----------
    G : networkx.DiGraph
        Edges run consumer -> provider; businesses have ``kind="business"``.
    edge : callable, optional
        Follow only the edges whose attribute dict it accepts (e.g.
        :func:`graphs.reach.is_sync`: what goes down with a capability).

    Returns
    -------
    dict
        ``{capability: number of distinct dependent capabilities}`` in node order.

    Notes
    -----
    One pass in topological order over the condensation, carrying the set of
    dependents as an integer bit set: linear in the size of the graph times
    the number of capabilities / 64 (about 0.1 s at 10,000 and 50,000 edges).

    Examples
    --------
    >>> G = nx.DiGraph([("shop", "orders"), ("orders", "payments"), ("tmall", "payments"),
    ...                 ("refunds", "payments")])
    >>> G.nodes["tmall"]["kind"] = "business"
    >>> dependent_counts(G)
    {'shop': 0, 'orders': 1, 'payments': 3, 'refunds': 0}
    """
    capabilities = [n for n, kind in G.nodes(data="kind") if kind != "business"]
    if edge is not None:
        H = nx.DiGraph()
        H.add_nodes_from(G)
        H.add_edges_from((u, v) for u, v, data in G.edges(data=True) if edge(data))
    else:
        H = G
    position = {n: i for i, n in enumerate(capabilities)}
    C = nx.condensation(H)
    # A set is kept only until its last successor has read it, and each bit made
    # when needed: every 1 << i held at once came to 650 MB at 100,000 capabilities.
    seen: dict[int, int] = {}
    unread = dict(C.out_degree())
    counts: dict[Hashable, int] = {}
    for c in nx.topological_sort(C):
        bits = 0
        members = [n for n in C.nodes[c]["members"] if n in position]
        for n in members:
            bits |= 1 << position[n]
        for p in C.pred[c]:
            bits |= seen[p]
            unread[p] -= 1
            if not unread[p]:
                del seen[p]
        if unread[c]:
            seen[c] = bits
        dependents = bits.bit_count() - 1  # each member's own bit is set
        counts.update((n, dependents) for n in members)
    return {n: counts[n] for n in capabilities}


def keystones(G: nx.DiGraph, *, top: int = 10, exact_below: int = 2000, k: int = 500,
              seed: int = 0) -> list[dict]:
    """Return the capabilities the most businesses and paths hang on.

    Capabilities are ranked by business reach (see :func:`business_reach`),
    then by betweenness centrality, then by node.

    Parameters
    ----------
    G : networkx.DiGraph
        Edges run consumer -> provider; businesses have ``kind="business"``.
    top : int, optional (default 10)
        How many capabilities to return.
    exact_below : int, optional (default 2000)
        Betweenness is exact for graphs with fewer nodes than this; for larger
        graphs it is estimated from ``min(k, n)`` sampled sources.
    k : int, optional (default 500)
        Sample size of that estimate; it dominates the running time (about
        2 to 5 s for 500 sources on 10,000 nodes and 50,000 edges), so cache
        the result per catalog revision.
    seed : int, optional (default 0)
        Seed of that sample, so the ranking is repeatable.

    Returns
    -------
    list of dicts
        ``{"node", "business_reach", "dependents", "betweenness"}``, best
        first; ``dependents`` counts every transitive dependent
        (see :func:`impact_of`), ``betweenness`` is normalised.

    Examples
    --------
    >>> G = nx.DiGraph([("taobao", "orders"), ("orders", "payments")])
    >>> G.nodes["taobao"]["kind"] = "business"
    >>> [(k["node"], k["business_reach"], k["dependents"]) for k in keystones(G)]
    [('orders', 1, 1), ('payments', 1, 2)]
    """
    reach = business_reach(G)
    n = len(G)
    if n < exact_below:
        betweenness = nx.betweenness_centrality(G)
    else:
        betweenness = nx.betweenness_centrality(G, k=min(k, n), seed=seed)
    ranked = sorted(reach, key=lambda c: (-reach[c], -betweenness[c], c))[:max(top, 0)]
    return [
        {"node": c, "business_reach": reach[c], "dependents": len(impact_of(G, c)),
         "betweenness": betweenness[c]}
        for c in ranked
    ]


def ego_subgraph(G: nx.DiGraph, focus: Hashable, *, depth: int | None = 1,
                 direction: str = "both") -> nx.DiGraph:
    """Return the neighbourhood of ``focus`` as a new graph.

    Parameters
    ----------
    G : networkx.DiGraph
        Edges run consumer -> provider.
    focus : node
        The node in the middle.
    depth : int or None, optional (default 1)
        Follow at most this many edges from ``focus`` (None: no bound).
    direction : {"both", "down", "up"}, optional
        ``"down"`` follows edges to providers, ``"up"`` against them to
        consumers, ``"both"`` takes the union of the two (providers of
        providers and consumers of consumers, never a provider's other
        consumers).

    Returns
    -------
    networkx.DiGraph
        A copy of the subgraph induced on ``focus`` and the nodes found, with
        node, edge and graph attributes; nodes in ``G``'s order.

    Raises
    ------
    networkx.NodeNotFound
        If ``focus`` is not in ``G``.
    ValueError
        If ``direction`` is not one of "both", "down", "up", or ``depth`` is
        negative.

    Examples
    --------
    >>> G = nx.DiGraph([("shop", "orders"), ("orders", "payments")])
    >>> list(ego_subgraph(G, "payments", direction="up").edges)
    [('orders', 'payments')]
    >>> list(ego_subgraph(G, "shop", depth=None, direction="down").edges)
    [('shop', 'orders'), ('orders', 'payments')]
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    nodes = {focus}
    if direction in ("down", "both"):
        nodes.update(dependencies_of(G, focus, depth=depth))
    if direction in ("up", "both"):
        nodes.update(impact_of(G, focus, depth=depth))
    return induced_copy(G, nodes)


def filter_nodes(G: nx.DiGraph, *, domain: str | None = None, business: str | None = None,
                 lifecycle: str | None = None) -> set:
    """Return the nodes a set of graph filters keeps.

    With no filter every node is kept. Otherwise:

    * a capability (any node whose ``kind`` is not ``"business"``) is kept when
      it passes every filter given: ``domain`` equals its ``domain``
      attribute, ``lifecycle`` equals its ``lifecycle`` attribute, and it is
      reachable downstream from the business whose ``slug`` is ``business``;
    * with ``business`` given, that business is kept and no other;
    * without it, a business is kept when it reaches a kept capability
      through any chain of edges (directly or through hidden nodes).

    Pass the result to :func:`project` so that the edges through hidden nodes
    are drawn as indirect edges rather than dropped.

    Parameters
    ----------
    G : networkx.DiGraph
        Edges run consumer -> provider.
    domain : str, optional
        A domain slug.
    business : str, optional
        A business slug (an unknown one keeps nothing).
    lifecycle : str, optional
        A lifecycle, e.g. ``"production"``.

    Returns
    -------
    set
        The kept nodes.

    Examples
    --------
    >>> G = nx.DiGraph([("taobao", "orders"), ("orders", "queue")])
    >>> nx.set_node_attributes(G, {"taobao": {"kind": "business", "slug": "taobao"},
    ...     "orders": {"domain": "trade"}, "queue": {"domain": "middleware"}})
    >>> sorted(filter_nodes(G, domain="middleware"))
    ['queue', 'taobao']
    """
    if domain is None and business is None and lifecycle is None:
        return set(G)
    wanted = {"domain": domain, "lifecycle": lifecycle}
    wanted = {key: value for key, value in wanted.items() if value is not None}
    kept = {
        n for n, data in G.nodes(data=True)
        if data.get("kind") != "business"
        and all(data.get(key) == value for key, value in wanted.items())
    }
    if business is not None:
        chosen = {
            n for n, data in G.nodes(data=True)
            if data.get("kind") == "business" and data.get("slug") == business
        }
        downstream = set().union(*(nx.descendants(G, b) for b in chosen))
        return (kept & downstream) | chosen
    if not kept:
        return kept
    upstream = itertools.chain.from_iterable(nx.bfs_layers(G.reverse(copy=False), kept))
    return kept | {n for n in upstream if G.nodes[n].get("kind") == "business"}


def project(G: nx.DiGraph, keep: Iterable) -> tuple[nx.DiGraph, dict]:
    """Return the graph on ``keep``, with indirect edges standing in for hidden paths.

    No edge is dropped silently: when ``B`` is hidden in ``A -> B -> C``, the
    result has the edge ``A -> C`` marked ``indirect=True``. In general a kept
    node ``a`` gets an indirect edge to every kept node ``c`` (other than
    itself) that it reaches through a path whose inner nodes are all hidden,
    unless ``G`` already has the direct edge ``a -> c``.

    Parameters
    ----------
    G : networkx.DiGraph
        Edges run consumer -> provider.
    keep : iterable of nodes
        The nodes to show, e.g. from :func:`filter_nodes`.

    Returns
    -------
    (networkx.DiGraph, dict)
        The graph: a copy of the subgraph induced on ``keep`` (attributes
        included, nodes in ``G``'s order) plus the indirect edges, each with
        ``indirect=True``, ``hops`` (the length of the shortest hidden path,
        at least 2) and ``via`` (the hidden nodes along that path). The stats:
        ``{"hidden_nodes", "hidden_edges", "indirect_edges"}``, the numbers of
        nodes and edges of ``G`` left out and of indirect edges added.

    Raises
    ------
    networkx.NodeNotFound
        If a node of ``keep`` is not in ``G``.

    Notes
    -----
    One breadth-first search per kept node, through hidden nodes only.

    Examples
    --------
    >>> G = nx.DiGraph([("shop", "orders"), ("orders", "payments")])
    >>> H, stats = project(G, {"shop", "payments"})
    >>> list(H.edges(data=True))
    [('shop', 'payments', {'indirect': True, 'hops': 2, 'via': ['orders']})]
    >>> stats
    {'hidden_nodes': 1, 'hidden_edges': 2, 'indirect_edges': 1}
    """
    keep = set(keep)
    require_nodes(G, *keep)
    H = induced_copy(G, keep)
    direct = H.number_of_edges()
    succ = G.succ
    indirect = []
    for a in H:
        # A breadth-first search restricted to hidden nodes. Hand-written
        # because a subgraph view filters every adjacency lookup and is
        # several times slower here; parents give one shortest hidden path.
        parent = {h: None for h in succ[a] if h not in keep}
        frontier = list(parent)
        exits = {}
        while frontier:
            following = []
            for h in frontier:
                for s in succ[h]:
                    if s in keep:
                        if s not in exits and s != a and s not in succ[a]:
                            exits[s] = h
                    elif s not in parent:
                        parent[s] = h
                        following.append(s)
            frontier = following
        for c, h in exits.items():
            via = []
            while h is not None:
                via.append(h)
                h = parent[h]
            via.reverse()
            indirect.append((a, c, {"indirect": True, "hops": len(via) + 1, "via": via}))
    H.add_edges_from(indirect)
    stats = {
        "hidden_nodes": len(G) - len(H),
        "hidden_edges": G.number_of_edges() - direct,
        "indirect_edges": len(indirect),
    }
    return H, stats


def collapse(G: nx.DiGraph, nodes: Iterable) -> nx.DiGraph:
    """Return a copy of ``G`` with hub nodes folded into their consumers.

    A hub that almost everything uses (a message queue, a config centre) turns
    a drawing into a hairball. Each hub is removed; each of its consumers
    gets the node attribute ``uses_hubs``, the sorted list of the hubs it
    used; the graph attribute ``collapsed_edges`` counts the edges removed
    with the hubs (into, out of and between them) and ``hubs`` lists them.

    Parameters
    ----------
    G : networkx.DiGraph
        Edges run consumer -> provider.
    nodes : iterable of nodes
        The hubs.

    Returns
    -------
    networkx.DiGraph
        A new graph without the hubs.

    Raises
    ------
    networkx.NodeNotFound
        If a hub is not in ``G``.

    Examples
    --------
    >>> G = nx.DiGraph([("orders", "queue"), ("stock", "queue"), ("orders", "stock")])
    >>> H = collapse(G, ["queue"])
    >>> H.nodes["orders"], H.graph
    ({'uses_hubs': ['queue']}, {'collapsed_edges': 2, 'hubs': ['queue']})
    """
    hubs = set(nodes)
    require_nodes(G, *hubs)
    H = induced_copy(G, set(G) - hubs)
    uses = {}
    for hub in sorted(hubs):
        for consumer in G.pred[hub]:
            if consumer not in hubs:
                uses.setdefault(consumer, []).append(hub)
    for consumer, used in uses.items():
        H.nodes[consumer]["uses_hubs"] = used
    H.graph["collapsed_edges"] = G.number_of_edges() - H.number_of_edges()
    H.graph["hubs"] = sorted(hubs)
    return H


def aggregate_by_domain(G: nx.DiGraph) -> nx.DiGraph:
    """Return the domain-level graph: one node per domain, businesses as they are.

    Nodes with a ``domain`` attribute (capabilities) merge into the node
    ``domain:<slug>`` with attributes ``kind="domain"``, ``slug``, ``name``
    (from ``domain_name``), ``layer``, ``size`` (number of capabilities) and
    ``internal_edges`` (edges between two capabilities of the domain, which
    become no self-loop). Other nodes (businesses) are kept with their
    attributes. An edge ``X -> Y`` has ``weight``: the number of edges of
    ``G`` from a member of ``X`` to a member of ``Y``.

    Parameters
    ----------
    G : networkx.DiGraph
        Edges run consumer -> provider.

    Returns
    -------
    networkx.DiGraph
        A new graph; nodes in order of first appearance in ``G``.

    Examples
    --------
    >>> G = nx.DiGraph([("orders", "carts"), ("orders", "queue"), ("carts", "queue")])
    >>> nx.set_node_attributes(G, {"orders": "trade", "carts": "trade", "queue": "mq"}, "domain")
    >>> A = aggregate_by_domain(G)
    >>> list(A.edges(data="weight")), A.nodes["domain:trade"]["internal_edges"]
    ([('domain:trade', 'domain:mq', 2)], 1)
    """
    A = nx.DiGraph()
    group = {}
    for n, data in G.nodes(data=True):
        slug = data.get("domain")
        if slug is None:
            group[n] = n
            A.add_node(n, **data)
            continue
        g = group[n] = domain_node(slug)
        if g not in A:
            A.add_node(g, kind="domain", slug=slug, name=data.get("domain_name", slug),
                       layer=data.get("layer"), size=0, internal_edges=0)
        A.nodes[g]["size"] += 1
    for u, v in G.edges:
        gu, gv = group[u], group[v]
        if gu == gv and gu != u:
            A.nodes[gu]["internal_edges"] += 1
        elif A.has_edge(gu, gv):
            A.edges[gu, gv]["weight"] += 1
        else:
            A.add_edge(gu, gv, weight=1)
    return A


def group_neighbours(G: nx.DiGraph, focus: Hashable, *, limit: int = 300, row_limit: int = 60,
                     expand: Collection = (), weight: Mapping | None = None) -> nx.DiGraph:
    """Return the neighbourhood ``G`` of ``focus`` drawn with at most ``limit`` nodes.

    The nodes nearest ``focus`` stay as they are; the others are folded, per
    side (its dependents above, its dependencies below) and domain, into
    group nodes (the lineage view's "+N in domain X"), and edges into or
    between groups are bundled into one edge each with a ``weight``.

    Parameters
    ----------
    G : networkx.DiGraph
        A neighbourhood of ``focus`` (see :func:`ego_subgraph`); edges run
        consumer -> provider.
    focus : node
        Never folded.
    limit : int, optional (default 300)
        The most nodes (kept nodes plus groups) the result has.
    row_limit : int, optional (default 60)
        The most nodes kept at one distance on one side (groups included),
        so that a row of the drawing can be labelled; expanded groups may
        exceed it.
    expand : collection of str, optional
        Ids of groups whose members are kept first (as many as fit).
    weight : mapping, optional
        ``{node: importance}`` (e.g. direct consumers in the whole catalog);
        among nodes at the same distance, the more important stay.

    Returns
    -------
    networkx.DiGraph
        ``G`` itself when it has at most ``limit`` nodes; else a new graph of
        the kept nodes (with their attributes) and group nodes ``group:<side>:<domain>``
        with ``kind="group"``, ``name`` ("+N in <domain name>"), ``size``,
        ``side`` ("up" or "down"), ``domain``, ``layer``, ``members_kind``
        ("business" or "capability") and ``members`` (sorted). Only the edges
        on a shortest way to or from the focus are kept (lineage); the graph
        attribute ``side_edges`` counts the others. Edges carry ``weight`` (1
        for an edge between two kept nodes).

    Raises
    ------
    networkx.NodeNotFound
        If ``focus`` is not in ``G``.

    Examples
    --------
    >>> G = nx.DiGraph([(f"c{i}", "hub") for i in range(10)])
    >>> nx.set_node_attributes(G, "shop", "domain")
    >>> H = group_neighbours(G, "hub", limit=5)
    >>> len(H), H.nodes["group:up:shop"]["name"], H.edges["group:up:shop", "hub"]["weight"]
    (5, '+7 in shop', 7)
    """
    require_nodes(G, focus)
    if len(G) <= limit:
        return G
    down = nx.single_source_shortest_path_length(G, focus)
    up = nx.single_source_shortest_path_length(G.reverse(copy=False), focus)
    weight = weight or {}

    def side(n):
        return "down" if n in down and (n not in up or down[n] <= up[n]) else "up"

    def key(n):
        data = G.nodes[n]
        if data.get("kind") == "business":
            return f"group:{side(n)}:businesses"
        return f"group:{side(n)}:{data.get('domain') or 'none'}"

    others = [n for n in G if n != focus]
    keys = {n: key(n) for n in others}
    wanted = set(expand)
    def row(n):
        return side(n), min(down.get(n, 1 << 30), up.get(n, 1 << 30))

    ranked = sorted(others, key=lambda n: (keys[n] not in wanted, row(n)[1], -weight.get(n, 0),
                                           str(n)))
    # Each row of the drawing (a side and a distance) keeps as many nodes as can be
    # labelled, its groups included; the whole keeps at most ``limit``.
    groups_in_row = collections.Counter()
    for where in {keys[n]: row(n) for n in reversed(ranked)}.values():
        groups_in_row[where] += 1
    budget = max(limit - 1 - len(set(keys.values())), min(limit - 1, 20))
    room = collections.Counter()
    kept = {focus}
    for n in ranked:
        if len(kept) > budget:
            break
        if room[row(n)] < max(row_limit - groups_in_row[row(n)], 10) or keys[n] in wanted:
            room[row(n)] += 1
            kept.add(n)
    least_wanted_last = [n for n in ranked if n in kept]
    while len(kept) + len({keys[n] for n in others if n not in kept}) > limit and least_wanted_last:
        kept.discard(least_wanted_last.pop())
    H = induced_copy(G, kept)
    nx.set_edge_attributes(H, 1, "weight")
    members: dict = {}
    for n in others:
        if n not in kept:
            members.setdefault(keys[n], []).append(n)
    for group, nodes in members.items():
        first = G.nodes[nodes[0]]
        is_business = first.get("kind") == "business"
        name = "businesses" if is_business else (first.get("domain_name") or
                                                first.get("domain") or "no domain")
        H.add_node(group, kind="group", slug=group.split(":", 1)[1], name=f"+{len(nodes):,} in {name}",
                   size=len(nodes), side=group.split(":")[1], domain=first.get("domain"),
                   domain_name=first.get("domain_name"), layer=None if is_business else first.get("layer"),
                   members_kind="business" if is_business else "capability",
                   members=sorted(nodes))
    where = {n: (n if n in kept else keys[n]) for n in G}
    side_edges = 0
    for u, v, data in G.edges(data=True):
        if not (up.get(u, -1) == up.get(v, -3) + 1 or down.get(v, -1) == down.get(u, -3) + 1):
            side_edges += 1  # between neighbours, not on a way to or from the focus
            if H.has_edge(u, v):
                H.remove_edge(u, v)
            continue
        a, b = where[u], where[v]
        if a == b or (a == u and b == v):
            continue
        if H.has_edge(a, b):
            H.edges[a, b]["weight"] += 1
            H.edges[a, b]["indirect"] = H.edges[a, b]["indirect"] and bool(data.get("indirect"))
        else:
            H.add_edge(a, b, weight=1, kind="dependencies", indirect=bool(data.get("indirect")))
    H.graph["side_edges"] = side_edges
    return H


def _businesses(G: nx.DiGraph) -> list:
    return [n for n, kind in G.nodes(data="kind") if kind == "business"]


def induced_copy(G: nx.DiGraph, nodes: Collection) -> nx.DiGraph:
    """Copy the subgraph induced on ``nodes``, keeping ``G``'s node order.

    ``G.subgraph(nodes).copy()`` iterates a set when ``nodes`` is small, so its
    node order (and every layout drawn from it) would change from run to run.
    """
    H = G.__class__()
    H.graph.update(G.graph)
    H.add_nodes_from((n, data) for n, data in G.nodes(data=True) if n in nodes)
    H.add_edges_from(
        (u, v, data) for u in H for v, data in G.adj[u].items() if v in nodes
    )
    return H
