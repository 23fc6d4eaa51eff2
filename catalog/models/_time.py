"""The catalog's clock: timestamps for model defaults and history (UTC, naive).

Every timestamp the catalog writes comes from :func:`utcnow`, so a caller
that replays the past (the demo seed tells three years of history) can set
the clock with :func:`clock_at` and every row, change and version it writes
carries that moment.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_frozen: ContextVar[dt.datetime | None] = ContextVar("catalog_clock", default=None)


def utcnow() -> dt.datetime:
    """Return the current UTC time without tzinfo (stored as naive UTC)."""
    frozen = _frozen.get()
    return frozen if frozen is not None else dt.datetime.now(dt.UTC).replace(tzinfo=None)


def today() -> dt.date:
    """Return today's UTC date."""
    return utcnow().date()


@contextmanager
def clock_at(moment: dt.datetime) -> Iterator[None]:
    """Make :func:`utcnow` answer ``moment`` (naive UTC) inside the block.

    >>> with clock_at(dt.datetime(2024, 1, 2, 3, 4)):
    ...     today()
    datetime.date(2024, 1, 2)
    """
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)
