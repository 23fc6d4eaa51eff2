"""Governance decisions kept beside the catalog: duplicate candidates dismissed."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.db import db
from catalog.models._time import utcnow
from catalog.models.capability import Capability


class DuplicateDismissal(db.Model):
    """"Not a duplicate": two capabilities someone judged distinct, who and why.

    The pair is stored once, the capability with the smaller id first.
    """

    __tablename__ = "duplicate_dismissal"
    __table_args__ = (
        sa.UniqueConstraint("first_id", "second_id"),
        sa.CheckConstraint("first_id < second_id", name="ordered_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_id: Mapped[int] = mapped_column(
        sa.ForeignKey("capability.id", ondelete="CASCADE"), index=True)
    second_id: Mapped[int] = mapped_column(
        sa.ForeignKey("capability.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    actor: Mapped[str | None] = mapped_column(sa.String(63))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    first: Mapped[Capability] = relationship(foreign_keys=[first_id])
    second: Mapped[Capability] = relationship(foreign_keys=[second_id])

    def __repr__(self) -> str:
        return f"<DuplicateDismissal {self.first_id} ~ {self.second_id}>"
