"""Lists of report rows on a page: filtered, paged and exported the same way everywhere.

A :class:`Listing` declares a list once: its columns (what a cell shows and
what the CSV holds), the columns it can be filtered on, the fields its search
box reads. :meth:`Listing.view` turns request arguments into one page of rows
with the filter choices and their counts; :meth:`Listing.csv` writes every
row that passes the same filters. The governance page is made of listings;
a new section (reviews, scorecards, duplicates) is one more declaration.
"""

import collections
import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from catalog.errors import ValidationFailed
from catalog.paging import Page, paginate
from catalog.spreadsheet import neutralise
from catalog.validation import Errors, check_page

__all__ = ["CAPABILITY", "LIFECYCLE", "TEAM", "TIER", "Column", "ListView", "Listing",
           "capability_rows"]

Q_MAX = 200
FILTER_MAX = 100


@dataclass(frozen=True)
class Column:
    """One column: ``label``, the row ``field`` it shows (dotted for nested dicts), how.

    ``kind`` tells the template how to draw a cell: ``capability`` (a node
    summary dict, linked), ``team`` (a node summary's owner team, linked),
    ``layer``, ``lifecycle``, ``tier`` (badges), ``number``, ``code``,
    ``impact`` (a link to the slug's impact page), ``slugs`` (capabilities,
    linked), ``businesses`` (business slugs, linked) or ``text``. The CSV gets
    the plain value (a capability's slug).
    """

    label: str
    field: str
    kind: str = "text"

    def value(self, row: Mapping[str, Any]) -> Any:
        """Return the cell's value in ``row``."""
        value: Any = row
        for part in self.field.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        return value

    def label_in(self, row: Mapping[str, Any]) -> str:
        """Return what a person reads for the cell: a team's name rather than its slug."""
        if self.kind == "team":
            return str(Column("", self.field + "_name").value(row) or self.text(row))
        return self.text(row)

    def text(self, row: Mapping[str, Any]) -> str:
        """Return the cell as plain text (for filters, search and CSV)."""
        value = self.value(row)
        if isinstance(value, Mapping):
            return str(value.get("slug") or "")
        if isinstance(value, (list, tuple)):
            return " ".join(map(str, value))
        return "" if value is None else str(value)


#: Columns many listings show.
CAPABILITY = Column("Capability", "capability", "capability")
TEAM = Column("Owner team", "team", "team")
LIFECYCLE = Column("Lifecycle", "lifecycle", "lifecycle")
TIER = Column("Tier", "tier", "tier")


def capability_rows(name: str) -> Callable[[Mapping[str, Any]], list[dict[str, Any]]]:
    """Return a function giving a report's ``name`` rows, each its own ``capability`` cell."""
    return lambda report: [{**row, "capability": row} for row in report[name]]


@dataclass(frozen=True)
class ListView:
    """What a listing shows for one request."""

    listing: "Listing"
    page: Page
    args: dict[str, str]
    choices: dict[str, list[tuple[str, str, int]]]
    total: int

    @property
    def filtered(self) -> bool:
        return any(self.args.values())


@dataclass(frozen=True)
class Listing:
    """A list declared once: columns, filters, search, page size, and what to say when empty."""

    key: str
    title: str
    columns: tuple[Column, ...]
    filters: tuple[Column, ...] = ()
    search: tuple[str, ...] = ("name",)
    per_page: int = 20
    empty: str = "Nothing here."
    description: str = ""
    rows: Callable[[Any], Sequence[Mapping[str, Any]]] = field(default=lambda source: source)

    def view(self, source: Any, args: Mapping[str, Any]) -> ListView:
        """Return the page of rows of ``source`` that ``args`` (q, filters, page) ask for."""
        chosen, page = self._parse(args)
        rows = self.rows(source)
        kept = self._select(rows, chosen)
        choices = {}
        for column in self.filters:
            others = {k: v for k, v in chosen.items() if k != column.field}
            counts = collections.Counter((column.text(r), column.label_in(r))
                                         for r in self._select(rows, others))
            choices[column.field] = sorted(((v, label, n) for (v, label), n in counts.items() if v),
                                           key=lambda item: (-item[2], item[1].lower()))
        return ListView(self, paginate(kept, page, self.per_page),
                        {k: v for k, v in chosen.items() if v}, choices, len(rows))

    def csv(self, source: Any, args: Mapping[str, Any]) -> str:
        """Return every row of ``source`` that passes the filters of ``args``, as CSV."""
        chosen, _ = self._parse(args)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([column.label for column in self.columns])
        for row in self._select(self.rows(source), chosen):
            writer.writerow([neutralise(column.text(row)) for column in self.columns])
        return out.getvalue()

    def _parse(self, args: Mapping[str, Any]) -> tuple[dict[str, str], int]:
        errors = Errors()
        chosen = {"q": " ".join(str(args.get("q") or "").split()).lower()}
        if len(chosen["q"]) > Q_MAX:
            errors.add("q", f"Search text must be at most {Q_MAX} characters.")
        for column in self.filters:
            value = str(args.get(column.field) or "").strip()
            if len(value) > FILTER_MAX:
                errors.add(column.field, f"{column.label} must be at most {FILTER_MAX} characters.")
            chosen[column.field] = value
        page = check_page(args.get("page"), errors)
        if errors:
            raise ValidationFailed(dict(errors))
        return chosen, page

    def _select(self, rows, chosen: Mapping[str, str]) -> list:
        by_field = {column.field: column for column in self.filters}
        words = chosen.get("q", "").split()
        searched = [Column("", name) for name in self.search]
        kept = []
        for row in rows:
            if any(value and by_field[name].text(row) != value
                   for name, value in chosen.items() if name != "q"):
                continue
            if words:
                text = " ".join(_searchable(c.value(row)) for c in searched).lower()
                if not all(word in text for word in words):
                    continue
            kept.append(row)
        return kept


def _searchable(value: Any) -> str:
    if isinstance(value, Mapping):
        return f"{value.get('slug', '')} {value.get('name', '')}"
    if isinstance(value, (list, tuple)):
        return " ".join(map(str, value))
    return "" if value is None else str(value)
