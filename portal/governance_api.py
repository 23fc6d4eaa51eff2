"""The JSON API of governance boards under /api/v1: scorecards, duplicates, readiness, paths.

Routes of the API blueprint (:data:`portal.api.bp`: the same prefix,
bearer-token check, error shapes and endpoint names ``api.*``) kept in a
module of their own; :mod:`portal` imports it before registering the
blueprint. Every route is in the OpenAPI document
(:data:`portal.openapi.OPERATIONS`).
"""

import networkx as nx
from flask import jsonify, request, url_for

from catalog.duplicates import dismiss_duplicate
from catalog.errors import NotFound, ValidationFailed
from catalog.paging import paginate
from catalog.validation import Errors, check_flag, check_paging
from graphs.cache import catalog_graph
from graphs.duplicates import duplicate_candidates
from graphs.nodes import business_node, capability_node
from graphs.paths import keystones_of_catalog, shortest_paths
from graphs.readiness import readiness_of_catalog
from graphs.scorecards import rollup_of_catalog, scorecard_of
from portal.api import _json_body, _writer, bp


@bp.get("/capabilities/<slug>/scorecard")
def capability_scorecard(slug: str):
    """A capability's scorecard: level, score and every check with why it matters."""
    card = scorecard_of(slug)
    if card is None:
        raise NotFound(f"No capability has the slug {slug[:100]!r}.")
    return jsonify(card)


@bp.get("/scorecards")
def scorecards():
    """Capabilities per scorecard level for each owner team (retired ones left out)."""
    return _list_response(".scorecards", rollup_of_catalog(), {})


@bp.get("/governance/duplicates")
def duplicates():
    """Capabilities that may be duplicate builds, most alike first (``dismissed=true``: dismissed)."""
    errors = Errors()
    dismissed = bool(check_flag(request.args.get("dismissed"), errors, "dismissed"))
    errors.raise_if_any()
    return _list_response(".duplicates", duplicate_candidates(dismissed=dismissed),
                          {"dismissed": "true"} if dismissed else {}, convert=_pair_json)


@bp.post("/governance/duplicates/dismissals")
def dismiss():
    """Say two capabilities are not duplicates, and why; 201."""
    actor = _writer()
    dismissal = dismiss_duplicate(_json_body(), actor)
    response = jsonify({"capabilities": sorted((dismissal.first.slug, dismissal.second.slug)),
                        "reason": dismissal.reason, "actor": dismissal.actor,
                        "at": dismissal.at.isoformat() + "Z"})
    response.status_code = 201
    return response


@bp.get("/governance/readiness")
def readiness():
    """Tier-1 capabilities (of one ``business``, or all) with SLA, owners, blast radius, risks."""
    report = readiness_of_catalog()
    business = request.args.get("business", "").strip()
    rows = rows_of_business(report, business)
    return _list_response(".readiness", rows, {"business": business} if business else {},
                          businesses=report["businesses"])


def rows_of_business(report: dict, business: str) -> list[dict]:
    """Return the readiness rows a ``business`` (a slug, or "" for all) reaches; 422 when unknown."""
    if not business:
        return report["capabilities"]
    if business not in {b["slug"] for b in report["businesses"]}:
        raise ValidationFailed({"business": [f"No business has the slug {business[:100]!r}."]})
    return [row for row in report["capabilities"] if business in row["businesses"]]


@bp.get("/graph/paths")
def graph_paths():
    """Every shortest path from ``from`` to ``to`` (capped by ``limit``), as node lists."""
    return jsonify(paths_answer(request.args))


@bp.get("/graph/keystones")
def graph_keystones():
    """Capabilities ranked by (sampled) betweenness, with the articulation points flagged."""
    return _list_response(".graph_keystones", keystones_of_catalog(), {})


#: The most paths one answer lists (default 20).
PATHS_LIMIT = (20, 1, 100)


def paths_answer(args) -> dict:
    """Return the paths ``args`` ask for; 422 naming ``from``, ``to`` or ``limit`` when bad."""
    G = catalog_graph()
    errors = Errors()
    ends = {name: _node(G, args.get(name), name, errors) for name in ("from", "to")}
    default, low, high = PATHS_LIMIT
    raw = str(args.get("limit") or "").strip()
    if raw and not (raw.isascii() and raw.isdigit() and low <= int(raw) <= high):
        errors.add("limit", f"limit must be a whole number from {low} to {high}.")
    errors.raise_if_any()
    found = shortest_paths(G, ends["from"], ends["to"], limit=int(raw) if raw else default)
    names = {node: G.nodes[node].get("name") or node for path in found["paths"] for node in path}
    return {"from": ends["from"], "to": ends["to"], **found, "names": names}


def _node(G: nx.DiGraph, value, field: str, errors: Errors) -> str:
    """Return the node a slug names: a capability, else a business (or ``kind:slug``)."""
    text = str(value or "").strip()
    if not text:
        errors.add(field, f"{field} is required: a capability or business slug.")
        return ""
    if len(text) > 140:
        errors.add(field, f"{field} must be at most 140 characters.")
        return ""
    for node in (text, capability_node(text), business_node(text)):
        if node in G and ":" in node:
            return node
    errors.add(field, f"No capability or business has the slug {text[:100]!r}.")
    return ""


def _pair_json(row: dict) -> dict:
    decision = row["dismissal"]
    return {**row, "dismissal": None if decision is None else {
        "reason": decision["reason"], "actor": decision["actor"],
        "at": decision["at"].isoformat() + "Z"}}


def _list_response(endpoint: str, rows, args: dict, *, convert=None, **extra):
    """One page of ``rows`` (each through ``convert``) in the house list shape; 422 when bad."""
    errors = Errors()
    page, per_page = check_paging(request.args, errors)
    errors.raise_if_any()
    shown = paginate(rows, page, per_page)
    next_url = (url_for(endpoint, **args, page=page + 1, per_page=per_page, _external=True)
                if page * per_page < len(rows) else None)
    items = shown.items if shown.number == page else []
    return jsonify(items=[convert(item) for item in items] if convert else items,
                   total=len(rows), next=next_url, **extra)
