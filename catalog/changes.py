"""Reading history: the changes feed, filtered and paged, and changes told in words.

:class:`ChangeFilters` parses what a page or the API asks for (an entity,
a team, a business, a domain, a kind, an actor, a date range, a page), once
for both; :func:`list_changes` answers it, newest first; :func:`change_dict`
is the JSON shape; :func:`describe` turns ``{field: [before, after]}`` into
lines a person reads ("owner: Trade Platform -> Membership Platform").
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from catalog.db import db
from catalog.fields import SLUG_RE
from catalog.models import Business, Change, ChangeScope, Domain, Team
from catalog.models.history import KINDS
from catalog.paging import FilteredPage, ListFilters
from catalog.validation import Errors, check_moment

__all__ = ["ChangeFilters", "ChangePage", "Names", "change_dict", "describe", "list_changes",
           "names"]

ENTITY_MAX = 140
ACTOR_MAX = 63
#: Scope filters: the parameter and the kind of entity it names.
SCOPE_FILTERS = ("team", "business", "domain")
#: How a field is called when a change is told in words.
LABELS = {"team": "owner", "domain": "domain", "lifecycle": "lifecycle", "tier": "tier",
          "sla_availability": "availability target", "sla_p99_ms": "p99 latency target",
          "launched_on": "launched", "deprecated_on": "deprecated", "docs_url": "docs link",
          "repo_url": "repository link", "apis": "APIs", "dependencies": "depends on",
          "until": "ended", "since": "since", "capability": "capability",
          "business": "business"}
#: Fields whose values are slugs of other entities, told by name.
REFERENCES = {"team": "team", "domain": "domain", "business": "business"}
LONG_TEXT = 80
#: The fields a new entity is told by (all of them are in the API's ``changes``).
HEADLINE = ("name", "title", "business", "capability", "team", "domain", "lifecycle", "tier",
            "since", "delivered_on", "role", "scopes")


@dataclass(frozen=True)
class ChangeFilters(ListFilters):
    """What the changes feed asks for; empty fields filter nothing."""

    entity: tuple[str, str] | None = None
    team: str = ""
    business: str = ""
    domain: str = ""
    kind: str = ""
    actor: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    @classmethod
    def filters_from(cls, args: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
        """Return the entity, scopes, kind, actor and moments ``args`` ask for.

        >>> ChangeFilters.from_args({"entity": "capability:checkout", "since": "2025-01-01"}).entity
        ('capability', 'checkout')
        """
        entity = None
        raw = str(args.get("entity") or "").strip()
        if raw:
            kind, _, slug = raw.partition(":")
            if kind not in KINDS or not slug or len(raw) > ENTITY_MAX:
                errors.add("entity", "entity must be kind:slug, e.g. capability:checkout, the "
                                     f"kind one of {', '.join(KINDS)}.")
            else:
                entity = (kind, slug)
        scopes = {}
        for name in SCOPE_FILTERS:
            value = str(args.get(name) or "").strip()
            if value and not SLUG_RE.match(value):
                errors.add(name, f"{name} must be a slug, e.g. trade-team.")
            scopes[name] = value
        kind = str(args.get("kind") or "").strip()
        if kind and kind not in KINDS:
            errors.add("kind", f"kind must be one of {', '.join(KINDS)}.")
        actor = str(args.get("actor") or "").strip()
        if len(actor) > ACTOR_MAX:
            errors.add("actor", f"actor must be at most {ACTOR_MAX} characters.")
        since = check_moment(args.get("since"), errors, "since")
        until = check_moment(args.get("until"), errors, "until", end_of_day=True)
        if since and until and until < since:
            errors.add("until", "until must not be before since.")
        return {"entity": entity, "kind": kind, "actor": actor, "since": since, "until": until,
                **scopes}

    def filter_args(self) -> dict[str, Any]:
        """Return the changes feed's own URL parameters."""
        return {
            "entity": ":".join(self.entity) if self.entity else None, "team": self.team,
            "business": self.business, "domain": self.domain, "kind": self.kind,
            "actor": self.actor, "since": _text(self.since, end_of_day=False),
            "until": _text(self.until, end_of_day=True)}

    @property
    def filtered(self) -> bool:
        """True when anything but the page is asked for."""
        return bool(set(self.args()) - {"page", "per_page"})


ChangePage = FilteredPage[Change, ChangeFilters]


def list_changes(filters: ChangeFilters) -> ChangePage:
    """Return one page of the changes ``filters`` asks for, newest first, and how many there are.

    With an entity or a scope (team, domain, business), the first of them
    drives the query through its ``(kind, slug, at)`` index, so a page of a
    team's thousands of changes reads one index range.
    """
    scopes = [filters.entity] if filters.entity else []
    scopes += [(name, getattr(filters, name)) for name in SCOPE_FILTERS if getattr(filters, name)]
    if scopes:
        kind, slug = scopes[0]
        query = (sa.select(Change).join(ChangeScope, ChangeScope.change_id == Change.id)
                 .where(ChangeScope.kind == kind, ChangeScope.slug == slug))
        at, newest = ChangeScope.at, (ChangeScope.at.desc(), ChangeScope.change_id.desc())
    else:
        query, at, newest = sa.select(Change), Change.at, (Change.at.desc(), Change.id.desc())
    for kind, slug in scopes[1:]:
        query = query.where(Change.id.in_(
            sa.select(ChangeScope.change_id).where(ChangeScope.kind == kind,
                                                   ChangeScope.slug == slug)))
    if filters.kind:
        query = query.where(Change.kind == filters.kind)
    if filters.actor:
        query = query.where(Change.actor == filters.actor)
        if not scopes:  # the actor's own index finds its few changes; then sort them
            newest = (sa.func.coalesce(Change.at, Change.at).desc(), Change.id.desc())
    if filters.since:
        query = query.where(at >= filters.since)
    if filters.until:
        query = query.where(at <= filters.until)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    items = list(db.session.scalars(query.order_by(*newest).offset(
        (filters.page - 1) * filters.per_page).limit(filters.per_page)))
    return ChangePage(items, total, filters)


def change_dict(change: Change) -> dict[str, Any]:
    """Return a change in the API's shape."""
    return {"id": change.id, "at": change.at.isoformat() + "Z", "actor": change.actor,
            "token": change.token, "source": change.source,
            "entity": {"kind": change.kind, "slug": change.slug}, "action": change.action,
            "changes": change.changes, "note": change.note}


@dataclass(frozen=True)
class Names:
    """Names of the teams, domains and businesses, to tell slugs by name."""

    team: dict[str, str]
    domain: dict[str, str]
    business: dict[str, str]

    def of(self, kind: str, slug: Any) -> str:
        if not slug:
            return "none"
        return getattr(self, kind).get(slug, slug)


def names() -> Names:
    """Return the current names of every team, domain and business."""
    return Names(*(dict(db.session.execute(sa.select(model.slug, model.name)).all())
                   for model in (Team, Domain, Business)))


def describe(changes: dict[str, list[Any]], names: Names, *, action: str = "update") -> list[str]:
    """Tell a change's fields in words, one line each.

    A new entity (``create``, ``baseline``) is told by its headline fields
    only: its name, owner, domain, lifecycle...

    Examples
    --------
    >>> n = Names({"trade": "Trade Platform", "member": "Membership Platform"}, {}, {})
    >>> describe({"team": ["trade", "member"], "tier": [2, 1]}, n)
    ['owner: Trade Platform -> Membership Platform', 'tier: 2 -> 1']
    >>> describe({"dependencies": [[{"provider": "a", "kind": "sync"}],
    ...                            [{"provider": "b", "kind": "async"}]]}, n)
    ['depends on: + b (async), - a']
    >>> describe({"name": [None, "Checkout"]}, n)
    ['name: Checkout']
    """
    if action in ("create", "baseline"):
        changes = {field: changes[field] for field in HEADLINE
                   if field in changes and changes[field][1] not in (None, "", [])}
    lines = []
    for field, (before, after) in changes.items():
        label = LABELS.get(field, field.replace("_", " "))
        if isinstance(before, list) or isinstance(after, list):
            told = _list_change(before or [], after or [])
        elif field in REFERENCES:
            told = _arrow(names.of(REFERENCES[field], before) if before else None,
                          names.of(REFERENCES[field], after))
        else:
            told = _arrow(_short(before), _short(after))
        if told:
            lines.append(f"{label}: {told}")
    return lines


def _list_change(before: list[Any], after: list[Any]) -> str:
    """Tell what a list gained and lost: ``+ b (async), - a``; changed items with ``~``."""
    old, new = _keyed(before), _keyed(after)
    parts = [f"+ {_item(new[key])}" for key in new if key not in old]
    parts += [f"~ {_item(new[key])}" for key in new if key in old and old[key] != new[key]]
    parts += [f"- {key}" for key in old if key not in new]
    return ", ".join(parts)


def _keyed(items: list[Any]) -> dict[str, Any]:
    keyed = {}
    for item in items:
        if isinstance(item, dict):
            keyed[str(item.get("provider") or item.get("name") or item)] = item
        else:
            keyed[str(item)] = item
    return keyed


def _item(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    key = item.get("provider") or item.get("name")
    detail = item.get("kind")
    return f"{key} ({detail})" if detail else str(key)


def _arrow(before: Any, after: Any) -> str:
    if before in (None, ""):
        return f"{after}"
    return f"{before} -> {after if after not in (None, '') else 'none'}"


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > LONG_TEXT:
        return value[:LONG_TEXT - 1].rstrip() + "…"
    return value


def _text(moment: dt.datetime | None, *, end_of_day: bool) -> str | None:
    if moment is None:
        return None
    if moment.time() == (dt.time.max if end_of_day else dt.time.min):
        return moment.date().isoformat()
    return moment.isoformat()

