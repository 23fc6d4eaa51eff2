"""Readiness for a peak sale (Double 11): the tier-1 capabilities each business stands on.

For every tier-1 capability: its SLA and owners, its blast radius weighted
by the kind of link (the capabilities that go down with it through
synchronous links, apart from those that only degrade or lag behind an
async or data link), the deprecated capabilities it still depends on, the
dependency cycle it sits in, and the businesses that reach it. Computed once
per catalog revision (:func:`readiness_of_catalog`).
"""

from collections.abc import Mapping
from typing import Any

import networkx as nx

from catalog.scorecards import sla_targets
from graphs.analysis import dependent_counts, reaching_businesses
from graphs.cache import derived
from graphs.nodes import parse_node
from graphs.reach import is_sync
from graphs.scorecards import FADING

__all__ = ["readiness_of_catalog", "readiness_report"]


def readiness_report(G: nx.DiGraph, sla: Mapping[str, Mapping[str, Any]] | None = None, *,
                     tier: int = 1) -> dict[str, Any]:
    """Return the tier-``tier`` capabilities (not retired) with what a peak sale needs of them.

    Parameters
    ----------
    G : networkx.DiGraph
        The catalog graph (edges consumer -> provider).
    sla : mapping, optional
        ``{slug: {"availability", "p99_ms"}}`` (:func:`catalog.scorecards.sla_targets`).

    Returns
    -------
    dict
        ``"capabilities"``: rows ``{"slug", "name", "team", "team_name", "team_contact",
        "lifecycle", "sla": {"availability", "p99_ms"}, "blast": {"sync", "async",
        "all"}, "deprecated_dependencies", "cycle", "businesses"}``, the biggest
        synchronous blast radius first; ``"businesses"``: ``{"slug", "name",
        "tier1", "without_sla", "at_risk"}`` per business (at risk: a deprecated
        dependency or a cycle), most tier-1 capabilities first.

    Examples
    --------
    >>> G = nx.DiGraph([("business:tb", "capability:shop"),
    ...                 ("capability:shop", "capability:pay", {"kind": "sync"}),
    ...                 ("capability:mail", "capability:pay", {"kind": "async"})])
    >>> G.add_nodes_from(["capability:shop", "capability:pay", "capability:mail"],
    ...                  kind="capability", tier=3, lifecycle="production")
    >>> G.nodes["capability:pay"]["tier"] = 1
    >>> G.nodes["business:tb"].update(kind="business", name="Taobao")
    >>> row = readiness_report(G)["capabilities"][0]
    >>> row["slug"], row["blast"], row["businesses"]
    ('pay', {'sync': 1, 'async': 1, 'all': 2}, ['tb'])
    """
    sla = sla or {}
    tier1 = [n for n, data in G.nodes(data=True) if data.get("kind") != "business"
             and data.get("tier") == tier and data.get("lifecycle") != "retired"]
    everyone = dependent_counts(G)
    synced = dependent_counts(G, edge=is_sync)
    reaching = reaching_businesses(G)
    looped: dict[str, list[str]] = {}
    for component in nx.strongly_connected_components(G):
        if len(component) > 1:
            slugs = sorted(parse_node(n)[1] for n in component)
            for n in component:
                looped[n] = slugs
    rows = []
    for n in tier1:
        data = G.nodes[n]
        slug = parse_node(n)[1]
        rows.append({
            "slug": slug, "name": data.get("name") or slug, "team": data.get("team"),
            "team_name": data.get("team_name"), "team_contact": data.get("team_contact") or None,
            "lifecycle": data.get("lifecycle"),
            "sla": dict(sla.get(slug) or {"availability": None, "p99_ms": None}),
            "blast": {"sync": synced[n], "async": everyone[n] - synced[n], "all": everyone[n]},
            "deprecated_dependencies": sorted(parse_node(v)[1] for v in G.succ[n]
                                              if G.nodes[v].get("lifecycle") in FADING),
            "cycle": looped.get(n, []),
            "businesses": [parse_node(b)[1] for b in reaching.get(n, [])],
        })
    rows.sort(key=lambda r: (-r["blast"]["sync"], -r["blast"]["all"], r["slug"]))
    businesses = {parse_node(b)[1]: {"slug": parse_node(b)[1], "name": G.nodes[b].get("name"),
                                     "tier1": 0, "without_sla": 0, "at_risk": 0}
                  for b, kind in G.nodes(data="kind") if kind == "business"}
    for row in rows:
        for business in row["businesses"]:
            counts = businesses[business]
            counts["tier1"] += 1
            counts["without_sla"] += row["sla"]["availability"] is None
            counts["at_risk"] += bool(row["deprecated_dependencies"] or row["cycle"])
    return {"capabilities": rows,
            "businesses": sorted(businesses.values(), key=lambda b: (-b["tier1"], b["slug"]))}


def readiness_of_catalog() -> dict[str, Any]:
    """Return :func:`readiness_report` of the live catalog, once per catalog revision."""
    return derived("readiness", lambda G: readiness_report(G, sla_targets(tier=1)))
