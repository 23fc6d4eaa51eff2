"""Finding teams, domains, businesses and capabilities by slug, once per transaction.

The services look up what a write refers to by slug. Within one transaction
a row found (or created) once is answered from memory afterwards, so an
import that writes ten thousand capabilities through the services does not
ask the database ten thousand times for the same domain. The memory is
forgotten when the transaction ends (commit or rollback).
"""

from collections.abc import Iterable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.db import db

__all__ = ["by_slug", "by_slugs", "forget", "remember", "remember_absent"]

Row = TypeVar("Row")
CHUNK = 500


def by_slug(model: type[Row], slug: str, *options: Any) -> Row | None:
    """Return the row of ``model`` whose slug is ``slug``, or None."""
    return by_slugs(model, [slug], *options).get(slug)


def by_slugs(model: type[Row], slugs: Iterable[str], *options: Any) -> dict[str, Row]:
    """Return ``{slug: row}`` for the rows of ``model`` with those slugs (missing ones left out).

    ``options`` (loader options such as ``selectinload``) apply to the rows
    read now; rows already in memory are returned as they are.
    """
    known = _memory(model)
    slugs = list(slugs)
    wanted = sorted({slug for slug in slugs if slug not in known})
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start:start + CHUNK]
        known.update(dict.fromkeys(chunk))  # absent, unless read now
        for row in db.session.scalars(
            sa.select(model).where(model.slug.in_(chunk)).options(*options)
        ):
            known[row.slug] = row
    return {slug: known[slug] for slug in slugs if known.get(slug) is not None}


def remember(*rows: Any) -> None:
    """Make rows (new ones included) findable by slug until the transaction ends."""
    for row in rows:
        _memory(type(row))[row.slug] = row


def remember_absent(model: type, slugs: Iterable[str]) -> None:
    """Note that no row of ``model`` has these slugs (until one is remembered)."""
    known = _memory(model)
    for slug in slugs:
        known.setdefault(slug, None)


def forget(model: type, slugs: Iterable[str]) -> None:
    """Forget what is known of these slugs (rows written past the session): read them again."""
    known = _memory(model)
    for slug in slugs:
        known.pop(slug, None)


def _memory(model: type) -> dict[str, Any]:
    return db.session.info.setdefault("by_slug", {}).setdefault(model, {})


@sa.event.listens_for(Session, "after_commit")
@sa.event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    """A transaction ended: rows found in it may have changed or be gone."""
    session.info.pop("by_slug", None)
