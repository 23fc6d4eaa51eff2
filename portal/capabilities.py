"""Browse, read, register and edit capabilities."""

import collections
import csv
import dataclasses
import io
from collections.abc import Iterable
from typing import Any

import networkx as nx
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required

from catalog import capabilities as service
from catalog import directory, lookups
from catalog.browse import EXPORT_COLUMNS, SORT_LABELS, BrowseQuery, browse, export_rows
from catalog.db import db
from catalog.errors import NotFound, StaleVersion, ValidationFailed
from catalog.models import Capability
from catalog.openapi import operations
from catalog.paging import paginate
from catalog.permissions import can_govern, ensure_can_edit, ensure_can_register
from catalog.spreadsheet import neutralise
from catalog.timetravel import capability_at
from graphs.analysis import direct_consumers, node_business_reach
from graphs.cache import catalog_graph, reach_index
from graphs.metrics import business_reach_of
from graphs.nodes import business_node, capability_node
from graphs.params import MAX_DEPTH, ConsumerQuery, ImpactQuery
from graphs.reports import consumer_rows, reach_report
from graphs.scorecards import scorecard_of
from portal.auth import current_actor
from portal.errors import catalog_error_response
from portal.forms import ApiForm, CapabilityForm, capability_form_data
from portal.history import page_as_of
from portal.http import is_fragment_request, page_or_fragment
from portal.insights import capability_insights
from portal.lifecycle import governance_context

bp = Blueprint("capabilities", __name__)

#: Rows of the impact page's capability list, and of its teams to notify.
IMPACT_ROWS = 50
IMPACT_TEAMS = 10
#: Rows of a capability's direct consumers per page.
CONSUMER_ROWS = 25
LINK_LABELS = {"depends-on": "dependsOn", "api": "API calls", "adoption": "adoptions"}
CHECKED_FIELDS = ("slug", "name", "summary", "tags", "docs_url", "repo_url",
                  "sla_availability", "sla_p99_ms")


@bp.get("")
def index():
    """The browse page; htmx gets the results fragment alone."""
    try:
        query = BrowseQuery.from_args(request.args)
        problems = {}
    except ValidationFailed as exc:
        query, problems = BrowseQuery(), exc.errors
    result = browse(query)
    fragment = is_fragment_request()
    template = "capabilities/_results.html" if fragment else "capabilities/index.html"
    response = make_response(render_template(
        template, result=result, query=query, problems=problems, sort_labels=SORT_LABELS,
        fragment=fragment))
    # The same URL answers with a fragment or a page: caches must tell them apart.
    response.vary.add("HX-Request")
    return response


@bp.get("/export.csv")
def export_csv():
    """Every capability the browse filters match (all pages), as CSV."""
    query = BrowseQuery.from_args(request.args)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows([neutralise(cell) for cell in row] for row in export_rows(query))
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=capabilities.csv"})


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    actor = current_actor()
    ensure_can_register(actor)
    form = _form(actor)
    if request.method == "GET" and actor.team is not None:
        form.team.data = actor.team.slug
    if request.method == "POST":
        step = _form_step(form, None)
        if step is not None:
            return step
        try:
            capability = service.register_capability(form.to_data(request.form), actor)
        except ValidationFailed as exc:
            return _form_page(form, exc.errors, None, status=exc.status)
        flash(f"Registered {capability.name}.", "success")
        return redirect(url_for(".detail", slug=capability.slug))
    return _form_page(form, {}, None)


@bp.get("/<slug>")
def detail(slug: str):
    """A capability's page; ``as_of`` shows it as it was then, from its history."""
    as_of = page_as_of()
    if as_of is not None:
        return _detail_as_of(slug, as_of)
    return detail_page(slug)


def detail_page(slug: str, *, status: int = 200, review_errors=None, review_data=None):
    """The capability page, with its review thread (and the review form's errors, if any)."""
    capability = service.get_capability(slug)
    specs = {api.id: operations(api.spec) for api in capability.apis if api.spec}
    adoptions = ((a.business.slug, a.business.name, a.purpose)
                 for a in capability.adoptions if a.active)
    return render_template("capabilities/detail.html", capability=capability, specs=specs,
                           adopters=_adopters(adoptions), business_reach=business_reach_of(slug),
                           **consumers_context(catalog_graph(), slug, ConsumerQuery()),
                           **capability_insights(capability), scorecard=scorecard_of(slug),
                           **governance_context(capability, review_errors or {},
                                                review_data or {})), status


@bp.get("/<slug>/consumers")
def consumers(slug: str):
    """The capabilities that depend on ``slug`` directly, grouped, in pages (htmx: the list alone)."""
    query = ConsumerQuery.from_args(request.args)
    context = consumers_context(catalog_graph(query.as_of), slug, query)
    return page_or_fragment("capabilities/consumers.html", "capabilities/_consumers.html",
                            **context)


def consumers_context(G: nx.DiGraph, slug: str, query: ConsumerQuery) -> dict[str, Any]:
    """The direct consumers of ``slug`` in ``G``: groups with counts, one page of rows."""
    try:
        rows = consumer_rows(G, slug)
    except nx.NodeNotFound:
        raise NotFound(f"No capability has the slug {slug!r}.") from None
    key, label = query.group, f"{query.group}_name"
    groups = collections.Counter((row[key] or "none", row[label] or "no owner") for row in rows)
    shown = [row for row in rows if (row[key] or "none") == query.value] if query.value else rows
    name = G.nodes[capability_node(slug)].get("name") or slug
    return {"consumer_query": query, "consumer_of": {"slug": slug, "name": name},
            "consumer_groups": [(value, text, n) for (value, text), n in
                                sorted(groups.items(), key=lambda g: (-g[1], g[0][1].lower()))],
            "consumer_total": len(rows),
            "consumer_rows": paginate(shown, query.page, CONSUMER_ROWS)}


@bp.get("/<slug>/impact")
def impact(slug: str):
    """Who is hit when this capability changes or goes down: counts first, rows in pages."""
    query = ImpactQuery.from_args(request.args)
    context = impact_context(catalog_graph(query.as_of), slug, query)
    return page_or_fragment("capabilities/impact.html", "capabilities/_impact_body.html",
                            **context)


@bp.get("/<slug>/impact.csv")
def impact_csv(slug: str):
    """The impact list as CSV: every capability and business hit (all levels unless ``depth``)."""
    query = ImpactQuery.from_args(request.args)
    if not request.args.get("depth"):
        query = dataclasses.replace(query, depth=None)
    report = _impact_report(catalog_graph(query.as_of), slug, query)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kind", "slug", "name", "distance", "sync", "tier", "owner_team",
                     "team_contact"])
    contacts = {team["slug"]: team["contact"] for team in report["summary"]["teams_to_notify"]}
    rows = [["capability", c["slug"], c["name"], c["distance"], c["sync"], c["tier"],
             c["team"] or "", contacts.get(c["team"], "")] for c in report["capabilities"]]
    rows += [["business", b["slug"], b["name"], b["distance"], b["sync"], "", "", ""]
             for b in report["businesses"]]
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename={slug}-impact.csv"})


def impact_context(G: nx.DiGraph, slug: str, query: ImpactQuery) -> dict[str, Any]:
    """Everything the impact page shows of ``slug`` in the graph ``G`` (of now or a past date)."""
    report = _impact_report(G, slug, query)
    rows = report["capabilities"]
    counts = {"all": len(rows), "sync": report["summary"]["sync_capabilities"]}
    counts["async"] = counts["all"] - counts["sync"]
    if query.coupling != "all":
        rows = [c for c in rows if c["sync"] == (query.coupling == "sync")]
    if query.team:
        rows = [c for c in rows if c["team"] == query.team]
    teams = sorted(report["summary"]["teams_to_notify"],
                   key=lambda t: (-t["capabilities"], (t["name"] or t["slug"]).lower()))
    node = G.nodes[capability_node(slug)]
    return {"capability": {"slug": slug, "name": node.get("name") or slug},
            "report": report, "query": query, "counts": counts, "max_depth": MAX_DEPTH,
            "rows": paginate(rows, query.page, IMPACT_ROWS),
            "teams": paginate(teams, query.teams_page, IMPACT_TEAMS),
            "team_names": {t["slug"]: t["name"] or t["slug"] for t in teams},
            "links": LINK_LABELS}


def _detail_as_of(slug: str, as_of) -> str:
    """The capability page as it was at ``as_of``: its snapshot then, and its graph then."""
    snapshot, layer = capability_at(slug, as_of)
    G = catalog_graph(as_of)
    node = G.nodes[capability_node(slug)]
    providers = [{**dep, "node": G.nodes.get(capability_node(dep["provider"]), {})}
                 for dep in snapshot["dependencies"]]
    adoptions = ((b, G.nodes[business_node(b)].get("name") or b, "")
                 for b in direct_consumers(G, capability_node(slug))["businesses"])
    return render_template(
        "capabilities/as_of.html", c=snapshot, node=node, layer=layer, as_of=as_of,
        providers=sorted(providers, key=lambda p: (p["node"].get("name") or p["provider"]).lower()),
        adopters=_adopters(adoptions),
        business_reach=node_business_reach(G, capability_node(slug)),
        **consumers_context(G, slug, ConsumerQuery(as_of=as_of)))


def _adopters(adoptions: Iterable[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """Return one row a business (slug, name, its adoptions' purposes) of ``(slug, name,
    purpose)`` adoptions, by name: a business adopting twice is one consumer."""
    rows: dict[str, dict[str, Any]] = {}
    for slug, name, purpose in adoptions:
        row = rows.setdefault(slug, {"slug": slug, "name": name, "purposes": []})
        if purpose and purpose not in row["purposes"]:
            row["purposes"].append(purpose)
    return sorted(rows.values(), key=lambda row: row["name"].lower())


def _impact_report(G: nx.DiGraph, slug: str, query: ImpactQuery) -> dict[str, Any]:
    try:
        return reach_report(G, slug, direction="up", depth=query.depth, links=query.links,
                            index=reach_index(G))
    except nx.NodeNotFound:
        raise NotFound(f"No capability has the slug {slug!r}.") from None


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    actor = current_actor()
    capability = service.get_capability(slug)
    ensure_can_edit(actor, capability)
    if request.method == "GET":
        form = _form(actor, data=capability_form_data(capability))
        return _form_page(form, {}, capability)
    form = _form(actor)
    step = _form_step(form, capability)
    if step is not None:
        return step
    data = form.to_data(request.form)
    data.pop("slug", None)
    version = int(form.version.data) if (form.version.data or "").isdecimal() else None
    try:  # a StaleVersion goes to _changed_meanwhile
        service.update_capability(capability, data, actor, expected_version=version)
    except ValidationFailed as exc:
        return _form_page(form, exc.errors, capability, status=exc.status)
    flash(f"Saved {capability.name}.", "success")
    return redirect(url_for(".detail", slug=capability.slug))


@bp.errorhandler(StaleVersion)
def _changed_meanwhile(exc: StaleVersion):
    """Someone saved the capability first: show its version, keep what the user typed.

    Whether the service saw the old version or the database caught the race
    while writing (see :func:`portal.errors._lost_race`), the edit form comes
    back with the user's text and a link to the current version.
    """
    if request.endpoint != "capabilities.edit" or request.method != "POST":
        return catalog_error_response(exc)
    db.session.rollback()
    capability = service.get_capability(request.view_args["slug"])
    form = _form(current_actor())
    form.to_data(request.form)  # which API rows were typed in
    return _form_page(form, {"version": [exc.message]}, capability, status=exc.status,
                      stale=True)


@bp.get("/check/<field>")
def check_field(field: str):
    """Inline validation: the messages for one field, empty when it is fine."""
    if field not in CHECKED_FIELDS:
        abort(404)
    messages = service.field_problems(field, request.args.get(field, ""))
    return render_template("capabilities/_field_errors.html", messages=messages)


@bp.get("/picker")
def picker():
    """Dependency picker results for the search text ``q``."""
    found = directory.pick_capabilities(request.args.get("q", ""),
                                        exclude=request.args.get("exclude", ""))
    return render_template("capabilities/_picker_results.html", found=found,
                           q=request.args.get("q", ""), row_endpoint=".dependency_row",
                           consumer=request.args.get("exclude", ""))


@bp.get("/picker/<slug>")
def dependency_row(slug: str):
    """One chosen dependency, as a row of the form, with its cycle and layering warnings.

    ``consumer`` names the capability being edited and ``domain`` the domain
    chosen on the form, so the row says before saving whether the new
    dependency closes a cycle or breaks the layering.
    """
    provider = lookups.by_slug(Capability, slug)
    if provider is None:
        raise NotFound(f"No capability has the slug {slug!r}.")
    consumer_slug = request.args.get("consumer", "")[:63]
    consumer = lookups.by_slug(Capability, consumer_slug) if consumer_slug else None
    warnings = service.dependency_problems(consumer, request.args.get("domain", "")[:63],
                                           provider.slug)
    actor = current_actor()
    return render_template("capabilities/_dependency_row.html", provider=provider,
                           kind="sync", errors=[], warnings=warnings,
                           may_override=actor is not None and can_govern(actor))


@bp.get("/api-row")
def api_row():
    """An empty API row with the next index, for the 'Add an API' button."""
    index = request.args.get("index", "0")
    if not index.isdecimal() or int(index) > API_ROWS_MAX:
        abort(400, "index must be a number from 0 to 100")
    form = ApiForm(prefix=f"apis-{index}")
    return render_template("capabilities/_api_row.html", api=form, index=int(index),
                           autofocus=True)


def _form(actor, data=None) -> CapabilityForm:
    form = CapabilityForm(data=data) if data is not None else CapabilityForm()
    teams = directory.all_teams()
    if actor.role == "contributor":
        teams = [team for team in teams if team.id == actor.team_id]
    form.set_choices(directory.all_domains(), teams)
    return form


#: Most API rows the form shows (the api-row endpoint's limit too).
API_ROWS_MAX = 100
#: The longest dependency search the form accepts without JavaScript.
PICKER_Q_MAX = 200


def _form_step(form: CapabilityForm, capability):
    """Without JavaScript: add an API row, find or add a dependency; show the form again.

    The "Add another API", "Find" and picked-capability buttons submit the
    whole form (what htmx does in place with JavaScript); nothing is saved.
    Returns None for a plain save.
    """
    action = request.form.get("form_action", "")
    added = request.form.get("dep_add", "").strip()[:63]
    if action not in ("add-api", "find-dependency") and not added:
        return None
    form.to_data(request.form)  # which API rows were typed in
    focus = ""
    if action == "add-api" and len(form.apis.entries) < API_ROWS_MAX:
        form.apis.append_entry()
        focus = form.apis.entries[-1].form.name.id
    picker_q, found = None, []
    if action == "find-dependency":
        picker_q = " ".join(request.form.get("q", "").split())[:PICKER_Q_MAX]
        found = directory.pick_capabilities(picker_q, exclude=capability.slug if capability else "")
    return _form_page(form, {}, capability, focus=focus, picker_q=picker_q, found=found,
                      added=added)


def _form_page(form: CapabilityForm, errors, capability, *, status: int = 200,
               stale: bool = False, focus: str = "", picker_q: str | None = None,
               found=(), added: str = ""):
    other_errors = form.show_errors(errors)
    dependencies = _chosen_dependencies(capability, errors, added)
    return render_template("capabilities/form.html", form=form, capability=capability,
                           failed=bool(errors), other_errors=other_errors,
                           dependencies=dependencies, stale=stale, focus=focus,
                           picker_q=picker_q, found=found), status


def _chosen_dependencies(capability, errors, added: str = ""):
    """Rows for the dependency list: the submitted ones (and ``added``), else the stored ones."""
    if request.method == "POST":
        slugs = request.form.getlist("dep_provider")
        kinds = request.form.getlist("dep_kind")
        if added and added not in slugs:
            slugs, kinds = [*slugs, added], [*kinds[:len(slugs)], "sync"]
    elif capability is not None:
        chosen = sorted(capability.dependencies, key=lambda d: d.provider.name.lower())
        slugs = [dep.provider.slug for dep in chosen]
        kinds = [dep.kind for dep in chosen]
    else:
        return []
    providers = {c.slug: c for c in directory.capabilities_by_slug(slugs)}
    return [
        {"slug": slug, "kind": kind, "provider": providers.get(slug),
         "errors": errors.get(f"dependencies.{i}", [])}
        for i, (slug, kind) in enumerate(zip(slugs, kinds, strict=False))
    ]
