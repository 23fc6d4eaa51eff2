"""Typed SQLAlchemy models of the catalog, split by concept."""

from catalog.models.audit import AuditEvent, CatalogRevision
from catalog.models.capability import (
    Adoption,
    Api,
    Business,
    Capability,
    CapabilityTag,
    Dependency,
    Domain,
)
from catalog.models.delivery import Delivery, delivery_capability
from catalog.models.org import ApiToken, Team, User

__all__ = [
    "Adoption",
    "Api",
    "ApiToken",
    "AuditEvent",
    "Business",
    "Capability",
    "CapabilityTag",
    "CatalogRevision",
    "Delivery",
    "Dependency",
    "Domain",
    "Team",
    "User",
    "delivery_capability",
]
