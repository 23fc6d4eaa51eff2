"""Capabilities as JSON-ready dicts: the shapes outside tools rely on."""

from typing import TYPE_CHECKING, Any

from catalog.models import Capability

if TYPE_CHECKING:
    from catalog.browse import Listed


def capability_dict(capability: "Capability | Listed", *,
                    consumers: int | None = None) -> dict[str, Any]:
    """Return a capability (or a listed one, :class:`catalog.browse.Listed`) in the list shape.

    ``slug, name, summary, domain, layer, team, lifecycle, tier, tags, apis``
    (their names) and ``version``; ``direct_consumers`` when given.
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
        "apis": [api.name for api in capability.apis],
        "version": capability.version,
    }
    if consumers is not None:
        data["direct_consumers"] = consumers
    return data


def capability_detail(snapshot: dict[str, Any], *, layer: str,
                      consumers: dict[str, list[str]], business_reach: int) -> dict[str, Any]:
    """Return a capability with every detail, from its snapshot.

    The API answers ``GET /capabilities/<slug>`` with this, from the live
    capability's snapshot or from the snapshot it had at a past moment, so
    both answers are built the same way.

    Parameters
    ----------
    snapshot : dict
        :func:`catalog.snapshots.capability_snapshot` (or a version of it).
    layer : str
        Its domain's layer (at the same moment).
    consumers : dict
        ``{"capabilities": [...], "businesses": [...]}``: its direct
        consumers' slugs, sorted (at the same moment).
    business_reach : int
        The distinct businesses that reach it through any chain of
        dependencies (:func:`graphs.analysis.business_reach`, same moment).
    """
    return {
        "slug": snapshot["slug"],
        "name": snapshot["name"],
        "summary": snapshot["summary"],
        "domain": snapshot["domain"],
        "layer": layer,
        "team": snapshot["team"],
        "lifecycle": snapshot["lifecycle"],
        "tier": snapshot["tier"],
        "tags": snapshot["tags"],
        "apis": [{"name": api["name"], "kind": api["kind"], "version": api["version"],
                  "status": api["status"], "description": api["description"],
                  "has_spec": api["spec"] is not None} for api in snapshot["apis"]],
        "version": snapshot["version"],
        "description": snapshot["description"],
        "docs_url": snapshot["docs_url"],
        "repo_url": snapshot["repo_url"],
        "sla_availability": snapshot["sla_availability"],
        "sla_p99_ms": snapshot["sla_p99_ms"],
        "created_at": snapshot["created_at"],
        "updated_at": snapshot["updated_at"],
        "launched_on": snapshot["launched_on"],
        "deprecated_on": snapshot["deprecated_on"],
        "sunset_on": snapshot.get("sunset_on"),
        "replacement": snapshot.get("replacement"),
        "dependencies": [{"provider": dep["provider"], "kind": dep["kind"], "api": dep["api"]}
                         for dep in snapshot["dependencies"]],
        "consumers": consumers,
        "business_reach": business_reach,
    }
