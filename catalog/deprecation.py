"""Deprecation plans: when a capability goes, what to move to, and who has moved.

A deprecated capability has a sunset date and may name a replacement
(:mod:`catalog.lifecycle` checks both). Its plan adds ranked alternatives
(same domain, shared tags, similar APIs, each with the reason) and, per team
whose capabilities or businesses use it directly, how far that team is in
moving off it: not started, in progress or done. A team's member (or an
architect or admin) updates its status; every update is in the history.
The transitive consumers come from the graph (:mod:`graphs.reports`), which
the portal adds to the plan.
"""

import re
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from catalog import history, lookups
from catalog.db import db, scalar_or_not_found, transaction
from catalog.errors import Conflict, Forbidden
from catalog.models import (
    Adoption,
    Business,
    Capability,
    CapabilityTag,
    Dependency,
    MigrationStatus,
    Team,
    User,
)
from catalog.models._time import today, utcnow
from catalog.models.governance import MIGRATION_STATUSES
from catalog.permissions import EDIT_ALL_ROLES
from catalog.validation import Errors, check_words

__all__ = ["ALTERNATIVES_MAX", "NOTE_MAX", "alternatives", "consumer_teams", "days_left",
           "get_for_plan", "migration_dict", "plan_facts", "set_migration_status",
           "sunset_notes"]

ALTERNATIVES_MAX = 5
#: Candidates ranked by domain and tags in SQL, then by their API names here.
CANDIDATES = 25
NOTE_MAX = 280
_WORD = re.compile(r"[a-z0-9]+")
#: Words that say nothing about what an API does.
_STOP = frozenset({"api", "apis", "service", "v1", "v2", "v3", "grpc", "rest", "http", "the",
                   "and", "of", "for"})


def days_left(capability: Capability) -> int | None:
    """Return the days from today until the sunset date (negative once passed), or None."""
    if capability.sunset_on is None:
        return None
    return (capability.sunset_on - today()).days


def alternatives(capability: Capability, limit: int = ALTERNATIVES_MAX) -> list[dict[str, Any]]:
    """Return running capabilities that could take over from ``capability``, best first.

    A candidate scores 3 for the same domain, 2 per shared tag and 1 per
    word its API names share with ``capability``'s; each comes with ``why``
    (the reasons, in words). The named replacement is left out (the plan
    shows it apart); deprecated and retired capabilities never qualify.
    """
    tags = set(capability.tags)
    words = _api_words(capability)
    # Domain and tags scored in SQL, the best few loaded; API words re-rank those.
    shared = (sa.select(CapabilityTag.capability_id, sa.func.count().label("n"))
              .where(CapabilityTag.tag.in_(sorted(tags)))
              .group_by(CapabilityTag.capability_id).subquery())
    base = sa.case((Capability.domain_id == capability.domain_id, 3), else_=0) + \
        2 * sa.func.coalesce(shared.c.n, 0)
    query = (sa.select(Capability)
             .outerjoin(shared, shared.c.capability_id == Capability.id)
             .where(Capability.id != capability.id,
                    Capability.lifecycle.in_(("approved", "production")),
                    sa.or_(Capability.domain_id == capability.domain_id, shared.c.n > 0))
             .order_by(base.desc(), Capability.name, Capability.id)
             .limit(CANDIDATES)
             .options(selectinload(Capability.tag_links), selectinload(Capability.apis)))
    if capability.replacement_id is not None:
        query = query.where(Capability.id != capability.replacement_id)
    ranked = []
    for candidate in db.session.scalars(query):
        score, why = 0, []
        if candidate.domain_id == capability.domain_id:
            score += 3
            why.append(f"same domain ({capability.domain.name})")
        shared = sorted(tags & set(candidate.tags))
        if shared:
            score += 2 * len(shared)
            why.append("shares tags " + ", ".join(shared))
        similar = sorted(words & _api_words(candidate))
        if similar:
            score += len(similar)
            why.append("similar APIs (" + ", ".join(similar) + ")")
        ranked.append((score, candidate, why))
    ranked.sort(key=lambda r: (-r[0], r[1].name.lower(), r[1].slug))
    return [{"slug": c.slug, "name": c.name, "team": c.team.slug if c.team else None,
             "lifecycle": c.lifecycle, "score": score, "why": "; ".join(why)}
            for score, c, why in ranked[:limit]]


def _api_words(capability: Capability) -> set[str]:
    return {word for api in capability.apis for word in _WORD.findall(api.name.lower())
            if word not in _STOP and len(word) > 2}


def consumer_teams(capability: Capability) -> list[dict[str, Any]]:
    """Return each team that uses ``capability`` directly, with what it uses it through.

    A team uses it through the capabilities it owns that depend on it (not
    retired) and the businesses it owns that adopt it (active adoptions).
    ``[{"team": Team, "capabilities": [slug], "businesses": [slug]}]``, by
    team name; two indexed queries, whatever the number of consumers.
    """
    found: dict[int, dict[str, Any]] = {}
    through_capabilities = db.session.execute(
        sa.select(Team, Capability.slug)
        .join(Capability, Capability.team_id == Team.id)
        .join(Dependency, Dependency.consumer_id == Capability.id)
        .where(Dependency.provider_id == capability.id, Capability.lifecycle != "retired"))
    through_businesses = db.session.execute(
        sa.select(Team, Business.slug).distinct()
        .join(Business, Business.team_id == Team.id)
        .join(Adoption, Adoption.business_id == Business.id)
        .where(Adoption.capability_id == capability.id, Adoption.active))
    for rows, key in ((through_capabilities, "capabilities"), (through_businesses, "businesses")):
        for team, slug in rows:
            found.setdefault(team.id, {"team": team, "capabilities": [], "businesses": []})
            found[team.id][key].append(slug)
    return sorted(found.values(), key=lambda e: e["team"].name.lower())


def get_for_plan(slug: str) -> Capability:
    """Return the capability ``slug`` with what its plan reads (not its consumers' rows).

    Raises
    ------
    NotFound
        When no capability has that slug.
    """
    return scalar_or_not_found(
        sa.select(Capability).where(Capability.slug == slug)
        .options(joinedload(Capability.domain), joinedload(Capability.team),
                 joinedload(Capability.replacement), selectinload(Capability.tag_links),
                 selectinload(Capability.apis)),
        f"No capability has the slug {slug!r}.")


def plan_facts(capability: Capability) -> dict[str, Any]:
    """Return the plan's own facts: sunset, days left, replacement, alternatives, migrations.

    ``migrations`` has one entry per consumer team: ``{"team", "team_name",
    "capabilities", "businesses", "status", "note", "updated_by",
    "updated_at"}`` (status ``not-started`` until the team says otherwise).
    """
    stored = {row.team_id: row for row in db.session.scalars(
        sa.select(MigrationStatus).where(MigrationStatus.capability_id == capability.id))}
    migrations = []
    for used in consumer_teams(capability):
        team = used["team"]
        row = stored.get(team.id)
        migrations.append({
            "team": team.slug, "team_name": team.name,
            "capabilities": sorted(used["capabilities"]), "businesses": sorted(used["businesses"]),
            "status": row.status if row else "not-started", "note": row.note if row else "",
            "updated_by": row.updated_by if row else None,
            "updated_at": row.updated_at.isoformat() + "Z" if row else None})
    replacement = capability.replacement
    return {
        "slug": capability.slug, "name": capability.name, "lifecycle": capability.lifecycle,
        "deprecated_on": capability.deprecated_on.isoformat() if capability.deprecated_on else None,
        "sunset_on": capability.sunset_on.isoformat() if capability.sunset_on else None,
        "days_left": days_left(capability),
        "replacement": {"slug": replacement.slug, "name": replacement.name,
                        "lifecycle": replacement.lifecycle} if replacement else None,
        "alternatives": alternatives(capability),
        "migrations": migrations,
        "migration_counts": {status: sum(m["status"] == status for m in migrations)
                             for status in MIGRATION_STATUSES},
    }


def set_migration_status(slug: str, team_slug: str, data: Mapping[str, Any],
                         actor: User | None) -> MigrationStatus:
    """Record how far team ``team_slug`` is in moving off the deprecated capability ``slug``.

    Parameters
    ----------
    slug, team_slug : str
        The deprecated capability and a team that uses it directly.
    data : mapping
        ``status`` (not-started, in-progress or done) and ``note`` (optional,
        at most 280 characters).
    actor : User or None
        A contributor of that team, an architect or an admin (None: the system).

    Raises
    ------
    NotFound
        No such capability.
    Forbidden
        ``actor`` is not a member of that team, an architect or an admin.
    ValidationFailed
        A bad status or note, or a team that does not use the capability.
    Conflict
        The capability is not deprecated.
    """
    capability = get_for_plan(slug)
    errors = Errors()
    team = lookups.by_slug(Team, team_slug) if isinstance(team_slug, str) else None
    if team is None:
        errors.add("team", f"Unknown team {str(team_slug)[:63]!r}.")
    elif actor is not None and actor.role not in EDIT_ALL_ROLES and not (
            actor.role == "contributor" and actor.team_id == team.id):
        raise Forbidden(f"Only members of {team.name}, architects and admins can update its "
                        "migration.")
    status = data.get("status")
    if status not in MIGRATION_STATUSES:
        errors.add("status", f"Status must be one of: {', '.join(MIGRATION_STATUSES)}.")
    note = check_words(data.get("note"), errors, "note", "Note", NOTE_MAX, one_line=True)
    if team is not None and "team" not in errors and team.id not in {
            used["team"].id for used in consumer_teams(capability)}:
        errors.add("team", f"{team.name} does not use {capability.slug!r} directly.")
    errors.raise_if_any()
    if capability.lifecycle != "deprecated":
        raise Conflict({"status": [(f"{capability.slug!r} is {capability.lifecycle}, not "
                                   "deprecated: there is nothing to migrate off.")]},
                       "Not deprecated.")
    with transaction():
        row = db.session.scalar(sa.select(MigrationStatus).where(
            MigrationStatus.capability_id == capability.id, MigrationStatus.team_id == team.id))
        before = migration_dict(row) if row is not None else None
        if row is None:
            row = MigrationStatus(capability=capability, team=team)
            db.session.add(row)
        row.status, row.note = status, note
        row.updated_by = actor.username if actor is not None else None
        row.updated_at = utcnow()
        history.record(actor, "migration", f"{capability.slug}/{team.slug}"[:130],
                       migration_dict(row), before=before,
                       scopes={("capability", capability.slug), ("team", team.slug)})
    return row


def migration_dict(row: MigrationStatus) -> dict[str, Any]:
    """Return a team's migration off a capability as JSON-ready data."""
    return {"capability": row.capability.slug, "team": row.team.slug, "status": row.status,
            "note": row.note, "updated_by": row.updated_by}


def sunset_notes(capability: Capability) -> list[dict[str, Any]]:
    """Return the deprecated capabilities ``capability`` depends on, soonest sunset first.

    ``[{"slug", "name", "sunset_on", "days_left", "replacement"}]``: what its
    page warns about ("depends on X, deprecated, sunset in N days").
    """
    notes = [{"slug": dep.provider.slug, "name": dep.provider.name,
              "sunset_on": dep.provider.sunset_on, "days_left": days_left(dep.provider),
              "replacement": dep.provider.replacement}
             for dep in capability.dependencies if dep.provider.lifecycle == "deprecated"]
    return sorted(notes, key=lambda n: (n["days_left"] is None, n["days_left"] or 0, n["slug"]))
