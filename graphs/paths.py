"""How one node reaches another, and the keystones the graph hangs on.

:func:`shortest_paths` lists every shortest chain of links from one node to
another (capped); :func:`keystone_ranking` ranks capabilities by sampled
betweenness (how many shortest chains pass through them) and flags the
articulation points (taking one away splits the graph). Both are pure
functions over the catalog graph; the keystones of the live catalog are
computed once per revision (:func:`keystones_of_catalog`).
"""

import itertools
from typing import Any

import networkx as nx

from graphs.analysis import dependent_counts, require_nodes
from graphs.cache import derived
from graphs.nodes import parse_node

__all__ = ["KEYSTONE_SAMPLE", "keystone_ranking", "keystones_of_catalog", "shortest_paths"]

#: Sources sampled to estimate betweenness on big graphs (exact below this many nodes).
KEYSTONE_SAMPLE = 100


def shortest_paths(G: nx.DiGraph, source: str, target: str, *, limit: int = 20) -> dict[str, Any]:
    """Return every shortest path from ``source`` to ``target`` (at most ``limit``).

    Edges run consumer -> provider, so a path from a consumer reaches what it
    depends on. When ``target`` cannot be reached from ``source`` but
    ``source`` from ``target``, those paths are returned with
    ``"reversed": True``.

    Returns
    -------
    dict
        ``{"paths": [[node, ...]], "hops", "reversed", "truncated"}``;
        ``paths`` empty (and ``hops`` None) when neither reaches the other.

    Raises
    ------
    networkx.NodeNotFound
        When ``source`` or ``target`` is not in ``G``.

    Examples
    --------
    >>> G = nx.DiGraph([("shop", "orders"), ("shop", "cart"), ("orders", "pay"), ("cart", "pay")])
    >>> found = shortest_paths(G, "shop", "pay")
    >>> found["paths"], found["hops"], found["truncated"]
    ([['shop', 'cart', 'pay'], ['shop', 'orders', 'pay']], 2, False)
    >>> shortest_paths(G, "pay", "orders")["reversed"]
    True
    """
    require_nodes(G, source, target)
    for start, end, reversed_ in ((source, target, False), (target, source, True)):
        try:
            found = list(itertools.islice(nx.all_shortest_paths(G, start, end), limit + 1))
        except nx.NetworkXNoPath:
            continue
        paths = sorted(found[:limit])
        return {"paths": paths, "hops": len(paths[0]) - 1, "reversed": reversed_,
                "truncated": len(found) > limit}
    return {"paths": [], "hops": None, "reversed": False, "truncated": False}


def keystone_ranking(G: nx.DiGraph, *, k: int = KEYSTONE_SAMPLE, seed: int = 0) -> list[dict]:
    """Return every capability ranked by betweenness, with whether it is an articulation point.

    Parameters
    ----------
    G : networkx.DiGraph
        The catalog graph.
    k : int, optional
        Betweenness is exact for graphs of at most ``k`` nodes and estimated
        from ``k`` sampled sources above (the cost grows with ``k`` times the
        edges: bounded whatever the size of the catalog).
    seed : int, optional
        The sample's seed, so the ranking is the same on every run.

    Returns
    -------
    list of dict
        ``{"node", "betweenness", "articulation", "dependents"}``, highest
        betweenness first (articulation points first among equals).
        ``articulation``: removing it disconnects the graph (links read in
        both directions); ``dependents``: capabilities depending on it.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "c"), ("d", "b")])
    >>> [(r["node"], r["articulation"]) for r in keystone_ranking(G)][:1]
    [('b', True)]
    """
    capabilities = [n for n, kind in G.nodes(data="kind") if kind != "business"]
    sample = None if len(G) <= k else k
    betweenness = nx.betweenness_centrality(G, k=sample, seed=seed if sample else None)
    articulation = set(nx.articulation_points(G.to_undirected(as_view=True)))
    dependents = dependent_counts(G)
    rows = [{"node": n, "betweenness": betweenness[n], "articulation": n in articulation,
             "dependents": dependents[n]} for n in capabilities]
    return sorted(rows, key=lambda r: (-r["betweenness"], not r["articulation"],
                                       -r["dependents"], str(r["node"])))


def keystones_of_catalog() -> list[dict[str, Any]]:
    """Return :func:`keystone_ranking` of the live catalog with slugs and names, once per revision."""
    def compute(G: nx.DiGraph) -> list[dict[str, Any]]:
        rows = []
        for row in keystone_ranking(G):
            data = G.nodes[row["node"]]
            slug = parse_node(row["node"])[1]
            rows.append({"slug": slug, "name": data.get("name") or slug, "team": data.get("team"),
                         "team_name": data.get("team_name"), "tier": data.get("tier"),
                         "betweenness": round(row["betweenness"], 6),
                         "articulation": row["articulation"], "dependents": row["dependents"]})
        return rows
    return derived("keystones", compute)
