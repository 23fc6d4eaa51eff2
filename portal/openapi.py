"""The OpenAPI 3.1 document of the JSON API, and its reference page.

The document is generated from two things and nothing else:

- the app's URL map: every route under ``/api/v1`` and Backstage's catalog
  API under ``/api/catalog`` (:mod:`portal.backstage_api`; its paths carry
  their own ``servers``) becomes a path and operation (a route this module
  does not describe fails the build, so the document cannot miss one);
- :data:`OPERATIONS`, the route table: per endpoint, its summary, the
  parameter set and request / response schemas from :mod:`catalog.schemas`
  (a request body is the JSON Schema of its input model in
  :mod:`catalog.fields`, the declaration the checks run), and whether it
  writes.

``/api/docs`` renders the same document as a readable page, offline.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, current_app, render_template, url_for

from catalog.backstage import MAX_TEXT_BYTES
from catalog.schemas import BACKSTAGE_MEDIA_TYPES, SCHEMAS, query_parameters, ref
from catalog.vocabulary import LEADERBOARD, MATRIX_CAPABILITIES, TREND_QUARTERS
from graphs.params import LINKS, MAX_DEPTH

__all__ = ["API_PREFIX", "CATALOG_PREFIX", "OPERATIONS", "Operation", "api_rules", "bp",
           "document", "prefix_of"]

bp = Blueprint("apidocs", __name__)

API_PREFIX = "/api/v1"
#: Backstage's catalog API: described in the same document, its paths with their own server.
CATALOG_PREFIX = "/api/catalog"
PREFIXES = (API_PREFIX, CATALOG_PREFIX)
TITLE = "Capability portal API"
VERSION = "1.0.0"
#: Integer parameters of the metrics endpoints: (default, lowest, highest).
REUSE_TOP = (LEADERBOARD, 1, 1000)
REUSE_QUARTERS = (TREND_QUARTERS, 1, 40)
MATRIX_TOP = (MATRIX_CAPABILITIES, 1, 1000)
#: The largest id a URL takes (ids are 32-bit; a larger one is not found).
ID_MAX = 2_147_483_647

JSON = "application/json"
ERROR_STATUSES = {
    400: "Bad request: not JSON, not an object, a NUL character.",
    401: "No valid token (a write needs one; a sent token must be valid; with REQUIRE_LOGIN "
         "reads need one too).",
    403: "The token is read-only, or your role or team may not do this.",
    404: "Not found.",
    405: "Not allowed: Backstage's catalog API is read-only here.",
    409: "It already exists.",
    412: "Stale version: someone else changed it since your ETag (If-Match).",
    413: "The body is too large.",
    415: "Unsupported Content-Type.",
    422: "Invalid fields: {\"errors\": {field: [messages]}}.",
    428: "Precondition required: send If-Match with the ETag you read (or the body's version).",
    503: "The database is not answering (or took too long); nothing was changed. Retry after "
         "the Retry-After header's seconds.",
}
TAGS = {
    "capabilities": "Register, find, change capabilities and their dependencies.",
    "graph": "The dependency graph, impact, cycles and what changed between two dates.",
    "history": "Every change, who made it and when; the catalog as of any date (as_of).",
    "reuse": "Adoptions of capabilities by businesses.",
    "delivery": "Business deliveries and their lead time.",
    "metrics": "Reuse and lead-time metrics.",
    "governance": ("Reviews, deprecation plans and migrations off deprecated capabilities; "
                   "scorecards, duplicate builds, readiness for a peak sale, paths and keystones."),
    "incubation": "Incubating a new business on the platform, and what a spin-off would take.",
    "interop": "Backstage descriptors and CSV in and out.",
    "backstage": "Backstage's catalog API under /api/catalog, read-only: what Backstage's "
                 "catalog client, frontend and plugins read.",
    "backstage-writes": "Backstage's catalog writes: refused here (405), the catalog changes "
                        "through this API, the pages and imports.",
    "meta": "This document.",
}


def _int(bounds: tuple[int, int, int], description: str) -> dict[str, Any]:
    default, low, high = bounds
    return {"type": "integer", "minimum": low, "maximum": high, "default": default,
            "description": description}


@dataclass(frozen=True)
class Operation:
    """What the route table says about one endpoint.

    ``responses`` maps a success status to a component schema name, or to
    ``(media type, schema)``; error statuses come from ``errors`` plus those
    every operation of its kind can answer (see :func:`_responses`).
    """

    summary: str
    tag: str
    responses: dict[int, Any]
    query: dict[str, dict[str, Any]] = field(default_factory=dict)
    body: dict[str, Any] | None = None  # media type -> schema
    body_required: bool = True
    write: bool = False
    errors: tuple[int, ...] = ()
    headers: dict[str, dict[str, Any]] = field(default_factory=dict)  # request headers
    description: str = ""
    backstage: bool = False  # answers bad input and unknown entities in Backstage's error body


def _json_body(name: str) -> dict[str, Any]:
    return {JSON: ref(name)}


_FILE_FORM = {"type": "object", "properties": {"file": {
    "type": "string", "contentMediaType": "application/octet-stream"}}, "required": ["file"]}
_IF_MATCH = {"If-Match": {"schema": {"type": "string"},
                          "description": "The ETag you read, e.g. \"3\"; a stale one is a 412."}}
_REACH_QUERY = {
    "depth": {"type": "integer", "minimum": 1, "maximum": MAX_DEPTH,
              "description": "Bound the reach to this many hops."},
    "link": {"type": "array", "items": {"enum": list(LINKS)}, "uniqueItems": True,
             "description": "Follow only these kinds of link (repeated, or comma-separated): "
                            "depends-on (a dependency without an API), api (a dependency "
                            "through an API of the provider), adoption (a business using "
                            "it). Default: all."},
}

_AS_OF = {"as_of": {"type": "string", "maxLength": 40, "examples": ["2025-06-30",
                                                                   "2025-06-30T12:00:00Z"],
                    "description": "The catalog as it was then: an ISO 8601 date (the end of "
                                   "that day) or a UTC date and time; not in the future. "
                                   "Before the first record the catalog is empty."}}

OPERATIONS: dict[str, Operation] = {
    "api.openapi_document": Operation(
        "This document (OpenAPI 3.1)", "meta", {200: (JSON, {"type": "object"})}),
    "api.list_capabilities": Operation(
        "List capabilities: the browse page's filters, sort and pages", "capabilities",
        {200: "CapabilityPage"}, query=query_parameters("browse")),
    "api.capability_facets": Operation(
        "Counts per facet value (team, domain, layer, lifecycle, tier, tag)", "capabilities",
        {200: "FacetCounts"}, query=query_parameters("facets"),
        description="With the browse filters; each facet ignores its own filter."),
    "api.create_capability": Operation(
        "Register a capability", "capabilities", {201: "CapabilityDetail"},
        body=_json_body("CapabilityCreate"), write=True, errors=(409,),
        description="Contributors register for their own team; architects and admins for any."),
    "api.get_capability": Operation(
        "One capability; its ETag is its version", "capabilities", {200: "CapabilityDetail"},
        query=_AS_OF),
    "api.patch_capability": Operation(
        "Change some fields of a capability", "capabilities", {200: "CapabilityDetail"},
        body=_json_body("CapabilityPatch"), write=True, errors=(409, 412, 428),
        headers=_IF_MATCH,
        description="Owner team, architects and admins. Send If-Match with the ETag you read "
                    "(or the body's `version`): without either the answer is 428, with a stale "
                    "one 412, also when someone else's change lands while yours is written. "
                    "`If-Match: *` changes whatever the version."),
    "api.capability_impact": Operation(
        "Impact: who depends on it, directly or not, with distances", "graph", {200: "Reach"},
        query={**_REACH_QUERY, **_AS_OF}),
    "api.capability_dependencies": Operation(
        "What it depends on, directly or not, with distances", "graph", {200: "Reach"},
        query={**_REACH_QUERY, **_AS_OF}),
    "api.create_dependency": Operation(
        "Add one dependency consumer -> provider", "capabilities", {201: "Dependency"},
        body=_json_body("DependencyCreate"), write=True, errors=(409, 412), headers=_IF_MATCH,
        description="The edit form's rules: not itself, not twice, not on a retired or "
                    "unknown capability. If-Match guards the consumer's version."),
    "api.create_review": Operation(
        "Review a proposed capability: approve, reject or ask for changes", "governance",
        {201: "Review"}, body=_json_body("ReviewCreate"), write=True, errors=(409,),
        description="Architects and admins only (a contributor never reviews, its own team's "
                    "capability least of all: 403). approve moves it from proposed to approved; "
                    "a capability that is not proposed is a 409. Every decision is in the "
                    "history."),
    "api.deprecation_plan": Operation(
        "Deprecation plan: sunset countdown, replacement, alternatives, consumers, migrations",
        "governance", {200: "DeprecationPlan"},
        description="Alternatives are running capabilities of the same domain, with shared "
                    "tags or similar API names, ranked, each with why. Consumers are every "
                    "capability and business that reaches it, with distances (at most 1,000 "
                    "rows of each; the totals are whole). One migration status per team that "
                    "uses it directly."),
    "api.put_migration": Operation(
        "Set a consumer team's migration off a deprecated capability", "governance",
        {200: "Migration"}, body=_json_body("MigrationUpdate"), write=True, errors=(409,),
        description="Members (contributors) of that team, architects and admins. 409 when "
                    "the capability is not deprecated; 422 for a team that does not use it "
                    "directly. Recorded in the history."),
    "api.list_reviews": Operation(
        "The review queue, or the decisions taken", "governance", {200: "ReviewPage"},
        query=query_parameters("reviews")),
    "api.graph": Operation("The whole dependency graph (networkx node-link)", "graph",
                           {200: "Graph"}, query=_AS_OF),
    "api.graph_cycles": Operation("Dependency cycles", "graph", {200: "Cycles"}),
    "api.graph_diff": Operation(
        "What changed in the graph between two moments", "graph", {200: "GraphDiff"},
        query={"from": {**_AS_OF["as_of"], "description": "The earlier moment (required): an "
                        "ISO 8601 date (its end) or UTC date and time."},
               "to": {**_AS_OF["as_of"], "description": "The later moment; default now."}}),
    "api.list_changes": Operation(
        "The changes feed: every write, newest first", "history", {200: "ChangePage"},
        query=query_parameters("changes"),
        description="Who changed what, when and from where (web, api, import, cli, seed), "
                    "field by field."),
    "api.list_adoptions": Operation("List adoptions", "reuse", {200: "AdoptionPage"},
                                    query=query_parameters("adoptions")),
    "api.create_adoption": Operation(
        "Record that a business adopts a capability", "reuse", {201: "Adoption"},
        body=_json_body("AdoptionCreate"), write=True, errors=(409,),
        description="Contributors of the business's team, architects and admins."),
    "api.get_adoption": Operation("One adoption", "reuse", {200: "Adoption"}),
    "api.end_adoption": Operation(
        "End an adoption", "reuse", {200: "Adoption"}, body=_json_body("AdoptionEnd"),
        body_required=False, write=True),
    "api.list_deliveries": Operation("List deliveries", "delivery", {200: "DeliveryPage"},
                                     query=query_parameters("deliveries")),
    "api.create_delivery": Operation(
        "Record a delivery", "delivery", {201: "Delivery"}, body=_json_body("DeliveryCreate"),
        write=True, errors=(409,),
        description="Contributors of the business's team, architects and admins."),
    "api.get_delivery": Operation("One delivery", "delivery", {200: "Delivery"}),
    "api.import_deliveries": Operation(
        "Import deliveries from CSV, all or nothing", "interop",
        {200: "CsvImportReport", 201: "CsvImportReport"}, query=query_parameters("dry_run"),
        body={"text/csv": {"type": "string"}, "multipart/form-data": _FILE_FORM}, write=True,
        description="201 when written, 200 for a dry run. Columns: business, title, "
                    "requested_on, delivered_on, capabilities (a;b), external_ref."),
    "api.export_deliveries": Operation(
        "Deliveries as CSV", "interop", {200: ("text/csv", {"type": "string"})},
        query=query_parameters("delivery_filters")),
    "api.import_backstage": Operation(
        "Import Backstage descriptors (catalog-info.yaml), all or nothing", "interop",
        {200: "BackstageImportReport", 201: "BackstageImportReport"},
        query=query_parameters("dry_run"),
        body={**{media: {"type": "string", "maxLength": MAX_TEXT_BYTES}
                 for media in BACKSTAGE_MEDIA_TYPES}, "multipart/form-data": _FILE_FORM},
        write=True,
        description=f"Architects and admins only. One self-contained multi-document YAML of at "
                    f"most {MAX_TEXT_BYTES:,} bytes, without aliases. dry_run=true returns the "
                    "plan (what would be created and updated) and writes nothing; 201 when "
                    "written; 422 with the whole report when any error stops the import."),
    "api.export_backstage": Operation(
        "The catalog as Backstage descriptors (catalog-info.yaml)", "interop",
        {200: ("application/yaml", {"type": "array", "items": ref("BackstageEntity"),
                                    "description": "A stream of YAML documents (---), one "
                                                   "entity each."})},
        description="Groups, Domains, Systems, Components, Resources and APIs that import "
                    "back unchanged."),
    "api.metrics_reuse": Operation(
        "Reuse rate, leaderboard and reuse per quarter", "metrics", {200: "ReuseMetrics"},
        query={"top": _int(REUSE_TOP, "Leaderboard length."),
               "quarters": _int(REUSE_QUARTERS, "Quarters of history."), **_AS_OF}),
    "api.metrics_reuse_matrix": Operation(
        "Business x capability reach matrix", "metrics", {200: "ReuseMatrix"},
        query={"top": _int(MATRIX_TOP, "Capabilities (by business reach).")}),
    "api.metrics_delivery": Operation(
        "Lead time per quarter, cohort and business", "metrics", {200: "DeliveryMetrics"},
        query=query_parameters("delivery_filters")),
    # -- governance boards (portal.governance_api) --
    "api.capability_scorecard": Operation(
        "A capability's scorecard: level, score and checks", "governance", {200: "Scorecard"}),
    "api.scorecards": Operation(
        "Capabilities per scorecard level, per owner team", "governance",
        {200: "TeamScorecardsPage"}, query=query_parameters("paging")),
    "api.duplicates": Operation(
        "Capabilities that may be duplicate builds, most alike first", "governance",
        {200: "DuplicatePage"}, query={**query_parameters("paging"), "dismissed": {
            **query_parameters("dry_run")["dry_run"],
            "description": "true: the pairs marked not duplicates (with who and why)."}},
        description="Pairs of different owner teams or domains with similar names, summaries, "
                    "tags or API operations, scored 0-100 with the reasons; pairs where one "
                    "depends on the other are reuse and left out. Kept per catalog revision."),
    "api.dismiss": Operation(
        "Mark two capabilities as not duplicates, with the reason", "governance",
        {201: "Dismissal"}, body=_json_body("DismissalCreate"), write=True, errors=(409,),
        description="Architects and admins; contributors of a team owning one of the two."),
    "api.readiness": Operation(
        "Tier-1 capabilities for a peak sale: SLA, owners, blast radius, risks", "governance",
        {200: "ReadinessPage"}, query={**query_parameters("paging"), "business": {
            "type": "string", "description": "Only the capabilities this business reaches."}},
        description="The biggest synchronous blast radius first; `businesses` counts, per "
                    "business, the tier-1 capabilities it reaches, those without an SLA and "
                    "those at risk (a deprecated dependency or a cycle)."),
    "api.graph_paths": Operation(
        "How one capability or business reaches another: every shortest path", "graph",
        {200: "Paths"}, query={
            "from": {"type": "string", "maxLength": 140,
                     "description": "A capability slug, a business slug, or capability:<slug> "
                                    "/ business:<slug> (required)."},
            "to": {"type": "string", "maxLength": 140, "description": "The same (required)."},
            "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20,
                      "description": "At most this many paths."}}),
    "api.graph_keystones": Operation(
        "Keystones: capabilities ranked by betweenness, articulation points flagged", "graph",
        {200: "KeystonePage"}, query=query_parameters("paging"),
        description="Betweenness is sampled from 100 sources with a fixed seed above 100 nodes "
                    "(the same ranking on every run) and kept per catalog revision."),
    "api.incubation_plan": Operation(
        "Incubate: what a new business picking these capabilities would use and expect",
        "incubation", {200: "Incubation"}, query=query_parameters("incubation"),
        description="Every capability the picks bring along (distance 1: picked), the teams "
                    "to talk to, what is not in production among them, suggestions from "
                    "businesses with similar adoptions, and the expected lead time from the "
                    "reuse cohort (`basis`)."),
    "api.list_incubation_plans": Operation(
        "List saved incubation plans", "incubation", {200: "IncubationPlanPage"},
        query=query_parameters("plans")),
    "api.create_incubation_plan": Operation(
        "Save an incubation plan", "incubation", {201: "IncubationPlan"},
        body=_json_body("IncubationPlanCreate"), write=True,
        description="Contributors (for their team), architects and admins."),
    "api.get_incubation_plan": Operation("One saved incubation plan", "incubation",
                                         {200: "IncubationPlan"}),
    "api.adopt_incubation_plan": Operation(
        "Turn a plan into an incubating business adopting its capabilities", "incubation",
        {201: "IncubatedBusiness"}, body=_json_body("IncubationPlanAdopt"), write=True,
        errors=(409,),
        description="All or nothing: the business (status incubating, the plan's team) and "
                    "one adoption per capability. Contributors of the plan's team, architects "
                    "and admins; 409 when the plan was adopted or the slug is taken."),
    "api.business_boundary": Operation(
        "Spin-off boundary of a business", "incubation", {200: "Boundary"},
        description="Everything it uses (with distance), the part only it uses, the part "
                    "shared with other businesses (also_used_by), what its team owns that "
                    "others use (consumers), and the teams involved."),
}

_CATALOG_WRITE = "Refused (405): the catalog API is read-only. Backstage: "


def _catalog(summary: str, responses: dict[int, Any], query: str = "", *,
             tag: str = "backstage", **extra: Any) -> Operation:
    return Operation(summary, tag, responses, query=query_parameters(query) if query else {},
                     backstage=True, **extra)


def _refused(what: str) -> Operation:
    return _catalog(_CATALOG_WRITE + what, {}, tag="backstage-writes", errors=(405,))


OPERATIONS.update({
    "backstage_api.query_entities": _catalog(
        "Entities by query: filter, full text, order, cursor paging", {200: "CatalogEntityPage"},
        "catalog_query", description="Backstage's semantics: repeated filter parameters are "
        "OR, comma-separated conditions inside one are AND, a condition is key=value or key "
        "(exists) on a dotted path (spec.type, metadata.annotations.<name>, "
        "relations.ownedBy), case ignored. Only the first orderField orders, and entities "
        "without it are left out. Follow pageInfo.nextCursor (send it with limit and fields "
        "only) until it is absent."),
    "backstage_api.list_entities": _catalog(
        "All entities, or a page by offset (the older list)",
        {200: (JSON, {"type": "array", "items": ref("CatalogEntity")})}, "catalog_list",
        description="Sorted by entity reference unless ordered. A page has a Link header "
                    "(rel=next) to the next one."),
    "backstage_api.entity_by_name": _catalog(
        "One entity by kind, namespace and name", {200: "CatalogEntity"}),
    "backstage_api.entity_by_uid": _catalog("One entity by uid", {200: "CatalogEntity"}),
    "backstage_api.entities_by_refs": _catalog(
        "Entities by references, in the order asked (null when unknown)", {200: "CatalogRefs"},
        "catalog_refs", body=_json_body("CatalogRefsRequest"), errors=(413,)),
    "backstage_api.entity_facets": _catalog(
        "Values of search keys (facets) with their entity counts", {200: "EntityFacets"},
        "catalog_facets"),
    "backstage_api.delete_entity": _refused("delete an entity."),
    "backstage_api.refresh_entity": _refused("refresh an entity."),
    "backstage_api.add_location": _refused("register a location."),
    "backstage_api.update_location": _refused("change a location."),
    "backstage_api.delete_location": _refused("remove a location."),
    "backstage_api.validate_entity": _refused("validate an entity."),
    "backstage_api.analyze_location": _refused("analyze a location."),
})

_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_IGNORED_METHODS = {"HEAD", "OPTIONS"}


def api_rules(app: Flask) -> list[tuple[str, str, str]]:
    """Return ``(method, OpenAPI path, endpoint)`` for every route under the API prefixes.

    A path is relative to its prefix (:func:`prefix_of` tells which).
    """
    found = []
    for rule in app.url_map.iter_rules():
        prefix = _prefix(rule.rule)
        if prefix is None:
            continue
        path = _ARGUMENT.sub(lambda m: "{" + m["name"] + "}", rule.rule[len(prefix):])
        for method in sorted((rule.methods or set()) - _IGNORED_METHODS):
            found.append((method, path, rule.endpoint))
    return sorted(found, key=lambda item: (item[1], item[0]))


def prefix_of(endpoint: str) -> str:
    """Return the URL prefix of an API endpoint: ``/api/v1``, or ``/api/catalog``."""
    return CATALOG_PREFIX if OPERATIONS[endpoint].backstage else API_PREFIX


def _prefix(rule: str) -> str | None:
    return next((prefix for prefix in PREFIXES if rule.startswith(prefix + "/")), None)


def document(app: Flask) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of the API routes of ``app``.

    Raises
    ------
    LookupError
        A route under the API prefix has no entry in :data:`OPERATIONS`.
    """
    cached = app.extensions.get("portal.openapi")
    if cached is not None:
        return cached
    paths: dict[str, dict[str, Any]] = {}
    converters = _converters(app)
    for method, path, endpoint in api_rules(app):
        if endpoint not in OPERATIONS:
            raise LookupError(f"{method} {API_PREFIX}{path} ({endpoint}) is not described in "
                              "portal.openapi.OPERATIONS")
        item = paths.setdefault(path, {})
        if prefix_of(endpoint) != API_PREFIX:
            item["servers"] = [{"url": prefix_of(endpoint)}]
        item[method.lower()] = _operation(endpoint, OPERATIONS[endpoint], path, converters)
    doc = {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION, "description": (
            "The capability portal's JSON API: the same services and rules as its pages. "
            "Reads are open unless the portal requires a login; writes need a personal API "
            "token with the write scope (create one on your account's token page) sent as "
            "`Authorization: Bearer <token>`, and follow the same role and team rules as the "
            "forms. Lists are `{items, total, next}`. Errors are JSON: 422 "
            "`{\"errors\": {field: [messages]}}`, else `{\"error\", \"status\"}`. "
            "Backstage's catalog API is served read-only under `/api/catalog` (the `backstage` "
            "operations), with Backstage's query semantics and error body.")},
        "servers": [{"url": API_PREFIX}],
        "tags": [{"name": name, "description": text} for name, text in TAGS.items()],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "A personal API token (cpt_...); scope read or write."}},
        },
    }
    app.extensions["portal.openapi"] = doc
    return doc


def _converters(app: Flask) -> dict[tuple[str, str], str]:
    """Return ``{(rule path, argument): converter name}`` for the API routes."""
    found = {}
    for rule in app.url_map.iter_rules():
        prefix = _prefix(rule.rule)
        if prefix is not None:
            path = _ARGUMENT.sub(lambda m: "{" + m["name"] + "}", rule.rule[len(prefix):])
            for match in _ARGUMENT.finditer(rule.rule):
                found[(path, match["name"])] = match["converter"] or "default"
    return found


def _operation(endpoint: str, op: Operation, path: str,
               converters: dict[tuple[str, str], str]) -> dict[str, Any]:
    parameters = []
    for name in re.findall(r"{(\w+)}", path):
        schema = ({"type": "integer", "minimum": 1, "maximum": ID_MAX}
                  if converters.get((path, name)) == "int" else {"type": "string"})
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    for name, schema in op.query.items():
        parameters.append({"name": name, "in": "query", "required": False, "schema": schema})
    for name, spec in op.headers.items():
        parameters.append({"name": name, "in": "header", "required": False, **spec})
    operation: dict[str, Any] = {
        "operationId": endpoint.split(".", 1)[1],
        "summary": op.summary,
        "tags": [op.tag],
        "security": [{"bearerAuth": []}] if op.write else [{}, {"bearerAuth": []}],
        "responses": _responses(op, path),
    }
    if op.description:
        operation["description"] = op.description
    if parameters:
        operation["parameters"] = parameters
    if op.body is not None:
        operation["requestBody"] = {"required": op.body_required, "content": {
            media: {"schema": schema} for media, schema in op.body.items()}}
    return operation


def _responses(op: Operation, path: str) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, schema in sorted(op.responses.items()):
        media, body = schema if isinstance(schema, tuple) else (JSON, ref(schema))
        response: dict[str, Any] = {"description": "OK" if status == 200 else "Created",
                                    "content": {media: {"schema": body}}}
        if body == ref("CapabilityDetail") or body == ref("Dependency"):
            response["headers"] = {"ETag": {
                "required": True, "schema": {"type": "string"},
                "description": "The capability's version, quoted; send it back as If-Match."}}
        responses[str(status)] = response
    errors = {400, 401, 503, *op.errors}
    if "{" in path:
        errors.add(404)
    if (op.query or op.write) and not op.backstage:
        errors.add(422)
    if op.write:
        errors |= {403, 413}
    if op.body is not None:
        errors.add(415)
    for status in sorted(errors):
        schema = ref("ValidationErrors") if status in (409, 422) else ref("Error")
        if op.backstage and status in (400, 404):  # the catalog API's own, or the house's
            schema = {"anyOf": [ref("BackstageError"), ref("Error")]}
        responses[str(status)] = {"description": ERROR_STATUSES[status],
                                  "content": {JSON: {"schema": schema}}}
    return responses


# -- the reference page ------------------------------------------------------------------


@bp.get("/api/docs")
def reference():
    """The API reference: the OpenAPI document as a page (offline, no script)."""
    doc = document(current_app)
    operations = []
    for path, item in doc["paths"].items():
        prefix = item.get("servers", [{"url": API_PREFIX}])[0]["url"]
        for method, op in item.items():
            if method != "servers":
                operations.append({"method": method.upper(), "path": prefix + path, **op})
    by_tag = {tag: [op for op in operations if op["tags"][0] == tag] for tag in TAGS}
    return render_template("api/reference.html", doc=doc, by_tag=by_tag, tags=TAGS,
                           schemas=doc["components"]["schemas"],
                           document_url=url_for("api.openapi_document"))
