"""Duplicate-build candidates of the catalog, kept once per catalog revision.

The finding and scoring is :mod:`catalog.duplicates`; this module runs it
over the live catalog once per revision (:func:`graphs.cache.derived`),
leaves out pairs where one capability uses the other (that is reuse), and
adds what the graph knows: names, owner teams and who uses each one.
Dismissals are not part of a revision: they are read on each call.
"""

from typing import Any

import networkx as nx

from catalog.duplicates import (
    Profile,
    blocks_of,
    candidates,
    dismissed_pairs,
    profiles,
    similar_to,
)
from graphs.cache import catalog_graph, derived
from graphs.nodes import capability_node, parse_node

__all__ = ["candidate_pairs", "duplicate_candidates", "similar_capabilities", "used_by"]


def candidate_pairs() -> list[dict[str, Any]]:
    """Return every candidate pair of the live catalog (slugs, score, reasons), once per revision."""
    def compute(G: nx.DiGraph) -> list[dict[str, Any]]:
        linked = [(parse_node(u)[1], parse_node(v)[1]) for u, v, link in G.edges(data="link")
                  if link == "dependency"]
        return candidates(_profiles(), linked=linked)
    return derived("duplicates.candidates", compute)


def _profiles() -> dict[str, Profile]:
    return derived("duplicates.profiles", lambda G: profiles())


def duplicate_candidates(*, dismissed: bool = False) -> list[dict[str, Any]]:
    """Return the candidate pairs with both capabilities described, dismissed ones apart.

    Each: ``{"a": summary, "b": summary, "score", "reasons", "dismissal"}``
    where a summary is ``{"slug", "name", "team", "team_name", "domain",
    "domain_name", "lifecycle", "used_by"}`` and ``dismissal`` is None or
    ``{"reason", "actor", "at"}``. ``dismissed=False`` leaves dismissed
    pairs out, ``True`` keeps only them. The described pairs are kept per
    revision (and shared: do not change them); the dismissals are read on
    each call (one small query).
    """
    decided = dismissed_pairs()
    described = _described_pairs()
    if dismissed:
        return [{**pair, "dismissal": decided[(pair["a"]["slug"], pair["b"]["slug"])]}
                for pair in described if (pair["a"]["slug"], pair["b"]["slug"]) in decided]
    if not decided:
        return described
    return [pair for pair in described if (pair["a"]["slug"], pair["b"]["slug"]) not in decided]


def _described_pairs() -> list[dict[str, Any]]:
    def compute(G: nx.DiGraph) -> list[dict[str, Any]]:
        return [{**pair, "a": _summary(G, pair["a"]), "b": _summary(G, pair["b"]),
                 "dismissal": None} for pair in candidate_pairs()]
    return derived("duplicates.described", compute)


def similar_capabilities(name: str, summary: str = "", tags: tuple[str, ...] = (), *,
                         limit: int = 3) -> list[dict[str, Any]]:
    """Return the existing capabilities most like one being registered, described."""
    G = catalog_graph()
    found = similar_to(Profile.of("", name, summary, tags=tags), _profiles(), limit=limit,
                       blocks=derived("duplicates.blocks", lambda G: blocks_of(_profiles())))
    return [{**_summary(G, row["slug"]), "score": row["score"], "reasons": row["reasons"]}
            for row in found if capability_node(row["slug"]) in G]


def used_by(G: nx.DiGraph, slug: str) -> dict[str, Any]:
    """Return who uses capability ``slug`` directly: business names and a count of capabilities.

    Examples
    --------
    >>> G = nx.DiGraph([("business:tb", "capability:a"), ("capability:b", "capability:a")])
    >>> G.nodes["business:tb"].update(kind="business", name="Taobao")
    >>> used_by(G, "a")
    {'businesses': ['Taobao'], 'capabilities': 1}
    """
    businesses, capabilities = [], 0
    for consumer in G.pred[capability_node(slug)]:
        data = G.nodes[consumer]
        if data.get("kind") == "business":
            businesses.append(data.get("name") or parse_node(consumer)[1])
        else:
            capabilities += 1
    return {"businesses": sorted(businesses), "capabilities": capabilities}


def _summary(G: nx.DiGraph, slug: str) -> dict[str, Any]:
    data = G.nodes[capability_node(slug)]
    return {"slug": slug, "name": data.get("name") or slug, "team": data.get("team"),
            "team_name": data.get("team_name") or data.get("team"),
            "domain": data.get("domain"), "domain_name": data.get("domain_name"),
            "lifecycle": data.get("lifecycle"), "used_by": used_by(G, slug)}
