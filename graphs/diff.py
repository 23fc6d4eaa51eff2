"""What changed in the catalog graph between two moments.

A pure function over two graphs as :mod:`graphs.build` builds them (for
instance the graph as of the last review board and today's).
"""

from typing import Any

import networkx as nx

from graphs.analysis import cycles, layering_breaks
from graphs.nodes import parse_node

__all__ = ["graph_diff"]


def graph_diff(before: nx.DiGraph, after: nx.DiGraph) -> dict[str, Any]:
    """Return what changed from ``before`` to ``after``.

    Parameters
    ----------
    before, after : networkx.DiGraph
        Catalog graphs (nodes ``capability:<slug>`` and ``business:<slug>``).

    Returns
    -------
    dict
        ``capabilities_added`` and ``capabilities_retired`` (slugs: new nodes;
        capabilities that became retired or left the graph), ``dependencies_added``
        and ``dependencies_removed`` (``{"consumer", "provider", "kind"}``),
        ``owner_changes`` and ``lifecycle_changes`` (``{"slug", "before",
        "after"}``), ``cycles_appeared`` and ``cycles_gone`` (each a sorted list
        of slugs), ``layering_breaks_appeared`` and ``layering_breaks_gone``
        (``{"consumer", "provider"}``), each list sorted.

    Examples
    --------
    >>> a = nx.DiGraph()
    >>> a.add_node("capability:x", kind="capability", team="t", lifecycle="production")
    >>> b = a.copy()
    >>> b.add_node("capability:y", kind="capability", team="t", lifecycle="proposed")
    >>> b.add_edge("capability:y", "capability:x", link="dependency", kind="sync")
    >>> d = graph_diff(a, b)
    >>> d["capabilities_added"], d["dependencies_added"]
    (['y'], [{'consumer': 'y', 'provider': 'x', 'kind': 'sync'}])
    """
    old, new = _capabilities(before), _capabilities(after)
    retired = sorted(slug for slug, attrs in old.items()
                     if attrs.get("lifecycle") != "retired"
                     and (slug not in new or new[slug].get("lifecycle") == "retired"))
    old_edges, new_edges = _dependencies(before), _dependencies(after)
    old_cycles, new_cycles = _cycle_sets(before), _cycle_sets(after)
    old_breaks, new_breaks = _breaks(before), _breaks(after)
    return {
        "capabilities_added": sorted(set(new) - set(old)),
        "capabilities_retired": retired,
        "dependencies_added": [_edge(key, new_edges[key]) for key in sorted(set(new_edges)
                                                                            - set(old_edges))],
        "dependencies_removed": [_edge(key, old_edges[key]) for key in sorted(set(old_edges)
                                                                              - set(new_edges))],
        "owner_changes": _moves(old, new, "team"),
        "lifecycle_changes": _moves(old, new, "lifecycle"),
        "cycles_appeared": sorted(sorted(c) for c in new_cycles - old_cycles),
        "cycles_gone": sorted(sorted(c) for c in old_cycles - new_cycles),
        "layering_breaks_appeared": [{"consumer": c, "provider": p}
                                     for c, p in sorted(new_breaks - old_breaks)],
        "layering_breaks_gone": [{"consumer": c, "provider": p}
                                 for c, p in sorted(old_breaks - new_breaks)],
    }


def _capabilities(G: nx.DiGraph) -> dict[str, dict[str, Any]]:
    return {parse_node(n)[1]: attrs for n, attrs in G.nodes(data=True)
            if attrs.get("kind") == "capability"}


def _dependencies(G: nx.DiGraph) -> dict[tuple[str, str], str]:
    return {(parse_node(u)[1], parse_node(v)[1]): attrs.get("kind")
            for u, v, attrs in G.edges(data=True) if attrs.get("link") == "dependency"}


def _edge(key: tuple[str, str], kind: str) -> dict[str, str]:
    return {"consumer": key[0], "provider": key[1], "kind": kind}


def _moves(old: dict, new: dict, field: str) -> list[dict[str, Any]]:
    return [{"slug": slug, "before": old[slug].get(field), "after": new[slug].get(field)}
            for slug in sorted(set(old) & set(new))
            if old[slug].get(field) != new[slug].get(field)]


def _cycle_sets(G: nx.DiGraph) -> set[frozenset[str]]:
    return {frozenset(parse_node(n)[1] for n in component)
            for component in cycles(G)["components"]}


def _breaks(G: nx.DiGraph) -> set[tuple[str, str]]:
    return {(parse_node(u)[1], parse_node(v)[1]) for u, v, *_ in layering_breaks(G)}
