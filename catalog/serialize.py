"""Capabilities as JSON-ready dicts: the shapes outside tools rely on."""

from typing import Any

from catalog.models import Api, Capability


def api_dict(api: Api) -> dict[str, Any]:
    """Return an API as a dict (without its spec text)."""
    return {
        "name": api.name,
        "kind": api.kind,
        "version": api.version,
        "status": api.status,
        "description": api.description,
        "has_spec": bool(api.spec),
    }


def capability_dict(capability: Capability, *, consumers: int | None = None,
                    detail: bool = False) -> dict[str, Any]:
    """Return a capability in the public shape.

    ``slug, name, summary, domain, layer, team, lifecycle, tier, tags, apis,
    version`` always; with ``detail`` also the description, links, SLA, dates
    and direct dependencies and consumers.
    """
    data: dict[str, Any] = {
        "slug": capability.slug,
        "name": capability.name,
        "summary": capability.summary,
        "domain": capability.domain.slug,
        "layer": capability.domain.layer,
        "team": capability.team.slug if capability.team else None,
        "lifecycle": capability.lifecycle,
        "tier": capability.tier,
        "tags": capability.tags,
        "apis": [api_dict(api) for api in capability.apis] if detail else
                [api.name for api in capability.apis],
        "version": capability.version,
    }
    if consumers is not None:
        data["direct_consumers"] = consumers
    if detail:
        data.update({
            "description": capability.description,
            "docs_url": capability.docs_url,
            "repo_url": capability.repo_url,
            "sla_availability": float(capability.sla_availability)
            if capability.sla_availability is not None else None,
            "sla_p99_ms": capability.sla_p99_ms,
            "created_at": capability.created_at.isoformat(),
            "updated_at": capability.updated_at.isoformat(),
            "launched_on": _iso(capability.launched_on),
            "deprecated_on": _iso(capability.deprecated_on),
            "dependencies": [
                {"provider": dep.provider.slug, "kind": dep.kind,
                 "api": dep.api.name if dep.api else None}
                for dep in sorted(capability.dependencies, key=lambda d: d.provider.slug)
            ],
            "consumers": {
                "capabilities": sorted(dep.consumer.slug for dep in capability.dependents),
                "businesses": sorted({a.business.slug for a in capability.adoptions
                                      if a.active}),
            },
        })
    return data


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None
