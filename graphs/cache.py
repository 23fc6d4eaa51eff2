"""One catalog graph per catalog revision, per worker process; and graphs of past dates.

Every catalog write bumps the revision stored in the database in the same
transaction, so a worker that sees a new revision rebuilds its graph and
several workers never disagree for longer than one request.

Each function takes ``as_of`` (a naive UTC moment, None for now): the graph
of a past moment is built from history (:func:`graphs.build.build_graph_as_of`)
and the last few are kept, each with its own derived values, keyed by the
moment and the current revision (a write may rewrite the past only through
a seed, which bumps the revision).
"""

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

import networkx as nx

from catalog.db import db
from catalog.history import current_revision
from graphs.build import build_graph, build_graph_as_of
from graphs.reach import LINKS, ReachIndex
from graphs.reports import reach_report, reach_report_json

__all__ = ["catalog_graph", "derived", "reach", "reach_index", "reach_json"]

_lock = threading.Lock()
# {database url: (revision, graph, {name: derived value})}
_graphs: dict[str, tuple[int, nx.DiGraph, dict[str, Any]]] = {}
#: Graphs of past moments kept per worker, most recently used last.
PAST_GRAPHS = 8
_past: OrderedDict[tuple[str, dt.datetime, int], tuple[int, nx.DiGraph, dict[str, Any]]] = (
    OrderedDict())


def catalog_graph(as_of: dt.datetime | None = None) -> nx.DiGraph:
    """Return the graph of the current catalog revision, or of ``as_of`` (read-only).

    Costs one small query when the cached graph is current; rebuilds it
    otherwise.
    """
    return _entry(as_of)[1]


def derived(name: str, compute: Callable[[nx.DiGraph], Any], *,
            as_of: dt.datetime | None = None) -> Any:
    """Return ``compute(graph)`` for the current revision (or ``as_of``), computed once."""
    _, G, values = _entry(as_of)
    return _derived(G, values, name, compute)


def reach(slug: str, *, direction: str = "up", depth: int | None = None,
          links: Iterable[str] = LINKS, as_of: dt.datetime | None = None) -> dict[str, Any]:
    """Return :func:`graphs.reports.reach_report` of ``slug`` in the catalog (as of a moment).

    The :class:`~graphs.reach.ReachIndex` the report searches is prepared
    once per graph, so even a hub's report costs about one bare networkx
    traversal.
    """
    _, G, values = _entry(as_of)
    return reach_report(G, slug, direction=direction, depth=depth, links=links,
                        index=_derived(G, values, "reach.index", ReachIndex))


def reach_json(slug: str, *, direction: str = "up", depth: int | None = None,
               links: Iterable[str] = LINKS, as_of: dt.datetime | None = None) -> bytes:
    """Return :func:`reach` encoded as JSON (:func:`graphs.reports.reach_report_json`)."""
    _, G, values = _entry(as_of)
    return reach_report_json(G, slug, direction=direction, depth=depth, links=links,
                             index=_derived(G, values, "reach.index", ReachIndex))


def reach_index(G: nx.DiGraph) -> ReachIndex:
    """Return the :class:`~graphs.reach.ReachIndex` of ``G``.

    Kept with ``G`` when it is a cached graph (of now or of a past moment, as
    :func:`catalog_graph` returns them); built afresh for any other graph.
    """
    with _lock:
        entries = [*_graphs.values(), *_past.values()]
    for _, cached, values in entries:
        if cached is G:
            return _derived(G, values, "reach.index", ReachIndex)
    return ReachIndex(G)


def _derived(G: nx.DiGraph, values: dict[str, Any], name: str,
             compute: Callable[[nx.DiGraph], Any]) -> Any:
    if name not in values:
        value = compute(G)
        with _lock:
            values.setdefault(name, value)
    return values[name]


def _entry(as_of: dt.datetime | None = None) -> tuple[int, nx.DiGraph, dict[str, Any]]:
    key = db.engine.url.render_as_string(hide_password=True)
    revision = current_revision()
    if as_of is not None:
        return _past_entry((key, as_of, revision))
    with _lock:
        cached = _graphs.get(key)
    if cached is not None and cached[0] == revision:
        return cached
    G = build_graph()
    entry = (G.graph["revision"], G, {})
    with _lock:
        _graphs[key] = entry
    return entry


def _past_entry(key: tuple[str, dt.datetime, int]) -> tuple[int, nx.DiGraph, dict[str, Any]]:
    with _lock:
        cached = _past.get(key)
        if cached is not None:
            _past.move_to_end(key)
            return cached
    G = build_graph_as_of(key[1])
    entry = (G.graph["revision"], G, {})
    with _lock:
        _past[key] = entry
        while len(_past) > PAST_GRAPHS:
            _past.popitem(last=False)
    return entry
