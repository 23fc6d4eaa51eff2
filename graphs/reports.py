"""What the impact and dependency pages and endpoints show, from the graph."""

import bisect
import collections
import itertools
import json
import operator
from collections.abc import Iterable
from typing import Any

import networkx as nx

from graphs.analysis import business_reach, cycles, dependent_counts, layering_breaks, require_nodes
from graphs.layers import layer_rank
from graphs.nodes import capability_node, parse_node
from graphs.reach import LINKS, ReachIndex, is_sync

__all__ = [
    "consumer_rows",
    "cycle_report",
    "governance_report",
    "reach_report",
    "reach_report_json",
]

#: Lifecycles in which a capability without consumers is worth a look.
LIVE_LIFECYCLES = ("approved", "production", "deprecated")


def reach_report(G: nx.DiGraph, slug: str, *, direction: str = "up",
                 depth: int | None = None, links: Iterable[str] = LINKS,
                 index: ReachIndex | None = None) -> dict[str, Any]:
    """Return the capabilities and businesses reached from capability ``slug``.

    Parameters
    ----------
    G : networkx.DiGraph
        The catalog graph (edges consumer -> provider).
    slug : str
        The capability.
    direction : {"up", "down"}
        ``"up"``: its dependents, the blast radius of a change (impact);
        ``"down"``: what it depends on, directly and transitively.
    depth : int, optional
        Only nodes at most this many hops away.
    links : iterable of str, optional
        The kinds of link to follow (:data:`graphs.reach.LINKS`; default all).
    index : ReachIndex, optional
        ``ReachIndex(G)``, built once and passed in by callers that ask many
        times (it is what makes a big report cheap).

    Returns
    -------
    dict
        ``{"slug", "direction", "depth", "links", "capabilities": [{"slug",
        "name", "distance", "sync", "tier", "team", ...}], "businesses":
        [{"slug", "name", "distance", "sync"}], "summary"}``, nearest first
        (in breadth-first order within a distance). ``sync`` is True when a
        chain of synchronous links joins the node to ``slug`` (it goes down
        with it), False when every chain has an async or data link (it
        degrades or lags). The summary counts the capabilities (all, tier 1,
        ``sync``), the businesses, ``levels`` (the greatest distance at any
        depth) and lists the owner teams to notify with their numbers of
        capabilities (all and ``sync``).

    Raises
    ------
    networkx.NodeNotFound
        When ``slug`` is not a capability of ``G``.

    Examples
    --------
    >>> G = nx.DiGraph([("capability:b", "capability:a"), ("business:x", "capability:b")])
    >>> G.add_nodes_from(["capability:a", "capability:b"], kind="capability", tier=1)
    >>> G.nodes["business:x"].update(kind="business", name="X")
    >>> [c["slug"] for c in reach_report(G, "a")["capabilities"]]
    ['b']
    >>> reach_report(G, "a")["businesses"]
    [{'slug': 'x', 'name': 'X', 'distance': 2, 'sync': False}]
    """
    index = index if index is not None else ReachIndex(G)
    (nodes, distances, syncs), summary = _reach(index, slug, direction, depth, links)
    rows = index.rows
    capabilities, businesses = [], []
    for node, distance, sync in zip(nodes, distances, syncs, strict=True):
        is_business, public, _ = rows[node]
        (businesses if is_business else capabilities).append(
            {**public, "distance": distance, "sync": sync})
    return {**_head(slug, direction, depth, links), "capabilities": capabilities,
            "businesses": businesses, "summary": summary}


def reach_report_json(G: nx.DiGraph, slug: str, *, direction: str = "up",
                      depth: int | None = None, links: Iterable[str] = LINKS,
                      index: ReachIndex | None = None) -> bytes:
    """Return :func:`reach_report` encoded as JSON, without building its rows.

    Each node's fields are encoded once per index (:attr:`ReachIndex.encoded`);
    an answer joins them, which makes the blast radius of a hub (10,000 rows,
    2 MB) cost little more than the traversal.

    Examples
    --------
    >>> G = nx.DiGraph([("capability:b", "capability:a", {"kind": "sync"})])
    >>> G.add_nodes_from(["capability:a", "capability:b"], kind="capability", tier=1)
    >>> json.loads(reach_report_json(G, "a")) == reach_report(G, "a")
    True
    """
    index = index if index is not None else ReachIndex(G)
    (nodes, distances, syncs), summary = _reach(index, slug, direction, depth, links)
    ends = {(d, s): b',"distance":%d,"sync":%s},' % (d, b"true" if s else b"false")
            for d in set(distances) for s in (False, True)}
    businesses = list(map(index.is_business.__getitem__, nodes))

    def rows(mask) -> bytes:  # each row's fields encoded once, then its distance and sync
        fields = map(index.encoded.__getitem__, itertools.compress(nodes, mask))
        tails = map(ends.__getitem__, zip(itertools.compress(distances, mask),
                                          itertools.compress(syncs, mask), strict=True))
        return b"".join(itertools.chain.from_iterable(zip(fields, tails, strict=True)))[:-1]

    head = json.dumps(_head(slug, direction, depth, links), ensure_ascii=False).encode()
    return b"".join((head[:-1], b',"capabilities":[', rows(list(map(operator.not_, businesses))),
                     b'],"businesses":[', rows(businesses), b'],"summary":',
                     json.dumps(summary, ensure_ascii=False).encode(), b"}"))


def _head(slug, direction, depth, links) -> dict[str, Any]:
    return {"slug": slug, "direction": direction, "depth": depth,
            "links": [link for link in LINKS if link in set(links)]}


def _reach(index: ReachIndex, slug, direction, depth, links) -> tuple[tuple, dict[str, Any]]:
    """Search once; return ``(node numbers, distances, syncs)`` within ``depth``, and the summary."""
    found = index.search(capability_node(slug), direction=direction, links=links)
    cut = len(found.order) if depth is None else bisect.bisect_right(found.distance, depth)
    nodes, syncs = found.order[:cut], found.sync[:cut]
    # map and compress over the per-node lists: the loops run in C (a hub has 10,000 rows)
    capabilities = list(itertools.filterfalse(index.is_business.__getitem__, nodes))
    synced = list(itertools.filterfalse(index.is_business.__getitem__,
                                        itertools.compress(nodes, syncs)))
    teams = collections.Counter(map(index.team_of.__getitem__, capabilities))
    synced_teams = collections.Counter(map(index.team_of.__getitem__, synced))
    teams.pop(None, None)
    teams_to_notify = sorted(({**index.teams[t], "capabilities": n, "sync": synced_teams[t]}
                              for t, n in teams.items()),
                             key=lambda t: (t["name"] or t["slug"]).lower())
    summary = {"capabilities": len(capabilities),
               "tier1_capabilities": sum(map(index.tier1.__getitem__, capabilities)),
               "sync_capabilities": len(synced), "businesses": len(nodes) - len(capabilities),
               "levels": found.levels, "teams_to_notify": teams_to_notify}
    return (nodes, found.distance[:cut], syncs), summary


def consumer_rows(G: nx.DiGraph, slug: str) -> list[dict[str, Any]]:
    """Return the capabilities that depend on capability ``slug`` directly, by name.

    Each: ``slug, name, domain, domain_name, team, team_name, layer,
    lifecycle, tier`` and the link's ``kind`` (sync, async or data) and ``api``.

    Raises
    ------
    networkx.NodeNotFound
        When ``slug`` is not a capability of ``G``.

    Examples
    --------
    >>> G = nx.DiGraph([("capability:b", "capability:a", {"kind": "async"}),
    ...                 ("business:x", "capability:a", {"kind": "adoption"})])
    >>> G.nodes["business:x"]["kind"] = "business"
    >>> [(c["slug"], c["kind"]) for c in consumer_rows(G, "a")]
    [('b', 'async')]
    """
    node = capability_node(slug)
    require_nodes(G, node)
    rows = []
    for consumer, edge in G.pred[node].items():
        data = G.nodes[consumer]
        if data.get("kind") == "business":
            continue
        rows.append({**_node_summary(G, consumer), "domain": data.get("domain"),
                     "domain_name": data.get("domain_name") or data.get("domain"),
                     "kind": edge.get("kind"), "api": bool(edge.get("api"))})
    return sorted(rows, key=lambda r: (r["name"].lower(), r["slug"]))


def cycle_report(G: nx.DiGraph, *, limit: int = 50) -> dict[str, Any]:
    """Return the dependency cycles of ``G`` with capability slugs for node ids.

    Examples
    --------
    >>> G = nx.DiGraph([("capability:a", "capability:b"), ("capability:b", "capability:a")])
    >>> cycle_report(G)
    {'cycles': [['a', 'b']], 'components': [['a', 'b']], 'truncated': False}
    """
    found = cycles(G, limit=limit)
    return {"cycles": [_slugs(c) for c in found["cycles"]],
            "components": [_slugs(c) for c in found["components"]],
            "truncated": found["truncated"]}


def _slugs(nodes: list[str]) -> list[str]:
    return [parse_node(node)[1] for node in nodes]


def governance_report(G: nx.DiGraph, *, top: int = 10) -> dict[str, Any]:
    """Return what an architect should look at: cycles, breaks, orphans, hot spots.

    Returns
    -------
    dict
        ``cycles`` (as :func:`cycle_report`), ``layering_breaks`` (consumer
        and provider node data, worst first: the widest layer jump),
        ``unowned`` and ``unused`` (capabilities without an owner team, and
        live ones without any consumer, front ends left out: they consume
        by nature), and ``blast_radius``: the ``top`` capabilities with the
        most capabilities depending on them, directly or not (``dependents``;
        ``sync_dependents`` through synchronous links only), with their
        business reach.

    Examples
    --------
    >>> G = nx.DiGraph([("capability:a", "capability:b")])
    >>> G.add_nodes_from(["capability:a", "capability:b"], kind="capability",
    ...                  lifecycle="production", team="t", layer="infrastructure")
    >>> G.nodes["capability:b"]["layer"] = "business-platform"
    >>> report = governance_report(G)
    >>> [(b["consumer"]["slug"], b["provider"]["slug"]) for b in report["layering_breaks"]]
    [('a', 'b')]
    >>> [c["slug"] for c in report["unused"]], report["blast_radius"][0]["dependents"]
    (['a'], 1)
    """
    capabilities = [n for n, kind in G.nodes(data="kind") if kind != "business"]
    breaks = [
        {"consumer": _node_summary(G, u), "provider": _node_summary(G, v),
         "jump": (layer_rank(G.nodes[u]["layer"]) or 0) - (layer_rank(G.nodes[v]["layer"]) or 0)}
        for u, v in layering_breaks(G)
    ]
    breaks.sort(key=lambda b: (-b["jump"], b["consumer"]["slug"], b["provider"]["slug"]))
    reach = business_reach(G)
    # Ranked by the capabilities that depend on it: every deep capability of a
    # platform reaches every business, so businesses do not tell them apart.
    dependents = dependent_counts(G)
    synced = dependent_counts(G, edge=is_sync)
    ranked = sorted(capabilities, key=lambda n: (-dependents[n], -synced[n], -reach.get(n, 0), n))
    hot = [{**_node_summary(G, n), "dependents": dependents[n], "sync_dependents": synced[n],
            "business_reach": reach.get(n, 0)} for n in ranked[:top]]
    return {
        "cycles": cycle_report(G),
        "layering_breaks": breaks,
        "unowned": [_node_summary(G, n) for n in capabilities if not G.nodes[n].get("team")],
        # Front ends (BFFs, app gateways) consume by nature: nobody is expected to use them.
        "unused": [_node_summary(G, n) for n in capabilities
                   if G.in_degree(n) == 0 and G.nodes[n].get("lifecycle") in LIVE_LIFECYCLES
                   and G.nodes[n].get("layer") != "frontend"],
        "blast_radius": hot,
    }


def _node_summary(G: nx.DiGraph, node: str) -> dict[str, Any]:
    data = G.nodes[node]
    return {"slug": parse_node(node)[1], "name": data.get("name") or parse_node(node)[1],
            "layer": data.get("layer"), "team": data.get("team"),
            "team_name": data.get("team_name"), "tier": data.get("tier"),
            "lifecycle": data.get("lifecycle")}
