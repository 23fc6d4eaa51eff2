"""What the impact and dependency pages and endpoints show, from the graph."""

from typing import Any

import networkx as nx

from graphs.analysis import business_reach, cycles, dependencies_of, impact_of, layering_breaks
from graphs.layers import layer_rank
from graphs.nodes import capability_node, parse_node

__all__ = ["cycle_report", "governance_report", "node_rows", "reach_report"]

#: Lifecycles in which a capability without consumers is worth a look.
LIVE_LIFECYCLES = ("approved", "production", "deprecated")


def reach_report(G: nx.DiGraph, slug: str, *, direction: str = "up",
                 depth: int | None = None, rows: dict | None = None) -> dict[str, Any]:
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
    rows : dict, optional
        :func:`node_rows` of ``G``, computed once and passed in by callers
        that ask many times (it is what makes a big report cheap).

    Returns
    -------
    dict
        ``{"slug", "capabilities": [{"slug", "name", "distance", "tier",
        "team", ...}], "businesses": [{"slug", "name", "distance"}],
        "summary"}``, nearest first (in breadth-first order within a
        distance); the summary counts tier-1
        capabilities and businesses and lists the owner teams to notify.

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
    [{'slug': 'x', 'name': 'X', 'distance': 2}]
    """
    reach = impact_of if direction == "up" else dependencies_of
    distances = reach(G, capability_node(slug), depth=depth)
    rows = rows if rows is not None else node_rows(G, distances)
    capabilities, businesses, teams = [], [], {}
    for node, distance in distances.items():  # breadth first: nearest first
        is_business, public, team = rows[node]
        if is_business:
            businesses.append({**public, "distance": distance})
            continue
        capabilities.append({**public, "distance": distance})
        if team is not None:
            teams.setdefault(team["slug"], [team, 0])[1] += 1
    teams_to_notify = sorted(({**team, "capabilities": n} for team, n in teams.values()),
                             key=lambda t: (t["name"] or t["slug"]).lower())
    return {
        "slug": slug,
        "direction": direction,
        "depth": depth,
        "capabilities": capabilities,
        "businesses": businesses,
        "summary": {
            "capabilities": len(capabilities),
            "tier1_capabilities": sum(1 for c in capabilities if c["tier"] == 1),
            "businesses": len(businesses),
            "teams_to_notify": teams_to_notify,
        },
    }


def node_rows(G: nx.DiGraph, nodes: Any = None) -> dict[Any, tuple]:
    """Return what a reach report lists about each node (of ``nodes``, default all).

    ``{node: (is_business, public fields, owner team or None)}``.
    """
    rows = {}
    for node in G if nodes is None else nodes:
        data = G.nodes[node]
        slug = data.get("slug") or parse_node(node)[1]
        name = data.get("name") or slug
        if data.get("kind") == "business":
            rows[node] = (True, {"slug": slug, "name": name}, None)
            continue
        team = data.get("team")
        rows[node] = (False, {"slug": slug, "name": name, "tier": data.get("tier"), "team": team,
                              "team_name": data.get("team_name"),
                              "lifecycle": data.get("lifecycle"), "layer": data.get("layer")},
                      {"slug": team, "name": data.get("team_name"),
                       "contact": data.get("team_contact") or ""} if team else None)
    return rows


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
        live ones without any consumer), and ``blast_radius``: the ``top``
        capabilities with the most transitive dependents, with their
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
    # The most transitive dependents are found among the most reused and most
    # directly used capabilities; counting every node's dependents is quadratic.
    candidates = sorted(capabilities, key=lambda n: (-reach.get(n, 0), -G.in_degree(n), n))[:top * 5]
    hot = sorted(({**_node_summary(G, n), "dependents": len(impact_of(G, n)),
                   "business_reach": reach.get(n, 0)} for n in candidates),
                 key=lambda c: (-c["dependents"], -c["business_reach"], c["slug"]))[:top]
    return {
        "cycles": cycle_report(G),
        "layering_breaks": breaks,
        "unowned": [_node_summary(G, n) for n in capabilities if not G.nodes[n].get("team")],
        "unused": [_node_summary(G, n) for n in capabilities
                   if G.in_degree(n) == 0 and G.nodes[n].get("lifecycle") in LIVE_LIFECYCLES],
        "blast_radius": hot,
    }


def _node_summary(G: nx.DiGraph, node: str) -> dict[str, Any]:
    data = G.nodes[node]
    return {"slug": parse_node(node)[1], "name": data.get("name") or parse_node(node)[1],
            "layer": data.get("layer"), "team": data.get("team"),
            "team_name": data.get("team_name"), "tier": data.get("tier"),
            "lifecycle": data.get("lifecycle")}
