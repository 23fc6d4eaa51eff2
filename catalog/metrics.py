"""Metrics defined once: lead time of deliveries, and the catalog side of reuse.

Every page, endpoint and export that shows one of these numbers calls these
functions, so the numbers agree everywhere.

Lead time
    ``delivered_on - requested_on`` in days, for delivered deliveries only
    (open ones are listed apart, by age). Summaries give the count, the
    median and the 85th percentile (:func:`percentile`: linear interpolation
    between closest ranks, rounded half up to one decimal) per quarter of
    ``delivered_on`` (labelled ``"2025Q3"``), per business, per business and
    quarter, and per *cohort*: how many capabilities a delivery reused,
    ``"none"`` (0), ``"1-2"`` or ``"3+"`` (:func:`cohort_of`).

Reuse
    *Direct consumers* of a capability are the distinct businesses with an
    active adoption of it plus the capabilities that depend on it: in SQL the
    list's column (``catalog.browse``), in the graph its in-degree
    (:func:`graphs.analysis.direct_consumers`). Business reach, the reuse
    rate, the leaderboard, the business x capability matrix and reuse over
    time need the dependency graph, so they live in :mod:`graphs.metrics`
    (``catalog`` does not import ``graphs``); they read the catalog through
    :func:`reuse_history` and :func:`business_teams` here.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from catalog.db import db
from catalog.deliveries import DeliveryFilters, filter_deliveries
from catalog.errors import NotFound
from catalog.models import (
    Adoption,
    Business,
    Capability,
    Delivery,
    Dependency,
    Team,
    delivery_capability,
)
from catalog.models._time import today

__all__ = [
    "COHORTS",
    "ReuseHistory",
    "business_teams",
    "capability_lead_times",
    "cohort_lead_times",
    "cohort_of",
    "delivery_metrics",
    "latest_delivered",
    "lead_time_days",
    "lead_time_stats",
    "percentile",
    "quarter_bounds",
    "quarter_of",
    "quarter_range",
    "reuse_history",
    "slowest_open",
]

COHORTS = ("none", "1-2", "3+")
SLOWEST_OPEN = 10


# -- pure helpers ---------------------------------------------------------------


def percentile(values: Iterable[int], percent: int) -> float | None:
    """Return the ``percent``-th percentile of whole numbers, None when there are none.

    The method is linear interpolation between closest ranks, the
    "inclusive" method (numpy's default ``linear``, Excel's
    ``PERCENTILE.INC``, ``statistics.quantiles(method="inclusive")``): sort
    the ``n`` values into ``x[0] <= ... <= x[n-1]``, let ``h = (n - 1) *
    percent / 100``, and return ``x[floor(h)] + (h - floor(h)) *
    (x[floor(h) + 1] - x[floor(h)])``. The 50th percentile is the median.
    The result is rounded half up to one decimal, in exact integer
    arithmetic.

    Parameters
    ----------
    values : iterable of int
        Lead times in days.
    percent : int
        From 0 to 100.

    Examples
    --------
    >>> percentile([10, 20, 30, 40], 50)
    25.0
    >>> percentile([10, 20, 30, 40], 85)   # h = 3 * 0.85 = 2.55: 30 + 0.55 * 10
    35.5
    >>> percentile([7], 85), percentile([], 50)
    (7.0, None)
    """
    xs = sorted(values)
    if not xs:
        return None
    if not 0 <= percent <= 100:
        raise ValueError(f"percent must be from 0 to 100, not {percent!r}")
    low, rest = divmod((len(xs) - 1) * percent, 100)
    high = min(low + 1, len(xs) - 1)
    hundredths = xs[low] * 100 + rest * (xs[high] - xs[low])
    tenths = (hundredths + 5) // 10  # half up (lead times are never negative)
    return tenths / 10


def lead_time_stats(days: Sequence[int]) -> dict[str, Any]:
    """Return ``{"count", "median_days", "p85_days"}`` of lead times (None when empty).

    Examples
    --------
    >>> lead_time_stats([30, 10, 20])
    {'count': 3, 'median_days': 20.0, 'p85_days': 27.0}
    """
    ordered = sorted(days)
    return {"count": len(ordered), "median_days": percentile(ordered, 50),
            "p85_days": percentile(ordered, 85)}


def cohort_of(reused: int) -> str:
    """Return the cohort of a delivery that reused ``reused`` capabilities.

    Examples
    --------
    >>> [cohort_of(n) for n in (0, 1, 2, 3, 7)]
    ['none', '1-2', '1-2', '3+', '3+']
    """
    return "none" if reused <= 0 else "1-2" if reused <= 2 else "3+"


def quarter_of(day: dt.date) -> str:
    """Return the calendar quarter of ``day`` as ``"2025Q3"``.

    Examples
    --------
    >>> quarter_of(dt.date(2025, 9, 30)), quarter_of(dt.date(2025, 10, 1))
    ('2025Q3', '2025Q4')
    """
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(label: str) -> tuple[dt.date, dt.date]:
    """Return the first and last day of the quarter ``"2025Q3"``.

    Examples
    --------
    >>> quarter_bounds("2024Q1")
    (datetime.date(2024, 1, 1), datetime.date(2024, 3, 31))
    """
    year, quarter = int(label[:4]), int(label[5:])
    first = dt.date(year, 3 * quarter - 2, 1)
    after = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return first, after - dt.timedelta(days=1)


def quarter_range(first: str, last: str) -> list[str]:
    """Return every quarter label from ``first`` to ``last``, both included.

    Examples
    --------
    >>> quarter_range("2024Q3", "2025Q1")
    ['2024Q3', '2024Q4', '2025Q1']
    """
    labels = []
    year, quarter = int(first[:4]), int(first[5:])
    while (year, quarter) <= (int(last[:4]), int(last[5:])):
        labels.append(f"{year}Q{quarter}")
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return labels


# -- lead time --------------------------------------------------------------------


def delivery_metrics(filters: DeliveryFilters | None = None, *,
                     slowest: int = SLOWEST_OPEN) -> dict[str, Any]:
    """Return the lead-time figures of the deliveries ``filters`` selects.

    Parameters
    ----------
    filters : DeliveryFilters, optional
        ``business``, ``capability`` (deliveries that reused it), and
        ``since`` / ``until`` bounding the delivered date. Paging and
        ``open`` are ignored. Open deliveries are filtered by business and
        capability only (they have no delivered date).
    slowest : int
        How many open deliveries to list, oldest request first.

    Returns
    -------
    dict
        ``"overall"``: ``{"count", "median_days", "p85_days"}`` of every
        delivered delivery selected; ``"quarters"``: one such dict per
        quarter of ``delivered_on`` plus ``"quarter"``, every quarter from
        the first to the last (empty ones with count 0 and None);
        ``"cohorts"``: one per cohort in :data:`COHORTS` order, with
        ``"cohort"``; ``"businesses"``: one per business with deliveries,
        by name, with ``"slug"``, ``"name"``, ``"reused_share"`` (share of
        its deliveries that reused at least one capability, 3 decimals) and
        ``"mean_reused"`` (capabilities per delivery, 2 decimals);
        ``"business_quarters"``: one per business and quarter, with
        ``"business"`` and ``"quarter"``; ``"open"``: ``{"count",
        "slowest": [{"id", "business", "title", "requested_on", "age_days",
        "reused"}]}``.

    Notes
    -----
    One query returns the lead times of the delivered deliveries grouped by
    business, month delivered and number of capabilities reused (the day
    arithmetic done by the database, the lead times of a group joined into
    one text), so a few thousand rows come back for 50,000 deliveries; the
    grouping into quarters, cohorts and businesses and the percentiles are
    done here, the same way for every group (:func:`percentile`).
    """
    filters = filters or DeliveryFilters()
    quarter_cache: dict[str, str] = {}
    overall: list[int] = []
    by_quarter: dict[str, list[int]] = defaultdict(list)
    by_cohort: dict[str, list[int]] = {cohort: [] for cohort in COHORTS}
    by_business: dict[int, list[int]] = defaultdict(list)
    reused_by_business: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # [with any, total]
    by_business_quarter: dict[tuple[int, str], list[int]] = defaultdict(list)
    for business_id, month, reused, joined in db.session.execute(_lead_time_groups(filters)):
        quarter = quarter_cache.get(month)
        if quarter is None:
            quarter = quarter_cache[month] = f"{month[:4]}Q{(int(month[5:7]) - 1) // 3 + 1}"
        leads = [int(days) for days in joined.split(",")]
        overall += leads
        by_quarter[quarter] += leads
        by_cohort[cohort_of(reused)] += leads
        by_business[business_id] += leads
        by_business_quarter[business_id, quarter] += leads
        counts = reused_by_business[business_id]
        counts[0] += len(leads) if reused else 0
        counts[1] += reused * len(leads)
    names = _business_names(by_business)
    quarters = quarter_range(min(by_quarter), max(by_quarter)) if by_quarter else []
    businesses = []
    for business_id in sorted(by_business, key=lambda b: (names[b][1].lower(), names[b][0])):
        with_any, reused = reused_by_business[business_id]
        count = len(by_business[business_id])
        businesses.append({
            "slug": names[business_id][0], "name": names[business_id][1],
            **lead_time_stats(by_business[business_id]),
            "reused_share": round(with_any / count, 3), "mean_reused": round(reused / count, 2),
        })
    return {
        "filters": filters.args(page=None, per_page=None, open=None),
        "overall": lead_time_stats(overall),
        "quarters": [{"quarter": q, **lead_time_stats(by_quarter.get(q, []))} for q in quarters],
        "cohorts": [{"cohort": c, **lead_time_stats(by_cohort[c])} for c in COHORTS],
        "businesses": businesses,
        "business_quarters": [
            {"business": names[b][0], "quarter": q, **lead_time_stats(days)}
            for (b, q), days in sorted(by_business_quarter.items(),
                                       key=lambda item: (names[item[0][0]][0], item[0][1]))
        ],
        "open": {"count": _open_count(filters), "slowest": slowest_open(filters, limit=slowest)},
    }


def cohort_lead_times(filters: DeliveryFilters | None = None) -> dict[str, list[int]]:
    """Return the lead times of the delivered deliveries ``filters`` selects, per cohort.

    The distribution behind the ``"cohorts"`` of :func:`delivery_metrics`
    (same selection, same query), for a box plot: ``{cohort: sorted lead
    times in days}`` with every cohort of :data:`COHORTS`, in that order.
    """
    days: dict[str, list[int]] = {cohort: [] for cohort in COHORTS}
    for reused, joined in db.session.execute(
            _lead_time_groups(filters or DeliveryFilters(), by_reuse_only=True)):
        days[cohort_of(reused)] += (int(d) for d in joined.split(","))
    return {cohort: sorted(values) for cohort, values in days.items()}


def latest_delivered(filters: DeliveryFilters | None = None, *,
                     limit: int = SLOWEST_OPEN) -> list[dict[str, Any]]:
    """Return the deliveries ``filters`` selects that were delivered last, latest first.

    The counterpart of :func:`slowest_open` for a "recent deliveries" list:
    ``{"id", "business", "title", "requested_on", "delivered_on",
    "lead_time_days", "reused"}`` each.
    """
    return _delivered(replace(filters or DeliveryFilters(), open=False), limit=limit)


def slowest_open(filters: DeliveryFilters | None = None, *,
                 limit: int = SLOWEST_OPEN) -> list[dict[str, Any]]:
    """Return the open deliveries that have waited longest, oldest request first.

    Only ``business`` and ``capability`` of ``filters`` apply. Each item is
    ``{"id", "business", "title", "requested_on", "age_days", "reused"}``,
    the age counted in days up to today.
    """
    open_filters = _open_filters(filters)
    rows = db.session.execute(
        filter_deliveries(
            sa.select(Delivery.id, Business.slug, Delivery.title, Delivery.requested_on,
                      _reused_count())
            .join(Business, Business.id == Delivery.business_id), open_filters)
        .order_by(Delivery.requested_on, Delivery.id).limit(max(limit, 0)))
    day = today()
    return [{"id": id_, "business": business, "title": title,
             "requested_on": requested.isoformat(), "age_days": (day - requested).days,
             "reused": reused}
            for id_, business, title, requested, reused in rows]


def capability_lead_times(slug: str, filters: DeliveryFilters | None = None) -> dict[str, Any]:
    """Return the delivered deliveries that reused capability ``slug``, with their lead times.

    Returns
    -------
    dict
        ``{"slug", "count", "median_days", "p85_days", "open", "deliveries":
        [{"id", "business", "title", "requested_on", "delivered_on",
        "lead_time_days", "reused"}]}``, latest delivery first; ``open``
        counts the open deliveries that reuse it.

    Raises
    ------
    NotFound
        When no capability has that slug.
    """
    if db.session.scalar(sa.select(Capability.id).where(Capability.slug == slug)) is None:
        raise NotFound(f"No capability has the slug {slug!r}.")
    filters = replace(filters or DeliveryFilters(), capability=slug, open=False)
    deliveries = _delivered(filters)
    return {"slug": slug, **lead_time_stats([d["lead_time_days"] for d in deliveries]),
            "open": _open_count(filters), "deliveries": deliveries}


def _delivered(filters: DeliveryFilters, *, limit: int | None = None) -> list[dict[str, Any]]:
    """Return the delivered deliveries ``filters`` selects as dicts, latest delivery first."""
    query = (filter_deliveries(
        sa.select(Delivery.id, Business.slug, Delivery.title, Delivery.requested_on,
                  Delivery.delivered_on, _reused_count())
        .join(Business, Business.id == Delivery.business_id), filters)
        .order_by(Delivery.delivered_on.desc(), Delivery.id.desc()))
    if limit is not None:
        query = query.limit(max(limit, 0))
    return [{"id": id_, "business": business, "title": title,
             "requested_on": requested.isoformat(), "delivered_on": delivered.isoformat(),
             "lead_time_days": (delivered - requested).days, "reused": reused}
            for id_, business, title, requested, delivered, reused in db.session.execute(query)]


def lead_time_days() -> sa.ColumnElement[int]:
    """Return a delivery's lead time in days as SQL, computed by the database."""
    if db.engine.dialect.name == "postgresql":
        return Delivery.delivered_on - Delivery.requested_on
    # SQLite keeps dates as YYYY-MM-DD text
    return sa.cast(sa.func.julianday(Delivery.delivered_on)
                   - sa.func.julianday(Delivery.requested_on), sa.Integer)


def _reused_count() -> sa.ScalarSelect:
    return (sa.select(sa.func.count())
            .where(delivery_capability.c.delivery_id == Delivery.id)
            .correlate(Delivery).scalar_subquery().label("reused"))


def _lead_time_groups(filters: DeliveryFilters, *, by_reuse_only: bool = False) -> sa.Select:
    """Select ``(business_id, "YYYY-MM" delivered, reused, "lead,lead,...")`` groups.

    The database computes each delivered delivery's lead time in days and how
    many capabilities it reused, and joins the lead times of each business,
    month and reuse count into one text: a few thousand rows come back
    instead of one per delivery. ``by_reuse_only`` groups by the reuse count
    alone: ``(reused, "lead,lead,...")``.
    """
    if db.engine.dialect.name == "postgresql":
        month = sa.func.to_char(Delivery.delivered_on, "YYYY-MM")
    else:  # SQLite keeps dates as YYYY-MM-DD text
        month = sa.func.substr(Delivery.delivered_on, 1, 7)
    days = lead_time_days()
    links = (sa.select(delivery_capability.c.delivery_id.label("id"), sa.func.count().label("n"))
             .group_by(delivery_capability.c.delivery_id).subquery())
    reused = sa.func.coalesce(links.c.n, 0)
    keys = (reused,) if by_reuse_only else (Delivery.business_id, month, reused)
    query = (sa.select(*keys, sa.func.aggregate_strings(sa.cast(days, sa.String), ","))
             .outerjoin(links, links.c.id == Delivery.id)
             .group_by(*keys))
    return filter_deliveries(query, replace(filters, open=False))


def _open_filters(filters: DeliveryFilters | None) -> DeliveryFilters:
    return replace(filters or DeliveryFilters(), since=None, until=None, open=True)


def _open_count(filters: DeliveryFilters | None) -> int:
    return db.session.scalar(filter_deliveries(
        sa.select(sa.func.count(Delivery.id)), _open_filters(filters))) or 0


def _business_names(ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    wanted = list(ids)
    if not wanted:
        return {}
    return {id_: (slug, name) for id_, slug, name in db.session.execute(
        sa.select(Business.id, Business.slug, Business.name).where(Business.id.in_(wanted)))}


# -- the catalog side of reuse ------------------------------------------------------


@dataclass(frozen=True)
class ReuseHistory:
    """The dated facts reuse over time is computed from (slugs, not ids).

    Attributes
    ----------
    capabilities : list of (slug, lifecycle, launched_on or None)
    businesses : list of slug
    dependencies : list of (consumer slug, provider slug, since)
    adoptions : list of (business slug, capability slug, since, until or None)
    """

    capabilities: list[tuple[str, str, dt.date | None]]
    businesses: list[str]
    dependencies: list[tuple[str, str, dt.date]]
    adoptions: list[tuple[str, str, dt.date, dt.date | None]]


def reuse_history() -> ReuseHistory:
    """Return every capability, business, dependency and adoption with its dates."""
    slug_of = dict(db.session.execute(sa.select(Capability.id, Capability.slug)).all())
    business_of = dict(db.session.execute(sa.select(Business.id, Business.slug)).all())
    return ReuseHistory(
        capabilities=[tuple(row) for row in db.session.execute(
            sa.select(Capability.slug, Capability.lifecycle, Capability.launched_on)
            .order_by(Capability.slug))],
        businesses=sorted(business_of.values()),
        dependencies=[(slug_of[c], slug_of[p], since) for c, p, since in db.session.execute(
            sa.select(Dependency.consumer_id, Dependency.provider_id, Dependency.since))],
        adoptions=[(business_of[b], slug_of[c], since, until)
                   for b, c, since, until in db.session.execute(
                       sa.select(Adoption.business_id, Adoption.capability_id, Adoption.since,
                                 Adoption.until))],
    )


def business_teams() -> dict[str, str | None]:
    """Return ``{business slug: slug of the team that owns it, or None}``."""
    return dict(db.session.execute(
        sa.select(Business.slug, Team.slug).outerjoin(Team, Team.id == Business.team_id)
    ).all())
