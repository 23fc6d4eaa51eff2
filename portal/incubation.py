"""Incubating a business and spinning one off: the plan, saved plans, and the boundary.

The reports are built here once for the pages and the JSON API
(:func:`incubation_report`, :func:`boundary_report`), from the cached graph of
the current revision (:mod:`graphs.business` over :mod:`graphs.cache`) and
the catalog (:mod:`catalog.incubation`). Views parse, call, render.
"""

import csv
import io
import json
from typing import Any
from urllib.parse import parse_qs

import networkx as nx
from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required

from catalog import directory, incubation, lookups
from catalog.errors import NotFound, ValidationFailed
from catalog.metrics import business_teams
from catalog.models import Business, IncubationPlan
from catalog.permissions import can_incubate
from catalog.spreadsheet import neutralise
from catalog.validation import Errors
from graphs.business import (
    boundary_figure,
    boundary_of,
    business_overview,
    businesses_reaching,
    domain_leaders,
    incubation_reach,
    similar_adoptions,
)
from graphs.cache import catalog_graph, derived
from graphs.nodes import business_node, capability_node
from graphs.scorecards import scorecard_of
from portal.auth import current_actor
from portal.http import is_fragment_request, page_or_fragment
from portal.listing import CAPABILITY, LIFECYCLE, TEAM, TIER, Column, Listing, capability_rows

__all__ = ["boundary_json", "boundary_report", "bp", "home_journeys", "incubation_report"]

bp = Blueprint("incubation", __name__)

#: Suggestions shown beside a plan.
SUGGESTIONS = 8
#: Rows of "everything it brings along" on the plan page (the API lists all).
BROUGHT_ALONG_ROWS = 60
SEARCH_RESULTS = 12


# -- reports (pages and API) ---------------------------------------------------------------


def reaching() -> dict:
    """Return :func:`graphs.business.businesses_reaching` of the current graph (per revision)."""
    return derived("business.reaching", businesses_reaching)


def incubation_report(slugs: list[str], needs: list[str] = ()) -> dict[str, Any]:
    """Return what a new business picking ``slugs`` would reuse, bring along and expect.

    ``slugs`` are checked already (:func:`catalog.incubation.check_picks`).
    The shape of ``GET /api/v1/incubation``.
    """
    G = catalog_graph()
    found = reaching()
    # a saved plan may name a capability whose slug has changed since: listed, not walked
    missing = [slug for slug in slugs if capability_node(slug) not in G]
    picks = [capability_node(slug) for slug in slugs if slug not in missing]
    reach = incubation_reach(G, picks, reaching=found, leaders=derived(
        "business.leaders", lambda G: domain_leaders(G, reaching=found)))
    details = incubation.picked_details(slugs)
    rows = [{**row, **details.get(row["slug"], {}), "maturity": maturity_of(row["slug"])}
            if row["picked"] else row for row in reach["capabilities"]]
    lead = incubation.expected_lead_time(len(slugs))
    return {
        "picks": list(slugs),
        "missing": missing,
        "capabilities": rows,
        "teams": reach["teams"],
        "deprecated": _with_replacements(reach["warnings"]),
        "needs": list(needs),
        "suggestions": similar_adoptions(G, picks, limit=SUGGESTIONS, businesses=derived(
            "business.nodes", lambda G: [n for n, kind in G.nodes(data="kind")
                                         if kind == "business"])),
        **lead,
    }


def _with_replacements(warnings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each warning its named ``replacement`` (or None), first among its alternatives."""
    named = incubation.replacements([w["slug"] for w in warnings])
    return [{**w, "replacement": named.get(w["slug"]),
             "alternatives": ([named[w["slug"]]] if w["slug"] in named else [])
             + [a for a in w["alternatives"] if a != named.get(w["slug"])]}
            for w in warnings]


def maturity_of(slug: str) -> dict[str, Any]:
    """Return how ready capability ``slug`` is to build on: its scorecard level and checks.

    ``{"level", "score", "source": "scorecard", "checks": {rule id: passed}}``
    (:mod:`graphs.scorecards`, computed once per catalog revision).
    """
    card = scorecard_of(slug) or {"level": "none", "score": 0, "checks": []}
    return {"level": card["level"], "score": card["score"], "source": "scorecard",
            "checks": {check["id"]: check["passed"] for check in card["checks"]}}


def boundary_report(slug: str) -> dict[str, Any]:
    """Return what a spin-off of business ``slug`` would take along (``GET .../boundary``).

    Raises
    ------
    NotFound
        No business has that slug.
    """
    business = lookups.by_slug(Business, slug)
    if business is None:
        raise NotFound(f"No business has the slug {slug!r}.")
    name, status = business.name, business.status  # both versioned: a change is a new revision
    found = reaching()

    def compute(G: nx.DiGraph) -> dict[str, Any]:
        try:
            report = boundary_of(G, business_node(slug), team=business_teams().get(slug),
                                 reaching=found)
        except nx.NodeNotFound:  # created after the graph was read: it uses nothing yet
            report = {"business": slug, "team": None, "uses": [], "exclusive": [],
                      "shared": [], "provides_to_others": [], "teams": []}
        return {**report, "name": name, "status": status}

    return derived(f"business.boundary:{slug}", compute)


def boundary_json(slug: str) -> bytes:
    """Return :func:`boundary_report` as JSON, encoded once per catalog revision."""
    report = boundary_report(slug)
    return derived(f"business.boundary.json:{slug}",
                   lambda G: json.dumps(report, ensure_ascii=False).encode())


def _section_rows(slug: str) -> dict[str, list[dict[str, Any]]]:
    """Return the rows of every spin-off section of ``slug``, shaped once per revision."""
    report = boundary_report(slug)
    return derived(f"business.boundary.rows:{slug}", lambda G: {
        key: listing_rows(report) for key, listing_rows in SECTION_ROWS.items()})


def home_journeys() -> dict[str, Any]:
    """Return what the home page tells of the businesses: who reuses what, and the two journeys."""
    found = reaching()
    return {"journey_businesses": derived(
        "business.overview", lambda G: business_overview(G, reaching=found))}


# -- incubate -------------------------------------------------------------------------------


def _picks_from(args) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """Return the checked picks and needs of a request, and the problems with them."""
    errors = Errors()
    raw = [value for value in args.getlist("capabilities") if value.strip()]
    slugs = incubation.check_picks(",".join(raw) if raw else "", errors)
    needs = [line.strip() for line in str(args.get("needs") or "").splitlines() if line.strip()]
    if len(needs) > incubation.NEEDS_MAX or any(len(n) > incubation.NEED_MAX for n in needs):
        errors.add("needs", f"At most {incubation.NEEDS_MAX} needs of "
                            f"{incubation.NEED_MAX} characters each.")
        needs = needs[:incubation.NEEDS_MAX]
    return slugs, needs, dict(errors)


def _search(q: str, exclude: list[str]) -> list:
    return incubation.search_capabilities(q[:200], exclude=exclude, limit=SEARCH_RESULTS)


def _incubate_context(slugs: list[str], needs: list[str], errors: dict, *,
                      form: dict[str, str] | None = None) -> dict[str, Any]:
    actor = current_actor()
    q = request.args.get("q", "")
    return {"report": incubation_report(slugs, needs), "errors": errors,
            "form": form or {"name": request.args.get("name", "")[:120],
                             "purpose": request.args.get("purpose", "")[:2000],
                             "needs": "\n".join(needs)},
            "q": q[:200], "found": _search(q, slugs), "domains": directory.all_domains(),
            "may_save": actor is not None and can_incubate(actor), "actor": actor,
            "shown_rows": BROUGHT_ALONG_ROWS}


@bp.get("/businesses/incubate")
def incubate():
    """The plan for the picks in the URL; htmx gets the plan alone (and fresh search results)."""
    slugs, needs, errors = _picks_from(request.args)
    context = _incubate_context(slugs, needs, errors)
    return page_or_fragment("businesses/incubate.html", "businesses/_plan_update.html",
                            422 if errors and not is_fragment_request() else 200, **context)


@bp.get("/businesses/incubate/search")
def incubate_search():
    """Capabilities matching ``q`` that are not picked yet, as checkboxes to pick."""
    slugs, _, _ = _picks_from(request.args)
    q = request.args.get("q", "")
    return render_template("businesses/_search_results.html", found=_search(q, slugs), q=q)


@bp.post("/businesses/plans")
@login_required
def save_plan():
    """Save the plan of the form; its page is its URL to share."""
    data = {"name": request.form.get("name"), "purpose": request.form.get("purpose"),
            "capabilities": request.form.getlist("capabilities"),
            "needs": request.form.get("needs", "")}
    try:
        plan = incubation.save_plan(data, current_actor())
    except ValidationFailed as exc:
        slugs, needs, _ = _picks_from(request.form)
        context = _incubate_context(slugs, needs, exc.errors, form={
            "name": str(data["name"] or "")[:120], "purpose": str(data["purpose"] or "")[:2000],
            "needs": data["needs"]})
        return render_template("businesses/incubate.html", **context), exc.status
    flash(f"Saved the plan “{plan.name}”: share this page's address.", "success")
    return redirect(url_for(".plan", plan_id=plan.id))


@bp.get("/businesses/plans")
def plans():
    """Saved plans, newest first."""
    page = incubation.list_plans(incubation.PlanFilters.from_args(request.args))
    return render_template("businesses/plans.html", page=page)


def _plan_page(plan: IncubationPlan, *, errors: dict | None = None, status: int = 200,
               adopt_form: dict | None = None):
    actor = current_actor()
    context = {
        "plan": plan, "report": incubation_report(list(plan.capabilities), list(plan.needs)),
        "may_adopt": actor is not None and can_incubate(actor, plan.team),
        "errors": errors or {}, "adopt_form": adopt_form or {
            "slug": incubation.slug_for(plan.name), "name": plan.name},
        "domains": directory.all_domains(), "shown_rows": BROUGHT_ALONG_ROWS, "actor": actor,
    }
    return render_template("businesses/plan.html", **context), status


@bp.get("/businesses/plans/<int(max=2147483647):plan_id>")
def plan(plan_id: int):
    """One saved plan: the live report of its picks, its history, and the adopt button."""
    return _plan_page(incubation.get_plan(plan_id))


@bp.post("/businesses/plans/<int(max=2147483647):plan_id>/adopt")
@login_required
def adopt_plan(plan_id: int):
    """Turn the plan into a new incubating business and its adoptions, all or nothing."""
    plan = incubation.get_plan(plan_id)
    data = {"slug": request.form.get("slug", ""), "name": request.form.get("name", "")}
    try:
        business = incubation.adopt_plan(plan, data, current_actor())
    except ValidationFailed as exc:
        return _plan_page(plan, errors=exc.errors, status=exc.status,
                          adopt_form={k: str(v)[:120] for k, v in data.items()})
    flash(f"{business.name} is incubating: it now adopts {len(plan.capabilities)} "
          "capabilities.", "success")
    return redirect(url_for("directory.business", slug=business.slug))


@bp.post("/businesses/incubate/propose")
@login_required
def propose():
    """Register an uncovered need as a proposed capability, and pick it."""
    plan_id = request.form.get("plan", "")
    plan = incubation.get_plan(int(plan_id)) if plan_id.isdecimal() and len(plan_id) < 10 else None
    data = {"need": request.form.get("need"), "domain": request.form.get("domain"),
            "team": request.form.get("team")}
    back = request.form.get("back", "")
    try:
        capability = incubation.propose_need(data, current_actor(), plan=plan)
    except ValidationFailed as exc:
        flash("Could not propose it: " + " ".join(
            f"{field}: {m}" for field, messages in exc.errors.items() for m in messages), "error")
        return redirect(url_for(".plan", plan_id=plan.id) if plan else _safe_back(back))
    flash(f"Proposed {capability.name} ({capability.slug}); architects review it.", "success")
    if plan is not None:
        return redirect(url_for(".plan", plan_id=plan.id))
    return redirect(_safe_back(back, add=capability.slug, drop_need=data["need"]))


def _safe_back(back: str, *, add: str = "", drop_need: Any = None) -> str:
    """The incubate page with the picks of ``back`` (a query string), plus ``add``."""
    args = parse_qs(back[:4000]) if back else {}
    picks = [s for s in args.get("capabilities", []) if s][:incubation.PICKS_MAX]
    if add:
        picks.append(add)
    needs = [n for n in "\n".join(args.get("needs", [])).splitlines()
             if n.strip() and n.strip() != (drop_need or "").strip()]
    return url_for(".incubate", capabilities=picks, name=(args.get("name") or [""])[0][:120],
                   needs="\n".join(needs) or None)


# -- spin-off -------------------------------------------------------------------------------

DISTANCE = Column("Distance", "distance", "number")


#: How each section of the spin-off page shapes the boundary's rows (cached per revision).
SECTION_ROWS = {
    "exclusive": capability_rows("exclusive"),
    "shared": capability_rows("shared"),
    "provides": lambda report: [{**row, "capability": row,
                                 "used": "yes" if row["used"] else "no"}
                                for row in report["provides_to_others"]],
    "teams": lambda report: [{**t, "slug_name": t["name"]} for t in report["teams"]],
}


def _section(key: str):
    return lambda rows: rows[key]


SECTIONS: dict[str, Listing] = {listing.key: listing for listing in (
    Listing("exclusive", "Would go with it",
            (CAPABILITY, DISTANCE, TEAM, LIFECYCLE, TIER), filters=(TEAM, LIFECYCLE),
            search=("capability",), empty="Nothing: every capability it uses serves others too.",
            description="Only this business reaches these capabilities: a spin-off takes them "
                        "(and their teams' work) along.", rows=_section("exclusive")),
    Listing("shared", "Shared: would have to keep calling, or fork",
            (CAPABILITY, DISTANCE, TEAM, Column("Also used by", "also_used_by", "businesses")),
            filters=(TEAM,), search=("capability", "also_used_by"),
            empty="Nothing it uses is shared with another business.",
            description="Other businesses reach these too: the spin-off keeps calling them "
                        "through the platform, or forks its own copy.", rows=_section("shared")),
    Listing("provides", "Others would lose",
            (CAPABILITY, TEAM, Column("Used by", "consumers", "businesses"),
             Column("It uses it too", "used", "text")),
            search=("capability", "consumers"),
            empty="Its team owns nothing another business uses.",
            description="Capabilities its own team owns that other businesses reach: they need a "
                        "new owner, or a contract with the spun-off business.",
            rows=_section("provides")),
    Listing("teams", "Teams involved",
            (Column("Team", "slug", "team"), Column("Contact", "contact", "text"),
             Column("Goes with it", "exclusive", "number"), Column("Shared", "shared", "number"),
             Column("Others would lose", "provides", "number")),
            search=("slug", "name", "contact"), empty="No team.",
            rows=_section("teams")),
)}


@bp.get("/businesses/spin-off")
def choose_spin_off():
    """The home page's "what would a spin-off take?" form: on to the business chosen."""
    slug = request.args.get("business", "").strip()
    if not slug:
        raise ValidationFailed({"business": ["Choose a business."]})
    return redirect(url_for(".spin_off", slug=boundary_report(slug)["business"]))


@bp.get("/businesses/<slug>/spin-off")
def spin_off(slug: str):
    """What a spin-off of the business would take along, leave shared and cut off."""
    report = boundary_report(slug)
    rows = _section_rows(slug)
    views, figure = derived(f"business.boundary.page:{slug}", lambda G: (
        [listing.view(rows, {}) for listing in SECTIONS.values()], boundary_figure(G, report)))
    return render_template("businesses/spin_off.html", report=report, views=views,
                           figures={"boundary": figure})


@bp.get("/businesses/<slug>/spin-off/<key>")
def spin_off_section(slug: str, key: str):
    """One section of the spin-off page, filtered and paged (htmx: the section alone)."""
    listing = _listing(key)
    view = listing.view(_section_rows(slug), request.args)
    return page_or_fragment("businesses/boundary_section.html",
                            "businesses/_boundary_section.html", view=view, slug=slug)


@bp.get("/businesses/<slug>/spin-off/<key>.csv")
def spin_off_section_csv(slug: str, key: str):
    """Every row of one section that passes its filters, as CSV."""
    listing = _listing(key)
    return Response(listing.csv(_section_rows(slug), request.args), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f"attachment; filename=spin-off-{slug}-{key}.csv"})


@bp.get("/businesses/<slug>/spin-off.csv")
def spin_off_csv(slug: str):
    """The whole boundary in one CSV: one row per capability and part, cells neutralised."""
    report = boundary_report(slug)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["part", "capability", "name", "distance", "team", "lifecycle", "tier",
                     "other businesses"])
    for part, key, others in (("goes with it", "exclusive", None),
                              ("shared", "shared", "also_used_by"),
                              ("others would lose", "provides_to_others", "consumers")):
        for row in report[key]:
            writer.writerow([neutralise(cell) for cell in (
                part, row["slug"], row["name"], row.get("distance", ""), row["team"] or "",
                row["lifecycle"] or "", row["tier"] or "",
                ";".join(row[others]) if others else "")])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=spin-off-{slug}.csv"})


def _listing(key: str) -> Listing:
    if key not in SECTIONS:
        raise NotFound(f"No spin-off section is called {key[:40]!r}.")
    return SECTIONS[key]
