"""Recording adoptions and deliveries from the pages (forms and pickers)."""

from typing import TypeVar

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from wtforms.fields.choices import SelectChoice

from catalog import adoptions, deliveries, directory
from catalog import capabilities as service
from catalog.errors import Forbidden, ValidationFailed
from catalog.models import Business
from catalog.models._time import today
from catalog.permissions import can_act_for
from portal.auth import current_actor
from portal.insights.blueprint import bp
from portal.insights.forms import AdoptionForm, DeliveryForm, EndAdoptionForm

F = TypeVar("F", AdoptionForm, DeliveryForm)


@bp.route("/adoptions/new", methods=["GET", "POST"])
@login_required
def new_adoption():
    """Record that a business uses a capability."""
    actor = current_actor()
    form = _business_form(AdoptionForm, actor, "adoptions")
    if request.method == "GET":
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


@bp.route("/deliveries/new", methods=["GET", "POST"])
@login_required
def new_delivery():
    """Record one delivered (or still open) business feature."""
    actor = current_actor()
    form = _business_form(DeliveryForm, actor, "deliveries")
    if request.method == "GET":
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


def recordable_businesses(actor, businesses: list[Business] | None = None) -> list[Business]:
    """Return the businesses (of ``businesses``, default all) ``actor`` may record for."""
    if actor is None:
        return []
    return [b for b in (businesses if businesses is not None else directory.all_businesses())
            if can_act_for(actor, b)]


def ensure_may_record(actor, what: str) -> list[Business]:
    """Return the businesses ``actor`` may record ``what`` for; Forbidden when there are none."""
    businesses = recordable_businesses(actor)
    if not businesses:
        raise Forbidden(f"Only contributors of the team that owns a business, architects and "
                        f"admins can record {what}.")
    return businesses


def _business_form(form_class: type[F], actor, what: str) -> F:
    """Return the form offering the businesses ``actor`` may record ``what`` for.

    Forbidden when there are none; a GET chooses the one ``?business=`` names.
    """
    form = form_class()
    form.business.choices = [SelectChoice("", "Choose a business")] + [
        SelectChoice(b.slug, b.name) for b in ensure_may_record(actor, what)]
    if request.method == "GET":
        form.business.data = request.args.get("business", "")
    return form


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
