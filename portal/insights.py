"""Reuse and delivery: the dashboards, and recording adoptions and deliveries.

The numbers come from the functions the JSON API calls
(:mod:`graphs.metrics`, :mod:`catalog.metrics`), so a page and
``/api/v1/metrics/...`` always agree; the charts are built by
:mod:`graphs.charts` and drawn by ``static/js/charts.js``.
"""

import base64
import binascii
import datetime as dt
import hashlib
from typing import Any

import networkx as nx
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from catalog import adoptions, deliveries, directory
from catalog import capabilities as service
from catalog.errors import Forbidden, ValidationFailed
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
from graphs import charts
from graphs.cache import derived
from graphs.metrics import reuse_matrix, reuse_metrics, reuse_over_time
from graphs.nodes import capability_node
from portal.auth import current_actor

bp = Blueprint("insights", __name__)

PERIODS = ("4", "8", "12")  # "last N quarters" on the delivery page
QUARTERS = 12  # of the reuse and home trends
LEADERBOARD = 20
MATRIX = 50  # top capabilities in the matrix (plus every cross-business one)
MATRIX_ROWS = 120  # rows drawn on the page; the API has them all
RECENT = 10
MOST_REUSED = 5
LATEST_REUSING = 10  # deliveries listed on a capability page


# -- forms (fields only: the rules live in catalog) ------------------------------------


class _ServiceForm(FlaskForm):
    """A form whose fields are handed to a catalog service as plain data."""

    FIELDS: tuple[str, ...] = ()

    def to_data(self) -> dict[str, Any]:
        """Return the submitted fields as the mapping the service takes."""
        return {name: self[name].data for name in self.FIELDS}

    def show_errors(self, errors: dict[str, list[str]]) -> list[str]:
        """Attach each message to its field; return those that have none."""
        rest = []
        for field, messages in errors.items():
            if field in self.FIELDS:
                self[field].errors = list(self[field].errors or []) + messages
            else:
                rest.extend(messages)
        return rest


class AdoptionForm(_ServiceForm):
    FIELDS = ("business", "capability", "api", "purpose", "since")

    business = SelectField("Business", validate_choice=False)
    capability = StringField("Capability", description="Its slug: type a name to search.")
    api = StringField("API", description="Optional: the API it calls, by name.")
    purpose = StringField("Purpose", description="What the business uses it for.")
    since = StringField("Since", description="The day it started using it.")
    return_to = HiddenField(default="capability")


class DeliveryForm(_ServiceForm):
    FIELDS = ("business", "title", "requested_on", "delivered_on", "external_ref")

    business = SelectField("Business", validate_choice=False)
    title = StringField("Title", description="The feature, as the business calls it.")
    requested_on = StringField("Requested on")
    delivered_on = StringField("Delivered on", description="Leave blank while it is open.")
    external_ref = StringField("External reference", description="Your ticket id (optional).")

    def to_data(self) -> dict[str, Any]:
        return {**super().to_data(), "capabilities": request.form.getlist("capabilities")}


class EndAdoptionForm(FlaskForm):
    until = StringField("Last day")
    return_to = HiddenField(default="business")


# -- dashboards ----------------------------------------------------------------------------


@bp.get("/reuse")
def reuse():
    """Leaderboard, reuse over time, the business x capability matrix and the map."""
    metrics = reuse_metrics(top=LEADERBOARD)
    figures = {"trend": charts.reuse_rate_trend(reuse_over_time(quarters=QUARTERS)),
               "map": derived("insights.treemap", _treemap)}
    return render_template("insights/reuse.html", metrics=metrics, figures=figures,
                           grid=charts.matrix_grid(reuse_matrix(top=MATRIX), limit=MATRIX_ROWS),
                           lifecycle_colours=charts.LIFECYCLE_COLOURS)


@bp.get("/delivery")
def delivery():
    """Lead time per quarter, business and cohort, with filters that redraw in place."""
    try:
        filters, period = _selection()
        problems = {}
    except ValidationFailed as exc:
        (filters, period), problems = (deliveries.DeliveryFilters(), ""), exc.errors
    return render_template("insights/delivery.html", **_delivery_view(filters, period),
                           problems=problems, periods=PERIODS,
                           may_record=bool(_recordable(current_actor())))


@bp.get("/delivery/figures.json")
def delivery_figures():
    """The delivery page's figures and tables for other filters, as JSON."""
    try:
        filters, period = _selection()
    except ValidationFailed as exc:
        return jsonify(errors=exc.errors), 422
    view = _delivery_view(filters, period)
    return jsonify(
        filters=filters.args(), quarters=period or None, figures=view["figures"],
        parts={"delivery-headline": render_template("insights/_delivery_headline.html", **view),
               "delivery-tables": render_template("insights/_delivery_tables.html", **view)},
        links={"delivery-export": view["export_url"]},
    )


def home_insights() -> dict[str, Any]:
    """Return what the home page shows of reuse and lead time: KPIs and their charts."""
    series = reuse_over_time(quarters=QUARTERS)
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
            and bool(_recordable(current_actor(), businesses))}


# -- adoptions -----------------------------------------------------------------------------


@bp.route("/adoptions/new", methods=["GET", "POST"])
@login_required
def new_adoption():
    """Record that a business uses a capability."""
    actor = current_actor()
    form = AdoptionForm()
    form.business.choices = _business_choices(actor, "adoptions")
    if request.method == "GET":
        form.business.data = request.args.get("business", "")
        form.capability.data = request.args.get("capability", "")
        form.since.data = today().isoformat()
        form.return_to.data = "business" if request.args.get("business") else "capability"
        return _adoption_page(form, {})
    try:
        adoption = adoptions.adopt(form.to_data(), actor)
    except ValidationFailed as exc:
        return _adoption_page(form, exc.errors, status=exc.status)
    flash(f"{adoption.business.name} now uses {adoption.capability.name}.", "success")
    return redirect(_back(form.return_to.data, adoption))


@bp.get("/adoptions/options")
def adoption_options():
    """Capabilities matching the text typed, and the APIs of the one it names."""
    text = request.args.get("capability", "")
    return render_template("insights/_adoption_options.html",
                           found=directory.pick_capabilities(text), apis=_apis_of(text))


@bp.post("/adoptions/<int:adoption_id>/end")
@login_required
def end_adoption(adoption_id: int):
    """End an adoption on the day given (default today), after the button's confirmation."""
    form = EndAdoptionForm()
    try:
        adoption = adoptions.end_adoption(adoption_id, form.until.data, current_actor())
    except ValidationFailed as exc:
        adoption = adoptions.get_adoption(adoption_id)
        flash(" ".join(m for messages in exc.errors.values() for m in messages), "error")
    else:
        flash(f"{adoption.business.name} stopped using {adoption.capability.name} on "
              f"{adoption.until.isoformat()}.", "success")
    return redirect(_back(form.return_to.data, adoption))


# -- deliveries ----------------------------------------------------------------------------


@bp.route("/deliveries/new", methods=["GET", "POST"])
@login_required
def new_delivery():
    """Record one delivered (or still open) business feature."""
    actor = current_actor()
    form = DeliveryForm()
    form.business.choices = _business_choices(actor, "deliveries")
    if request.method == "GET":
        form.business.data = request.args.get("business", "")
        return _delivery_form_page(form, {})
    try:
        delivery = deliveries.record_delivery(form.to_data(), actor, source="form")
    except ValidationFailed as exc:
        return _delivery_form_page(form, exc.errors, status=exc.status)
    lead = delivery.lead_time_days
    flash(f"Recorded “{delivery.title}” for {delivery.business.name}"
          + (f": {lead} days from request to delivery." if lead is not None else " (open)."),
          "success")
    return redirect(url_for(".delivery", business=delivery.business.slug))


@bp.get("/deliveries/picker")
def capability_picker():
    """Capabilities matching ``q``, to add to a delivery's reused list."""
    q = request.args.get("q", "")
    return render_template("capabilities/_picker_results.html",
                           found=directory.pick_capabilities(q), q=q, row_endpoint=".reused_row")


@bp.get("/deliveries/picker/<slug>")
def reused_row(slug: str):
    """One chosen capability, as a row of the delivery form."""
    return render_template("insights/_reused_row.html", capability=service.get_capability(slug),
                           slug=slug, errors=[])


@bp.route("/deliveries/import", methods=["GET", "POST"])
@login_required
def import_deliveries():
    """Upload a CSV: a dry run shows the preview and every problem; confirming imports it."""
    _may_record(current_actor(), "deliveries")  # 403 before anything is read
    if request.method == "GET":
        return render_template("insights/import.html", report=None)
    name, data, problem = _uploaded()
    if problem:
        return render_template("insights/import.html", report=None, problem=problem), 400
    digest = hashlib.sha256(data).hexdigest()
    confirmed = request.form.get("confirm") == digest
    report = deliveries.import_deliveries_csv(data, dry_run=not confirmed,
                                              actor=current_actor(), name=name)
    if report.written:
        flash(str(report).splitlines()[0], "success")
        return redirect(url_for(".delivery"))
    changed = bool(request.form.get("confirm")) and not confirmed
    return render_template("insights/import.html", report=report, name=name, digest=digest,
                           carried=_carried(data), changed=changed), 200 if report.ok else 422


@bp.get("/deliveries/export.csv")
def export_csv():
    """The deliveries (filters business, capability, since, until, open) as CSV."""
    filters = deliveries.DeliveryFilters.from_args(request.args)
    return Response(deliveries.export_deliveries_csv(filters), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=deliveries.csv"})


# -- steps ---------------------------------------------------------------------------------


def _selection() -> tuple[deliveries.DeliveryFilters, str]:
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


def _treemap(G: nx.DiGraph) -> dict[str, Any]:
    """The capability map of the current catalog (computed once per revision)."""
    ranking = reuse_metrics(top=len(G))["items"]
    return charts.capability_treemap([
        {**c, "domain": G.nodes[capability_node(c["slug"])].get("domain"),
         "domain_name": G.nodes[capability_node(c["slug"])].get("domain_name")}
        for c in ranking])


def _recordable(actor, businesses: list[Business] | None = None) -> list[Business]:
    """Return the businesses (of ``businesses``, default all) ``actor`` may record for."""
    if actor is None:
        return []
    return [b for b in (businesses if businesses is not None else directory.all_businesses())
            if can_act_for(actor, b)]


def _may_record(actor, what: str) -> list[Business]:
    """Return the businesses ``actor`` may record ``what`` for; Forbidden when there are none."""
    businesses = _recordable(actor)
    if not businesses:
        raise Forbidden(f"Only contributors of the team that owns a business, architects and "
                        f"admins can record {what}.")
    return businesses


def _business_choices(actor, what: str) -> list[SelectChoice]:
    """Return a form's business choices (Forbidden when there are none)."""
    return [SelectChoice("", "Choose a business")] + [
        SelectChoice(b.slug, b.name) for b in _may_record(actor, what)]


def _apis_of(slug: str) -> list[str]:
    found = directory.capabilities_by_slug([slug.strip()]) if slug.strip() else []
    return sorted(api.name for api in found[0].apis) if found else []


def _adoption_page(form: AdoptionForm, errors: dict, *, status: int = 200):
    other_errors = form.show_errors(errors)
    found = directory.capabilities_by_slug([form.capability.data.strip()]) \
        if (form.capability.data or "").strip() else []
    return render_template("insights/adoption_form.html", form=form, other_errors=other_errors,
                           failed=bool(errors), capability=found[0] if found else None,
                           apis=_apis_of(form.capability.data or "")), status


def _delivery_form_page(form: DeliveryForm, errors: dict, *, status: int = 200):
    other_errors = form.show_errors({k: v for k, v in errors.items()
                                     if not k.startswith("capabilities.")})
    slugs = request.form.getlist("capabilities") if request.method == "POST" else []
    known = {c.slug: c for c in directory.capabilities_by_slug(slugs)}
    rows = [{"slug": slug, "capability": known.get(slug),
             "errors": errors.get(f"capabilities.{i}", [])} for i, slug in enumerate(slugs)]
    return render_template("insights/delivery_form.html", form=form, rows=rows,
                           other_errors=other_errors, failed=bool(errors)), status


def _back(return_to: str | None, adoption) -> str:
    if return_to == "capability":
        return url_for("capabilities.detail", slug=adoption.capability.slug)
    return url_for("directory.business", slug=adoption.business.slug)


def _uploaded() -> tuple[str, bytes, str]:
    """Return the file's name, its bytes and a problem: a new upload, or the previewed one."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return upload.filename, upload.read(), ""
    carried = request.form.get("content", "")
    if carried:
        try:
            return request.form.get("name", ""), base64.b64decode(carried, validate=True), ""
        except binascii.Error:
            return "", b"", "The previewed file did not come back intact; upload it again."
    return "", b"", "Choose a CSV file to upload."


def _carried(data: bytes) -> str:
    """Return the file as base64 for the confirm form, or "" when it is too big to carry.

    Form fields are capped at ``MAX_FORM_MEMORY_SIZE``; a larger file is
    chosen again on confirmation (its digest must match the preview's).
    """
    encoded = base64.b64encode(data).decode("ascii")
    limit = current_app.config.get("MAX_FORM_MEMORY_SIZE")
    return encoded if limit is None or len(encoded) < limit - 4096 else ""
