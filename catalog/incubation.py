"""Incubating a new business: picks, saved plans, adoptions in one step, and the evidence.

A business lead picks the capabilities a new business needs; the portal
shows what they bring along (:mod:`graphs.business`), and this module holds
the catalog side:

- :func:`check_picks` resolves the picked slugs (unknown or retired ones are
  refused, named);
- :func:`picked_details` says what adopting a pick takes (its maturity is its
  scorecard level, added by the portal from :mod:`graphs.scorecards`);
- :func:`expected_lead_time` estimates lead time from the delivery history of
  businesses that reuse about as many capabilities (a *reuse cohort*), with
  the data behind it;
- :func:`save_plan`, :func:`adopt_plan` and :func:`propose_need` write, through
  the catalog services and :func:`catalog.history.record`.

Who may write: contributors (a plan is their team's), architects, admins and
the system; viewers read (:func:`catalog.permissions.ensure_can_incubate`).
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, selectinload

from catalog import history, lookups
from catalog.adoptions import adopt
from catalog.browse import text_matches
from catalog.capabilities import register_capability
from catalog.db import db, scalar_or_not_found, transaction
from catalog.errors import Conflict, ValidationFailed
from catalog.fields import NAME_MAX, PURPOSE_MAX, SLUG_MAX, SLUG_RE, split_capabilities
from catalog.metrics import lead_time_days, lead_time_stats
from catalog.models import (
    Adoption,
    Business,
    Capability,
    Delivery,
    Domain,
    IncubationPlan,
    Team,
    User,
)
from catalog.models._time import utcnow
from catalog.paging import FilteredPage, ListFilters, slug_filter
from catalog.permissions import ensure_can_incubate
from catalog.snapshots import business_snapshot
from catalog.validation import (
    NEED_MAX,
    NEEDS_MAX,
    PICKS_MAX,
    Errors,
    check_business,
    check_slug,
    check_text,
)

__all__ = [
    "NEEDS_MAX",
    "NEED_MAX",
    "PICKS_MAX",
    "PURPOSE_MAX",
    "PlanFilters",
    "PlanPage",
    "adopt_plan",
    "check_picks",
    "expected_lead_time",
    "get_plan",
    "list_plans",
    "picked_details",
    "plan_dict",
    "plan_snapshot",
    "plan_team_of",
    "propose_need",
    "replacements",
    "save_plan",
    "search_capabilities",
    "slug_for",
]

#: A reuse cohort: businesses adopting from COHORT_LOW to COHORT_HIGH times as many capabilities.
COHORT_LOW, COHORT_HIGH = 0.5, 1.5
#: Fewer delivered deliveries than this in the cohort: widen it to the nearest businesses.
COHORT_MIN_DELIVERIES = 10


# -- reading ---------------------------------------------------------------------------


def check_picks(value: Any, errors: Errors, field: str = "capabilities") -> list[str]:
    """Return the picked capability slugs (``a,b,c`` or a list), each known and not retired.

    Duplicates are dropped, order kept. Problems are added to ``errors``
    under ``field``, naming every unknown or retired slug at once.

    >>> errors = Errors()
    >>> check_picks("Not A Slug", errors), sorted(errors)
    ([], ['capabilities'])
    """
    if value not in (None, "") and not isinstance(value, (str, list, tuple)):
        errors.add(field, "Capabilities must be a list of slugs, or slugs separated by commas.")
        return []
    items = split_capabilities(value.replace(",", ";") if isinstance(value, str) else value)
    if len(items) > PICKS_MAX:
        errors.add(field, f"At most {PICKS_MAX} capabilities (got {len(items)}).")
        return []
    bad = [str(item)[:SLUG_MAX] for item in items
           if not isinstance(item, str) or not SLUG_RE.match(item) or len(item) > SLUG_MAX]
    if bad:
        errors.add(field, "Not capability slugs: " + ", ".join(repr(b) for b in bad[:10]) + ".")
        return []
    slugs = list(dict.fromkeys(items))
    found = dict(db.session.execute(sa.select(Capability.slug, Capability.lifecycle)
                                    .where(Capability.slug.in_(slugs))).all()) if slugs else {}
    unknown = [slug for slug in slugs if slug not in found]
    retired = [slug for slug in slugs if found.get(slug) == "retired"]
    if unknown:
        errors.add(field, "Unknown capabilities: " + ", ".join(unknown) + ".")
    if retired:
        errors.add(field, "Retired, pick their successors instead: " + ", ".join(retired) + ".")
    return [] if unknown or retired else slugs


def search_capabilities(q: str, *, exclude: Iterable[str] = (), limit: int = 12) -> list[Capability]:
    """Return capabilities to pick for ``q``: every word in the name, summary, tags or domain.

    A need ("membership", "payments") finds the capabilities of the domain it
    names as well as those that mention it. Retired ones and ``exclude`` are
    left out; production first, then by name.
    """
    words = " ".join((q or "").split()[:5]).lower()
    if not words:
        return []
    conditions = []
    for word, matches in zip(words.split(), [[c] for c in text_matches(words)], strict=True):
        in_domain = Capability.domain_id.in_(sa.select(Domain.id).where(sa.or_(
            sa.func.lower(Domain.name).contains(word, autoescape=True),
            Domain.slug.contains(word, autoescape=True))))
        conditions.append(sa.or_(*matches, in_domain))
    skipped = list(exclude)
    query = (sa.select(Capability).options(joinedload(Capability.domain))
             .where(Capability.lifecycle != "retired", *conditions))
    if skipped:
        query = query.where(Capability.slug.not_in(skipped))
    return list(db.session.scalars(query.order_by(
        (Capability.lifecycle != "production"), sa.func.lower(Capability.name)).limit(limit)))


def picked_details(slugs: list[str]) -> dict[str, dict[str, Any]]:
    """Return, per picked slug, what adopting it takes: SLA, docs, APIs, contact."""
    if not slugs:
        return {}
    rows = db.session.scalars(
        sa.select(Capability).where(Capability.slug.in_(slugs))
        .options(selectinload(Capability.apis), joinedload(Capability.team))).all()
    return {c.slug: {
        "sla_availability": float(c.sla_availability) if c.sla_availability is not None else None,
        "sla_p99_ms": c.sla_p99_ms, "docs_url": c.docs_url or None, "summary": c.summary,
        "apis": [{"name": api.name, "kind": api.kind, "version": api.version,
                  "status": api.status} for api in c.apis],
        "contact": c.team.contact if c.team else None,
    } for c in rows}


def replacements(slugs: list[str]) -> dict[str, str]:
    """Return ``{slug: the slug of its named replacement}`` for those of ``slugs`` that have one."""
    if not slugs:
        return {}
    replacement = aliased(Capability)
    return dict(db.session.execute(
        sa.select(Capability.slug, replacement.slug)
        .join(replacement, Capability.replacement_id == replacement.id)
        .where(Capability.slug.in_(slugs))).all())


def expected_lead_time(reused: int) -> dict[str, Any]:
    """Estimate a feature's lead time for a business reusing ``reused`` capabilities.

    The reuse cohort is the businesses with from :data:`COHORT_LOW` to
    :data:`COHORT_HIGH` times ``reused`` active adoptions; when their delivered
    deliveries number fewer than :data:`COHORT_MIN_DELIVERIES`, the nearest
    businesses by adoption count join until there are enough (or none is left).

    Returns
    -------
    dict
        ``{"expected_lead_time_days": median or None, "basis": {"reused",
        "cohort": {"adoptions_min", "adoptions_max", "businesses": [slug]},
        "deliveries", "median_days", "p85_days"}}``.
    """
    counts = db.session.execute(
        sa.select(Business.id, Business.slug, sa.func.count(sa.distinct(Adoption.capability_id)))
        .join(Adoption, Adoption.business_id == Business.id)
        .where(Adoption.active).group_by(Business.id, Business.slug)).all()
    ranked = sorted(counts, key=lambda row: (abs(row[2] - reused), row[1]))
    low, high = reused * COHORT_LOW, reused * COHORT_HIGH
    cohort = [row for row in ranked if low <= row[2] <= high]
    days = _lead_times([row[0] for row in cohort])
    for row in ranked:
        if len(days) >= COHORT_MIN_DELIVERIES:
            break
        if row not in cohort:
            cohort.append(row)
            days += _lead_times([row[0]])
    stats = lead_time_stats(days)
    adoptions = [row[2] for row in cohort]
    return {"expected_lead_time_days": stats["median_days"], "basis": {
        "reused": reused,
        "cohort": {"adoptions_min": min(adoptions, default=None),
                   "adoptions_max": max(adoptions, default=None),
                   "businesses": sorted(row[1] for row in cohort)},
        "deliveries": stats["count"], "median_days": stats["median_days"],
        "p85_days": stats["p85_days"]}}


def _lead_times(business_ids: list[int]) -> list[int]:
    if not business_ids:
        return []
    return [int(days) for days in db.session.scalars(
        sa.select(lead_time_days())
        .where(Delivery.business_id.in_(business_ids), Delivery.delivered_on.is_not(None)))]


# -- plans -------------------------------------------------------------------------------


def plan_snapshot(plan: IncubationPlan) -> dict[str, Any]:
    """Return a plan as history keeps it."""
    return {"name": plan.name, "purpose": plan.purpose, "capabilities": list(plan.capabilities),
            "needs": list(plan.needs), "team": plan.team.slug if plan.team else None,
            "business": plan.business.slug if plan.business else None}


def plan_dict(plan: IncubationPlan) -> dict[str, Any]:
    """Return a plan as JSON-ready data."""
    return {"id": plan.id, **plan_snapshot(plan), "created_by": plan.created_by,
            "created_at": plan.created_at.isoformat() + "Z",
            "adopted_at": plan.adopted_at.isoformat() + "Z" if plan.adopted_at else None}


def _check_plan(data: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    cleaned = {
        "name": check_text(data.get("name"), errors, "name", "Name", NAME_MAX, required=True),
        "purpose": check_text(data.get("purpose"), errors, "purpose", "Purpose", PURPOSE_MAX,
                              multiline=True),
        "capabilities": check_picks(data.get("capabilities"), errors),
        "needs": _needs(data.get("needs"), errors),
    }
    if not cleaned["capabilities"] and not cleaned["needs"] and "capabilities" not in errors:
        errors.add("capabilities", "Pick at least one capability (or name a need).")
    return cleaned


def _needs(value: Any, errors: Errors) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, (list, tuple)):
        errors.add("needs", "Needs must be a list of texts, or one per line.")
        return []
    needs = []
    for i, item in enumerate(value):
        text = check_text(item, errors, f"needs.{i}", "A need", NEED_MAX)
        if text and text not in needs:
            needs.append(text)
    if len(needs) > NEEDS_MAX:
        errors.add("needs", f"At most {NEEDS_MAX} needs (got {len(needs)}).")
    return needs


def save_plan(data: Mapping[str, Any], actor: User | None) -> IncubationPlan:
    """Save a new incubation plan; it belongs to the actor's team (or ``data["team"]``).

    Parameters
    ----------
    data : mapping
        ``name`` (required, at most 120 characters), ``purpose`` (at most
        2,000), ``capabilities`` (slugs, a list or ``a,b,c``, at most 50,
        known and not retired), ``needs`` (texts nothing covers, at most 20
        of 200 characters), ``team`` (slug; architects, admins and the system
        only: a contributor's plan is their team's).
    actor : User or None
        Who saves it (None: the system).

    Returns
    -------
    IncubationPlan
        The new, committed plan.

    Raises
    ------
    ValidationFailed
        A bad field; nothing is written.
    Forbidden
        A viewer, or a contributor naming another team.

    Examples
    --------
    >>> try:
    ...     save_plan({"name": "", "needs": 5}, None)
    ... except ValidationFailed as exc:
    ...     sorted(exc.errors)
    ['capabilities', 'name', 'needs']
    """
    errors = Errors()
    cleaned = _check_plan(data, errors)
    team = _plan_team(data.get("team"), actor, errors)
    errors.raise_if_any()
    ensure_can_incubate(actor, team)
    with transaction():
        plan = IncubationPlan(name=cleaned["name"], purpose=cleaned["purpose"],
                              capabilities=cleaned["capabilities"], needs=cleaned["needs"],
                              team=team, created_by=actor.username if actor else None)
        db.session.add(plan)
        history.record(actor, "plan", lambda: str(plan.id), lambda: plan_snapshot(plan))
    return plan


def _plan_team(value: Any, actor: User | None, errors: Errors) -> Team | None:
    slug = value.strip() if isinstance(value, str) else ""
    if value not in (None, "") and not isinstance(value, str):
        errors.add("team", "Team must be a team slug.")
    if not slug:
        return actor.team if actor is not None else None
    check_slug(slug, errors, "team")
    team = lookups.by_slug(Team, slug) if "team" not in errors else None
    if team is None and "team" not in errors:
        errors.add("team", f"Unknown team {slug!r}.")
    return team


def get_plan(plan_id: int) -> IncubationPlan:
    """Return the plan with this id; raise NotFound when there is none."""
    return scalar_or_not_found(
        sa.select(IncubationPlan).where(IncubationPlan.id == plan_id)
        .options(joinedload(IncubationPlan.team), joinedload(IncubationPlan.business)),
        f"No incubation plan has the id {plan_id}.")


@dataclass(frozen=True)
class PlanFilters(ListFilters):
    """What the plan list asks for: a team, a page."""

    team: str = slug_filter("Team", "Plans of this team.")


PlanPage = FilteredPage[IncubationPlan, PlanFilters]


def list_plans(filters: PlanFilters) -> PlanPage:
    """Return one page of plans, newest first, and how many match in all."""
    query = sa.select(IncubationPlan)
    if filters.team:
        query = query.where(IncubationPlan.team_id.in_(
            sa.select(Team.id).where(Team.slug == filters.team)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    items = db.session.scalars(
        query.options(joinedload(IncubationPlan.team), joinedload(IncubationPlan.business))
        .order_by(IncubationPlan.created_at.desc(), IncubationPlan.id.desc())
        .limit(filters.per_page).offset((filters.page - 1) * filters.per_page)).all()
    return PlanPage(list(items), total, filters)


def adopt_plan(plan: IncubationPlan, data: Mapping[str, Any], actor: User | None) -> Business:
    """Create the incubating business of ``plan`` and its adoptions, all or nothing.

    Parameters
    ----------
    plan : IncubationPlan
        A plan not adopted yet, with at least one capability.
    data : mapping
        ``slug`` of the new business (required, not taken), ``name``
        (default the plan's), ``description`` (default its purpose).
    actor : User or None
        Contributors of the plan's team, architects, admins, the system.

    Returns
    -------
    Business
        The new business (status ``incubating``, owned by the plan's team),
        adopting every capability of the plan; the plan names it.

    Raises
    ------
    ValidationFailed
        A bad field, no capability, or a capability unknown or retired since
        the plan was saved; nothing is written.
    Conflict
        The plan was already adopted, or the slug is taken; nothing is written.
    Forbidden
        ``actor`` may not incubate for the plan's team.
    """
    ensure_can_incubate(actor, plan.team)
    if plan.business_id is not None:
        raise Conflict({"plan": [(f"This plan already became {plan.business.name} "
                                 f"({plan.business.slug}).")]}, "The plan was already adopted.")
    errors = Errors()
    cleaned = check_business({"slug": data.get("slug"), "name": data.get("name") or plan.name,
                              "description": data.get("description") or plan.purpose,
                              "status": "incubating"}, errors)
    picks = check_picks(list(plan.capabilities), errors)
    if not plan.capabilities:
        errors.add("capabilities", "The plan has no capability to adopt.")
    errors.raise_if_any()
    if lookups.by_slug(Business, cleaned["slug"]) is not None:
        raise Conflict({"slug": [f"A business already has the slug {cleaned['slug']!r}."]},
                       "That business already exists.")
    with history.batch(actor):
        business = Business(slug=cleaned["slug"], name=cleaned["name"],
                            description=cleaned["description"], status="incubating",
                            team=plan.team or (actor.team if actor is not None else None))
        db.session.add(business)
        db.session.flush()  # its team id: adopt() checks who may act for it
        lookups.remember(business)
        history.record(actor, "business", business.slug, lambda: business_snapshot(business))
        for slug in picks:
            adopt({"business": business.slug, "capability": slug,
                   "purpose": f"Incubation plan: {plan.name}"[:280]}, actor)
        plan.business, plan.adopted_at = business, utcnow()
        history.record(actor, "plan", str(plan.id), plan_snapshot(plan), action="adopt")
    return business


def slug_for(text: str) -> str:
    """Return a kebab-case slug made of ``text`` (at most 63 characters; may be empty).

    >>> slug_for("  Live-stream  Shopping! ")
    'live-stream-shopping'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:SLUG_MAX].strip("-")


def propose_need(data: Mapping[str, Any], actor: User | None, *,
                 plan: IncubationPlan | None = None) -> Capability:
    """Register an uncovered need as a proposed capability (the capability service's rules).

    ``data``: ``need`` (the text, becomes the name and summary), ``domain``
    and ``team`` (slugs; a contributor's own team), optional ``slug``
    (default made from the need). With ``plan`` (not adopted), the need
    leaves the plan's needs and the new capability joins its picks, in the
    same transaction.

    Raises
    ------
    ValidationFailed, Conflict, Forbidden
        As :func:`catalog.capabilities.register_capability`; nothing is written.
    """
    errors = Errors()
    need = check_text(data.get("need"), errors, "need", "Need", NAME_MAX, required=True)
    slug = str(data.get("slug") or "").strip() or slug_for(need)
    if errors:
        raise ValidationFailed(dict(errors))
    if plan is not None:
        ensure_can_incubate(actor, plan.team)
        if plan.business_id is not None:
            raise Conflict({"plan": ["This plan was already adopted; change the business."]},
                           "The plan was already adopted.")
    with transaction():
        capability = register_capability({
            "slug": slug, "name": need, "summary": f"Proposed for a new business: {need}"[:280],
            "domain": data.get("domain"), "team": data.get("team") or (
                actor.team.slug if actor is not None and actor.team else None),
            "lifecycle": "proposed"}, actor)
        if plan is not None:
            plan.needs = [n for n in plan.needs if n != need]
            plan.capabilities = [*plan.capabilities, capability.slug]
            history.record(actor, "plan", str(plan.id), plan_snapshot(plan))
    return capability


def plan_team_of(actor: User | None) -> str | None:
    """Return the team slug a new plan of ``actor`` would belong to."""
    return actor.team.slug if actor is not None and actor.team else None

