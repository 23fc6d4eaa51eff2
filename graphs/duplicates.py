"""Duplicate-build candidates of the catalog, kept once per catalog revision.

The finding and scoring is :mod:`catalog.duplicates`; this module runs it
over the live catalog once per revision (:func:`graphs.cache.derived`),
leaves out pairs where one capability uses the other (that is reuse), and
adds what the graph knows: names, owner teams and who uses each one.
Dismissals are not part of a revision: they are read on each call.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import networkx as nx

from catalog.duplicates import (
    Candidate,
    Profile,
    blocks_of,
    candidates,
    dismissed_pairs,
    profiles,
    similar_to,
)
from graphs.cache import catalog_graph, derived
from graphs.nodes import capability_node, parse_node

__all__ = ["DescribedPairs", "candidate_pairs", "duplicate_candidates", "similar_capabilities", "used_by"]


def candidate_pairs() -> list[Candidate]:
    """Return every candidate pair of the live catalog, most alike first, once per revision."""
    def compute(G: nx.DiGraph) -> list[Candidate]:
        linked = [(parse_node(u)[1], parse_node(v)[1]) for u, v, link in G.edges(data="link")
                  if link == "dependency"]
        return candidates(_profiles(), linked=linked)
    return derived("duplicates.candidates", compute)


def _profiles() -> dict[str, Profile]:
    return derived("duplicates.profiles", lambda G: profiles())


def duplicate_candidates(*, dismissed: bool = False) -> "DescribedPairs":
    """Return the candidate pairs with both capabilities described, dismissed ones apart.

    Each: ``{"a": summary, "b": summary, "score", "reasons", "dismissal"}``
    where a summary is ``{"slug", "name", "team", "team_name", "domain",
    "domain_name", "lifecycle", "used_by"}`` and ``dismissal`` is None or
    ``{"reason", "actor", "at"}``. ``dismissed=False`` leaves dismissed
    pairs out, ``True`` keeps only them. A pair is described when it is
    read (a page of them, not the hundred thousand a large catalog may hold);
    the dismissals are read on each call (one small query).
    """
    decided = dismissed_pairs()
    pairs = candidate_pairs()
    if dismissed:
        pairs = [pair for pair in pairs if (pair.a, pair.b) in decided]
    elif decided:
        pairs = [pair for pair in pairs if (pair.a, pair.b) not in decided]
    return DescribedPairs(pairs, decided)


class DescribedPairs(Sequence[dict[str, Any]]):
    """Candidate pairs that describe themselves when read, by index or by slice."""

    def __init__(self, pairs: Sequence[Candidate], decided: Mapping[tuple[str, str], Any]) -> None:
        self._pairs = pairs
        self._decided = decided
        self._graph = catalog_graph()
        self._summaries = derived("duplicates.summaries", lambda G: {})

    def __len__(self) -> int:
        return len(self._pairs)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._describe(pair) for pair in self._pairs[index]]
        return self._describe(self._pairs[index])

    def _describe(self, pair: Candidate) -> dict[str, Any]:
        return {"a": self._summary(pair.a), "b": self._summary(pair.b), "score": pair.score,
                "reasons": list(pair.reasons), "dismissal": self._decided.get((pair.a, pair.b))}

    def _summary(self, slug: str) -> dict[str, Any]:
        # Shared by every pair and request of the revision: read it, do not change it.
        if slug not in self._summaries:
            self._summaries[slug] = _summary(self._graph, slug)
        return self._summaries[slug]


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
