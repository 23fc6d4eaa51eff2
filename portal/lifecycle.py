"""What a capability page shows of governance: lifecycle moves, the review thread, deprecations."""

from typing import Any

import networkx as nx

from catalog import deprecation, reviews
from catalog.lifecycle import lifecycle_moves
from catalog.models import Capability
from catalog.models.governance import DECISIONS
from catalog.permissions import EDIT_ALL_ROLES
from graphs.cache import derived, reach_index
from graphs.reports import reach_report
from portal.auth import current_actor


def governance_context(capability: Capability, review_errors: dict[str, list[str]],
                       review_data: dict[str, str]) -> dict[str, Any]:
    """Return the lifecycle moves, the review thread and whether the visitor may review."""
    actor = current_actor()
    return {
        "lifecycle_moves": lifecycle_moves(capability.slug),
        "review_thread": reviews.reviews_of(capability),
        "may_review": actor is not None and reviews.can_review(actor)
        and capability.lifecycle == "proposed",
        "review_errors": review_errors,
        "review_data": review_data,
        "decisions": DECISIONS,
        "comment_max": reviews.COMMENT_MAX,
        "sunset_notes": deprecation.sunset_notes(capability),
        "days_left": deprecation.days_left(capability),
    }


#: Consumer rows a deprecation plan answers at most (the counts are always whole).
PLAN_CONSUMERS_MAX = 1000


def deprecation_plan(capability: Capability) -> dict[str, Any]:
    """Return the deprecation plan of ``capability``: its facts and its consumers now.

    ``consumers`` holds the capabilities (slug, name, distance, team, tier)
    and businesses (slug, name, distance) that reach it, nearest first, at
    most :data:`PLAN_CONSUMERS_MAX` of each, with their whole counts; found
    once per catalog revision (a hub's are thousands).
    """
    plan = deprecation.plan_facts(capability)
    slug = capability.slug
    plan["consumers"] = derived(f"deprecation.consumers:{slug}", lambda G: _consumers(G, slug))
    return plan


def _consumers(G: nx.DiGraph, slug: str) -> dict[str, Any]:
    try:
        report = reach_report(G, slug, direction="up", index=reach_index(G))
    except nx.NodeNotFound:  # registered a moment ago, not in this worker's graph yet
        report = {"capabilities": [], "businesses": []}
    return {
        "capabilities": [{key: row.get(key) for key in ("slug", "name", "distance", "team",
                                                        "team_name", "tier")}
                         for row in report["capabilities"][:PLAN_CONSUMERS_MAX]],
        "businesses": [{key: row.get(key) for key in ("slug", "name", "distance")}
                       for row in report["businesses"][:PLAN_CONSUMERS_MAX]],
        "total_capabilities": len(report["capabilities"]),
        "total_businesses": len(report["businesses"]),
        "direct": sum(1 for row in report["capabilities"] if row["distance"] == 1)
        + sum(1 for row in report["businesses"] if row["distance"] == 1),
    }


def may_update_migration(team_slug: str) -> bool:
    """Return True when the visitor may update ``team_slug``'s migration status."""
    actor = current_actor()
    if actor is None or actor.role == "viewer":
        return False
    return actor.role in EDIT_ALL_ROLES or (actor.team is not None and actor.team.slug == team_slug)
