"""Typed SQLAlchemy models of the catalog, split by concept."""

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
from catalog.models.governance import DuplicateDismissal, MigrationStatus, Review
from catalog.models.history import Change, ChangeScope, SpecText, Version
from catalog.models.org import ApiToken, Team, User
from catalog.models.plan import IncubationPlan
from catalog.models.revision import CatalogRevision

__all__ = [
    "Adoption",
    "Api",
    "ApiToken",
    "Business",
    "Capability",
    "CapabilityTag",
    "CatalogRevision",
    "Change",
    "ChangeScope",
    "Delivery",
    "Dependency",
    "Domain",
    "DuplicateDismissal",
    "IncubationPlan",
    "MigrationStatus",
    "Review",
    "SpecText",
    "Team",
    "User",
    "Version",
    "delivery_capability",
]
