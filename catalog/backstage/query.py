"""The query language of Backstage's catalog API: filters, fields, order, full text, cursors.

Parameters are read the way Backstage's catalog backend reads them, and bad
ones are refused with Backstage's messages (:class:`InvalidQuery`, a 400):

- ``filter``: each parameter is a set of comma-separated conditions that must
  all hold (AND); an entity matches when any set holds (OR). A condition is
  ``key=value`` (the key has that value) or ``key`` (the key exists); keys and
  values are compared without regard to case, and a key named twice in one
  set matches any of its values;
- ``fields``: comma-separated dotted paths of the parts of each entity to
  keep (``metadata.name,spec``); an ``[`` is refused;
- ``orderField``: ``field,asc|desc`` (by-query), ``order``: ``asc|desc:field``
  (the older list);
- ``fullTextFilterTerm`` and ``fullTextFilterFields``;
- ``limit``, ``offset``, ``cursor`` (by-query), ``after`` (the older list).

A by-query cursor carries the whole query (filter, order, full text, the
total and the position reached), so a client sends only the cursor for the
next page, and the pages stay consistent while the catalog changes. It is
base64 of JSON, as Backstage's, and is checked field by field: anything
else is "Malformed cursor".
"""

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from catalog.errors import CatalogError

__all__ = ["Condition", "EntityQuery", "InvalidQuery", "ListQuery", "Page", "parse_facets",
           "parse_fields", "parse_filter", "parse_list_query", "parse_query", "parse_refs_body"]

Params = Mapping[str, Sequence[str]]
#: The default page of ``GET /entities/by-query`` (Backstage's).
DEFAULT_LIMIT = 200
#: Bounds that keep one request's work small; Backstage's own catalogs never come near them.
MAX_FILTER_SETS = 50
MAX_CONDITIONS = 50
MAX_FIELDS = 50
#: The most references one ``POST /entities/by-refs`` reads (Backstage's client sends 1,000).
MAX_REFS = 10_000
MAX_PARAM_LENGTH = 4000
MAX_CURSOR_LENGTH = 16_000
MAX_INTEGER = 2_147_483_647
ORDERS = ("asc", "desc")
TOTAL_ITEMS_MODES = ("include", "exclude")


class InvalidQuery(CatalogError):
    """A request parameter of the catalog API is not valid (Backstage's ``InputError``)."""

    status = 400


@dataclass(frozen=True)
class Condition:
    """One condition of a filter set: ``key`` exists (``values`` None) or has one of ``values``.

    Both are lower-case: matching ignores case.
    """

    key: str
    values: tuple[str, ...] | None = None


#: Any of these sets of conditions, each holding as a whole (OR of ANDs); () matches nothing.
Filter = tuple[tuple[Condition, ...], ...]


@dataclass(frozen=True)
class Page:
    """Where a by-query page starts: after (or, going back, before) ``values``."""

    values: tuple[Any, ...]  # (sort value, uid) with an order field, else (uid,)
    first: tuple[Any, ...] | None  # the sort values of the first entity of the first page
    previous: bool = False


@dataclass(frozen=True)
class EntityQuery:
    """A ``GET /entities/by-query`` request, or the query a cursor carries on."""

    filter: Filter | None = None
    order: tuple[str, str] | None = None  # (lower-case field, "asc" | "desc")
    term: str = ""
    text_fields: tuple[str, ...] | None = None
    fields: tuple[str, ...] | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    total: int | None = None  # carried by a cursor: not counted again
    count_total: bool = True
    page: Page | None = None

    def cursor(self, page: Page, total: int) -> str:
        """Return the cursor that continues this query at ``page``."""
        data = {
            "filter": None if self.filter is None else [
                [[c.key, None if c.values is None else list(c.values)] for c in conditions]
                for conditions in self.filter],
            "orderFields": [] if self.order is None else [
                {"field": self.order[0], "order": self.order[1]}],
            "fullTextFilter": {"term": self.term, "fields": None if self.text_fields is None
                               else list(self.text_fields)},
            "orderFieldValues": list(page.values),
            "firstSortFieldValues": None if page.first is None else list(page.first),
            "isPrevious": page.previous,
            "totalItems": total,
        }
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        return base64.b64encode(text.encode("utf-8")).decode("ascii")


@dataclass(frozen=True)
class ListQuery:
    """A ``GET /entities`` request (the older list): all, or a page by offset."""

    filter: Filter | None = None
    order: tuple[tuple[str, str], ...] = ()
    fields: tuple[str, ...] | None = None
    limit: int | None = None
    offset: int = 0
    paged: bool = False

    def after(self) -> str:
        """Return the ``after`` value of the next page."""
        text = json.dumps({"limit": self.limit, "offset": self.offset + (self.limit or 0)})
        return base64.b64encode(text.encode("utf-8")).decode("ascii")


@dataclass
class _Reader:
    """Reads parameters out of ``{name: [values]}``, rejecting the ones Backstage rejects."""

    params: Params

    def many(self, name: str, *, longest: int = MAX_PARAM_LENGTH) -> list[str]:
        values = list(self.params.get(name, ()))
        if any(len(value) > longest for value in values):
            raise InvalidQuery(f"Invalid {name}, longer than {longest:,} characters")
        return values

    def one(self, name: str, *, longest: int = MAX_PARAM_LENGTH) -> str | None:
        values = self.many(name, longest=longest)
        if len(values) > 1:
            raise InvalidQuery(f"Invalid {name}, not a string")
        return values[0] if values else None

    def integer(self, name: str, *, minimum: int) -> int | None:
        """Return an integer parameter; Backstage's "not an integer" when it is not one."""
        value = self.one(name)
        if value is None:
            return None
        if not re.fullmatch(r"-?\d{1,10}", value) or str(int(value)) != value:
            raise InvalidQuery(f"Invalid {name}, not an integer")
        number = int(value)
        if number < minimum:
            rule = "zero or greater" if minimum == 0 else "greater than zero"
            raise InvalidQuery(f"Invalid {name}, must be {rule}")
        return min(number, MAX_INTEGER)


def parse_filter(values: Sequence[str]) -> Filter | None:
    """Return the filter sets of ``filter`` parameters (None: no filter at all).

    Examples
    --------
    >>> parse_filter(["kind=Component,spec.type=service", "kind=group"])[1]
    (Condition(key='kind', values=('group',)),)
    >>> parse_filter(["kind=api,Kind=component,spec.type"])[0]
    (Condition(key='kind', values=('api', 'component')), Condition(key='spec.type', values=None))
    >>> parse_filter(["=x"])
    Traceback (most recent call last):
    ...
    catalog.backstage.query.InvalidQuery: Invalid filter, '=x' is not a valid statement (expected a string on the form a=b or a= or a)
    """
    if len(values) > MAX_FILTER_SETS:
        raise InvalidQuery(f"Invalid filter, at most {MAX_FILTER_SETS} filter parameters")
    sets = []
    for text in values:
        statements = [s.strip() for s in text.split(",") if s.strip()]
        if len(statements) > MAX_CONDITIONS:
            raise InvalidQuery(f"Invalid filter, at most {MAX_CONDITIONS} conditions in one")
        by_key: dict[str, list[str] | None] = {}
        for statement in statements:
            key, equals, value = statement.partition("=")
            key = key.strip().lower()
            if not key:
                raise InvalidQuery(f"Invalid filter, '{statement}' is not a valid statement "
                                   "(expected a string on the form a=b or a= or a)")
            if equals:
                listed = by_key.get(key) or []
                by_key[key] = [*listed, value.strip().lower()]
            else:
                by_key.setdefault(key, None)
        if by_key:
            sets.append(tuple(Condition(key, None if listed is None else tuple(listed))
                              for key, listed in by_key.items()))
    return tuple(sets) if sets else None


def parse_fields(values: Sequence[str]) -> tuple[str, ...] | None:
    """Return the ``fields`` to keep of each entity (None: whole entities).

    >>> parse_fields(["kind,metadata.name", " spec "])
    ('kind', 'metadata.name', 'spec')
    """
    fields = tuple(dict.fromkeys(part.strip() for value in values for part in value.split(",")
                                 if part.strip()))
    if len(fields) > MAX_FIELDS:
        raise InvalidQuery(f"Invalid fields, at most {MAX_FIELDS}")
    bad = next((f for f in fields if "[" in f), None)
    if bad is not None:
        raise InvalidQuery(f'Invalid field "{bad}", array type fields are not supported')
    return fields or None


def parse_facets(params: Params) -> tuple[str, ...]:
    """Return the ``facet`` parameters of ``GET /entity-facets`` (at least one)."""
    facets = tuple(f for f in _Reader(params).many("facet") if f)
    if not facets:
        raise InvalidQuery("Missing facet parameter")
    if len(facets) > MAX_FIELDS:
        raise InvalidQuery(f"Invalid facet, at most {MAX_FIELDS}")
    return facets


def parse_refs_body(body: Any) -> tuple[list[str], tuple[str, ...] | None]:
    """Return the references and fields of a ``POST /entities/by-refs`` JSON body.

    >>> parse_refs_body({"entityRefs": ["component:default/a"], "fields": ["kind"]})
    (['component:default/a'], ('kind',))
    >>> parse_refs_body({"entityRefs": "component:default/a"})
    Traceback (most recent call last):
    ...
    catalog.backstage.query.InvalidQuery: Malformed request body (did you remember to specify an application/json content type?), entityRefs must be a list of strings
    """
    def refuse(problem: str) -> InvalidQuery:
        return InvalidQuery("Malformed request body (did you remember to specify an "
                            f"application/json content type?), {problem}")

    if not isinstance(body, dict):
        raise refuse("the body must be a JSON object")
    refs, fields = body.get("entityRefs"), body.get("fields")
    if not isinstance(refs, list) or not all(isinstance(ref, str) for ref in refs):
        raise refuse("entityRefs must be a list of strings")
    if len(refs) > MAX_REFS:
        raise refuse(f"at most {MAX_REFS:,} entityRefs at once")
    if fields is not None and (not isinstance(fields, list)
                               or not all(isinstance(f, str) for f in fields)):
        raise refuse("fields must be a list of strings")
    return refs, parse_fields(fields or [])


def parse_query(params: Params) -> EntityQuery:
    """Return the ``GET /entities/by-query`` request that ``params`` make.

    With a ``cursor``, only ``limit`` and ``fields`` are read besides it:
    the cursor carries the rest of the query.
    """
    read = _Reader(params)
    fields = parse_fields(read.many("fields"))
    limit = read.integer("limit", minimum=0)
    cursor = read.one("cursor", longest=MAX_CURSOR_LENGTH)
    if cursor:
        query = _decode_cursor(cursor)
        return replace(query, fields=fields, limit=DEFAULT_LIMIT if limit is None else limit)
    mode = read.one("totalItems")
    if mode is not None and mode not in TOTAL_ITEMS_MODES:
        raise InvalidQuery(f'Invalid totalItems parameter "{mode}", expected one of: '
                           f"{', '.join(TOTAL_ITEMS_MODES)}")
    order = None
    order_fields = read.many("orderField")
    for value in order_fields:  # every one is checked; only the first orders (as Backstage)
        name, _, direction = value.partition(",")
        if direction and direction not in ORDERS:
            raise InvalidQuery("Invalid order field order, must be asc or desc")
        if order is None:
            order = (name.strip().lower(), direction or "asc")
    text_fields = read.one("fullTextFilterFields")
    return EntityQuery(
        filter=parse_filter(read.many("filter")), order=order,
        term=(read.one("fullTextFilterTerm") or "").strip(),
        text_fields=None if not text_fields else tuple(text_fields.split(",")),
        fields=fields, limit=DEFAULT_LIMIT if limit is None else limit,
        offset=read.integer("offset", minimum=0) or 0, count_total=mode != "exclude")


def parse_list_query(params: Params) -> ListQuery:
    """Return the ``GET /entities`` request that ``params`` make."""
    read = _Reader(params)
    order = []
    for value in read.many("order"):
        match = re.fullmatch(r"(asc|desc):(.+)", value, re.DOTALL)
        if match is None:
            raise InvalidQuery(f'Invalid order parameter "{value}", expected '
                               '"<asc or desc>:<field name>"')
        order.append((match[2].lower(), match[1]))
    offset = read.integer("offset", minimum=0)
    limit = read.integer("limit", minimum=1)
    after = read.one("after")
    if after is not None and not after:
        raise InvalidQuery("Invalid after, must not be empty")
    if after:
        limit, offset = _decode_after(after, limit, offset)
    return ListQuery(filter=parse_filter(read.many("filter")), order=tuple(order),
                     fields=parse_fields(read.many("fields")), limit=limit, offset=offset or 0,
                     paged=offset is not None or limit is not None or after is not None)


# -- cursors -------------------------------------------------------------------------------


def _decode_after(after: str, limit: int | None, offset: int | None) -> tuple[int | None,
                                                                                int | None]:
    try:
        data = json.loads(base64.b64decode(after, validate=True))
    except (binascii.Error, ValueError):
        raise InvalidQuery("Malformed after cursor, could not be parsed") from None
    if not isinstance(data, dict):
        raise InvalidQuery("Malformed after cursor, could not be parsed")
    for name in ("limit", "offset"):
        value = data.get(name)
        if value is not None and (not _is_int(value) or not 0 <= value <= MAX_INTEGER
                                  or (name == "limit" and value == 0)):
            raise InvalidQuery(f"Malformed after cursor, {name} was not a number")
    return data.get("limit", limit), data.get("offset", offset)


def _decode_cursor(cursor: str) -> EntityQuery:
    """Return the query a by-query cursor continues; "Malformed cursor" when it is not one."""
    try:
        data = json.loads(base64.b64decode(cursor, validate=True).decode("utf-8"))
    except (binascii.Error, ValueError) as exc:
        raise InvalidQuery(f"Malformed cursor: {exc}") from None
    try:
        return _cursor_query(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidQuery(f"Malformed cursor: {exc}") from None


def _cursor_query(data: Any) -> EntityQuery:
    _expect(isinstance(data, dict), "not an object")
    raw_filter = data.get("filter")
    query_filter = None
    if raw_filter is not None:
        _expect(isinstance(raw_filter, list) and len(raw_filter) <= MAX_FILTER_SETS, "filter")
        sets = []
        for conditions in raw_filter:
            _expect(isinstance(conditions, list) and len(conditions) <= MAX_CONDITIONS, "filter")
            parsed = []
            for condition in conditions:
                _expect(isinstance(condition, list) and len(condition) == 2, "filter condition")
                key, values = condition
                _expect(isinstance(key, str) and key == key.lower() and key != "", "filter key")
                _expect(values is None or (isinstance(values, list) and values and all(
                    isinstance(v, str) and v == v.lower() for v in values)), "filter values")
                parsed.append(Condition(key, None if values is None else tuple(values)))
            sets.append(tuple(parsed))
        query_filter = tuple(sets)
    order_fields = data["orderFields"]
    _expect(isinstance(order_fields, list) and len(order_fields) <= 1, "orderFields")
    order = None
    for item in order_fields:
        _expect(isinstance(item, dict) and isinstance(item.get("field"), str)
                and item.get("order") in ORDERS, "orderFields")
        order = (item["field"].lower(), item["order"])
    text = data["fullTextFilter"]
    _expect(isinstance(text, dict) and isinstance(text.get("term"), str), "fullTextFilter")
    text_fields = text.get("fields")
    _expect(text_fields is None or (isinstance(text_fields, list) and len(text_fields)
                                    <= MAX_FIELDS and all(isinstance(f, str)
                                                          for f in text_fields)),
            "fullTextFilter.fields")
    values, first = data["orderFieldValues"], data["firstSortFieldValues"]
    size = 2 if order else 1
    _expect(_sort_values(values, size), "orderFieldValues")
    _expect(first is None or _sort_values(first, size), "firstSortFieldValues")
    previous, total = data["isPrevious"], data["totalItems"]
    _expect(isinstance(previous, bool), "isPrevious")
    _expect(_is_int(total) and 0 <= total <= MAX_INTEGER, "totalItems")
    return EntityQuery(filter=query_filter, order=order, term=text["term"],
                       text_fields=None if text_fields is None else tuple(text_fields),
                       total=total, page=Page(tuple(values), None if first is None
                                              else tuple(first), previous))


def _sort_values(values: Any, size: int) -> bool:
    """True for a position in the sort order: ``[uid]``, or ``[sort value, uid]``."""
    return (isinstance(values, list) and len(values) == size
            and all(isinstance(v, str) for v in values))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise ValueError(f"bad {what}")
