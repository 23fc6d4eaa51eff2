"""The reuse and delivery dashboards, and the figures other pages borrow.

The numbers come from the functions the JSON API calls
(:mod:`graphs.metrics`, :mod:`catalog.metrics`), so a page and
``/api/v1/metrics/...`` always agree; the charts are built by
:mod:`graphs.charts` and drawn by ``static/js/charts.js``.
"""

import datetime as dt
from functools import partial
from typing import Any

import networkx as nx
from flask import render_template, request, url_for

from catalog import deliveries, directory
from catalog.errors import ValidationFailed
from catalog.metrics import (
    capability_lead_times,
    cohort_lead_times,
    delivery_metrics,
    latest_delivered,
    quarter_bounds,
    quarter_of,
)
from catalog.models import Business, Capability
from catalog.models._time import today
from catalog.permissions import can_act_for
from catalog.vocabulary import LEADERBOARD, MATRIX_CAPABILITIES, TREND_QUARTERS
from graphs import charts
from graphs.cache import derived
from graphs.metrics import reuse_matrix, reuse_metrics, reuse_over_time
from graphs.nodes import capability_node
from portal.auth import current_actor
from portal.history import page_as_of
from portal.http import page_or_fragment
from portal.insights.blueprint import bp
from portal.insights.records import recordable_businesses

PERIODS = ("4", "8", "12")  # "last N quarters" on the delivery page
MATRIX_ROWS = 120  # rows drawn on the page; the API has them all
RECENT = 10
MOST_REUSED = 5
LATEST_REUSING = 10  # deliveries listed on a capability page


@bp.get("/reuse")
def reuse():
    """Leaderboard, reuse over time, the business x capability matrix and the map.

    ``as_of`` shows them as they were then (the trend ends that day).
    """
    as_of = page_as_of()
    metrics = reuse_metrics(top=LEADERBOARD, as_of=as_of)
    figures = {"trend": charts.reuse_rate_trend(reuse_over_time(quarters=TREND_QUARTERS, as_of=as_of)),
               "map": derived("insights.treemap", partial(_treemap, as_of=as_of), as_of=as_of)}
    return render_template("insights/reuse.html", metrics=metrics, figures=figures,
                           grid=derived("insights.matrix", partial(_matrix_grid, as_of=as_of),
                                        as_of=as_of),
                           lifecycle_colours=charts.LIFECYCLE_COLOURS, as_of=as_of)


@bp.get("/delivery")
def delivery():
    """Lead time per quarter, business and cohort; htmx redraws the body for other filters."""
    try:
        filters, period = delivery_selection()
        problems = {}
    except ValidationFailed as exc:
        (filters, period), problems = (deliveries.DeliveryFilters(), ""), exc.errors
    return page_or_fragment(
        "insights/delivery.html", "insights/_delivery_body.html",
        **_delivery_view(filters, period), problems=problems, periods=PERIODS,
        may_record=bool(recordable_businesses(current_actor())))


def home_insights() -> dict[str, Any]:
    """Return what the home page shows of reuse and lead time: KPIs and their charts."""
    series = reuse_over_time(quarters=TREND_QUARTERS)
    lead = delivery_metrics(deliveries.DeliveryFilters(
        since=quarter_bounds(series[0]["quarter"])[0]))
    by_quarter = {q["quarter"]: q for q in lead["quarters"]}
    labels = [s["quarter"] for s in series]
    this = quarter_of(today())
    year_ago = f"{int(this[:4]) - 1}{this[4:]}"
    medians = [by_quarter[q]["median_days"] if q in by_quarter else None for q in labels]
    return {
        "reuse": reuse_metrics(top=MOST_REUSED),
        "lead": {"this": by_quarter.get(this, {"quarter": this, "median_days": None}),
                 "year_ago": by_quarter.get(year_ago, {"quarter": year_ago, "median_days": None})},
        "figures": {
            "story": charts.lead_time_and_reuse(lead["quarters"], series),
            "lead-spark": charts.sparkline(labels, medians, title="Median lead time per quarter",
                                           unit="days"),
            "reuse-spark": charts.sparkline(
                labels, [round(s["reuse_rate"] * 100, 1) for s in series],
                title="Reuse rate per quarter", unit="%", colour=charts.REUSE),
        },
    }


def business_insights(business: Business) -> dict[str, Any]:
    """Return a business page's lead-time figures and whether the visitor may record for it."""
    metrics = delivery_metrics(deliveries.DeliveryFilters(business=business.slug), slowest=0)
    actor = current_actor()
    return {"lead": metrics, "may_record": actor is not None and can_act_for(actor, business),
            "today": today().isoformat(),
            "figures": {"lead": charts.lead_time_trend(
                metrics["quarters"], title=f"{business.name}: lead time per quarter")}}


def capability_insights(capability: Capability) -> dict[str, Any]:
    """Return a capability page's reusing deliveries and whether the visitor may adopt it."""
    reused = capability_lead_times(capability.slug)
    businesses = directory.all_businesses()
    return {"reused": {**reused, "latest": reused["deliveries"][:LATEST_REUSING]},
            "business_names": {b.slug: b.name for b in businesses},
            "may_adopt": capability.lifecycle != "retired"
            and bool(recordable_businesses(current_actor(), businesses))}


def delivery_selection() -> tuple[deliveries.DeliveryFilters, str]:
    """Parse the delivery filters: business, since / until, or the last N quarters.

    ``quarters=N`` stands for ``since`` = the first day of the quarter N - 1
    quarters before this one; an explicit ``since`` wins over it.
    """
    args = request.args
    period = (args.get("quarters") or "").strip()
    if period and period not in PERIODS:
        raise ValidationFailed({"quarters": [f"Quarters must be one of {', '.join(PERIODS)}."]})
    values = {name: args.get(name, "") for name in ("business", "since", "until")}
    if (values["since"] or "").strip():
        period = ""
    elif period:
        values["since"] = _quarters_back(int(period)).isoformat()
    return deliveries.DeliveryFilters.from_args(values), period


def _quarters_back(n: int) -> dt.date:
    """Return the first day of the quarter ``n - 1`` quarters before today's."""
    first = quarter_bounds(quarter_of(today()))[0]
    for _ in range(n - 1):
        first = quarter_bounds(quarter_of(first - dt.timedelta(days=1)))[0]
    return first


def _delivery_view(filters: deliveries.DeliveryFilters, period: str) -> dict[str, Any]:
    """Return everything the delivery page and its JSON show for ``filters``."""
    metrics = delivery_metrics(filters)
    businesses = directory.all_businesses()
    return {
        "filters": filters, "period": period, "metrics": metrics,
        "nothing_yet": not (metrics["overall"]["count"] or metrics["open"]["count"]
                            or filters.args()),
        "recent": latest_delivered(filters, limit=RECENT),
        "businesses": businesses, "business_names": {b.slug: b.name for b in businesses},
        "export_url": url_for(".export_csv", **filters.args()),
        "figures": {
            "trend": charts.lead_time_trend(metrics["quarters"]),
            "cohorts": charts.cohort_boxes(cohort_lead_times(filters)),
            "businesses": charts.business_lead_times(metrics["businesses"]),
        },
    }


def _matrix_grid(G: nx.DiGraph, as_of: dt.datetime | None = None) -> dict[str, Any]:
    """The business x capability grid of the catalog (computed once per revision or moment)."""
    return charts.matrix_grid(reuse_matrix(top=MATRIX_CAPABILITIES, as_of=as_of), limit=MATRIX_ROWS)


def _treemap(G: nx.DiGraph, as_of: dt.datetime | None = None) -> dict[str, Any]:
    """The capability map of the catalog (computed once per revision or moment)."""
    ranking = reuse_metrics(top=len(G), as_of=as_of)["items"]
    return charts.capability_treemap([
        {**c, "domain": G.nodes[capability_node(c["slug"])].get("domain"),
         "domain_name": G.nodes[capability_node(c["slug"])].get("domain_name")}
        for c in ranking])
