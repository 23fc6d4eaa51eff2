"""Business features delivered, with the capabilities they reused."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.db import db
from catalog.models.capability import Business, Capability
from catalog.models.columns import BusinessId, IntPk, Word

delivery_capability = sa.Table(
    "delivery_capability",
    db.metadata,
    sa.Column(
        "delivery_id", sa.ForeignKey("delivery.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "capability_id",
        sa.ForeignKey("capability.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Delivery(db.Model):
    """One business feature, from request to delivery, and the capabilities it reused."""

    __table_args__ = (
        # An external reference (a ticket id) names one delivery of a business.
        sa.Index("uq_delivery_business_external_ref", "business_id", "external_ref",
                 unique=True, sqlite_where=sa.text("external_ref <> ''"),
                 postgresql_where=sa.text("external_ref <> ''")),
    )

    id: Mapped[IntPk]
    business_id: Mapped[BusinessId]
    title: Mapped[str] = mapped_column(sa.String(200))
    requested_on: Mapped[dt.date]
    delivered_on: Mapped[dt.date | None] = mapped_column(index=True)
    source: Mapped[Word] = mapped_column(default="form")
    external_ref: Mapped[str] = mapped_column(sa.String(120), default="")

    business: Mapped[Business] = relationship()
    capabilities: Mapped[list[Capability]] = relationship(secondary=delivery_capability)

    @property
    def lead_time_days(self) -> int | None:
        if self.delivered_on is None:
            return None
        return (self.delivered_on - self.requested_on).days
