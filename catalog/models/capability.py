"""Domains, businesses, capabilities and the links between them."""

import datetime as dt
from decimal import Decimal
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.db import db
from catalog.models._time import today
from catalog.models.columns import (
    ApiId,
    BusinessId,
    CapabilityId,
    CreatedAt,
    IntPk,
    LongText,
    Name,
    Slug,
    TeamId,
    UpdatedAt,
    Word,
)
from catalog.models.org import Team

LAYERS = ("frontend", "business-platform", "data-platform", "infrastructure")
LIFECYCLES = ("proposed", "approved", "production", "deprecated", "retired")
TIERS = (1, 2, 3)
API_STATUSES = ("beta", "stable", "deprecated")
API_KINDS = ("openapi", "grpc", "asyncapi", "graphql")
DEPENDENCY_KINDS = ("sync", "async", "data")


class Domain(db.Model):
    """A business domain (membership, product...) on one layer of the platform."""

    id: Mapped[IntPk]
    slug: Mapped[Slug]
    name: Mapped[Name]
    layer: Mapped[str] = mapped_column(sa.String(32), index=True)
    description: Mapped[LongText]

    capabilities: Mapped[list["Capability"]] = relationship(back_populates="domain")


class Business(db.Model):
    """A frontend business that consumes platform capabilities."""

    id: Mapped[IntPk]
    slug: Mapped[Slug]
    name: Mapped[Name]
    description: Mapped[LongText]
    status: Mapped[Word] = mapped_column(default="live")
    team_id: Mapped[TeamId | None]

    team: Mapped[Team | None] = relationship()
    adoptions: Mapped[list["Adoption"]] = relationship(
        back_populates="business", order_by="Adoption.id"
    )


class Capability(db.Model):
    """A reusable platform capability: owner, lifecycle, SLA, APIs and dependencies."""

    __table_args__ = (
        sa.CheckConstraint("tier BETWEEN 1 AND 3", name="tier_range"),
    )

    id: Mapped[IntPk]
    slug: Mapped[Slug]
    name: Mapped[Name]
    summary: Mapped[str] = mapped_column(sa.String(280), default="")
    description: Mapped[LongText]
    domain_id: Mapped[int] = mapped_column(sa.ForeignKey("domain.id"), index=True)
    team_id: Mapped[TeamId | None] = mapped_column(index=True)
    lifecycle: Mapped[Word] = mapped_column(default="proposed", index=True)
    tier: Mapped[int] = mapped_column(default=3)
    docs_url: Mapped[str] = mapped_column(sa.String(500), default="")
    repo_url: Mapped[str] = mapped_column(sa.String(500), default="")
    sla_availability: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 3))
    sla_p99_ms: Mapped[int | None]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
    launched_on: Mapped[dt.date | None]
    deprecated_on: Mapped[dt.date | None]
    #: The last day a deprecated capability runs, and what its consumers move to.
    sunset_on: Mapped[dt.date | None]
    replacement_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("capability.id", ondelete="SET NULL"))
    # Lower-cased slug, name, summary and tags: what browse search matches.
    search_text: Mapped[LongText]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}

    domain: Mapped[Domain] = relationship(back_populates="capabilities")
    team: Mapped[Team | None] = relationship()
    replacement: Mapped["Capability | None"] = relationship(
        remote_side="Capability.id", foreign_keys=[replacement_id])
    tag_links: Mapped[list["CapabilityTag"]] = relationship(
        cascade="all, delete-orphan", order_by="CapabilityTag.tag"
    )
    apis: Mapped[list["Api"]] = relationship(
        back_populates="capability", cascade="all, delete-orphan", order_by="Api.name"
    )
    dependencies: Mapped[list["Dependency"]] = relationship(
        foreign_keys="Dependency.consumer_id",
        back_populates="consumer",
        cascade="all, delete-orphan",
    )
    dependents: Mapped[list["Dependency"]] = relationship(
        foreign_keys="Dependency.provider_id", back_populates="provider"
    )
    # In the order they were recorded, so a business's purposes read the same on every database.
    adoptions: Mapped[list["Adoption"]] = relationship(
        back_populates="capability", order_by="Adoption.id"
    )

    @property
    def layer(self) -> str:
        return self.domain.layer

    @property
    def tags(self) -> list[str]:
        return [link.tag for link in self.tag_links]


class CapabilityTag(db.Model):
    """One free-form tag of a capability."""

    capability_id: Mapped[int] = mapped_column(
        sa.ForeignKey("capability.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(sa.String(40), primary_key=True, index=True)


class Api(db.Model):
    """One API a capability offers, with its kind, version, status and spec."""

    __table_args__ = (sa.UniqueConstraint("capability_id", "name"),)

    id: Mapped[IntPk]
    capability_id: Mapped[CapabilityId]
    name: Mapped[Name]
    kind: Mapped[str] = mapped_column(sa.String(40), default="openapi")
    version: Mapped[str] = mapped_column(sa.String(40), default="")
    status: Mapped[Word] = mapped_column(default="beta")
    description: Mapped[LongText]
    spec: Mapped[LongText]

    capability: Mapped[Capability] = relationship(back_populates="apis")


class Dependency(db.Model):
    """Consumer capability -> provider capability."""

    __table_args__ = (
        sa.UniqueConstraint("consumer_id", "provider_id"),
        sa.CheckConstraint("consumer_id <> provider_id", name="not_self"),
    )

    id: Mapped[IntPk]
    consumer_id: Mapped[CapabilityId]
    provider_id: Mapped[CapabilityId]
    api_id: Mapped[ApiId | None]
    kind: Mapped[Word] = mapped_column(default="sync")
    since: Mapped[dt.date] = mapped_column(default=today)

    consumer: Mapped[Capability] = relationship(
        foreign_keys="Dependency.consumer_id", back_populates="dependencies"
    )
    provider: Mapped[Capability] = relationship(
        foreign_keys="Dependency.provider_id", back_populates="dependents"
    )
    api: Mapped[Api | None] = relationship()


class Adoption(db.Model):
    """A business using a capability (optionally one API of it)."""

    id: Mapped[IntPk]
    business_id: Mapped[BusinessId]
    capability_id: Mapped[CapabilityId]
    api_id: Mapped[ApiId | None]
    since: Mapped[dt.date] = mapped_column(default=today)
    until: Mapped[dt.date | None]
    purpose: Mapped[str] = mapped_column(sa.String(280), default="")

    business: Mapped[Business] = relationship(back_populates="adoptions")
    capability: Mapped[Capability] = relationship(back_populates="adoptions")
    api: Mapped[Api | None] = relationship()

    @hybrid_property
    def active(self) -> bool:
        """In use today: not ended, or ending after today."""
        return self.until is None or self.until > today()

    @active.inplace.expression
    @classmethod
    def _active_expression(cls) -> sa.ColumnElement[bool]:
        return sa.or_(cls.until.is_(None), cls.until > sa.func.current_date())
