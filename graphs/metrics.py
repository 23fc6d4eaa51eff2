"""Reuse metrics over the catalog graph, defined once.

``catalog`` may not import ``graphs``, and business reach needs the graph, so
the reuse metrics live here (lead-time metrics are in :mod:`catalog.metrics`).
The module has two parts:

* pure functions (the graph or the dated history first, options as keywords,
  plain lists and dicts back): :func:`reuse_rate`, :func:`rank_capabilities`,
  :func:`business_distances`, :func:`cross_business`, :func:`business_matrix`
  and :func:`reuse_by_quarter`;
* three entry points the pages and the JSON API call, which read the graph of
  the current catalog revision through :mod:`graphs.cache` and cache the
  expensive parts per revision (business reach, the ranking, each business's
  distances, the quarterly series): :func:`reuse_metrics`, :func:`reuse_matrix`
  and :func:`reuse_over_time`. Pages must call these, not recompute, so they
  show the numbers the API returns.

Definitions
-----------
business reach
    The number of distinct businesses that reach a capability through any
    chain of active adoptions and dependencies
    (:func:`graphs.analysis.business_reach`).
direct consumers
    Distinct businesses with an active adoption plus dependent capabilities:
    the in-degree of the capability's node in the catalog graph (one edge per
    adopting business, one per dependent capability).
reuse rate
    Production capabilities with a business reach of two or more, divided by
    all production capabilities; 0 when there are none; 3 decimals.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from catalog.metrics import (
    ReuseHistory,
    business_teams,
    quarter_bounds,
    quarter_of,
    quarter_range,
    reuse_history,
)
from catalog.models._time import today
from catalog.timetravel import state_at
from catalog.vocabulary import LEADERBOARD, MATRIX_CAPABILITIES, TREND_QUARTERS
from graphs.analysis import business_reach, dependencies_of
from graphs.cache import catalog_graph, derived
from graphs.nodes import business_node, capability_node, parse_node

__all__ = [
    "business_distances",
    "business_matrix",
    "business_reach_of",
    "cross_business",
    "rank_capabilities",
    "reuse_by_quarter",
    "reuse_matrix",
    "reuse_metrics",
    "reuse_over_time",
    "reuse_rate",
]

REUSED_AT = 2  # businesses reaching a capability for it to count as reused


# -- pure functions of a graph ---------------------------------------------------


def reuse_rate(G: nx.DiGraph, *, reach: Mapping | None = None) -> dict[str, Any]:
    """Return the share of production capabilities reached by two or more businesses.

    Parameters
    ----------
    G : networkx.DiGraph
        Edges run consumer -> provider; businesses have ``kind="business"``,
        capabilities a ``lifecycle``.
    reach : mapping, optional
        :func:`graphs.analysis.business_reach` of ``G``, when already known.

    Returns
    -------
    dict
        ``{"reuse_rate": share from 0 to 1 (3 decimals; 0 without production
        capabilities), "production": how many, "reused": how many of those
        are reached by two or more businesses}``.

    Examples
    --------
    >>> G = nx.DiGraph([("tmall", "orders"), ("taobao", "orders"), ("taobao", "coupons")])
    >>> nx.set_node_attributes(G, {"tmall": "business", "taobao": "business"}, "kind")
    >>> nx.set_node_attributes(G, "production", "lifecycle")
    >>> reuse_rate(G)
    {'reuse_rate': 0.5, 'production': 2, 'reused': 1}
    """
    reach = business_reach(G) if reach is None else reach
    production = [n for n in reach if G.nodes[n].get("lifecycle") == "production"]
    reused = sum(1 for n in production if reach[n] >= REUSED_AT)
    rate = round(reused / len(production), 3) if production else 0
    return {"reuse_rate": rate, "production": len(production), "reused": reused}


def rank_capabilities(G: nx.DiGraph, direct: Mapping, *,
                      reach: Mapping | None = None) -> list[dict[str, Any]]:
    """Return every capability ranked by business reach, then direct consumers.

    Parameters
    ----------
    G : networkx.DiGraph
        Edges run consumer -> provider; businesses have ``kind="business"``.
    direct : mapping
        ``{capability node: direct consumers}`` (missing: 0).
    reach : mapping, optional
        :func:`graphs.analysis.business_reach` of ``G``, when already known.

    Returns
    -------
    list of dicts
        ``{"slug", "name", "lifecycle", "layer", "team", "direct_consumers",
        "business_reach"}``, best first; ties in both counts by slug.

    Examples
    --------
    >>> G = nx.DiGraph([("taobao", "capability:orders"), ("capability:orders", "capability:pay"),
    ...                 ("taobao", "capability:pay")])
    >>> G.nodes["taobao"]["kind"] = "business"
    >>> direct = {"capability:orders": 1, "capability:pay": 2}
    >>> [(c["slug"], c["business_reach"], c["direct_consumers"])
    ...  for c in rank_capabilities(G, direct)]
    [('pay', 1, 2), ('orders', 1, 1)]
    """
    reach = business_reach(G) if reach is None else reach
    ranked = sorted(reach, key=lambda n: (-reach[n], -direct.get(n, 0), _slug(n)))
    return [{
        "slug": _slug(n), "name": G.nodes[n].get("name") or _slug(n),
        "lifecycle": G.nodes[n].get("lifecycle"), "layer": G.nodes[n].get("layer"),
        "team": G.nodes[n].get("team"), "direct_consumers": direct.get(n, 0),
        "business_reach": reach[n],
    } for n in ranked]


def business_matrix(G: nx.DiGraph, *, teams: Mapping | None = None,
                    capabilities: Iterable | None = None, reach: Mapping | None = None,
                    distances: Mapping | None = None) -> dict[str, Any]:
    """Return which capabilities each business reaches, directly or through others.

    Parameters
    ----------
    G : networkx.DiGraph
        Edges run consumer -> provider; businesses have ``kind="business"``,
        capabilities a ``team`` (slug).
    teams : mapping, optional
        ``{business node: slug of the team that owns it}``. A capability whose
        team owns a business belongs to that business; when another business
        reaches it the cell is *cross-business* (Taobao using Youku's
        membership).
    capabilities : iterable, optional
        The capability nodes to show (default: every capability some
        business reaches), in that order.
    reach, distances : mapping, optional
        :func:`graphs.analysis.business_reach` of ``G`` and
        :func:`business_distances` of ``G``, when already known.

    Returns
    -------
    dict
        ``"businesses"``: ``[{"slug", "name", "team"}]``; ``"capabilities"``:
        ``[{"slug", "name", "team", "owner_business", "business_reach"}]``;
        ``"cells"``: ``[{"business", "capability", "distance", "via",
        "cross_business"}]`` for each business and capability it reaches,
        ``via`` being ``"adoption"`` (distance 1) or ``"dependency"``
        (reached through other capabilities); all keyed by slug.

    Examples
    --------
    >>> G = nx.DiGraph([("business:taobao", "capability:vip"),
    ...                 ("business:youku", "capability:vip"),
    ...                 ("capability:vip", "capability:pay")])
    >>> nx.set_node_attributes(G, {"business:taobao": "business",
    ...                            "business:youku": "business"}, "kind")
    >>> G.nodes["capability:vip"]["team"] = "youku-team"
    >>> m = business_matrix(G, teams={"business:youku": "youku-team"})
    >>> [(c["business"], c["capability"], c["via"], c["cross_business"])
    ...  for c in m["cells"]]  # doctest: +NORMALIZE_WHITESPACE
    [('taobao', 'pay', 'dependency', False), ('taobao', 'vip', 'adoption', True),
     ('youku', 'pay', 'dependency', False), ('youku', 'vip', 'adoption', False)]
    """
    teams = teams or {}
    reached = business_distances(G) if distances is None else distances
    businesses = sorted(reached)
    owner = _owners(teams)
    reach = business_reach(G) if reach is None else reach
    shown = (list(capabilities) if capabilities is not None
             else sorted((n for n in reach if reach[n]), key=_slug))
    cells = []
    for b in businesses:
        for n in sorted(shown, key=_slug):
            if n not in reached[b]:
                continue
            cap_owner = owner.get(G.nodes[n].get("team"))
            cells.append({"business": _slug(b), "capability": _slug(n),
                          "distance": reached[b][n],
                          "via": "adoption" if reached[b][n] == 1 else "dependency",
                          "cross_business": cap_owner is not None and cap_owner != b})
    return {
        "businesses": [{"slug": _slug(b), "name": G.nodes[b].get("name") or _slug(b),
                        "team": teams.get(b)} for b in businesses],
        "capabilities": [{
            "slug": _slug(n), "name": G.nodes[n].get("name") or _slug(n),
            "team": G.nodes[n].get("team"),
            "owner_business": _slug(owner[G.nodes[n].get("team")])
            if G.nodes[n].get("team") in owner else None,
            "business_reach": reach.get(n, 0),
        } for n in shown],
        "cells": cells,
    }


def business_distances(G: nx.DiGraph) -> dict:
    """Return, for each business, the capabilities it reaches and how many hops away.

    Examples
    --------
    >>> G = nx.DiGraph([("shop", "orders"), ("orders", "pay")])
    >>> G.nodes["shop"]["kind"] = "business"
    >>> business_distances(G)
    {'shop': {'orders': 1, 'pay': 2}}
    """
    return {b: {n: d for n, d in dependencies_of(G, b).items()
                if G.nodes[n].get("kind") != "business"}
            for b in sorted(n for n in G if G.nodes[n].get("kind") == "business")}


def cross_business(G: nx.DiGraph, *, teams: Mapping,
                   distances: Mapping | None = None) -> list:
    """Return the capabilities owned by one business's team that another business reaches.

    Parameters
    ----------
    G : networkx.DiGraph
        Edges run consumer -> provider; capabilities carry ``team``.
    teams : mapping
        ``{business node: slug of the team that owns it}``.
    distances : mapping, optional
        :func:`business_distances` of ``G``, when already known.

    Returns
    -------
    list
        The capability nodes, sorted.

    Examples
    --------
    >>> G = nx.DiGraph([("taobao", "vip"), ("youku", "vip")])
    >>> nx.set_node_attributes(G, {"taobao": "business", "youku": "business"}, "kind")
    >>> G.nodes["vip"]["team"] = "youku-team"
    >>> cross_business(G, teams={"youku": "youku-team"})
    ['vip']
    """
    owner = _owners(teams)
    reached = business_distances(G) if distances is None else distances
    return sorted({n for b, nodes in reached.items() for n in nodes
                   if owner.get(G.nodes[n].get("team"), b) != b})


def reuse_by_quarter(history: ReuseHistory, quarters: Iterable[str], *,
                     until: dt.date | None = None) -> list[dict[str, Any]]:
    """Return the reuse rate at the end of each quarter.

    A capability counts as reached by a business in quarter Q when the chain
    existed on the last day of Q (or on ``until``, when that comes first):
    every adoption on it had started (``since`` on or before that day) and
    not ended (no ``until``, or ``until`` after that day: the rule of
    ``Adoption.active``), and every dependency on it had started (``since``).
    The production capabilities counted are those in production *now* that
    had launched by that day (or have no launch date).

    Simplifications: the catalog keeps neither removed dependencies nor
    past lifecycles, so a dependency deleted since, or a capability that
    left production, is not seen in the past.

    Parameters
    ----------
    history : catalog.metrics.ReuseHistory
        Capabilities, businesses, dependencies and adoptions with their dates.
    quarters : iterable of str
        Quarter labels such as ``"2025Q3"``.
    until : date, optional
        The last day to look at (today, so the current quarter is measured
        as it stands).

    Returns
    -------
    list of dicts
        ``{"quarter", "end", "reuse_rate", "production", "reused"}`` per
        quarter, as :func:`reuse_rate` counts them.

    Examples
    --------
    >>> d = dt.date
    >>> history = ReuseHistory(
    ...     capabilities=[("orders", "production", d(2020, 1, 1)),
    ...                   ("pay", "production", d(2020, 1, 1))],
    ...     businesses=["taobao", "tmall"],
    ...     dependencies=[("orders", "pay", d(2020, 1, 1))],
    ...     adoptions=[("taobao", "orders", d(2024, 1, 5), None),
    ...                ("tmall", "pay", d(2024, 5, 1), None)])
    >>> [(q["quarter"], q["reused"], q["reuse_rate"])
    ...  for q in reuse_by_quarter(history, ["2024Q1", "2024Q2"])]
    [('2024Q1', 0, 0.0), ('2024Q2', 1, 0.5)]
    """
    labels = list(quarters)
    ends = [quarter_bounds(label)[1] for label in labels]
    if until is not None:
        ends = [min(end, until) for end in ends]
    width = len(history.businesses)
    slot = (1 << width) - 1
    business_bit = {slug: i for i, slug in enumerate(history.businesses)}
    # Every capability gets one integer: ``width`` bits (one per business) for each
    # quarter, quarter i in bits i * width ... (i + 1) * width - 1. An edge masks out
    # the quarters in which it did not exist yet, so one pass in topological order
    # (as :func:`graphs.analysis.business_reach` does) answers every quarter at once.

    masks: dict[tuple, int] = {}  # dates repeat: compute each mask once

    def quarters_mask(since: dt.date, ended: dt.date | None = None, bits: int = slot) -> int:
        key = (since, ended, bits)
        if key not in masks:
            masks[key] = sum(bits << (i * width) for i, end in enumerate(ends)
                             if since <= end and (ended is None or ended > end))
        return masks[key]

    seeds: dict[str, int] = {}
    for business, capability, since, ended in history.adoptions:
        seeds[capability] = seeds.get(capability, 0) | quarters_mask(
            since, ended, 1 << business_bit[business])
    preds: dict[str, list[tuple[str, int]]] = {}
    for c, p, since in history.dependencies:
        preds.setdefault(p, []).append((c, quarters_mask(since)))
    D = nx.DiGraph()
    D.add_nodes_from(slug for slug, _, _ in history.capabilities)
    D.add_edges_from((c, p) for c, p, _ in history.dependencies)
    C = nx.condensation(D)
    reached: dict[str, int] = {}
    for component in nx.topological_sort(C):
        members = C.nodes[component]["members"]
        changed = True
        while changed:  # one round, or until a cycle's members agree
            changed = False
            for n in members:
                bits = seeds.get(n, 0)
                for c, mask in preds.get(n, ()):
                    bits |= reached.get(c, 0) & mask
                if bits != reached.get(n, 0):
                    reached[n] = bits
                    changed = len(members) > 1
    series = []
    for i, (label, end) in enumerate(zip(labels, ends, strict=True)):
        production = reused = 0
        for slug, lifecycle, launched in history.capabilities:
            if lifecycle != "production" or (launched is not None and launched > end):
                continue
            production += 1
            reused += ((reached.get(slug, 0) >> (i * width)) & slot).bit_count() >= REUSED_AT
        series.append({"quarter": label, "end": end.isoformat(),
                       "reuse_rate": round(reused / production, 3) if production else 0,
                       "production": production, "reused": reused})
    return series


# -- entry points: the current catalog -------------------------------------------


def reuse_metrics(*, top: int = LEADERBOARD, as_of: dt.datetime | None = None) -> dict[str, Any]:
    """Return the reuse rate and the leaderboard of the current catalog (or as of a moment).

    Parameters
    ----------
    top : int
        Length of the leaderboard.
    as_of : datetime, optional
        A past moment (naive UTC) to measure the catalog as it was then.

    Returns
    -------
    dict
        ``{"reuse_rate", "production", "reused", "businesses", "capabilities",
        "items"}``: :func:`reuse_rate` of the catalog graph, how many
        businesses and capabilities it has, and the first ``top`` of
        :func:`rank_capabilities` (``slug``, ``direct_consumers``,
        ``business_reach``, ...). What ``GET /api/v1/metrics/reuse`` returns.

    Notes
    -----
    The ranking of every capability is computed once per catalog revision;
    a request on a current cache costs one query (the revision).
    """
    G = catalog_graph(as_of)
    reach = derived("business_reach", business_reach, as_of=as_of)
    summary = derived("reuse.rate", lambda G: reuse_rate(G, reach=reach), as_of=as_of)
    ranking = derived("reuse.ranking", lambda G: _ranking(G, reach), as_of=as_of)
    businesses = sum(1 for n in G if G.nodes[n].get("kind") == "business")
    return {**summary, "businesses": businesses, "capabilities": len(G) - businesses,
            "items": ranking[:max(top, 0)]}


def reuse_matrix(*, top: int = MATRIX_CAPABILITIES, as_of: dt.datetime | None = None) -> dict[str, Any]:
    """Return the business x capability matrix of the current catalog (or as of a moment).

    The capabilities shown are the first ``top`` of the leaderboard plus
    every capability owned by a business's team that another business
    reaches (cross-business sharing, see :func:`cross_business`), in
    leaderboard order. See :func:`business_matrix` for the shape. Which team
    runs each business is read as it is now.
    """
    G = catalog_graph(as_of)
    reach = derived("business_reach", business_reach, as_of=as_of)
    distances = derived("reuse.distances", business_distances, as_of=as_of)
    teams = {business_node(b): t for b, t in business_teams().items()}
    shared = set(cross_business(G, teams=teams, distances=distances))
    ranking = derived("reuse.ranking", lambda G: _ranking(G, reach), as_of=as_of)
    shown = [capability_node(c["slug"]) for i, c in enumerate(ranking)
             if i < top or capability_node(c["slug"]) in shared]
    return business_matrix(G, teams=teams, capabilities=shown, reach=reach, distances=distances)


def reuse_over_time(*, quarters: int = TREND_QUARTERS,
                    as_of: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Return the reuse rate at the end of each of the last ``quarters`` quarters.

    The current quarter is measured as it stands today (or on the day of
    ``as_of``, from the catalog as it was then). See :func:`reuse_by_quarter`
    for the definition; computed once per catalog revision and day.
    """
    day = as_of.date() if as_of is not None else today()
    last = quarter_of(day)
    first_day = quarter_bounds(last)[0]
    for _ in range(max(quarters, 1) - 1):
        first_day = quarter_bounds(quarter_of(first_day - dt.timedelta(days=1)))[0]
    labels = quarter_range(quarter_of(first_day), last)
    history = (lambda: state_at(as_of).reuse_history()) if as_of is not None else reuse_history
    return derived(f"reuse.over_time:{day.isoformat()}:{len(labels)}",
                   lambda G: reuse_by_quarter(history(), labels, until=day), as_of=as_of)


def business_reach_of(slug: str, *, as_of: dt.datetime | None = None) -> int:
    """Return how many distinct businesses reach capability ``slug`` (0 when none or unknown).

    :func:`graphs.analysis.business_reach` of the catalog graph (as of a
    moment), computed once per catalog revision.
    """
    return derived("business_reach", business_reach, as_of=as_of).get(capability_node(slug), 0)


def _ranking(G: nx.DiGraph, reach: Mapping) -> list[dict[str, Any]]:
    direct = {node: G.in_degree(node) for node in G
              if G.nodes[node].get("kind") == "capability"}
    return rank_capabilities(G, direct, reach=reach)


def _owners(teams: Mapping) -> dict:
    """Return ``{team slug: business node}``; a team owning several businesses gets the first."""
    return {team: b for b, team in sorted(teams.items(), reverse=True) if team}


def _slug(node) -> str:
    try:
        return parse_node(node)[1]
    except ValueError:
        return str(node)
