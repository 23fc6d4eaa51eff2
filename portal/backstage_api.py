"""Backstage's catalog API under /api/catalog: what ``@backstage/catalog-client`` reads.

The read endpoints of Backstage's catalog backend, answered from the
portal's catalog (:mod:`catalog.backstage.index`): entities are the export's
(``export-backstage``) plus ``metadata.namespace``, ``uid``, ``etag`` and
``relations``, as the backend adds them. A Backstage frontend, plugin or
script whose discovery points the ``catalog`` plugin here reads the portal
as it reads a Backstage catalog.

Reads follow ``/api/v1``'s rules: open unless the portal requires a login,
and a bearer token that is sent must be valid. The API is read-only: the
write endpoints of Backstage's catalog answer 405 with the house JSON error
(the catalog changes through ``/api/v1``, the pages and imports). Bad
parameters answer 400 and unknown entities 404 with Backstage's error body,
``{"error": {"name", "message"}, "request": {"method", "url"}, "response":
{"statusCode"}}``, so Backstage's client reports their message.
"""

from collections.abc import Iterator
from itertools import islice
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, json, request
from werkzeug.exceptions import MethodNotAllowed

from catalog.backstage.index import entity_index
from catalog.backstage.query import (
    InvalidQuery,
    parse_facets,
    parse_fields,
    parse_filter,
    parse_list_query,
    parse_query,
    parse_refs_body,
)
from catalog.errors import NotFound
from portal.api import authenticate_bearer_token

bp = Blueprint("backstage_api", __name__)
bp.before_request(authenticate_bearer_token)

JSON = "application/json"
#: Backstage's name for each error this API answers in Backstage's shape.
ERROR_NAMES = {400: "InputError", 404: "NotFoundError"}
#: The write endpoints of Backstage's catalog backend: refused (405), the catalog is read-only.
WRITES = {
    "delete_entity": ("/entities/by-uid/<uid>", "DELETE"),
    "refresh_entity": ("/refresh", "POST"),
    "add_location": ("/locations", "POST"),
    "update_location": ("/locations/<location_id>", "PUT"),
    "delete_location": ("/locations/<location_id>", "DELETE"),
    "validate_entity": ("/validate-entity", "POST"),
    "analyze_location": ("/analyze-location", "POST"),
}
STREAM_CHUNK = 500


@bp.errorhandler(InvalidQuery)
@bp.errorhandler(NotFound)
def _backstage_error(exc: InvalidQuery | NotFound):
    body = {"error": {"name": ERROR_NAMES[exc.status], "message": exc.message},
            "request": {"method": request.method, "url": request.full_path.rstrip("?")},
            "response": {"statusCode": exc.status}}
    return Response(json.dumps(body), status=exc.status, mimetype=JSON)


@bp.get("/entities/by-query")
def query_entities():
    """A page of entities: filter, full text, order, cursor, limit, fields."""
    page = entity_index().query(parse_query(_params()))
    page_info = {name: cursor for name, cursor in (("nextCursor", page.next_cursor),
                                                   ("prevCursor", page.prev_cursor)) if cursor}
    return _items(page.items, totalItems=page.total, pageInfo=page_info)


@bp.get("/entities")
def list_entities():
    """All entities (the older list), or a page of them by offset and limit."""
    query = parse_list_query(_params())
    items, more = entity_index().list_entities(query)
    response = Response(_array(items), mimetype=JSON)
    if more:
        args = [(name, value) for name, value in request.args.items(multi=True)
                if name not in ("offset", "after")]
        next_url = f"{request.path}?{urlencode([*args, ('after', query.after())])}"
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


@bp.get("/entities/by-name/<kind>/<namespace>/<name>")
def entity_by_name(kind: str, namespace: str, name: str):
    """One entity by kind, namespace and name (any case)."""
    text = entity_index().by_ref(f"{kind}:{namespace}/{name}")
    if text is None:
        raise NotFound(f"No entity named '{name}' found, with kind '{kind}' in namespace "
                       f"'{namespace}'")
    return Response(text, mimetype=JSON)


@bp.get("/entities/by-uid/<uid>")
def entity_by_uid(uid: str):
    """One entity by its uid."""
    text = entity_index().by_uid(uid)
    if text is None:
        raise NotFound(f"No entity with uid {uid}")
    return Response(text, mimetype=JSON)


@bp.post("/entities/by-refs")
def entities_by_refs():
    """The entities of a list of references, in its order; null for each one not found."""
    refs, body_fields = parse_refs_body(request.get_json(silent=True))
    fields = parse_fields([*(body_fields or ()), *request.args.getlist("fields")])
    items = entity_index().by_refs(refs, parse_filter(request.args.getlist("filter")), fields)
    return _items([item if item is not None else "null" for item in items])


@bp.get("/entity-facets")
def entity_facets():
    """Per facet (a search key such as ``spec.owner``), its values and their counts."""
    params = _params()
    facets = entity_index().facets(parse_facets(params), parse_filter(params.get("filter", [])))
    return Response(json.dumps({"facets": facets}), mimetype=JSON)


def _refuse_write(**_: Any):
    """Refuse a write of Backstage's catalog API: this catalog is read-only."""
    allowed = current_app.url_map.bind("").allowed_methods(request.path)
    raise MethodNotAllowed(
        valid_methods=sorted(set(allowed) - {request.method}),
        description=f"The Backstage catalog API of the portal is read-only: {request.method} "
                    f"{request.path} is not accepted. Change the catalog through /api/v1, the "
                    "pages or a Backstage import.")


for _endpoint, (_rule, _method) in WRITES.items():
    bp.add_url_rule(_rule, _endpoint, _refuse_write, methods=[_method])


# -- helpers ------------------------------------------------------------------------------


def _params() -> dict[str, list[str]]:
    return request.args.to_dict(flat=False)


def _items(items: list[str], **meta: Any) -> Response:
    """Return ``{"items": [...], **meta}`` with the items already JSON text."""
    rest = json.dumps(meta)[1:] if meta else "}"
    separator = "," if meta else ""
    return Response(f'{{"items":[{",".join(items)}]{separator}{rest}', mimetype=JSON)


def _array(items: Iterator[str]) -> Iterator[str]:
    """Yield a JSON array of items already JSON text, a chunk at a time."""
    yield "["
    first = True
    while chunk := list(islice(items, STREAM_CHUNK)):
        yield ("" if first else ",") + ",".join(chunk)
        first = False
    yield "]"
