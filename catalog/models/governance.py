"""Governance decisions kept beside the catalog: reviews of capabilities, consumer teams'
migrations off deprecated ones, and duplicate candidates dismissed."""


import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.db import db
from catalog.models.capability import Capability
from catalog.models.columns import (
    CapabilityId,
    CreatedAt,
    IntPk,
    LongText,
    UpdatedAt,
    Username,
    Word,
)
from catalog.models.org import Team

#: What a reviewer may decide: approve (proposed -> approved), reject, or ask for changes.
DECISIONS = ("approve", "reject", "changes")
#: Where a consumer team stands in moving off a deprecated capability.
MIGRATION_STATUSES = ("not-started", "in-progress", "done")


class Review(db.Model):
    """One decision by an architect or admin on a capability, with a comment.

    ``capability_version`` is the version the reviewer saw: a proposed
    capability is back in the queue once its team changes it after a
    rejection or a request for changes.
    """

    __table_args__ = (sa.Index("ix_review_capability", "capability_id", "id"),)

    id: Mapped[IntPk]
    capability_id: Mapped[int] = mapped_column(
        sa.ForeignKey("capability.id", ondelete="CASCADE"))
    decision: Mapped[Word]
    comment: Mapped[LongText]
    reviewer: Mapped[Username | None]
    decided_at: Mapped[CreatedAt] = mapped_column(index=True)
    capability_version: Mapped[int] = mapped_column(default=1)

    capability: Mapped[Capability] = relationship()


class MigrationStatus(db.Model):
    """How far one consumer team is in moving off one deprecated capability."""

    __table_args__ = (sa.UniqueConstraint("capability_id", "team_id"),)

    id: Mapped[IntPk]
    capability_id: Mapped[CapabilityId]
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"))
    status: Mapped[Word] = mapped_column(default="not-started")
    note: Mapped[str] = mapped_column(sa.String(280), default="")
    updated_by: Mapped[Username | None]
    updated_at: Mapped[UpdatedAt]

    capability: Mapped[Capability] = relationship()
    team: Mapped[Team] = relationship()


class DuplicateDismissal(db.Model):
    """"Not a duplicate": two capabilities someone judged distinct, who and why.

    The pair is stored once, the capability with the smaller id first.
    """

    __table_args__ = (
        sa.UniqueConstraint("first_id", "second_id"),
        sa.CheckConstraint("first_id < second_id", name="ordered_pair"),
    )

    id: Mapped[IntPk]
    first_id: Mapped[CapabilityId]
    second_id: Mapped[CapabilityId]
    reason: Mapped[str] = mapped_column(sa.Text)
    actor: Mapped[Username | None]
    at: Mapped[CreatedAt]

    first: Mapped[Capability] = relationship(foreign_keys="DuplicateDismissal.first_id")
    second: Mapped[Capability] = relationship(foreign_keys="DuplicateDismissal.second_id")
