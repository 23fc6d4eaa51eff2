"""The deprecation plan page and the consumer teams' migration form."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import login_required

from catalog import deprecation
from catalog.errors import ValidationFailed
from catalog.models.governance import MIGRATION_STATUSES
from catalog.paging import paginate
from portal.auth import current_actor
from portal.http import page_or_fragment
from portal.lifecycle import deprecation_plan, may_update_migration

bp = Blueprint("deprecation", __name__)

#: Consumer rows per page of the plan.
CONSUMER_ROWS = 50


@bp.get("/capabilities/<slug>/deprecation")
def plan(slug: str):
    """Sunset countdown, replacement, alternatives, consumers and each team's migration."""
    return _plan_page(slug)


@bp.post("/capabilities/<slug>/migrations/<team>")
@login_required
def update_migration(slug: str, team: str):
    """A consumer team's migration status, from the plan page's form."""
    data = {"status": request.form.get("status", ""), "note": request.form.get("note", "")}
    try:
        deprecation.set_migration_status(slug, team, data, current_actor())
    except ValidationFailed as exc:
        return _plan_page(slug, errors={team: exc.errors}, status=exc.status)
    flash("Migration status saved.", "success")
    return redirect(url_for(".plan", slug=slug) + f"#migration-{team}")


def _plan_page(slug: str, *, errors=None, status: int = 200):
    capability = deprecation.get_for_plan(slug)
    facts = deprecation_plan(capability)
    page = request.args.get("page", "1")
    number = int(page) if page.isdecimal() and len(page) < 7 else 1
    rows = paginate(facts["consumers"]["capabilities"], number, CONSUMER_ROWS)
    return page_or_fragment(
        "capabilities/deprecation.html", "capabilities/_deprecation_consumers.html", status,
        capability=capability, plan=facts, rows=rows, statuses=MIGRATION_STATUSES,
        errors=errors or {}, may_update=may_update_migration)
