"""One catalog graph per catalog revision, per worker process.

Every catalog write bumps the revision stored in the database in the same
transaction, so a worker that sees a new revision rebuilds its graph and
several workers never disagree for longer than one request.
"""

import threading
from collections.abc import Callable
from typing import Any

import networkx as nx

from catalog.db import db
from catalog.history import current_revision
from graphs.build import build_graph
from graphs.reports import node_rows, reach_report

__all__ = ["catalog_graph", "derived", "reach"]

_lock = threading.Lock()
# {database url: (revision, graph, {name: derived value})}
_graphs: dict[str, tuple[int, nx.DiGraph, dict[str, Any]]] = {}


def catalog_graph() -> nx.DiGraph:
    """Return the graph of the current catalog revision (read-only: do not mutate it).

    Costs one small query when the cached graph is current; rebuilds it
    otherwise.
    """
    return _entry()[1]


def derived(name: str, compute: Callable[[nx.DiGraph], Any]) -> Any:
    """Return ``compute(graph)`` for the current revision, computed once per revision."""
    _, G, values = _entry()
    return _derived(G, values, name, compute)


def reach(slug: str, *, direction: str = "up", depth: int | None = None) -> dict[str, Any]:
    """Return :func:`graphs.reports.reach_report` of ``slug`` in the current catalog.

    The per-node rows the report copies are prepared once per revision, so
    even a hub's report costs little more than the traversal itself.
    """
    _, G, values = _entry()
    rows = _derived(G, values, "reach.rows", node_rows)
    return reach_report(G, slug, direction=direction, depth=depth, rows=rows)


def _derived(G: nx.DiGraph, values: dict[str, Any], name: str,
             compute: Callable[[nx.DiGraph], Any]) -> Any:
    if name not in values:
        value = compute(G)
        with _lock:
            values.setdefault(name, value)
    return values[name]


def _entry() -> tuple[int, nx.DiGraph, dict[str, Any]]:
    key = db.engine.url.render_as_string(hide_password=True)
    revision = current_revision()
    with _lock:
        cached = _graphs.get(key)
    if cached is not None and cached[0] == revision:
        return cached
    G = build_graph()
    entry = (G.graph["revision"], G, {})
    with _lock:
        _graphs[key] = entry
    return entry
