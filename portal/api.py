"""The JSON API under /api/v1: the same services and rules as the pages."""

from typing import Any

import networkx as nx
from flask import Blueprint, g, jsonify, request, url_for
from flask_login import current_user
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import BadRequest, Unauthorized, UnsupportedMediaType

from catalog import capabilities as service
from catalog.browse import BrowseQuery, browse
from catalog.errors import Forbidden, ValidationFailed
from catalog.models import User
from catalog.serialize import capability_dict
from graphs.cache import catalog_graph, derived
from graphs.params import parse_depth
from graphs.reports import cycle_report, reach_report

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


def _reach(slug: str, direction: str) -> dict:
    depth = parse_depth(request.args.get("depth"))
    service.get_capability(slug)  # 404 for an unknown slug
    return reach_report(catalog_graph(), slug, direction=direction, depth=depth)


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

