"""The JSON API under /api/v1: the same services and rules as the pages."""

from typing import Any

import networkx as nx
from flask import Blueprint, Response, g, jsonify, request, url_for
from flask_login import current_user
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import BadRequest, Unauthorized, UnsupportedMediaType

from catalog import adoptions, deliveries
from catalog import capabilities as service
from catalog.browse import BrowseQuery, browse
from catalog.errors import Forbidden, ValidationFailed
from catalog.metrics import delivery_metrics
from catalog.models import User
from catalog.serialize import capability_dict
from catalog.validation import Errors, check_flag
from graphs.cache import catalog_graph, derived, reach
from graphs.metrics import reuse_matrix, reuse_metrics, reuse_over_time
from graphs.params import parse_depth
from graphs.reports import cycle_report

bp = Blueprint("api", __name__)


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


@bp.post("/capabilities")
def create_capability():
    """Register a capability; 201 with its URL, 422 / 409 on bad input."""
    capability = service.register_capability(_json_body(), _writer())
    response = _capability_response(service.get_capability(capability.slug))
    response.status_code = 201
    response.headers["Location"] = url_for(".get_capability", slug=capability.slug)
    return response


@bp.get("/capabilities/<slug>")
def get_capability(slug: str):
    return _capability_response(service.get_capability(slug))


@bp.patch("/capabilities/<slug>")
def patch_capability(slug: str):
    """Change the fields given; ``If-Match`` or ``version`` guards against lost updates."""
    actor = _writer()
    body = _json_body()
    capability = service.get_capability(slug)
    expected = _expected_version(body)
    service.update_capability(capability, body, actor, expected_version=expected)
    return _capability_response(service.get_capability(capability.slug))


@bp.get("/capabilities/<slug>/impact")
def capability_impact(slug: str):
    """Transitive dependents of a capability (its blast radius), with distances."""
    return jsonify(_reach(slug, "up"))


@bp.get("/capabilities/<slug>/dependencies")
def capability_dependencies(slug: str):
    """Transitive providers of a capability, with distances."""
    return jsonify(_reach(slug, "down"))


@bp.get("/graph")
def graph():
    """The whole catalog graph as networkx node-link JSON (edges consumer -> provider)."""
    return jsonify(nx.node_link_data(catalog_graph(), edges="edges"))


@bp.get("/graph/cycles")
def graph_cycles():
    """Dependency cycles: strongly connected components and simple cycles, as slugs."""
    return jsonify(derived("cycles", cycle_report))


@bp.get("/adoptions")
def list_adoptions():
    """List adoptions; filters business, capability (slugs) and active=true|false."""
    page = adoptions.list_adoptions(adoptions.AdoptionFilters.from_args(request.args))
    return _page_response(".list_adoptions", page, adoptions.adoption_dict)


@bp.post("/adoptions")
def create_adoption():
    """Record that a business adopts a capability; 201, or 422 / 409 / 401 / 403."""
    adoption = adoptions.adopt(_json_body(), _writer())
    return _created(adoptions.adoption_dict(adoption),
                    url_for(".get_adoption", adoption_id=adoption.id))


@bp.get("/adoptions/<int:adoption_id>")
def get_adoption(adoption_id: int):
    return jsonify(adoptions.adoption_dict(adoptions.get_adoption(adoption_id)))


@bp.post("/adoptions/<int:adoption_id>/end")
def end_adoption(adoption_id: int):
    """End an adoption on ``until`` (JSON body, optional; default today)."""
    body = _json_body() if request.get_data() else {}
    adoption = adoptions.end_adoption(adoption_id, body.get("until"), _writer())
    return jsonify(adoptions.adoption_dict(adoption))


@bp.get("/deliveries")
def list_deliveries():
    """List deliveries; filters business, capability, since / until (delivered), open."""
    page = deliveries.list_deliveries(deliveries.DeliveryFilters.from_args(request.args))
    return _page_response(".list_deliveries", page, deliveries.delivery_dict)


@bp.post("/deliveries")
def create_delivery():
    """Record a delivery (source "api" unless the body says); 201, or 422 / 409 / 401 / 403."""
    delivery = deliveries.record_delivery(_json_body(), _writer(), source="api")
    return _created(deliveries.delivery_dict(delivery),
                    url_for(".get_delivery", delivery_id=delivery.id))


@bp.get("/deliveries/<int:delivery_id>")
def get_delivery(delivery_id: int):
    return jsonify(deliveries.delivery_dict(deliveries.get_delivery(delivery_id)))


@bp.post("/import/deliveries")
def import_deliveries():
    """Import a deliveries CSV sent as the body (or a form file ``file``); ``?dry_run=true``."""
    actor = _writer()
    upload = request.files.get("file")
    source = upload.stream if upload is not None else request.get_data()
    report = deliveries.import_deliveries_csv(
        source, dry_run=_flag("dry_run"), actor=actor,
        name=upload.filename if upload is not None else "the request body")
    if not report.ok:
        raise report.as_error()
    response = jsonify(report.as_dict())
    response.status_code = 201 if report.written else 200
    return response


@bp.get("/export/deliveries")
def export_deliveries():
    """The deliveries (same filters as the list) as CSV that imports back."""
    text = deliveries.export_deliveries_csv(deliveries.DeliveryFilters.from_args(request.args))
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=deliveries.csv"})


@bp.get("/metrics/reuse")
def metrics_reuse():
    """Reuse rate, leaderboard (``top``, default 20) and reuse rate per quarter."""
    top = _int_arg("top", 20, 1, 1000)
    quarters = _int_arg("quarters", 12, 1, 40)
    return jsonify({**reuse_metrics(top=top), "over_time": reuse_over_time(quarters=quarters)})


@bp.get("/metrics/reuse/matrix")
def metrics_reuse_matrix():
    """Which capabilities each business reaches, directly or not, and cross-business use."""
    return jsonify(reuse_matrix(top=_int_arg("top", 50, 1, 1000)))


@bp.get("/metrics/delivery")
def metrics_delivery():
    """Lead time per quarter, cohort and business; filters business, capability, since, until."""
    return jsonify(delivery_metrics(deliveries.DeliveryFilters.from_args(request.args)))


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


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValidationFailed({name: [f"{name} must be a whole number from {low} to {high:,}."]})
    return int(raw)


def _flag(name: str) -> bool:
    errors = Errors()
    value = check_flag(request.args.get(name), errors, name)
    errors.raise_if_any()
    return bool(value)


def _reach(slug: str, direction: str) -> dict:
    depth = parse_depth(request.args.get("depth"))
    service.get_capability(slug)  # 404 for an unknown slug
    return reach(slug, direction=direction, depth=depth)


def _capability_response(capability):
    response = jsonify(capability_dict(capability, detail=True))
    response.set_etag(str(capability.version), weak=False)
    return response


def _json_body() -> dict[str, Any]:
    if not request.is_json:
        raise UnsupportedMediaType("Send the body as JSON with 'Content-Type: application/json'.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.")
    return body


def _expected_version(body: dict[str, Any]) -> int | None:
    """Return the version the client last saw: If-Match header, else body ``version``."""
    tags = sorted(request.if_match.as_set()) if request.if_match else []
    raw = tags[0] if tags else body.pop("version", None)
    if raw is None:
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ValidationFailed({"version": ["Version must be the whole number from the ETag."]})


def _writer() -> User:
    """Return the user behind a write token; 401 without one, 403 when read-only."""
    authenticated = current_user.is_authenticated  # runs the bearer-token loader
    token = g.get("api_token")
    if not authenticated or token is None:
        raise Unauthorized(
            "Authentication required: send an API token with the write scope as "
            "'Authorization: Bearer <token>'.",
            www_authenticate=WWWAuthenticate("bearer"),
        )
    if token.scopes != "write":
        raise Forbidden("This token is read-only; create a token with the write scope.")
    return current_user._get_current_object()

