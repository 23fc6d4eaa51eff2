"""Incubation plans: the capabilities a new business means to reuse, saved to share."""

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.db import db
from catalog.models.capability import Business
from catalog.models.columns import CreatedAt, IntPk, LongText, Name, TeamId, Username
from catalog.models.org import Team


class IncubationPlan(db.Model):
    """A saved plan: name, purpose, picked capabilities, needs nothing covers, and its outcome.

    ``capabilities`` and ``needs`` are JSON lists (slugs, free text); once the
    plan was turned into adoptions, ``business`` is the incubating business
    that adopted them.
    """

    id: Mapped[IntPk]
    name: Mapped[Name]
    purpose: Mapped[LongText]
    capabilities: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    needs: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    team_id: Mapped[TeamId | None] = mapped_column(index=True)
    created_by: Mapped[Username | None]
    created_at: Mapped[CreatedAt]
    business_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("business.id", ondelete="SET NULL"), index=True)
    adopted_at: Mapped[dt.datetime | None]

    team: Mapped[Team | None] = relationship()
    business: Mapped[Business | None] = relationship()
