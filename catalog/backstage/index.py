"""Answering Backstage catalog queries: an index of the served entities, one per catalog revision.

Backstage's catalog backend keeps each entity as JSON text plus a ``search``
table of ``(key, value)`` rows (:func:`search_rows`: every leaf of the entity
under its dotted path, ``path.item = true`` for each string in a list,
``relations.<type>`` for each relation; keys and values lower-cased, values
over 200 characters kept only as "the key exists"). Filters, full text,
ordering and facets all read those rows. :class:`EntityIndex` holds the same
rows in memory, for the served entities of one catalog revision
(:func:`~catalog.backstage.entities.served_entities`), and answers every read
of the catalog API from them.

:func:`entity_index` returns the index of the current revision, building it
once per revision and worker process, as the catalog graph is
(:mod:`graphs.cache`): every write bumps the revision in the database, so a
worker never answers from an older catalog than the one it sees.

Entities are ordered by uid, as Backstage orders them by default; a
by-query page continues from the (sort value, uid) of the last entity it
returned, so paging is stable while the catalog changes.
"""

import bisect
import json
import threading
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from catalog.backstage.entities import served_entities
from catalog.backstage.query import Condition, EntityQuery, Filter, ListQuery, Page
from catalog.backstage.vocabulary import entity_ref
from catalog.db import db
from catalog.history import current_revision

__all__ = ["EntityIndex", "QueryPage", "entity_index", "search_rows"]

#: Keys the search rows leave out or write themselves (Backstage's SPECIAL_KEYS).
SPECIAL_KEYS = frozenset({"attachments", "relations", "status", "metadata.name",
                          "metadata.namespace", "metadata.uid", "metadata.etag"})
MAX_KEY_LENGTH = 200
MAX_VALUE_LENGTH = 200
#: How many filter conditions' matches an index keeps (the same few recur: kind, owner, type).
MAX_KEPT_CONDITIONS = 512
_MISSING = object()

_lock = threading.Lock()
_indexes: dict[str, "EntityIndex"] = {}  # {database url: index of its latest revision}


def entity_index() -> "EntityIndex":
    """Return the index of the current catalog revision, building it when the catalog changed.

    Costs one small query when the index is current. One thread of a worker
    builds a new index at a time: while it does, the worker's other threads
    answer from the index of the previous revision rather than wait (the
    catalog API is eventually consistent, as Backstage's is); with no index
    yet, they wait for the first one.
    """
    key = db.engine.url.render_as_string(hide_password=True)
    revision = current_revision()
    index = _indexes.get(key)
    if index is not None and index.revision == revision:
        return index
    if not _lock.acquire(blocking=index is None):
        return index
    try:
        index = _indexes.get(key)
        if index is None or index.revision != revision:
            index = EntityIndex(served_entities(), revision)
            _indexes[key] = index
    finally:
        _lock.release()
    return index


def search_rows(entity: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    """Return the ``(key, original value, value)`` search rows of an entity, as Backstage's.

    Keys and values are lower-case; a value that is null, or longer than
    200 characters, is None (the key exists, with no value to match).

    Examples
    --------
    >>> rows = search_rows({"kind": "Component", "metadata": {"name": "Web", "tags": ["Java"]},
    ...                     "spec": {"type": "service"},
    ...                     "relations": [{"type": "ownedBy", "targetRef": "group:default/a"}]})
    >>> [(key, value) for key, _, value in rows]  # doctest: +NORMALIZE_WHITESPACE
    [('kind', 'component'), ('metadata.tags', 'java'), ('metadata.tags.java', 'true'),
     ('spec.type', 'service'), ('metadata.name', 'web'), ('metadata.namespace', 'default'),
     ('relations.ownedby', 'group:default/a')]
    """
    raw: list[tuple[str, Any]] = []
    items_seen: set[str] = set()
    append = raw.append

    def visit(path: str, value: Any) -> None:
        if type(value) is str or value is None or isinstance(value, (int, float)):
            append((path, value))
        elif isinstance(value, list):
            for item in value:
                visit(path, item)
                if type(item) is str:
                    item_key = f"{path}.{item}"
                    if item_key.lower() not in items_seen:
                        items_seen.add(item_key.lower())
                        append((item_key, True))
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                if child not in SPECIAL_KEYS:
                    visit(child, item)

    visit("", entity)
    metadata = entity.get("metadata") or {}
    raw += [("metadata.name", metadata.get("name")),
            ("metadata.namespace", metadata.get("namespace") or "default")]
    if "uid" in metadata:
        raw.append(("metadata.uid", metadata["uid"]))
    raw += [(f"relations.{relation['type']}", relation["targetRef"])
            for relation in entity.get("relations") or []]
    rows, seen = [], set()
    for key, value in raw:
        key = key.lower()
        if len(key) > MAX_KEY_LENGTH:
            continue
        if type(value) is not str:
            value = None if value is None else _js_string(value)
        if value is not None and len(value) > MAX_VALUE_LENGTH:
            value = None
        lower = None if value is None else value.lower()
        if (key, lower) not in seen:
            seen.add((key, lower))
            rows.append((key, value, lower))
    return rows


@dataclass(frozen=True)
class QueryPage:
    """One page of a by-query answer: entities as JSON text, the total, and the cursors."""

    items: list[str]
    total: int
    next_cursor: str | None
    prev_cursor: str | None


@dataclass(frozen=True)
class _Order:
    """The entities that have a search key, sorted by (lowest value, uid)."""

    positions: list[int]
    keys: list[tuple[str, str]]  # (value, uid) of each, for bisecting
    value_of: dict[int, str]
    rank_of_value: dict[str, int]  # dense rank of each distinct value


class EntityIndex:
    """The served entities of one catalog revision, with their search rows, ready to query.

    Parameters
    ----------
    entities : list of dict
        Served entities (with ``metadata.uid`` and ``relations``).
    revision : int
        The catalog revision they are of.
    """

    def __init__(self, entities: list[dict[str, Any]], revision: int) -> None:
        self.revision = revision
        entities = sorted(entities, key=lambda entity: entity["metadata"]["uid"])
        self.uids = [entity["metadata"]["uid"] for entity in entities]
        self.refs = [entity_ref(entity) for entity in entities]
        # Each entity as JSON text per top-level field ('"kind":"API"'), so that the whole
        # entity, or some of its fields (relations, say), is a join of texts.
        self._parts = [{key: f"{_dumps(key)}:{_dumps(value)}" for key, value in entity.items()}
                       for entity in entities]
        self.position_of_ref = {ref: position for position, ref in enumerate(self.refs)}
        self.position_of_uid = {uid: position for position, uid in enumerate(self.uids)}
        # {key: {value: [positions]}}, and the original of a value where case differs:
        # {key: {value: {position: original}}} (facets list values as written).
        values: defaultdict[str, defaultdict[str | None, list[int]]] = defaultdict(
            lambda: defaultdict(list))
        cased: defaultdict[str, defaultdict[str, dict[int, str]]] = defaultdict(
            lambda: defaultdict(dict))
        for position, entity in enumerate(entities):
            for key, original, lower in search_rows(entity):
                values[key][lower].append(position)
                if original != lower:
                    cased[key][lower][position] = original
        # Positions as arrays, not lists: the garbage collector does not walk arrays, while
        # hundreds of thousands of lists made its collections pause queries (measured at
        # 10,000 components: a filter's p95 3x its median and worst cases over 100 ms with
        # lists; 1.1x and under 10 ms with arrays).
        self._values = {key: {value: array("i", positions) for value, positions in by_value.items()}
                        for key, by_value in values.items()}
        self._cased = {key: dict(by_value) for key, by_value in cased.items()}
        self._having: dict[str, frozenset[int]] = {}
        self._conditions: dict[Condition, frozenset[int]] = {}
        self._orders: dict[str, _Order] = {}
        self._by_ref: list[int] | None = None

    def __len__(self) -> int:
        return len(self._parts)

    # -- reads -------------------------------------------------------------------------

    def by_ref(self, ref: str) -> str | None:
        """Return the entity ``kind:namespace/name`` (any case) as JSON, or None."""
        position = self.position_of_ref.get(ref.lower())
        return None if position is None else self._text(position, None)

    def by_uid(self, uid: str) -> str | None:
        """Return the entity with ``uid`` as JSON, or None."""
        position = self.position_of_uid.get(uid.lower())
        return None if position is None else self._text(position, None)

    def by_refs(self, refs: list[str], query_filter: Filter | None = None,
                fields: tuple[str, ...] | None = None) -> list[str | None]:
        """Return the entities ``refs`` name, in that order; None for unknown or filtered out.

        As Backstage's, a reference must be complete (``kind:namespace/name``).
        """
        matched = self._match(query_filter)
        found = []
        for ref in refs:
            position = self.position_of_ref.get(ref.lower())
            if position is not None and (matched is None or position in matched):
                found.append(self._text(position, fields))
            else:
                found.append(None)
        return found

    def query(self, query: EntityQuery) -> QueryPage:
        """Answer ``GET /entities/by-query``: one page, the total and the cursors."""
        matched = self._match(query.filter)
        if query.term:
            fields = query.text_fields or (query.order[0] if query.order else "metadata.uid",)
            hits = self._text_hits(query.term.lower(), fields)
            matched = hits if matched is None else matched & hits
        if query.order is not None:  # entities without the order field are not listed
            order = self._order(query.order[0])
            sequence, keys = order.positions, order.keys
            having = self._having_key(query.order[0])
            matched = having if matched is None else matched & having
        else:
            order, sequence, keys = None, range(len(self)), self.uids
        if query.total is not None:
            total = query.total
        elif query.count_total:
            total = len(self) if matched is None else len(matched)
        else:
            total = 0

        def sort_values(position: int) -> tuple[Any, ...]:
            if order is None:
                return (self.uids[position],)
            return (order.value_of[position], self.uids[position])

        page = query.page
        descending = query.order is not None and query.order[1] == "desc"
        backwards = page is not None and page.previous
        if page is None:
            start, upward = (0, True) if not descending else (len(sequence) - 1, False)
        else:
            mark = tuple(page.values) if order is not None else page.values[0]
            upward = descending == backwards
            start = (bisect.bisect_right(keys, mark) if upward
                     else bisect.bisect_left(keys, mark) - 1)
        steps = range(start, len(sequence)) if upward else range(start, -1, -1)
        candidates = (sequence[i] for i in steps)
        if matched is not None:
            candidates = (position for position in candidates if position in matched)
        if page is None and query.offset:
            candidates = islice(candidates, query.offset, None)
        wanted = 0 if query.limit == 0 else (query.limit if backwards else query.limit + 1)
        rows = list(islice(candidates, wanted))
        if backwards:
            rows.reverse()
        more = query.limit > 0 and (backwards or len(rows) > query.limit)
        rows = rows[:query.limit]
        first = page.first if page is not None and page.first is not None else (
            sort_values(rows[0]) if rows else None)
        next_cursor = prev_cursor = None
        if more and rows:
            next_cursor = query.cursor(Page(sort_values(rows[-1]), first), total)
        if page is not None and rows and sort_values(rows[0]) != page.first:
            prev_cursor = query.cursor(Page(sort_values(rows[0]), page.first, True), total)
        return QueryPage([self._text(p, query.fields) for p in rows], total, next_cursor,
                         prev_cursor)

    def list_entities(self, query: ListQuery) -> tuple[Iterator[str], bool]:
        """Answer ``GET /entities``: the entities as JSON, and whether a next page exists.

        Without an ``order`` the list is sorted by entity reference; with
        one, by each order field in turn (entities without it last), then uid.
        """
        matched = self._match(query.filter)
        if query.order:
            positions = range(len(self)) if matched is None else matched
            ordered = sorted(positions, key=self._list_key(query.order))
        else:
            if self._by_ref is None:
                self._by_ref = sorted(range(len(self)), key=self.refs.__getitem__)
            ordered = (self._by_ref if matched is None
                       else [p for p in self._by_ref if p in matched])
        end = None if query.limit is None else query.offset + query.limit
        page = ordered[query.offset:end]
        more = end is not None and len(ordered) > end
        return (self._text(position, query.fields) for position in page), more

    def facets(self, names: tuple[str, ...], query_filter: Filter | None) -> dict[str, Any]:
        """Answer ``GET /entity-facets``: per facet, each value with its count of entities.

        Values keep their case and are sorted; entities are counted under the
        filter.
        """
        matched = self._match(query_filter)
        result = {}
        for name in names:
            key = name.lower()
            counts: Counter[str] = Counter()
            for value, positions in self._values.get(key, {}).items():
                if value is None:
                    continue
                if matched is not None:
                    positions = [position for position in positions if position in matched]
                cased = self._cased.get(key, {}).get(value)
                if cased is None:
                    counts[value] += len(positions)
                else:
                    counts.update(cased.get(position, value) for position in positions)
            result[name] = [{"value": value, "count": count}
                            for value, count in sorted(counts.items()) if count]
        return result

    # -- matching ------------------------------------------------------------------------

    def _match(self, query_filter: Filter | None) -> frozenset[int] | None:
        """Return the positions the filter matches (None: no filter, everything)."""
        if query_filter is None:
            return None
        matches = []
        for conditions in query_filter:
            found: frozenset[int] | None = None
            for condition in conditions:
                positions = self._condition(condition)
                found = positions if found is None else found & positions
                if not found:
                    break
            matches.append(found or frozenset())
        return matches[0] if len(matches) == 1 else frozenset().union(*matches)

    def _condition(self, condition: Condition) -> frozenset[int]:
        """Return the positions one condition matches, kept for the next query that asks."""
        positions = self._conditions.get(condition)
        if positions is None:
            if condition.values is None:
                positions = self._having_key(condition.key)
            else:
                by_value = self._values.get(condition.key, {})
                positions = frozenset(position for value in condition.values
                                      for position in by_value.get(value, ()))
            if len(self._conditions) >= MAX_KEPT_CONDITIONS:
                self._conditions.clear()
            self._conditions[condition] = positions
        return positions

    def _having_key(self, key: str) -> frozenset[int]:
        if key not in self._having:
            self._having[key] = frozenset(
                position for positions in self._values.get(key, {}).values()
                for position in positions)
        return self._having[key]

    def _text_hits(self, term: str, fields: tuple[str, ...]) -> set[int]:
        """Return the positions with ``term`` in the value of any of ``fields``."""
        hits: set[int] = set()
        for field in fields:
            for value, positions in self._values.get(field.lower(), {}).items():
                if value is not None and term in value:
                    hits.update(positions)
        return hits

    def _order(self, key: str) -> _Order:
        """Return the entities that have a value under ``key``, sorted by (value, uid)."""
        if key not in self._orders:
            lowest: dict[int, str] = {}
            for value, positions in self._values.get(key, {}).items():
                if value is None:
                    continue
                for position in positions:
                    if position not in lowest or value < lowest[position]:
                        lowest[position] = value
            ordered = sorted(lowest, key=lambda p: (lowest[p], self.uids[p]))
            distinct = sorted(set(lowest.values()))
            self._orders[key] = _Order(
                ordered, [(lowest[p], self.uids[p]) for p in ordered], lowest,
                {value: rank for rank, value in enumerate(distinct)})
        return self._orders[key]

    def _list_key(self, fields: tuple[tuple[str, str], ...]):
        orders = [(self._order(field), direction) for field, direction in fields]

        def key(position: int) -> tuple:
            parts: list[tuple[int, int]] = []
            for order, direction in orders:
                value = order.value_of.get(position)
                if value is None:
                    parts.append((1, 0))
                else:
                    rank = order.rank_of_value[value]
                    parts.append((0, rank if direction == "asc" else -rank))
            return (*parts, position)

        return key

    def _text(self, position: int, fields: tuple[str, ...] | None) -> str:
        """Return an entity as JSON text, whole or only ``fields`` (Backstage's projection).

        Top-level fields are joined as they are; for deeper paths only the
        top-level fields they start in are parsed.
        """
        parts = self._parts[position]
        if fields is None:
            return "{" + ",".join(parts.values()) + "}"
        if all(field in parts or "." not in field for field in fields):
            return "{" + ",".join(parts[field] for field in dict.fromkeys(fields)
                                  if field in parts) + "}"
        tops = {field.split(".", 1)[0] for field in fields}
        if not tops <= parts.keys():
            tops = set(parts)
        partial = json.loads("{" + ",".join(parts[top] for top in tops if top in parts) + "}")
        return _dumps(project(partial, fields))


def project(entity: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """Return the parts of ``entity`` that ``fields`` name, as Backstage's ``fields`` does.

    A dotted path is followed key by key; a key with dots in it (an
    annotation) is found by joining the parts that follow.

    >>> project({"kind": "API", "metadata": {"name": "a", "annotations": {"x.io/y": "1"}}},
    ...         ("metadata.annotations.x.io/y", "kind", "spec.type"))
    {'metadata': {'annotations': {'x.io/y': '1'}}, 'kind': 'API'}
    """
    output: dict[str, Any] = {}
    for field in fields:
        parts = field.split(".")
        path: list[str] = []
        current: Any = entity
        carried = ""
        for i, part in enumerate(parts):
            name = carried + part
            if isinstance(current, dict) and name in current:
                path.append(name)
                current, carried = current[name], ""
            elif i + 1 < len(parts):
                carried = name + "."
            else:
                current = _MISSING
        if current is _MISSING or not path:
            continue
        target = output
        for name in path[:-1]:
            if not isinstance(target.get(name), dict):
                target[name] = {}
            target = target[name]
        target[path[-1]] = current
    return output


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _js_string(value: Any) -> str:
    """Return a scalar as JavaScript's ``String()`` writes it (``true``, ``2`` for 2.0)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
