"""Businesses adopting capabilities: record, end and list adoptions.

An adoption is an edge of the dependency graph (business -> capability), so
every write is recorded by :func:`catalog.history.record`, which keeps its
past and bumps the catalog revision: the graph, impact reports and reuse
metrics see it on the next request, in every worker.

Who may write: contributors of the team that owns the business, architects,
admins and the system (see :func:`catalog.permissions.can_act_for`).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from catalog import history, lookups
from catalog.db import db, scalar_or_not_found, transaction
from catalog.errors import Conflict, NotFound, ValidationFailed
from catalog.models import Adoption, Api, Business, Capability, User
from catalog.models._time import today
from catalog.paging import FilteredPage, ListFilters, flag_filter, slug_filter
from catalog.permissions import ensure_can_act_for
from catalog.snapshots import adoption_snapshot
from catalog.validation import Errors, check_adoption, check_until

__all__ = [
    "AdoptionFilters",
    "AdoptionPage",
    "adopt",
    "adoption_dict",
    "adoptions_query",
    "end_adoption",
    "get_adoption",
    "list_adoptions",
    "update_adoption",
]


def adopt(data: Mapping[str, Any], actor: User | None) -> Adoption:
    """Record that a business uses a capability (optionally one of its APIs).

    Parameters
    ----------
    data : mapping
        ``business`` and ``capability`` (slugs), ``api`` (name of one API
        of the capability, optional), ``purpose`` (at most 280 characters),
        ``since`` (``YYYY-MM-DD``, default today, not in the future) and
        ``until`` (optional, for an adoption that already ended), as
        :func:`catalog.validation.check_adoption` takes them.
    actor : User or None
        Who records it (None: the system).

    Returns
    -------
    Adoption
        The new, committed adoption; the catalog revision is bumped.

    Raises
    ------
    ValidationFailed
        A bad field, an unknown business, capability or API, a retired
        capability (unless the adoption already ended), ``until`` before
        ``since``; nothing is written.
    Forbidden
        ``actor`` may not record adoptions for that business.
    Conflict
        The business already actively adopts that capability (and API).

    Examples
    --------
    >>> try:
    ...     adopt({"purpose": "x" * 300, "since": "2024-13-01"}, None)
    ... except ValidationFailed as exc:
    ...     sorted(exc.errors)
    ['business', 'capability', 'purpose', 'since']
    """
    errors = Errors()
    cleaned = check_adoption(data, errors, today=today())
    refs = _resolve(cleaned, errors)
    if errors:
        raise ValidationFailed(dict(errors))
    business, capability, api = refs["business"], refs["capability"], refs["api"]
    ensure_can_act_for(actor, business, "adoptions")
    until = cleaned["until"]
    if until is None or until > today():
        _refuse_duplicate(business, capability, api)
    with transaction():
        adoption = Adoption(business=business, capability=capability, api=api,
                            since=cleaned["since"], until=until, purpose=cleaned["purpose"])
        db.session.add(adoption)
        history.record(actor, "adoption", lambda: str(adoption.id),
                       lambda: adoption_snapshot(adoption))
    return adoption


def end_adoption(ref: int | tuple[str, str], until: Any = None,
                 actor: User | None = None) -> Adoption:
    """End an active adoption on ``until`` (default today).

    Parameters
    ----------
    ref : int or (str, str)
        The adoption's id, or ``(business slug, capability slug)`` naming
        its only active adoption of that capability.
    until : date or str, optional
        Last day of use (``YYYY-MM-DD``), not before ``since`` and not in
        the future; the adoption stops counting from that day.
    actor : User or None
        Who ends it (None: the system).

    Returns
    -------
    Adoption
        The adoption, ended and committed; the catalog revision is bumped.

    Raises
    ------
    NotFound
        No such adoption (or no active one for that pair).
    ValidationFailed
        A bad date, an adoption that already ended, or a pair with several
        active adoptions (one per API: end it by id).
    Forbidden
        ``actor`` may not record adoptions for that business.
    """
    adoption = _find(ref)
    ensure_can_act_for(actor, adoption.business, "adoptions")
    errors = Errors()
    day = check_until(until if until not in (None, "") else today(), adoption.since, errors)
    if day is not None and day > today():
        errors.add("until", f"Until cannot be in the future (today is {today().isoformat()}).")
    if not adoption.active:
        errors.add("until", f"This adoption already ended on {adoption.until.isoformat()}.")
    errors.raise_if_any()
    with transaction():
        adoption.until = day
        history.record(actor, "adoption", str(adoption.id), adoption_snapshot(adoption),
                       action="end")
    return adoption


def update_adoption(adoption: Adoption, data: Mapping[str, Any], actor: User | None) -> Adoption:
    """Change the API, purpose, since or until of an adoption, with :func:`adopt`'s rules.

    Fields absent from ``data`` keep their values; the business and the
    capability of an adoption never change (record a new adoption instead).

    Raises
    ------
    ValidationFailed
        A bad field or an unknown API; nothing is written.
    Forbidden
        ``actor`` may not record adoptions for that business.
    """
    ensure_can_act_for(actor, adoption.business, "adoptions")
    current = {"business": adoption.business.slug, "capability": adoption.capability.slug,
               "api": adoption.api.name if adoption.api else "", "purpose": adoption.purpose,
               "since": adoption.since.isoformat(),
               "until": adoption.until.isoformat() if adoption.until else None}
    errors = Errors()
    cleaned = check_adoption({**current, **{k: v for k, v in data.items()
                                            if k in ("api", "purpose", "since", "until")}},
                             errors, today=today())
    refs = _resolve(cleaned, errors)
    errors.raise_if_any()
    with transaction():
        adoption.api, adoption.purpose = refs["api"], cleaned["purpose"]
        adoption.since, adoption.until = cleaned["since"], cleaned["until"]
        history.record(actor, "adoption", str(adoption.id), adoption_snapshot(adoption))
    return adoption


def get_adoption(adoption_id: int) -> Adoption:
    """Return the adoption with this id; raise NotFound when there is none."""
    return scalar_or_not_found(_loaded(sa.select(Adoption).where(Adoption.id == adoption_id)),
                               f"No adoption has the id {adoption_id}.")


@dataclass(frozen=True)
class AdoptionFilters(ListFilters):
    """What the adoption list asks for: a business, a capability, active or not."""

    business: str = slug_filter("Business")
    capability: str = slug_filter("Capability")
    active: bool | None = flag_filter("In use today or not.")


AdoptionPage = FilteredPage[Adoption, AdoptionFilters]


def adoptions_query(filters: AdoptionFilters) -> sa.Select:
    """Return the select of the adoptions ``filters`` asks for, newest first."""
    query = sa.select(Adoption)
    if filters.business:
        query = query.where(Adoption.business_id.in_(
            sa.select(Business.id).where(Business.slug == filters.business)))
    if filters.capability:
        query = query.where(Adoption.capability_id.in_(
            sa.select(Capability.id).where(Capability.slug == filters.capability)))
    if filters.active is not None:
        query = query.where(Adoption.active if filters.active else sa.not_(Adoption.active))
    return query.order_by(Adoption.since.desc(), Adoption.id.desc())


def list_adoptions(filters: AdoptionFilters) -> AdoptionPage:
    """Return one page of adoptions and how many match in all."""
    query = adoptions_query(filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(
        query.order_by(None).subquery())) or 0
    items = db.session.scalars(_loaded(query).limit(filters.per_page)
                               .offset((filters.page - 1) * filters.per_page)).all()
    return AdoptionPage(list(items), total, filters)


def adoption_dict(adoption: Adoption) -> dict[str, Any]:
    """Return an adoption as JSON-ready data."""
    return {
        "id": adoption.id,
        "business": adoption.business.slug,
        "business_name": adoption.business.name,
        "capability": adoption.capability.slug,
        "capability_name": adoption.capability.name,
        "api": adoption.api.name if adoption.api else None,
        "since": adoption.since.isoformat(),
        "until": adoption.until.isoformat() if adoption.until else None,
        "purpose": adoption.purpose,
        "active": adoption.active,
    }


# -- steps -------------------------------------------------------------------


def _resolve(cleaned: dict[str, Any], errors: Errors) -> dict[str, Any]:
    refs: dict[str, Any] = {"business": None, "capability": None, "api": None}
    if cleaned["business"]:
        refs["business"] = lookups.by_slug(Business, cleaned["business"])
        if refs["business"] is None:
            errors.add("business", f"Unknown business {cleaned['business']!r}.")
    if cleaned["capability"]:
        capability = refs["capability"] = lookups.by_slug(
            Capability, cleaned["capability"], selectinload(Capability.apis))
        if capability is None:
            errors.add("capability", f"Unknown capability {cleaned['capability']!r}.")
        elif capability.lifecycle == "retired" and Adoption(until=cleaned["until"]).active:
            # An adoption that ended is history, which a retired capability keeps.
            errors.add("capability",
                       f"{capability.slug!r} is retired; adopt its successor instead.")
        elif cleaned["api"]:
            refs["api"] = next((api for api in capability.apis
                                if api.name.lower() == cleaned["api"].lower()), None)
            if refs["api"] is None:
                names = ", ".join(api.name for api in capability.apis) or "none"
                errors.add("api", f"{capability.slug!r} has no API named {cleaned['api']!r} "
                                  f"(its APIs: {names}).")
    return refs


def _refuse_duplicate(business: Business, capability: Capability, api: Api | None) -> None:
    existing = next((a for a in business.adoptions if a.capability is capability
                     and a.api is api and a.active), None)
    if existing is not None:
        what = f"{capability.slug!r}" + (f" through {api.name!r}" if api else "")
        message = (f"{business.name} already adopts {what} (since "
                   f"{existing.since.isoformat()}, adoption {existing.id}); end that adoption "
                   "first.")
        raise Conflict({"capability": [message]}, "That adoption already exists.")


def _find(ref: int | tuple[str, str]) -> Adoption:
    if isinstance(ref, int):
        return get_adoption(ref)
    business, capability = ref
    found = db.session.scalars(_loaded(
        sa.select(Adoption).join(Adoption.business).join(Adoption.capability)
        .where(Business.slug == business, Capability.slug == capability, Adoption.active)
        .order_by(Adoption.id))).all()
    if not found:
        raise NotFound(f"{business!r} has no active adoption of {capability!r}.")
    if len(found) > 1:
        ids = ", ".join(str(a.id) for a in found)
        message = (f"{business!r} has {len(found)} active adoptions of {capability!r} (one "
                   f"per API: ids {ids}); end one by its id.")
        raise ValidationFailed({"adoption": [message]})
    return found[0]


def _loaded(query: sa.Select) -> sa.Select:
    return query.options(joinedload(Adoption.business), joinedload(Adoption.capability),
                         joinedload(Adoption.api))
