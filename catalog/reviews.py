"""Reviews: architects and admins decide on proposed capabilities.

A capability registered as ``proposed`` waits in the review queue until an
architect or admin decides: *approve* moves it to ``approved`` (the only way
out of ``proposed``), *reject* and *changes* keep it proposed, with a comment
saying why. A rejected or sent-back capability returns to the queue once its
team changes it (its version passes the one the reviewer saw). Each decision
is a ``review`` entry of the history, filed under the capability; an
approval is also the capability's own change of lifecycle.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from catalog import history
from catalog.capabilities import get_capability
from catalog.db import db, transaction
from catalog.errors import Conflict, Forbidden
from catalog.models import Capability, Review, User
from catalog.models._time import utcnow
from catalog.models.governance import DECISIONS
from catalog.paging import FilteredPage, ListFilters, choice_filter
from catalog.permissions import can_govern
from catalog.snapshots import capability_snapshot
from catalog.validation import Errors, check_words

__all__ = ["COMMENT_MAX", "REVIEW_STATUSES", "ReviewFilters", "ReviewPage", "can_review",
           "decide", "pending_count", "review_dict", "reviews_of"]

COMMENT_MAX = 2000
REVIEW_STATUSES = ("pending", "decided")


def can_review(actor: User | None) -> bool:
    """Return True when ``actor`` may decide reviews: architects and admins (and the system)."""
    return can_govern(actor)


def decide(slug: str, data: Mapping[str, Any], actor: User | None) -> Review:
    """Record a review decision on the proposed capability ``slug``.

    Parameters
    ----------
    slug : str
        The capability decided on; it must be ``proposed``.
    data : mapping
        ``decision`` (approve, reject or changes) and ``comment`` (required
        for reject and changes, at most 2,000 characters).
    actor : User or None
        The reviewer: an architect or an admin (None: the system).

    Returns
    -------
    Review
        The committed decision; an approval has moved the capability to
        ``approved``.

    Raises
    ------
    NotFound
        No capability has that slug.
    Forbidden
        ``actor`` is neither an architect nor an admin.
    ValidationFailed
        A bad decision or comment; nothing is written.
    Conflict
        The capability is not proposed (nothing to review).
    """
    capability = get_capability(slug)
    if not can_review(actor):
        if actor is not None and actor.role == "contributor" and (
                capability.team_id is not None and capability.team_id == actor.team_id):
            raise Forbidden("A contributor cannot approve or review its own team's capability: "
                            "an architect or admin reviews it.")
        raise Forbidden("Only architects and admins review capabilities.")
    errors = Errors()
    decision = data.get("decision")
    if decision not in DECISIONS:
        errors.add("decision", f"Decision must be one of: {', '.join(DECISIONS)}.")
    comment = check_words(data.get("comment"), errors, "comment", "Comment", COMMENT_MAX)
    if "comment" not in errors and decision in ("reject", "changes") and not comment:
        errors.add("comment", "Say why in the comment: the team needs to know what to change.")
    errors.raise_if_any()
    if capability.lifecycle != "proposed":
        raise Conflict({"decision": [(f"{slug!r} is {capability.lifecycle}, not proposed: "
                                     "there is nothing to review.")]},
                       "Only proposed capabilities are reviewed.")
    reviewer = actor.username if actor is not None else None
    with transaction():
        review = Review(capability=capability, decision=decision, comment=comment,
                        reviewer=reviewer, decided_at=utcnow(),
                        capability_version=capability.version)
        db.session.add(review)
        entries = []
        if decision == "approve":
            capability.lifecycle = "approved"
            capability.updated_at = utcnow()
            db.session.flush()
            entries.append(history.Entry(
                "capability", capability.slug, capability_snapshot(capability),
                note=f"Approved by review{': ' + comment if comment else ''}"))
        db.session.flush()
        entries.append(history.Entry(
            "review", str(review.id), review_snapshot(review), action="review",
            scopes={("capability", capability.slug)}, force=True))
        history.record_many(actor, entries)
    return review


def review_snapshot(review: Review) -> dict[str, Any]:
    """Return a review decision as history keeps it."""
    return {"id": review.id, "capability": review.capability.slug, "decision": review.decision,
            "comment": review.comment, "reviewer": review.reviewer,
            "capability_version": review.capability_version}


def reviews_of(capability: Capability) -> list[Review]:
    """Return the decisions on ``capability``, oldest first (its review thread)."""
    return list(db.session.scalars(sa.select(Review).where(Review.capability_id == capability.id)
                                   .order_by(Review.decided_at, Review.id)))


def _last_seen() -> sa.Subquery:
    return (sa.select(Review.capability_id, sa.func.max(Review.capability_version).label("seen"))
            .group_by(Review.capability_id).subquery())


def _pending_query() -> sa.Select:
    """Proposed capabilities no reviewer has seen in their current version."""
    seen = _last_seen()
    return (sa.select(Capability)
            .outerjoin(seen, seen.c.capability_id == Capability.id)
            .where(Capability.lifecycle == "proposed",
                   sa.or_(seen.c.seen.is_(None), Capability.version > seen.c.seen)))


def pending_count() -> int:
    """Return how many capabilities wait for a review."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(
        _pending_query().subquery())) or 0


@dataclass(frozen=True)
class ReviewFilters(ListFilters):
    """What the review list asks for: pending capabilities or decided reviews, a page."""

    status: str = choice_filter(
        "Status", REVIEW_STATUSES, "pending",
        "pending: capabilities waiting for a review; decided: decisions taken.")


ReviewPage = FilteredPage[dict[str, Any], ReviewFilters]


def list_reviews(filters: ReviewFilters) -> ReviewPage:
    """Return one page of the queue (pending) or of the decisions (decided), and the total."""
    offset = (filters.page - 1) * filters.per_page
    if filters.status == "pending":
        query = _pending_query()
        total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
        rows = db.session.scalars(
            query.options(joinedload(Capability.team), joinedload(Capability.domain))
            .order_by(Capability.updated_at, Capability.id)
            .limit(filters.per_page).offset(offset)).all()
        last = _last_decisions([c.id for c in rows])
        items = [pending_dict(c, last.get(c.id)) for c in rows]
    else:
        query = sa.select(Review)
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Review)) or 0
        rows = db.session.scalars(
            query.options(joinedload(Review.capability).joinedload(Capability.team))
            .order_by(Review.decided_at.desc(), Review.id.desc())
            .limit(filters.per_page).offset(offset)).all()
        items = [review_dict(r) for r in rows]
    return ReviewPage(items, total, filters)


def _last_decisions(ids: list[int]) -> dict[int, Review]:
    if not ids:
        return {}
    found: dict[int, Review] = {}
    for review in db.session.scalars(sa.select(Review).where(Review.capability_id.in_(ids))
                                     .order_by(Review.id)):
        found[review.capability_id] = review
    return found


def pending_dict(capability: Capability, last: Review | None) -> dict[str, Any]:
    """Return a capability waiting for review as JSON-ready data."""
    return {"status": "pending", "capability": capability.slug,
            "capability_name": capability.name,
            "team": capability.team.slug if capability.team else None,
            "team_name": capability.team.name if capability.team else None,
            "domain": capability.domain.slug, "tier": capability.tier,
            "waiting_since": capability.updated_at.isoformat() + "Z",
            "capability_version": capability.version,
            "last_decision": review_dict(last) if last is not None else None}


def review_dict(review: Review) -> dict[str, Any]:
    """Return a review decision as JSON-ready data."""
    capability = review.capability
    return {"status": "decided", "id": review.id, "capability": capability.slug,
            "capability_name": capability.name,
            "team": capability.team.slug if capability.team else None,
            "decision": review.decision, "comment": review.comment,
            "reviewer": review.reviewer, "decided_at": review.decided_at.isoformat() + "Z",
            "capability_version": review.capability_version}
