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
from functools import partial
from typing import Any

import sqlalchemy as sa

from catalog.db import db
from catalog.models import Business, Change, ChangeScope, Domain, Team
from catalog.models.history import KINDS
from catalog.paging import FilteredPage, ListFilters, choice_filter, list_filter, slug_filter
from catalog.validation import Errors, check_moment

__all__ = ["ChangeFilters", "ChangePage", "Names", "change_dict", "describe", "done",
           "list_changes", "names"]

ENTITY_MAX = 140
ACTOR_MAX = 63
#: A moment parameter in the OpenAPI document (:func:`catalog.validation.check_moment`).
MOMENT = {"type": "string", "maxLength": 40}
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
#: How a change's action is told, in the past tense ("Checkout updated by ana").
DONE = {"create": "created", "update": "updated", "delete": "deleted", "adopt": "adopted",
        "end": "ended", "review": "reviewed", "not-duplicate": "marked not a duplicate",
        "end-sessions": "signed out everywhere", "revoke": "revoked",
        "baseline": "recorded as it stood", "import": "imported"}
#: The fields a new entity is told by (all of them are in the API's ``changes``).
HEADLINE = ("name", "title", "business", "capability", "team", "domain", "lifecycle", "tier",
            "since", "delivered_on", "role", "scopes")


def _entity(value: Any, errors: Errors, field: str) -> tuple[str, str] | None:
    raw = str(value or "").strip()
    if not raw:
        return None
    kind, _, slug = raw.partition(":")
    if kind not in KINDS or not slug or len(raw) > ENTITY_MAX:
        errors.add(field, f"{field} must be kind:slug, e.g. capability:checkout, the kind one "
                          f"of {', '.join(KINDS)}.")
        return None
    return kind, slug


def _actor(value: Any, errors: Errors, field: str) -> str:
    actor = str(value or "").strip()
    if len(actor) > ACTOR_MAX:
        errors.add(field, f"{field} must be at most {ACTOR_MAX} characters.")
    return actor


def _text(moment: dt.datetime | None, *, end_of_day: bool) -> str | None:
    if moment is None:
        return None
    if moment.time() == (dt.time.max if end_of_day else dt.time.min):
        return moment.date().isoformat()
    return moment.isoformat()


@dataclass(frozen=True)
class ChangeFilters(ListFilters):
    """What the changes feed asks for; empty fields filter nothing.

    >>> ChangeFilters.from_args({"entity": "capability:checkout", "since": "2025-01-01"}).entity
    ('capability', 'checkout')
    """

    entity: tuple[str, str] | None = list_filter(
        _entity, None, text=lambda entity: ":".join(entity) if entity else None,
        schema={"type": "string", "maxLength": ENTITY_MAX, "pattern": "^[a-z]+:.+$"},
        about="kind:slug, e.g. capability:checkout: its changes and those that concern it.")
    team: str = slug_filter("Team", "Changes concerning this team's entities.")
    business: str = slug_filter("Business", "Changes concerning this business.")
    domain: str = slug_filter("Domain", "Changes concerning this domain.")
    kind: str = choice_filter("Kind", KINDS)
    actor: str = list_filter(_actor, schema={"type": "string", "maxLength": ACTOR_MAX},
                             about="A username.")
    since: dt.datetime | None = list_filter(
        check_moment, None, text=partial(_text, end_of_day=False), schema=MOMENT,
        about="An ISO 8601 date or UTC date and time.")
    until: dt.datetime | None = list_filter(
        partial(check_moment, end_of_day=True), None, text=partial(_text, end_of_day=True),
        schema=MOMENT, about="An ISO 8601 date or UTC date and time; a date means its end.")

    @classmethod
    def filters_from(cls, args: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
        """Return the filters ``args`` ask for, ``until`` not before ``since``."""
        filters = super().filters_from(args, errors)
        if filters["since"] and filters["until"] and filters["until"] < filters["since"]:
            errors.add("until", "until must not be before since.")
        return filters

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


def done(action: str) -> str:
    """Return how an action is told in the past tense.

    >>> done("adopt"), done("not-duplicate"), done("rename")
    ('adopted', 'marked not a duplicate', 'rename')
    """
    return DONE.get(action, action)


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

