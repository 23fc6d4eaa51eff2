"""Writing teams, domains and businesses: the organisation around capabilities.

Each ``save_*`` function creates the entity named by ``data["slug"]`` or
changes the fields given, with the rules of :mod:`catalog.validation`, and
records the change in history. The Backstage importer, the demo seed and
the command line call them; only architects, admins and the system may.
"""

from collections.abc import Mapping
from typing import Any

from catalog import history, lookups
from catalog.db import db, transaction
from catalog.errors import ValidationFailed
from catalog.models import Business, Domain, Team, User
from catalog.permissions import ensure_can_govern
from catalog.snapshots import business_snapshot, domain_snapshot, team_snapshot
from catalog.validation import Errors, check_business, check_domain, check_slug, check_team

__all__ = ["save_business", "save_domain", "save_team"]


def save_team(data: Mapping[str, Any], actor: User | None) -> Team:
    """Create or change the team ``data["slug"]``; return it.

    Raises
    ------
    ValidationFailed
        A field is wrong; nothing is written.
    Forbidden
        ``actor`` is not an architect or admin.

    Examples
    --------
    >>> try:
    ...     save_team({"slug": "Platform Team", "kind": "guild"}, None)
    ... except ValidationFailed as exc:
    ...     exc.errors["slug"]
    ['Slug must be kebab-case: lowercase letters and digits separated by single hyphens, e.g. order-service.']
    """
    return _save(Team, data, actor, check_team, team_snapshot, "team")


def save_domain(data: Mapping[str, Any], actor: User | None) -> Domain:
    """Create or change the domain ``data["slug"]``; return it (see :func:`save_team`)."""
    return _save(Domain, data, actor, check_domain, domain_snapshot, "domain")


def save_business(data: Mapping[str, Any], actor: User | None) -> Business:
    """Create or change the business ``data["slug"]``; ``team`` names its owner team by slug."""
    return _save(Business, data, actor, check_business, business_snapshot, "business")


def _save(model, data, actor, check, snapshot, kind):
    ensure_can_govern(actor, f"change {kind}s")
    errors = Errors()
    slug = check_slug(data.get("slug"), errors)
    if errors:  # nothing to look up
        raise ValidationFailed(dict(errors))
    found = _find(model, slug)
    cleaned = check(data, errors, partial=found is not None)
    team = None
    if cleaned.get("team"):
        team = _find(Team, cleaned["team"])
        if team is None:
            errors.add("team", f"Unknown team {cleaned['team']!r}.")
    if errors:
        raise ValidationFailed(dict(errors))
    with transaction():
        entity = found or model()
        for name, value in cleaned.items():
            setattr(entity, name, team if name == "team" else value)
        if found is None:
            db.session.add(entity)
            lookups.remember(entity)
        history.record(actor, kind, entity.slug, lambda: snapshot(entity))
    return entity


def _find(model, slug: str):
    return lookups.by_slug(model, slug)
