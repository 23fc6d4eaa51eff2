"""The JSON API under /api/v1: the same services and rules as the pages.

Reads are open (unless REQUIRE_LOGIN); writes need a personal API token with
the write scope, sent as ``Authorization: Bearer <token>``, and then follow
the same role and team rules as the forms. A token that is sent must be
valid, reads included (401). Every route here is described by
``/api/v1/openapi.json`` (:mod:`portal.openapi`), which a test keeps in step.
"""

from typing import Any

import networkx as nx
from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    jsonify,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import (
    BadRequest,
    PreconditionRequired,
    RequestEntityTooLarge,
    Unauthorized,
    UnsupportedMediaType,
)

from catalog import (
    accounts,
    adoptions,
    backstage,
    changes,
    deliveries,
    deprecation,
    incubation,
    reviews,
    timetravel,
)
from catalog import capabilities as service
from catalog.backstage import export_catalog
from catalog.browse import COUNTED_FACETS, BrowseQuery, browse, facet_counts
from catalog.db import refresh_statistics
from catalog.errors import Forbidden, NotFound, StaleVersion, ValidationFailed
from catalog.lifecycle import lifecycle_moves
from catalog.metrics import delivery_metrics
from catalog.models import Capability, User
from catalog.models._time import utcnow
from catalog.schemas import BACKSTAGE_MEDIA_TYPES
from catalog.serialize import capability_detail, capability_dict
from catalog.snapshots import capability_snapshot
from catalog.validation import Errors, check_as_of, check_flag, check_whole
from graphs.analysis import direct_consumers
from graphs.cache import catalog_graph, derived, reach_json
from graphs.diff import graph_diff as diff_graphs
from graphs.metrics import business_reach_of, reuse_matrix, reuse_metrics, reuse_over_time
from graphs.nodes import capability_node
from graphs.params import parse_depth, parse_links
from graphs.reports import cycle_report
from portal import openapi
from portal.auth import bearer_token, note_api_token
from portal.incubation import boundary_json, incubation_report
from portal.lifecycle import deprecation_plan as lifecycle_plan

bp = Blueprint("api", __name__)

#: Ids in URLs are 32-bit: a larger one is simply not found (never a driver overflow).
ID = f"int(min=1, max={openapi.ID_MAX})"
BEARER = WWWAuthenticate("bearer")


@bp.before_request
def authenticate_bearer_token():
    """Check a bearer token when one is sent: a bad or revoked one is a 401, reads included.

    The Backstage catalog API (:mod:`portal.backstage_api`) checks tokens with it too.
    """
    secret = bearer_token(request.headers)
    if secret is None:
        return
    if not secret:
        raise Unauthorized("Send the API token as 'Authorization: Bearer <token>'.",
                           www_authenticate=BEARER)
    if g.get("api_token") is None:  # the login wall's loader may have checked it already
        found = accounts.user_for_token(secret)
        if found is None:
            raise Unauthorized("This API token is not valid: it is unknown or was revoked.",
                               www_authenticate=WWWAuthenticate("bearer",
                                                                {"error": "invalid_token"}))
        g._login_user, g.api_token = found  # the token's user, over a session cookie
        note_api_token(g.api_token)


@bp.get("/openapi.json")
def openapi_document():
    """This API, described as an OpenAPI 3.1 document."""
    return jsonify(openapi.document(current_app))


@bp.get("/capabilities")
def list_capabilities():
    """List capabilities with the browse filters, sort and pages."""
    query = BrowseQuery.from_args(request.args)
    result = browse(query, with_facets=False)
    next_url = (url_for(".list_capabilities", **query.args(page=query.page + 1), _external=True)
                if result.has_next else None)
    return jsonify(
        items=[capability_dict(c, consumers=result.consumers.get(c.id, 0)) for c in result.items],
        total=result.total,
        next=next_url,
    )


@bp.get("/facets")
def capability_facets():
    """Counts of capabilities per facet value, with the browse filters (``facet`` picks facets)."""
    query = BrowseQuery.from_args(request.args)
    names = tuple(request.args.getlist("facet")) or COUNTED_FACETS
    unknown = sorted(set(names) - set(COUNTED_FACETS))
    if unknown:
        raise ValidationFailed({"facet": [
            f"Facet must be one of: {', '.join(COUNTED_FACETS)} (not {', '.join(unknown)[:100]})."]})
    total, facets = facet_counts(query, tuple(dict.fromkeys(names)))
    return jsonify(total=total, facets={
        name: [{"value": value, "label": label, "count": count} for value, label, count in rows]
        for name, rows in facets.items()})


@bp.post("/capabilities")
def create_capability():
    """Register a capability; 201 with its URL, 422 / 409 on bad input."""
    actor = _writer()
    capability = service.register_capability(_json_body(), actor)
    response = _capability_response(service.get_capability(capability.slug))
    response.status_code = 201
    response.headers["Location"] = url_for(".get_capability", slug=capability.slug)
    return response


@bp.get("/capabilities/<slug>")
def get_capability(slug: str):
    """One capability (``as_of``: as it was then); its ETag is its version."""
    as_of = _as_of()
    found = timetravel.current_snapshot(slug) if as_of is None else None
    if as_of is None and found is None:
        return _capability_response(service.get_capability(slug))
    snapshot, layer = found or timetravel.capability_at(slug, as_of)
    body = capability_detail(
        snapshot, layer=layer, consumers=direct_consumers(catalog_graph(as_of), capability_node(slug)),
        business_reach=business_reach_of(slug, as_of=as_of))
    body["lifecycle_moves"] = lifecycle_moves(slug, until=as_of)
    response = jsonify(body)
    response.set_etag(str(snapshot["version"]), weak=False)
    return response


@bp.patch("/capabilities/<slug>")
def patch_capability(slug: str):
    """Change the fields given; ``If-Match`` (or the body's ``version``) is required: 428."""
    actor = _writer()
    body = _json_body()
    capability = service.get_capability(slug)
    if not request.if_match and "version" not in body:
        raise PreconditionRequired(
            "Send If-Match with the ETag you read (GET the capability: its ETag header, e.g. "
            "If-Match: \"3\"), or the body's \"version\": a change without one could overwrite "
            "someone else's unseen. If-Match: * changes whatever the version.")
    expected = _expected_version(capability, body)
    service.update_capability(capability, body, actor, expected_version=expected)
    return _capability_response(service.get_capability(capability.slug))


@bp.get("/capabilities/<slug>/impact")
def capability_impact(slug: str):
    """Transitive dependents of a capability (its blast radius), with distances."""
    return _reach(slug, "up")


@bp.get("/capabilities/<slug>/dependencies")
def capability_dependencies(slug: str):
    """Transitive providers of a capability, with distances."""
    return _reach(slug, "down")


@bp.post("/dependencies")
def create_dependency():
    """Make one capability depend on another, with the edit form's rules; 201."""
    actor = _writer()
    body = _json_body()
    expected = None
    if request.if_match and isinstance(body.get("consumer"), str):
        try:
            expected = _expected_version(service.get_capability(body["consumer"]), {})
        except NotFound:  # the service reports an unknown consumer as a field error
            expected = None
    dependency = service.add_dependency(body, actor, expected_version=expected)
    consumer = dependency.consumer
    response = _created({
        "consumer": consumer.slug, "provider": dependency.provider.slug, "kind": dependency.kind,
        "api": dependency.api.name if dependency.api else None,
        "since": dependency.since.isoformat(), "consumer_version": consumer.version,
    }, url_for(".get_capability", slug=consumer.slug))
    response.set_etag(str(consumer.version), weak=False)
    return response


@bp.post("/capabilities/<slug>/reviews")
def create_review(slug: str):
    """Decide on a proposed capability (architects and admins); 201, approve moves it on."""
    actor = _writer()
    review = reviews.decide(slug, _json_body(), actor)
    return _created(reviews.review_dict(review), url_for(".get_capability", slug=slug))


@bp.get("/capabilities/<slug>/deprecation-plan")
def deprecation_plan(slug: str):
    """Sunset, days left, replacement, alternatives, consumers and each team's migration."""
    return jsonify(lifecycle_plan(deprecation.get_for_plan(slug)))


@bp.put("/capabilities/<slug>/migrations/<team>")
def put_migration(slug: str, team: str):
    """A consumer team's migration off a deprecated capability (its members, architects, admins)."""
    actor = _writer()
    row = deprecation.set_migration_status(slug, team, _json_body(), actor)
    return jsonify(deprecation.migration_dict(row))


@bp.get("/reviews")
def list_reviews():
    """The review queue (status=pending, default) or the decisions taken (status=decided)."""
    page = reviews.list_reviews(reviews.ReviewFilters.from_args(request.args))
    return _page_response(".list_reviews", page, lambda item: item)


@bp.get("/graph")
def graph():
    """The whole catalog graph (``as_of``: as it was then) as networkx node-link JSON."""
    return jsonify(nx.node_link_data(catalog_graph(_as_of()), edges="edges"))


@bp.get("/graph/diff")
def graph_diff():
    """What changed in the graph between ``from`` and ``to`` (default now)."""
    start, end = _period()
    return jsonify({"from": start.isoformat() + "Z", "to": end.isoformat() + "Z",
                    **diff_graphs(catalog_graph(start), catalog_graph(end))})


@bp.get("/graph/cycles")
def graph_cycles():
    """Dependency cycles: strongly connected components and simple cycles, as slugs."""
    return jsonify(derived("cycles", cycle_report))


@bp.get("/changes")
def list_changes():
    """The changes feed, newest first; filters entity, team, business, domain, kind, actor,
    since, until."""
    page = changes.list_changes(changes.ChangeFilters.from_args(request.args))
    return _page_response(".list_changes", page, changes.change_dict)


@bp.get("/adoptions")
def list_adoptions():
    """List adoptions; filters business, capability (slugs) and active=true|false."""
    page = adoptions.list_adoptions(adoptions.AdoptionFilters.from_args(request.args))
    return _page_response(".list_adoptions", page, adoptions.adoption_dict)


@bp.post("/adoptions")
def create_adoption():
    """Record that a business adopts a capability; 201, or 422 / 409 / 401 / 403."""
    actor = _writer()
    adoption = adoptions.adopt(_json_body(), actor)
    return _created(adoptions.adoption_dict(adoption),
                    url_for(".get_adoption", adoption_id=adoption.id))


@bp.get(f"/adoptions/<{ID}:adoption_id>")
def get_adoption(adoption_id: int):
    """One adoption."""
    return jsonify(adoptions.adoption_dict(adoptions.get_adoption(adoption_id)))


@bp.post(f"/adoptions/<{ID}:adoption_id>/end")
def end_adoption(adoption_id: int):
    """End an adoption on ``until`` (JSON body, optional; default today)."""
    actor = _writer()
    body = _json_body() if request.get_data() else {}
    adoption = adoptions.end_adoption(adoption_id, body.get("until"), actor)
    return jsonify(adoptions.adoption_dict(adoption))


@bp.get("/deliveries")
def list_deliveries():
    """List deliveries; filters business, capability, since / until (delivered), open."""
    page = deliveries.list_deliveries(deliveries.DeliveryFilters.from_args(request.args))
    return _page_response(".list_deliveries", page, deliveries.delivery_dict)


@bp.post("/deliveries")
def create_delivery():
    """Record a delivery (source "api" unless the body says); 201, or 422 / 409 / 401 / 403."""
    actor = _writer()
    delivery = deliveries.record_delivery(_json_body(), actor, source="api")
    return _created(deliveries.delivery_dict(delivery),
                    url_for(".get_delivery", delivery_id=delivery.id))


@bp.get(f"/deliveries/<{ID}:delivery_id>")
def get_delivery(delivery_id: int):
    """One delivery."""
    return jsonify(deliveries.delivery_dict(deliveries.get_delivery(delivery_id)))


@bp.post("/import/deliveries")
def import_deliveries():
    """Import a deliveries CSV sent as the body (or a form file ``file``); ``?dry_run=true``."""
    actor = _writer()
    dry_run = _flag("dry_run")
    upload = _upload()
    if upload is not None:
        source, name = upload.stream, upload.filename or "the upload"
    else:
        source, name = request.get_data(), "the request body"
    report = deliveries.import_deliveries_csv(source, dry_run=dry_run, actor=actor, name=name)
    if not report.ok:
        raise report.as_error()
    return _report_response(report)


@bp.get("/export/deliveries")
def export_deliveries():
    """The deliveries (same filters as the list) as CSV that imports back."""
    text = deliveries.export_deliveries_csv(deliveries.DeliveryFilters.from_args(request.args))
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=deliveries.csv"})


@bp.post("/import/backstage")
def import_backstage():
    """Import a catalog-info.yaml (the body, or a form file ``file``), all or nothing.

    Architects and admins only; ``?dry_run=true`` returns the plan and writes
    nothing. 201 when something was written, else 200; 422 with the report
    when any error stops the import.
    """
    actor = _writer()
    backstage.ensure_can_import(actor)
    dry_run = _flag("dry_run")
    upload = _upload()
    if upload is not None:
        data, name = upload.read(), upload.filename or "the upload"
    elif request.mimetype in BACKSTAGE_MEDIA_TYPES:
        data, name = request.get_data(), "the request body"
    else:
        raise UnsupportedMediaType(
            "Send the YAML as the body with 'Content-Type: application/yaml' (or text/plain), "
            "or as the file field 'file' of a multipart form.")
    if len(data) > backstage.MAX_TEXT_BYTES:
        raise RequestEntityTooLarge(
            f"The YAML is {len(data):,} bytes; at most {backstage.MAX_TEXT_BYTES:,} are imported "
            "through the API. Split it, or import a folder with 'flask import-backstage'.")
    report = backstage.import_text(data, name=name, dry_run=dry_run, actor=actor)
    if not report.ok:
        raise report.as_error()
    if report.written:
        refresh_statistics()
    return _report_response(report)


@bp.get("/export/backstage")
def export_backstage():
    """The whole catalog as Backstage descriptors (multi-document catalog-info.yaml)."""
    return Response(export_catalog(), mimetype="application/yaml", headers={
        "Content-Disposition": "attachment; filename=catalog-info.yaml"})


@bp.get("/metrics/reuse")
def metrics_reuse():
    """Reuse rate, leaderboard (``top``, default 20) and reuse rate per quarter."""
    top = _int_arg("top", *openapi.REUSE_TOP)
    quarters = _int_arg("quarters", *openapi.REUSE_QUARTERS)
    as_of = _as_of()
    return jsonify({**reuse_metrics(top=top, as_of=as_of),
                    "over_time": reuse_over_time(quarters=quarters, as_of=as_of)})


@bp.get("/metrics/reuse/matrix")
def metrics_reuse_matrix():
    """Which capabilities each business reaches, directly or not, and cross-business use."""
    return jsonify(reuse_matrix(top=_int_arg("top", *openapi.MATRIX_TOP)))


@bp.get("/metrics/delivery")
def metrics_delivery():
    """Lead time per quarter, cohort and business; filters business, capability, since, until."""
    return jsonify(delivery_metrics(deliveries.DeliveryFilters.from_args(request.args)))


@bp.get("/incubation")
def incubation_plan():
    """What a new business picking ``capabilities`` (a,b,c) would use, meet and expect."""
    errors = Errors()
    slugs = incubation.check_picks(request.args.get("capabilities", ""), errors)
    if not slugs and not errors:
        errors.add("capabilities", "Pick at least one capability: capabilities=a,b,c.")
    errors.raise_if_any()
    return jsonify(incubation_report(slugs))


@bp.get("/incubation-plans")
def list_incubation_plans():
    """Saved incubation plans, newest first; filter ``team``."""
    page = incubation.list_plans(incubation.PlanFilters.from_args(request.args))
    return _page_response(".list_incubation_plans", page, incubation.plan_dict)


@bp.post("/incubation-plans")
def create_incubation_plan():
    """Save an incubation plan; 201 with its URL."""
    actor = _writer()
    plan = incubation.save_plan(_json_body(), actor)
    return _created(incubation.plan_dict(plan),
                    url_for(".get_incubation_plan", plan_id=plan.id))


@bp.get(f"/incubation-plans/<{ID}:plan_id>")
def get_incubation_plan(plan_id: int):
    """One saved incubation plan."""
    return jsonify(incubation.plan_dict(incubation.get_plan(plan_id)))


@bp.post(f"/incubation-plans/<{ID}:plan_id>/adopt")
def adopt_incubation_plan(plan_id: int):
    """Turn a plan into a new incubating business adopting its capabilities, all or nothing."""
    actor = _writer()
    body = _json_body()
    plan = incubation.get_plan(plan_id)
    business = incubation.adopt_plan(plan, body, actor)
    return _created({"slug": business.slug, "name": business.name, "status": business.status,
                     "team": business.team.slug if business.team else None, "plan": plan.id,
                     "adoptions": list(plan.capabilities)},
                    url_for(".business_boundary", slug=business.slug))


@bp.get("/businesses/<slug>/boundary")
def business_boundary(slug: str):
    """What a spin-off of a business would take along, share and cut off."""
    return Response(boundary_json(slug), mimetype="application/json")


# -- helpers ------------------------------------------------------------------------------


def _page_response(endpoint: str, page, to_dict):
    filters = page.filters
    next_url = (url_for(endpoint, **filters.args(page=filters.page + 1), _external=True)
                if page.has_next else None)
    return jsonify(items=[to_dict(item) for item in page.items], total=page.total, next=next_url)


def _created(body: dict, location: str):
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = location
    return response


def _report_response(report):
    response = jsonify(report.as_dict())
    response.status_code = 201 if report.written else 200
    return response


def _upload():
    """Return the multipart file ``file``; 422 for a form without it, None for another body."""
    if request.mimetype != "multipart/form-data":
        return None
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed({"file": ["Send the file as the form field 'file'."]})
    return upload


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    errors = Errors()
    number = check_whole(request.args.get(name), errors, name, low=low, high=high, default=default)
    errors.raise_if_any()
    return number


def _flag(name: str) -> bool:
    errors = Errors()
    value = check_flag(request.args.get(name), errors, name)
    errors.raise_if_any()
    return bool(value)


def _reach(slug: str, direction: str) -> Response:
    depth = parse_depth(request.args.get("depth"))
    links = parse_links(request.args.getlist("link"))
    as_of = _as_of()
    if as_of is not None:
        timetravel.capability_at(slug, as_of)  # 404 for a slug unknown then
    try:
        body = reach_json(slug, direction=direction, depth=depth, links=links, as_of=as_of)
    except nx.NodeNotFound:
        raise NotFound(f"No capability has the slug {slug!r}.") from None
    return Response(body, mimetype="application/json")


def _as_of():
    """Return the moment the ``as_of`` parameter names (None: now); 422 naming it when bad."""
    errors = Errors()
    moment = check_as_of(request.args.get("as_of"), errors)
    errors.raise_if_any()
    return moment


def _period():
    """Return the moments ``from`` (required) and ``to`` (default now) name; 422 when bad."""
    errors = Errors()
    if not request.args.get("from"):
        errors.add("from", "from is required: an ISO 8601 date or UTC date and time.")
    start = check_as_of(request.args.get("from"), errors, "from")
    end = check_as_of(request.args.get("to"), errors, "to") or utcnow()
    if start and end < start:
        errors.add("to", "to must not be before from.")
    errors.raise_if_any()
    return start, end


def _capability_response(capability):
    snapshot = capability_snapshot(capability)
    body = capability_detail(
        snapshot, layer=capability.domain.layer,
        consumers=direct_consumers(catalog_graph(), capability_node(capability.slug)),
        business_reach=business_reach_of(capability.slug))
    body["lifecycle_moves"] = lifecycle_moves(capability.slug)
    response = jsonify(body)
    response.set_etag(str(capability.version), weak=False)
    return response


def _json_body() -> dict[str, Any]:
    if not request.is_json:
        raise UnsupportedMediaType("Send the body as JSON with 'Content-Type: application/json'.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.")
    return body


def _expected_version(capability: Capability, body: dict[str, Any]) -> int | None:
    """Return the version the client last saw: If-Match header, else body ``version``.

    ``If-Match: *`` asks for no check. A header naming none of the current
    version's (strong) ETag is a 412 right away, whatever it names.
    """
    body_version = body.pop("version", None)
    if request.if_match:
        if request.if_match.star_tag or request.if_match.contains(str(capability.version)):
            return None if request.if_match.star_tag else capability.version
        raise StaleVersion(
            f"{capability.slug!r} was changed by someone else: it is at version "
            f"{capability.version} (ETag \"{capability.version}\"), your If-Match names "
            f"{request.headers.get('If-Match', '').strip()[:80]}. Reload and apply your change "
            "again.")
    if body_version is None:
        return None
    if isinstance(body_version, bool) or not isinstance(body_version, (int, str)) \
            or not str(body_version).strip().isdecimal():
        raise ValidationFailed({"version": ["Version must be the whole number from the ETag."]})
    return int(str(body_version).strip())


def _writer() -> User:
    """Return the user behind a write token; 401 without one, 403 when read-only."""
    authenticated = current_user.is_authenticated
    token = g.get("api_token")
    if not authenticated or token is None:
        raise Unauthorized(
            "Authentication required: send an API token with the write scope as "
            "'Authorization: Bearer <token>'.",
            www_authenticate=BEARER,
        )
    if token.scopes != "write":
        raise Forbidden("This token is read-only; create a token with the write scope.")
    return current_user._get_current_object()
