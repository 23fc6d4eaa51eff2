"""What the impact and dependency pages and endpoints show, from the graph."""

from typing import Any

import networkx as nx

from graphs.analysis import cycles, dependencies_of, impact_of
from graphs.nodes import capability_node, parse_node

__all__ = ["cycle_report", "reach_report"]


def reach_report(G: nx.DiGraph, slug: str, *, direction: str = "up",
                 depth: int | None = None) -> dict[str, Any]:
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

    Returns
    -------
    dict
        ``{"slug", "capabilities": [{"slug", "name", "distance", "tier",
        "team"}], "businesses": [{"slug", "name", "distance"}], "summary"}``
        sorted by distance then name; the summary counts tier-1
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
    capabilities, businesses, teams = [], [], {}
    for node, distance in distances.items():
        data = G.nodes[node]
        kind, node_slug = parse_node(node)
        name = data.get("name") or node_slug
        if kind == "business":
            businesses.append({"slug": node_slug, "name": name, "distance": distance})
            continue
        capabilities.append({"slug": node_slug, "name": name, "distance": distance,
                             "tier": data.get("tier"), "team": data.get("team"),
                             "lifecycle": data.get("lifecycle"), "layer": data.get("layer")})
        if data.get("team"):
            teams.setdefault(data["team"], {"slug": data["team"], "name": data.get("team_name"),
                                            "contact": data.get("team_contact") or "",
                                            "capabilities": 0})
            teams[data["team"]]["capabilities"] += 1
    capabilities.sort(key=_by_distance)
    businesses.sort(key=_by_distance)
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
            "teams_to_notify": sorted(teams.values(), key=lambda t: (t["name"] or t["slug"]).lower()),
        },
    }


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


def _by_distance(item: dict[str, Any]) -> tuple:
    return item["distance"], (item["name"] or "").lower(), item["slug"]


def _slugs(nodes: list[str]) -> list[str]:
    return [parse_node(node)[1] for node in nodes]
