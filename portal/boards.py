"""Governance boards: scorecards, duplicate builds and readiness for a peak sale.

Pages beside the governance report (:mod:`portal.governance`), each over a
function of :mod:`graphs` computed once per catalog revision; the JSON API
of the same boards is :mod:`portal.governance_api`.
"""

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import login_required

from catalog.duplicates import can_dismiss, dismiss_duplicate
from catalog.errors import ValidationFailed
from catalog.fields import NAME_MAX, SUMMARY_MAX
from catalog.paging import paginate
from catalog.validation import Errors, check_page
from graphs.duplicates import duplicate_candidates, similar_capabilities
from graphs.paths import keystones_of_catalog
from graphs.readiness import readiness_of_catalog
from graphs.scorecards import LEVELS, RULES, rollup_of_catalog, trend
from portal.auth import current_actor
from portal.governance_api import paths_answer, rows_of_business
from portal.http import is_fragment_request, page_or_fragment

bp = Blueprint("boards", __name__)

#: Candidate pairs per page of the duplicates board.
DUPLICATES_PER_PAGE = 20
#: Keystones the governance page shows (the API pages through all of them).
KEYSTONES_SHOWN = 10
#: Tier-1 capabilities per page of the readiness board.
READINESS_PER_PAGE = 25


@bp.get("/governance/scorecards")
def scorecards():
    """Scorecard levels per owner team, the rules, and the trend (loaded after the page)."""
    return render_template("boards/scorecards.html", rollup=rollup_of_catalog(), levels=LEVELS,
                           rules=RULES)


@bp.get("/governance/scorecards/trend")
def scorecards_trend():
    """The number of capabilities per level at the end of each recent quarter (a fragment)."""
    return render_template("boards/_scorecard_trend.html", series=trend(), levels=LEVELS)


@bp.get("/governance/duplicates")
def duplicates():
    """Duplicate-build candidates, paged (htmx: the list alone), and the dismissed ones."""
    return _duplicates_page(request.args)


@bp.post("/governance/duplicates/dismiss")
@login_required
def dismiss():
    """Mark a pair as not duplicates (the form of a candidate row); back to the board."""
    form = {name: request.form.get(name, "") for name in ("capability", "other", "reason")}
    try:
        dismiss_duplicate(form, current_actor())
    except ValidationFailed as exc:
        return _duplicates_page(request.args, problems=exc.errors, status=exc.status, tried=form)
    flash(f"Marked {form['capability']} and {form['other']} as not duplicates.", "success")
    return redirect(url_for(".duplicates", page=request.args.get("page") or None) + "#dismissed")


@bp.get("/governance/duplicates/similar")
def similar():
    """The register form's notice: existing capabilities like the one being typed (or nothing)."""
    name = request.args.get("name", "")[:NAME_MAX]
    summary = request.args.get("summary", "")[:SUMMARY_MAX]
    found = similar_capabilities(name, summary) if name.strip() else []
    return render_template("boards/_similar.html", found=found)


def _duplicates_page(args, *, problems=None, status: int = 200, tried=None):
    errors = Errors()
    number = check_page(args.get("page"), errors)
    if errors:
        raise ValidationFailed(dict(errors))
    page = paginate(duplicate_candidates(), number, DUPLICATES_PER_PAGE)
    actor = current_actor()
    context = {"page": page, "may_dismiss": lambda row: actor is not None and can_dismiss(
        actor, (row["a"]["team"], row["b"]["team"])), "problems": problems or {},
        "tried": tried or {}}
    if is_fragment_request():
        response = make_response(render_template("boards/_duplicates.html", **context))
    else:
        response = make_response(render_template(
            "boards/duplicates.html", dismissed=duplicate_candidates(dismissed=True), **context),
            status)
    response.vary.add("HX-Request")
    return response


@bp.get("/governance/readiness")
def readiness():
    """Readiness for a peak sale: tier-1 capabilities per business, biggest blast radius first."""
    report = readiness_of_catalog()
    business = request.args.get("business", "").strip()
    errors = Errors()
    number = check_page(request.args.get("page"), errors)
    if errors:
        raise ValidationFailed(dict(errors))
    rows = rows_of_business(report, business)
    chosen = next((b for b in report["businesses"] if b["slug"] == business), None)
    return render_template("boards/readiness.html", report=report, business=chosen,
                           page=paginate(rows, number, READINESS_PER_PAGE),
                           names={b["slug"]: b["name"] for b in report["businesses"]})


@bp.get("/governance/paths")
def paths():
    """The "how does A reach B" panel: every shortest path (htmx: the panel alone)."""
    args = {name: request.args.get(name, "")[:140] for name in ("from", "to")}
    answer, problems, status = None, {}, 200
    if any(args.values()):
        try:
            answer = paths_answer(args)
        except ValidationFailed as exc:
            problems = exc.errors
            status = 200 if is_fragment_request() else exc.status
    return page_or_fragment("boards/paths.html", "boards/_paths.html", status,
                            args=args, answer=answer, problems=problems)


@bp.get("/governance/keystones")
def keystones():
    """The keystones panel: the top capabilities by betweenness (loaded after the page)."""
    return render_template("boards/_keystones.html", rows=keystones_of_catalog()[:KEYSTONES_SHOWN])
