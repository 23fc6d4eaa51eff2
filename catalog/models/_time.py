"""Timestamps for model defaults (callables, evaluated per row)."""

import datetime as dt


def utcnow() -> dt.datetime:
    """Return the current UTC time without tzinfo (stored as naive UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def today() -> dt.date:
    """Return today's UTC date."""
    return utcnow().date()
