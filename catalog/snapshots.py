"""Snapshots: each catalog entity as plain JSON data, the unit of history.

A snapshot holds everything an entity is (its fields and the rows that
belong to it: a capability's tags, APIs and dependencies), with references
as slugs. :mod:`catalog.history` stores one per state of an entity and diffs
consecutive ones; the API answers a capability from its snapshot, so a
capability read as of a past date (:mod:`catalog.timetravel`) is exactly
what the API said then.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from catalog.history import spec_digest
from catalog.models import Adoption, Business, Capability, Domain, Team

__all__ = ["adoption_snapshot", "business_snapshot", "capability_snapshot",
           "delivery_snapshot", "domain_snapshot", "team_snapshot"]


def team_snapshot(team: Team) -> dict[str, Any]:
    """Return a team as history keeps it."""
    return {"slug": team.slug, "name": team.name, "kind": team.kind, "contact": team.contact,
            "description": team.description}


def domain_snapshot(domain: Domain) -> dict[str, Any]:
    """Return a domain as history keeps it."""
    return {"slug": domain.slug, "name": domain.name, "layer": domain.layer,
            "description": domain.description}


def business_snapshot(business: Business) -> dict[str, Any]:
    """Return a business as history keeps it."""
    return {"slug": business.slug, "name": business.name, "description": business.description,
            "status": business.status, "team": business.team.slug if business.team else None}


def capability_snapshot(capability: Capability) -> dict[str, Any]:
    """Return a capability with its tags, APIs and dependencies as history keeps it.

    API specs are named by digest (:func:`spec_digest`); the service that
    writes an API keeps its text (:func:`catalog.history.keep_spec`).
    """
    return {
        "slug": capability.slug,
        "name": capability.name,
        "summary": capability.summary,
        "description": capability.description,
        "domain": capability.domain.slug,
        "team": capability.team.slug if capability.team else None,
        "lifecycle": capability.lifecycle,
        "tier": capability.tier,
        "tags": sorted(capability.tags),
        "docs_url": capability.docs_url,
        "repo_url": capability.repo_url,
        "sla_availability": _number(capability.sla_availability),
        "sla_p99_ms": capability.sla_p99_ms,
        "launched_on": _iso(capability.launched_on),
        "deprecated_on": _iso(capability.deprecated_on),
        "sunset_on": _iso(capability.sunset_on),
        "replacement": capability.replacement.slug if capability.replacement else None,
        "created_at": _iso(capability.created_at),
        "updated_at": _iso(capability.updated_at),
        "version": capability.version,
        "apis": [
            {"name": api.name, "kind": api.kind, "version": api.version, "status": api.status,
             "description": api.description, "spec": spec_digest(api.spec)}
            for api in sorted(capability.apis, key=lambda a: a.name)
        ],
        "dependencies": [
            {"provider": dep.provider.slug, "kind": dep.kind,
             "api": dep.api.name if dep.api else None, "since": _iso(dep.since)}
            for dep in sorted(capability.dependencies, key=lambda d: d.provider.slug)
        ],
    }


def adoption_snapshot(adoption: Adoption) -> dict[str, Any]:
    """Return an adoption as history keeps it (keyed by its id)."""
    return {"id": adoption.id, "business": adoption.business.slug,
            "capability": adoption.capability.slug,
            "api": adoption.api.name if adoption.api else None,
            "since": _iso(adoption.since), "until": _iso(adoption.until),
            "purpose": adoption.purpose}


def delivery_snapshot(delivery_id: int, business: str, values: dict[str, Any],
                      capabilities: list[str]) -> dict[str, Any]:
    """Return a delivery as history keeps it (its business and reused capabilities by slug).

    ``values`` holds its fields (title, requested_on, delivered_on, source,
    external_ref), as a service cleaned them.
    """
    return {"id": delivery_id, "business": business, "title": values["title"],
            "requested_on": _iso(values["requested_on"]),
            "delivered_on": _iso(values["delivered_on"]),
            "capabilities": sorted(capabilities), "source": values["source"],
            "external_ref": values["external_ref"]}


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None
