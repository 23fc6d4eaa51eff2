"""Pages of lists: the filters and page of a list read in SQL, and lists in memory.

Lists read from the database (adoptions, deliveries, changes, reviews, plans)
take their filters as a :class:`ListFilters` and page in SQL, giving a
:class:`FilteredPage`; lists computed from the graph (a report of 10,000
rows) are cut here by :func:`paginate`, so that every page of the portal
shows a bounded number of rows whatever the size of the catalog, and says
how many there are in all.
"""

import datetime as dt
import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Generic, Self, TypeVar

from catalog import fields as kinds
from catalog.validation import (
    FALSE_WORDS,
    PER_PAGE_DEFAULT,
    TRUE_WORDS,
    Errors,
    check_date,
    check_flag,
    check_optional_slug,
    check_paging,
)

__all__ = ["FLAG_SCHEMA", "FilteredPage", "ListFilters", "Page", "choice_filter", "date_filter",
           "flag_filter", "list_filter", "paginate", "slug_filter", "text_filter", "url_text"]

T = TypeVar("T")
F = TypeVar("F", bound="ListFilters")

#: A yes / no parameter in the OpenAPI document (:func:`catalog.validation.check_flag`).
FLAG_SCHEMA = {"enum": [*TRUE_WORDS, *FALSE_WORDS]}
#: Reads one request parameter: ``(value, errors, name)`` gives the clean value, or None
#: when it is blank or bad (and then records why under ``name``).
Reader = Callable[[Any, Errors, str], Any]


def url_text(value: Any) -> str | None:
    """Return a filter's value as a URL parameter: a date in ISO, a flag as true / false."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def list_filter(read: Reader, default: Any = "", *, text: Callable[[Any], str | None] = url_text,
                schema: Mapping[str, Any] | None = None, about: str = "") -> Any:
    """Declare a filter of a :class:`ListFilters`: the parameter of the field's name, read by
    ``read`` (blank: ``default``), written back into URLs by ``text`` and described in the
    OpenAPI document by ``schema`` and ``about``."""
    schema = {**(schema or {"type": "string"}), **({"description": about} if about else {})}
    return field(default=default, metadata={"read": read, "text": text, "schema": schema})


def slug_filter(label: str, about: str = "") -> Any:
    """Declare a filter naming one entity by its slug (blank: no filter)."""
    return list_filter(functools.partial(check_optional_slug, label=label),
                       schema=kinds.type_schema(kinds.Slug), about=about)


def choice_filter(label: str, values: tuple[str, ...], default: str = "",
                  about: str = "") -> Any:
    """Declare a filter taking one of ``values`` (blank: ``default``, or no filter)."""
    schema = {"enum": list(values), **({"default": default} if default else {})}
    return list_filter(functools.partial(kinds.check_value, kinds.choice(label, values, default)),
                       default, schema=schema, about=about)


def text_filter(about: str = "") -> Any:
    """Declare a filter taking any text, stripped (blank: no filter)."""
    return list_filter(lambda value, errors, name: str(value or "").strip(), about=about)


def date_filter(label: str, about: str = "") -> Any:
    """Declare a filter taking a day, YYYY-MM-DD (blank: no filter)."""
    return list_filter(functools.partial(check_date, label=label), None,
                       schema=kinds.type_schema(kinds.date(label, required=True)), about=about)


def flag_filter(about: str = "") -> Any:
    """Declare a yes / no filter (blank: no filter)."""
    return list_filter(check_flag, None, schema=FLAG_SCHEMA, about=about)


@dataclass(frozen=True, kw_only=True)
class ListFilters:
    """The page a filtered list asks for; a subclass adds its filters and names them."""

    page: int = 1
    per_page: int = PER_PAGE_DEFAULT

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> Self:
        """Parse request arguments; raise ValidationFailed naming every bad one."""
        errors = Errors()
        filters = cls.filters_from(args, errors)
        page, per_page = check_paging(args, errors)
        errors.raise_if_any()
        return cls(page=page, per_page=per_page, **filters)

    @classmethod
    def filters_from(cls, args: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
        """Return the list's own filters read from ``args``, adding problems to ``errors``.

        Each :func:`list_filter` field reads the parameter of its name; a subclass
        extends this with the rules that tie two filters together.
        """
        values = {}
        for filter_ in cls._filters():
            value = filter_.metadata["read"](args.get(filter_.name), errors, filter_.name)
            values[filter_.name] = filter_.default if value is None else value
        return values

    def filter_args(self) -> dict[str, Any]:
        """Return the list's own URL parameters (``None`` or ``""`` when unset)."""
        return {filter_.name: filter_.metadata["text"](getattr(self, filter_.name))
                for filter_ in self._filters()}

    @classmethod
    def parameters(cls) -> dict[str, dict[str, Any]]:
        """Return the OpenAPI schema of each filter, by parameter name (paging aside)."""
        return {filter_.name: filter_.metadata["schema"] for filter_ in cls._filters()}

    @classmethod
    def _filters(cls) -> list[Any]:
        return [f for f in fields(cls) if "read" in f.metadata]

    def args(self, **changes: Any) -> dict[str, Any]:
        """Return the parameters that are set, with ``changes``, for building URLs."""
        values = {**self.filter_args(), "page": self.page if self.page != 1 else None,
                  "per_page": self.per_page if self.per_page != PER_PAGE_DEFAULT else None,
                  **changes}
        return {key: value for key, value in values.items() if value not in (None, "")}


@dataclass
class FilteredPage(Generic[T, F]):
    """One page of a filtered list read in SQL: its ``items`` and the ``total`` matching."""

    items: list[T]
    total: int
    filters: F

    @property
    def has_next(self) -> bool:
        """True when rows match past this page."""
        return self.filters.page * self.filters.per_page < self.total


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of rows: ``items``, the ``total`` in all, its ``number`` (from 1)."""

    items: list[T]
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least 1)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first(self) -> int:
        """The position (from 1) of the first row shown; 0 when there is none."""
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        """The position of the last row shown."""
        return self.first + len(self.items) - 1 if self.items else 0


def paginate(rows: Sequence[T], number: int = 1, per_page: int = 50) -> Page[T]:
    """Return page ``number`` of ``rows``; a number past the end gives the last page.

    Examples
    --------
    >>> page = paginate(list(range(120)), 3, 50)
    >>> page.items[:2], page.first, page.last, page.pages
    ([100, 101], 101, 120, 3)
    >>> paginate([], 4).number, paginate([], 4).first
    (1, 0)
    """
    total = len(rows)
    number = min(max(number, 1), max(1, math.ceil(total / per_page)))
    start = (number - 1) * per_page
    return Page(list(rows[start:start + per_page]), total, number, per_page)
