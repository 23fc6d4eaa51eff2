"""History: every change as people read it, and every past state of every entity.

Two append-only tables, written together by :mod:`catalog.history` in the
transaction of the write they describe:

- :class:`Change` is the changes feed: when, who (user, token, source), which
  entity, the action, and ``{field: [before, after]}``. :class:`ChangeScope`
  files each change under every entity it concerns (a capability's change is
  also its old and new team's and domain's), so any History tab is one
  indexed lookup.
- :class:`Version` is the catalog as it was: one row per state of an entity
  (its whole snapshot as JSON) with the interval ``[valid_from, valid_to)``
  during which it held. The live tables keep only the present; reading
  versions valid at ``T`` gives the catalog as of ``T``.

API spec texts are kept once per distinct text in :class:`SpecText` (the
versions refer to them by digest), so a capability changed a thousand
times does not copy its specs a thousand times.
"""

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.db import db
from catalog.models.columns import IntPk, LongText, Name, Username, Word

#: Where a write came from.
SOURCES = ("web", "api", "import", "cli", "seed")
#: The kinds of entity history is kept for.
KINDS = ("team", "domain", "business", "capability", "adoption", "delivery", "user",
         "token", "import", "review", "migration", "dismissal", "plan")
#: Kinds whose past states are kept as versions (what the graph as of a date needs).
VERSIONED_KINDS = ("team", "domain", "business", "capability", "adoption")


class Change(db.Model):
    """One change to one entity, as the changes feed and History tabs show it."""

    __table_args__ = (sa.Index("ix_change_at_id", "at", "id"),)

    id: Mapped[IntPk]
    at: Mapped[dt.datetime]
    actor: Mapped[Username | None] = mapped_column(index=True)
    token: Mapped[Name | None]
    source: Mapped[str] = mapped_column(sa.String(12))
    kind: Mapped[Word]
    slug: Mapped[str] = mapped_column(sa.String(130))
    action: Mapped[Word]
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    note: Mapped[LongText]
    #: The catalog revision this change left behind (several changes of one
    #: transaction share it).
    revision: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    scopes: Mapped[list["ChangeScope"]] = relationship(
        back_populates="change", cascade="all, delete-orphan")


class ChangeScope(db.Model):
    """Files a change under one entity it concerns (``kind:slug``).

    ``at`` repeats the change's moment so that an entity's history, newest
    first, is one range of the ``(kind, slug, at, change_id)`` index: a page of
    a team's thousands of changes reads twenty index entries, not all of them.
    """

    __table_args__ = (sa.Index("ix_change_scope_entity", "kind", "slug", "change_id"),
                      sa.Index("ix_change_scope_at", "kind", "slug", "at", "change_id"))

    change_id: Mapped[int] = mapped_column(
        sa.ForeignKey("change.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[Word] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(130), primary_key=True)
    at: Mapped[dt.datetime | None]

    change: Mapped[Change] = relationship(back_populates="scopes")


class Version(db.Model):
    """One state of an entity and the interval during which it held."""

    __tablename__ = "entity_version"
    __table_args__ = (
        sa.Index("ix_entity_version_key", "kind", "key", "valid_to"),
        sa.Index("ix_entity_version_from", "kind", "valid_from"),
    )

    id: Mapped[IntPk]
    kind: Mapped[Word]
    key: Mapped[str] = mapped_column(sa.String(130))
    valid_from: Mapped[dt.datetime]
    valid_to: Mapped[dt.datetime | None]
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    change_id: Mapped[int | None] = mapped_column(sa.ForeignKey("change.id", ondelete="SET NULL"))


class SpecText(db.Model):
    """An API spec text, kept once per distinct text (versions name it by digest)."""

    digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    text: Mapped[str] = mapped_column(sa.Text)
