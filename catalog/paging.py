"""Pages of a list already in memory: report rows, consumers, impact lists.

Lists read from the database page in SQL (:mod:`catalog.browse`); lists
computed from the graph (a report of 10,000 rows) are cut here, so that
every page of the portal shows a bounded number of rows whatever the size
of the catalog, and says how many there are in all.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["Page", "paginate"]

T = TypeVar("T")


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
