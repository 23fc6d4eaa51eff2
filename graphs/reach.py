"""Reach queries (impact and dependencies) over a catalog graph prepared once.

A :class:`ReachIndex` numbers the nodes of a graph and keeps, per direction
and set of link kinds, the adjacency as lists of numbers: a breadth-first
search over them costs about a third of networkx's on the same graph, so a
page or an answer can afford two of them (every link, then the synchronous
links alone) and still cost less than one bare ``networkx`` search plus the
rows it lists. Build one per catalog revision (:mod:`graphs.cache` does) or
per graph of a past date, and never change the graph while it is in use.

Which edge is which kind of link, and which links are synchronous, is decided
once, by :func:`link_of` and :func:`is_sync`.
"""

import json
from collections.abc import Hashable, Iterable
from typing import Any

import networkx as nx

from graphs.nodes import parse_node

__all__ = ["LINKS", "ReachIndex", "Search", "is_sync", "link_of", "node_row"]

#: Kinds of link a reach query may follow: a ``dependsOn`` dependency, a
#: dependency through an API of the provider, a business adopting a capability.
LINKS = ("depends-on", "api", "adoption")


def link_of(data: dict[str, Any]) -> str:
    """Return the kind of link (one of :data:`LINKS`) an edge's attributes describe.

    Examples
    --------
    >>> link_of({"link": "adoption"}), link_of({"link": "dependency", "api": True})
    ('adoption', 'api')
    >>> link_of({"link": "dependency", "kind": "sync"})
    'depends-on'
    """
    if data.get("link") == "adoption":
        return "adoption"
    return "api" if data.get("api") else "depends-on"


def is_sync(data: dict[str, Any]) -> bool:
    """Return True for an edge whose consumer goes down with its provider.

    Synchronous dependencies and adoptions are; an ``async`` (events, queues)
    or ``data`` (batch) dependency lets its consumer degrade or lag instead.

    Examples
    --------
    >>> is_sync({"kind": "sync"}), is_sync({"kind": "adoption"}), is_sync({"kind": "async"})
    (True, True, False)
    """
    return data.get("kind") in ("sync", "adoption")


def node_row(G: nx.DiGraph, node: Hashable) -> tuple[bool, dict[str, Any], dict | None]:
    """Return what a reach report lists about ``node``: ``(is_business, fields, owner team)``.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("business:x", kind="business", name="X")
    >>> node_row(G, "business:x")
    (True, {'slug': 'x', 'name': 'X'}, None)
    """
    data = G.nodes[node]
    slug = data.get("slug") or (parse_node(node)[1] if ":" in str(node) else str(node))
    name = data.get("name") or slug
    if data.get("kind") == "business":
        return True, {"slug": slug, "name": name}, None
    team = data.get("team")
    fields = {"slug": slug, "name": name, "tier": data.get("tier"), "team": team,
              "team_name": data.get("team_name"), "lifecycle": data.get("lifecycle"),
              "layer": data.get("layer")}
    owner = ({"slug": team, "name": data.get("team_name"),
              "contact": data.get("team_contact") or ""} if team else None)
    return False, fields, owner


class Search:
    """The result of one reach query: who is reached, how far, and how.

    ``order`` lists the node numbers reached, nearest first (breadth-first
    order within a distance); ``distance[i]`` and ``sync[i]`` belong to
    ``order[i]``. ``sync`` is True when a chain of synchronous links (see
    :func:`is_sync`) joins the node to the start, whatever its length.
    """

    __slots__ = ("distance", "order", "sync")

    def __init__(self, order: list[int], distance: list[int], sync: list[bool]) -> None:
        self.order, self.distance, self.sync = order, distance, sync

    @property
    def levels(self) -> int:
        """The greatest distance reached (0 when nothing is)."""
        return self.distance[-1] if self.distance else 0


class ReachIndex:
    """A graph prepared for many reach queries.

    Parameters
    ----------
    G : networkx.DiGraph
        Edges run consumer -> provider, with the attributes
        :func:`graphs.build.build_graph` sets. Kept by reference: do not
        change it afterwards.

    Examples
    --------
    >>> G = nx.DiGraph([("shop", "orders", {"kind": "sync"}),
    ...                 ("mail", "orders", {"kind": "async"}),
    ...                 ("orders", "payments", {"kind": "sync"})])
    >>> index = ReachIndex(G)
    >>> found = index.search("payments")
    >>> [(index.nodes[i], d, s) for i, d, s in zip(found.order, found.distance, found.sync)]
    [('orders', 1, True), ('shop', 2, True), ('mail', 2, False)]
    """

    def __init__(self, G: nx.DiGraph) -> None:
        self.graph = G
        self.nodes: list = list(G)
        self.number: dict = {n: i for i, n in enumerate(self.nodes)}
        #: :func:`node_row` of every node, by node number
        self.rows = [node_row(G, n) for n in self.nodes]
        #: by node number: is it a business, is it tier 1, its owner team's slug
        self.is_business = [is_business for is_business, _, _ in self.rows]
        self.tier1 = [fields.get("tier") == 1 for _, fields, _ in self.rows]
        self.team_of = [team["slug"] if team else None for _, _, team in self.rows]
        #: ``{team slug: {"slug", "name", "contact"}}``
        self.teams = {team["slug"]: team for _, _, team in self.rows if team}
        self._encoded: list[bytes] | None = None
        self._adjacency: dict[tuple, list[list[int]]] = {}

    @property
    def encoded(self) -> list[bytes]:
        """Each node's fields as JSON without the closing brace, by node number."""
        if self._encoded is None:
            self._encoded = [json.dumps(fields, ensure_ascii=False).encode()[:-1]
                             for _, fields, _ in self.rows]
        return self._encoded

    def search(self, node: Hashable, *, direction: str = "up",
               links: Iterable[str] = LINKS) -> Search:
        """Return every node ``node`` reaches in ``direction`` along ``links``.

        Parameters
        ----------
        node : node
            Where to start; it is not part of the result.
        direction : {"up", "down"}
            ``"up"``: its dependents (against the edges); ``"down"``: its
            dependencies (along them).
        links : iterable of str
            The kinds of link to follow (:data:`LINKS`).

        Returns
        -------
        Search

        Raises
        ------
        networkx.NodeNotFound
            If ``node`` is not in the graph.
        ValueError
            For an unknown direction or kind of link.
        """
        if node not in self.number:
            raise nx.NodeNotFound(f"Node {node!r} is not in the graph.")
        start = self.number[node]
        links = _links(links)
        everything = self._neighbours(direction, links, sync_only=False)
        distance = [-1] * len(self.nodes)
        distance[start] = 0
        order: list[int] = []
        frontier, level = [start], 0
        while frontier:
            level += 1
            following = []
            for u in frontier:
                for v in everything[u]:
                    if distance[v] < 0:
                        distance[v] = level
                        following.append(v)
            order += following
            frontier = following
        coupled = bytearray(len(self.nodes))
        coupled[start] = 1
        stack = [start]
        synchronous = self._neighbours(direction, links, sync_only=True)
        while stack:
            for v in synchronous[stack.pop()]:
                if not coupled[v]:
                    coupled[v] = 1
                    stack.append(v)
        return Search(order, [distance[i] for i in order], [coupled[i] == 1 for i in order])

    def _neighbours(self, direction: str, links: frozenset, *, sync_only: bool) -> list[list[int]]:
        key = (direction, links, sync_only)
        if key not in self._adjacency:
            if direction not in ("up", "down"):
                raise ValueError(f"direction must be 'up' or 'down', not {direction!r}")
            adjacency = self.graph.pred if direction == "up" else self.graph.succ
            number = self.number
            self._adjacency[key] = [
                [number[m] for m, data in adjacency[n].items()
                 if link_of(data) in links and (not sync_only or is_sync(data))]
                for n in self.nodes
            ]
        return self._adjacency[key]


def _links(links: Iterable[str]) -> frozenset:
    chosen = frozenset(links)
    unknown = chosen - set(LINKS)
    if unknown:
        raise ValueError(f"unknown kinds of link: {sorted(unknown)}; known: {', '.join(LINKS)}")
    return chosen
