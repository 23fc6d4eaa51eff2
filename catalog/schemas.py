"""JSON Schemas of what the JSON API takes and returns, built from the rules themselves.

The input of an entity whose fields are declared in :mod:`catalog.fields`
(a capability with its APIs and dependencies, a delivery, an adoption, a
dismissal; the slug, date and text types) is that model's own JSON Schema,
so the document states exactly the rule the services run. The other schemas read every limit, enumeration and pattern
from the module that enforces it (:mod:`catalog.validation`,
:mod:`catalog.browse`, the models), never retyped, so the OpenAPI document
(``portal/openapi.py``) cannot drift from the checks. The schemas describe
the canonical form of each field; the services also accept a few
convenient spellings (tags as comma-separated text, a tier as ``"2"``) and
always have the last word: a request the schema allows can still get a 422
(an unknown domain, a date in the future), never a 5xx.

:data:`SCHEMAS` maps a component name to its JSON Schema (draft 2020-12, the
dialect of OpenAPI 3.1); references between them are
``{"$ref": "#/components/schemas/<name>"}`` (:func:`ref`).

Examples
--------
>>> SCHEMAS["Slug"]["maxLength"] == fields.SLUG_MAX
True
>>> ref("Capability")
{'$ref': '#/components/schemas/Capability'}
"""

from typing import Any

from catalog import fields, validation
from catalog.adoptions import AdoptionFilters
from catalog.backstage import API_VERSIONS, query
from catalog.browse import COUNTED_FACETS, BrowseQuery
from catalog.changes import ChangeFilters
from catalog.deliveries import DeliveryFilters
from catalog.deprecation import NOTE_MAX
from catalog.incubation import PlanFilters
from catalog.models.capability import DEPENDENCY_KINDS, LAYERS
from catalog.models.governance import DECISIONS, MIGRATION_STATUSES
from catalog.models.history import KINDS, SOURCES
from catalog.paging import FLAG_SCHEMA
from catalog.reviews import COMMENT_MAX, REVIEW_STATUSES, ReviewFilters

__all__ = ["BACKSTAGE_MEDIA_TYPES", "SCHEMAS", "nullable", "query_parameters", "ref"]

Schema = dict[str, Any]

#: Media types ``POST /import/backstage`` reads as YAML text.
BACKSTAGE_MEDIA_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/plain")


def ref(name: str) -> Schema:
    """Return a reference to the component schema ``name``."""
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    """Return ``schema`` or null."""
    return {"anyOf": [schema, {"type": "null"}]}


def _text(limit: int, *, required: bool = False, multiline: bool = False) -> Schema:
    """The schema of a text field of :mod:`catalog.fields` (stripped, then checked)."""
    return fields.type_schema(fields.text("Text", limit, required=required, multiline=multiline))


def _array(items: Schema, limit: int | None = None) -> Schema:
    schema: Schema = {"type": "array", "items": items}
    if limit is not None:
        schema["maxItems"] = limit
    return schema


def _object(properties: dict[str, Schema], required: tuple[str, ...] = (),
            description: str = "") -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if description:
        schema["description"] = description
    return schema


SLUG: Schema = fields.type_schema(fields.Slug)
DATE: Schema = fields.type_schema(fields.date("Date", required=True))
CAPABILITY_CREATE, _CAPABILITY_PARTS = fields.json_schema(fields.CapabilityInput)
CAPABILITY_PATCH = _object(
    {**{name: schema for name, schema in CAPABILITY_CREATE["properties"].items()
        if name != "slug"},
     "version": {"type": "integer", "minimum": 1,
                 "description": "The version last read (the ETag); If-Match wins when both "
                                "are sent."}},
    description="The fields to change; a list given replaces the old one. The slug cannot "
                "change.")

API_OUT = _object({
    "name": {"type": "string"}, "kind": {"type": "string"},
    "version": {"type": "string"}, "status": {"type": "string"},
    "description": {"type": "string"}, "has_spec": {"type": "boolean"},
}, ("name", "kind", "version", "status"))

_CAPABILITY_PUBLIC = {
    "slug": {"type": "string"}, "name": {"type": "string"}, "summary": {"type": "string"},
    "domain": {"type": "string"}, "layer": {"enum": list(LAYERS)},
    "team": nullable({"type": "string"}), "lifecycle": {"type": "string"},
    "tier": {"type": "integer"}, "tags": _array({"type": "string"}),
    "version": {"type": "integer"},
}
CAPABILITY = _object({
    **_CAPABILITY_PUBLIC,
    "apis": _array({"type": "string"}),
    "direct_consumers": {"type": "integer", "minimum": 0},
}, (*tuple(_CAPABILITY_PUBLIC), "apis"), "A capability in a list.")
CAPABILITY_DETAIL = _object({
    **_CAPABILITY_PUBLIC,
    "apis": _array(ref("Api")),
    "description": {"type": "string"},
    "docs_url": {"type": "string"}, "repo_url": {"type": "string"},
    "sla_availability": nullable({"type": "number"}),
    "sla_p99_ms": nullable({"type": "integer"}),
    "created_at": {"type": "string"}, "updated_at": {"type": "string"},
    "launched_on": nullable(DATE), "deprecated_on": nullable(DATE),
    "sunset_on": nullable(DATE), "replacement": nullable({"type": "string"}),
    "lifecycle_moves": _array(_object({
        "from": nullable({"type": "string"}), "to": {"type": "string"},
        "at": {"type": "string"}, "actor": nullable({"type": "string"}),
        "source": {"type": "string"}}, ("from", "to", "at"))),
    "dependencies": _array(_object({
        "provider": {"type": "string"}, "kind": {"type": "string"},
        "api": nullable({"type": "string"})}, ("provider", "kind", "api"))),
    "consumers": _object({"capabilities": _array({"type": "string"}),
                          "businesses": _array({"type": "string"})},
                         ("capabilities", "businesses")),
    "business_reach": {"type": "integer", "minimum": 0,
                       "description": "Distinct businesses that reach it through any chain of "
                                      "dependencies (its direct consumers are `consumers`)."},
}, (*tuple(_CAPABILITY_PUBLIC), "apis", "dependencies", "consumers", "business_reach"),
    "One capability with everything its page shows; the ETag header carries its version.")


def page_of(item: str) -> Schema:
    """Return the schema of a list page of ``item``: items, total and the next page's URL."""
    return _object({
        "items": _array(ref(item)),
        "total": {"type": "integer", "minimum": 0},
        "next": nullable({"type": "string", "format": "uri"}),
    }, ("items", "total", "next"))


REACH = _object({
    "slug": {"type": "string"},
    "direction": {"enum": ["up", "down"]},
    "depth": nullable({"type": "integer"}),
    "links": _array({"type": "string"}),
    "capabilities": _array(_object({
        "slug": {"type": "string"}, "name": {"type": "string"},
        "distance": {"type": "integer", "minimum": 1}, "tier": {"type": "integer"},
        "team": nullable({"type": "string"}), "sync": {"type": "boolean"}},
        ("slug", "name", "distance", "tier", "team", "sync"))),
    "businesses": _array(_object({
        "slug": {"type": "string"}, "name": {"type": "string"},
        "distance": {"type": "integer", "minimum": 1}, "sync": {"type": "boolean"}},
        ("slug", "name", "distance", "sync"))),
}, ("slug", "capabilities", "businesses"),
    "Capabilities and businesses reached, each with its shortest distance (1 = direct) and "
    "sync: true when a chain of synchronous links (sync dependencies, adoptions) joins it "
    "to the capability, so that it goes down with it; false when every chain passes an "
    "async or data link.")

_DEPENDENCY_ROW = _CAPABILITY_PARTS["DependencyInput"]["properties"]
DEPENDENCY_CREATE = _object({
    "consumer": {**SLUG, "description": "The capability that depends (you must be allowed to "
                                        "edit it)."},
    "provider": {**SLUG, "description": "The capability depended on."},
    "kind": _DEPENDENCY_ROW["kind"],
    "api": {**_DEPENDENCY_ROW["api"], "description": "Name of the provider's API used."},
}, ("consumer", "provider"), "One dependency, checked as the edit form checks it.")
DEPENDENCY = _object({
    "consumer": {"type": "string"}, "provider": {"type": "string"},
    "kind": {"enum": list(DEPENDENCY_KINDS)}, "api": nullable({"type": "string"}),
    "since": DATE, "consumer_version": {"type": "integer"},
}, ("consumer", "provider", "kind", "api", "since", "consumer_version"))

ADOPTION_CREATE = fields.json_schema(fields.AdoptionInput)[0]
ADOPTION_END = _object({"until": nullable({**DATE, "description": "Default today."})})
ADOPTION = _object({
    "id": {"type": "integer"}, "business": {"type": "string"},
    "business_name": {"type": "string"}, "capability": {"type": "string"},
    "capability_name": {"type": "string"}, "api": nullable({"type": "string"}),
    "since": DATE, "until": nullable(DATE), "purpose": {"type": "string"},
    "active": {"type": "boolean"},
}, ("id", "business", "capability", "api", "since", "until", "purpose", "active"))

DELIVERY_CREATE = fields.json_schema(fields.DeliveryInput)[0]
DELIVERY = _object({
    "id": {"type": "integer"}, "business": {"type": "string"},
    "business_name": {"type": "string"}, "title": {"type": "string"},
    "requested_on": DATE, "delivered_on": nullable(DATE),
    "lead_time_days": nullable({"type": "integer"}), "open": {"type": "boolean"},
    "age_days": nullable({"type": "integer"}), "capabilities": _array({"type": "string"}),
    "source": {"type": "string"}, "external_ref": {"type": "string"},
}, ("id", "business", "title", "requested_on", "delivered_on", "lead_time_days",
    "capabilities", "source"))

_COUNTS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}
CSV_IMPORT_REPORT = _object({
    "ok": {"type": "boolean"}, "dry_run": {"type": "boolean"}, "written": {"type": "boolean"},
    "rows": {"type": "integer"}, "deliveries": {"type": "integer"}, "open": {"type": "integer"},
    "reused": {"type": "integer"}, "businesses": _COUNTS,
    "errors": _array({"type": "object"}), "preview": _array({"type": "object"}),
}, ("ok", "dry_run", "written", "deliveries", "errors"))

_PROBLEM = _object({
    "file": {"type": "string"}, "document": nullable({"type": "integer"}),
    "ref": {"type": "string"}, "field": {"type": "string"}, "message": {"type": "string"},
}, ("file", "document", "ref", "field", "message"))
BACKSTAGE_IMPORT_REPORT = _object({
    "source": {"type": "string"}, "ok": {"type": "boolean"},
    "dry_run": {"type": "boolean"}, "written": {"type": "boolean"},
    "read": _COUNTS, "unmapped": _COUNTS,
    "created": _COUNTS, "updated": _COUNTS, "unchanged": _COUNTS,
    "plan": {**_array(_object({
        "action": {"enum": ["create", "update"]}, "kind": {"type": "string"},
        "key": {"type": "string"}, "fields": _array({"type": "string"}),
    }, ("action", "kind", "key", "fields"))),
        "description": "Each row the import creates or updates (a dry run: would)."},
    "errors": _array(_PROBLEM), "warnings": _array(_PROBLEM),
    "files": {"type": "object", "description": "Per file read: its entities and problems.",
              "additionalProperties": _object({
                  "entities": {"type": "integer", "minimum": 0},
                  "errors": {"type": "integer", "minimum": 0},
                  "warnings": {"type": "integer", "minimum": 0}},
                  ("entities", "errors", "warnings"))},
}, ("source", "ok", "dry_run", "written", "created", "updated", "unchanged", "plan",
    "errors", "warnings"))

BACKSTAGE_ENTITY = _object({
    "apiVersion": {"type": "string", "description": f"{API_VERSIONS[0]} for the portal's "
                                                   "rows; as read for kept descriptors."},
    "kind": {"type": "string", "description": "Group, Domain, System, Component, Resource "
                                              "and API for the portal's rows; any kind an "
                                              "import kept (User, Location, ...)."},
    "metadata": _object({
        "name": {"type": "string", "pattern": r"^[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*$",
                 "maxLength": 63},
        "namespace": {"type": "string"},
        "title": {"type": "string"}, "description": {"type": "string"},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
    }, ("name",)),
    "spec": {"type": "object"},
}, ("apiVersion", "kind", "metadata", "spec"),
    "One document of an export: a Backstage entity. A YAML stream of them reads as a list.")

# -- Backstage's catalog API (/api/catalog) ---------------------------------------------------

CATALOG_ENTITY = _object({
    "apiVersion": {"type": "string"}, "kind": {"type": "string"},
    "metadata": _object({
        "name": {"type": "string"}, "namespace": {"type": "string"},
        "uid": {"type": "string", "description": "Stable: derived from the entity reference."},
        "etag": {"type": "string", "description": "Changes whenever the entity does."},
    }),
    "spec": {"type": "object"},
    "relations": _array(_object({"type": {"type": "string"}, "targetRef": {"type": "string"}},
                                ("type", "targetRef"))),
}, description="An entity as Backstage's catalog serves it: the export's descriptor plus "
               "metadata.namespace, uid, etag and relations. With `fields`, only those parts.")
CATALOG_ENTITY_PAGE = _object({
    "items": _array(ref("CatalogEntity")),
    "totalItems": {"type": "integer", "minimum": 0},
    "pageInfo": _object({"nextCursor": {"type": "string"}, "prevCursor": {"type": "string"}}),
}, ("items", "totalItems", "pageInfo"))
CATALOG_REFS_REQUEST = _object({
    "entityRefs": _array({"type": "string"}, query.MAX_REFS),
    "fields": _array({"type": "string"}, query.MAX_FIELDS),
}, ("entityRefs",))
CATALOG_REFS = _object({"items": _array(nullable(ref("CatalogEntity")))}, ("items",),
                       "The entities asked for, in the order asked; null for each not found.")
ENTITY_FACETS = _object({"facets": {"type": "object", "additionalProperties": _array(_object(
    {"value": {"type": "string"}, "count": {"type": "integer", "minimum": 1}},
    ("value", "count")))}}, ("facets",))
BACKSTAGE_ERROR = _object({
    "error": _object({"name": {"type": "string"}, "message": {"type": "string"}},
                     ("name", "message")),
    "request": _object({"method": {"type": "string"}, "url": {"type": "string"}}),
    "response": _object({"statusCode": {"type": "integer"}}, ("statusCode",)),
}, ("error", "response"), "Backstage's error body: a bad parameter (InputError) or an unknown "
                          "entity (NotFoundError).")

GRAPH = _object({
    "directed": {"const": True}, "multigraph": {"const": False},
    "graph": {"type": "object"},
    "nodes": _array(_object({
        "id": {"type": "string", "pattern": "^(capability|business):"},
        "kind": {"enum": ["capability", "business"]}}, ("id", "kind"))),
    "edges": _array(_object({
        "source": {"type": "string"}, "target": {"type": "string"},
        "link": {"enum": ["dependency", "adoption"]}, "kind": {"type": "string"}},
        ("source", "target", "link"))),
}, ("directed", "multigraph", "nodes", "edges"),
    "networkx node-link data; edges run consumer -> provider.")
CYCLES = _object({
    "cycles": _array(_array({"type": "string"})),
    "components": _array(_array({"type": "string"})),
    "truncated": {"type": "boolean"},
}, ("cycles", "components"))

_SLUGS = _array({"type": "string"})
_MOVE = _object({"slug": {"type": "string"}, "before": nullable({"type": "string"}),
                 "after": nullable({"type": "string"})}, ("slug", "before", "after"))
_LINK = _object({"consumer": {"type": "string"}, "provider": {"type": "string"},
                 "kind": {"type": "string"}}, ("consumer", "provider"))
GRAPH_DIFF = _object({
    "from": {"type": "string"}, "to": {"type": "string"},
    "capabilities_added": _SLUGS, "capabilities_retired": _SLUGS,
    "dependencies_added": _array(_LINK), "dependencies_removed": _array(_LINK),
    "owner_changes": _array(_MOVE), "lifecycle_changes": _array(_MOVE),
    "cycles_appeared": _array(_SLUGS), "cycles_gone": _array(_SLUGS),
    "layering_breaks_appeared": _array(_LINK), "layering_breaks_gone": _array(_LINK),
}, ("from", "to", "capabilities_added", "capabilities_retired", "dependencies_added",
    "dependencies_removed", "owner_changes", "lifecycle_changes", "cycles_appeared",
    "cycles_gone", "layering_breaks_appeared", "layering_breaks_gone"),
    "What changed in the graph between two moments.")
CHANGE = _object({
    "id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"},
    "actor": nullable({"type": "string"}), "token": nullable({"type": "string"}),
    "source": {"enum": list(SOURCES)},
    "entity": _object({"kind": {"enum": list(KINDS)}, "slug": {"type": "string"}},
                      ("kind", "slug")),
    "action": {"type": "string"},
    "changes": {"type": "object", "additionalProperties": {
        "type": "array", "minItems": 2, "maxItems": 2}},
    "note": {"type": "string"},
}, ("id", "at", "actor", "source", "entity", "action", "changes"),
    "One change: when, who, from where, which entity, and {field: [before, after]}.")
_FACET_ROWS = _array(_object({"value": {"type": "string"}, "label": {"type": "string"},
                              "count": {"type": "integer", "minimum": 0}},
                             ("value", "label", "count")))
FACET_COUNTS = _object({
    "total": {"type": "integer", "minimum": 0},
    "facets": _object(dict.fromkeys(COUNTED_FACETS, _FACET_ROWS), ()),
}, ("total", "facets"), "Capabilities matching the filters, and per facet value how many "
                        "match the other filters.")

_RATE = {"type": "number", "minimum": 0, "maximum": 1}
_DAYS = nullable({"type": "number"})
REUSE_METRICS = _object({
    "reuse_rate": nullable(_RATE),
    "items": _array(_object({
        "slug": {"type": "string"}, "direct_consumers": {"type": "integer", "minimum": 0},
        "business_reach": {"type": "integer", "minimum": 0}},
        ("slug", "direct_consumers", "business_reach"))),
    "over_time": _array(_object({"quarter": {"type": "string"},
                                 "reuse_rate": nullable(_RATE)}, ("quarter",))),
}, ("reuse_rate", "items", "over_time"))
REUSE_MATRIX = _object({
    "businesses": _array(_object({"slug": {"type": "string"}}, ("slug",))),
    "capabilities": _array(_object({"slug": {"type": "string"}}, ("slug",))),
    "cells": _array(_object({"business": {"type": "string"}, "capability": {"type": "string"},
                             "distance": {"type": "integer", "minimum": 1}},
                            ("business", "capability", "distance"))),
}, ("businesses", "capabilities", "cells"))
DELIVERY_METRICS = _object({
    "quarters": _array(_object({
        "quarter": {"type": "string", "pattern": r"^\d{4}Q[1-4]$"},
        "count": {"type": "integer", "minimum": 0},
        "median_days": _DAYS, "p85_days": _DAYS}, ("quarter", "count", "median_days",
                                                    "p85_days"))),
    "cohorts": _array(_object({"cohort": {"type": "string"},
                               "count": {"type": "integer", "minimum": 0},
                               "median_days": _DAYS, "p85_days": _DAYS}, ("cohort", "count"))),
}, ("quarters", "cohorts"))

REVIEW_CREATE = _object({
    "decision": {"enum": list(DECISIONS),
                 "description": "approve moves a proposed capability to approved."},
    "comment": {**_text(COMMENT_MAX, multiline=True),
                "description": "Required for reject and changes: what to change."},
}, ("decision",), "A review decision on a proposed capability (architects and admins).")
_LAST_DECISION = _object({"decision": {"enum": list(DECISIONS)}, "comment": {"type": "string"},
                          "reviewer": nullable({"type": "string"}),
                          "decided_at": {"type": "string"}}, ("decision",))
REVIEW = _object({
    "status": {"enum": list(REVIEW_STATUSES)},
    "id": {"type": "integer"}, "capability": {"type": "string"},
    "capability_name": {"type": "string"}, "team": nullable({"type": "string"}),
    "decision": {"enum": list(DECISIONS)}, "comment": {"type": "string"},
    "reviewer": nullable({"type": "string"}), "decided_at": {"type": "string"},
    "waiting_since": {"type": "string"}, "capability_version": {"type": "integer"},
    "last_decision": nullable(_LAST_DECISION),
}, ("status", "capability", "capability_version"),
    "A capability waiting for review (status pending), or a decision taken (status decided).")

MIGRATION_UPDATE = _object({
    "status": {"enum": list(MIGRATION_STATUSES)},
    "note": _text(NOTE_MAX),
}, ("status",), "How far a consumer team is in moving off a deprecated capability.")
MIGRATION = _object({
    "capability": {"type": "string"}, "team": {"type": "string"},
    "status": {"enum": list(MIGRATION_STATUSES)}, "note": {"type": "string"},
    "updated_by": nullable({"type": "string"}),
}, ("capability", "team", "status", "note"))
_NAMED = _object({"slug": {"type": "string"}, "name": {"type": "string"},
                  "lifecycle": {"type": "string"}}, ("slug", "name"))
DEPRECATION_PLAN = _object({
    "slug": {"type": "string"}, "name": {"type": "string"}, "lifecycle": {"type": "string"},
    "deprecated_on": nullable(DATE), "sunset_on": nullable(DATE),
    "days_left": nullable({"type": "integer"}),
    "replacement": nullable(_NAMED),
    "alternatives": _array(_object({
        "slug": {"type": "string"}, "name": {"type": "string"},
        "team": nullable({"type": "string"}), "lifecycle": {"type": "string"},
        "score": {"type": "integer"}, "why": {"type": "string"}},
        ("slug", "name", "score", "why"))),
    "migrations": _array(_object({
        "team": {"type": "string"}, "team_name": {"type": "string"},
        "capabilities": _array({"type": "string"}), "businesses": _array({"type": "string"}),
        "status": {"enum": list(MIGRATION_STATUSES)}, "note": {"type": "string"},
        "updated_by": nullable({"type": "string"}), "updated_at": nullable({"type": "string"})},
        ("team", "capabilities", "businesses", "status"))),
    "migration_counts": {"type": "object", "additionalProperties": {"type": "integer"}},
    "consumers": _object({
        "capabilities": _array(_object({
            "slug": {"type": "string"}, "name": {"type": "string"},
            "distance": {"type": "integer", "minimum": 1}, "team": nullable({"type": "string"}),
            "team_name": nullable({"type": "string"}), "tier": nullable({"type": "integer"})},
            ("slug", "name", "distance", "team"))),
        "businesses": _array(_object({
            "slug": {"type": "string"}, "name": {"type": "string"},
            "distance": {"type": "integer", "minimum": 1}}, ("slug", "name", "distance"))),
        "total_capabilities": {"type": "integer"}, "total_businesses": {"type": "integer"},
        "direct": {"type": "integer"}},
        ("capabilities", "businesses", "total_capabilities", "total_businesses")),
}, ("slug", "lifecycle", "sunset_on", "days_left", "replacement", "alternatives", "migrations",
    "consumers"),
    "What deprecating a capability involves: the countdown to its sunset, where to move, "
    "who is hit (directly or not, with distances) and each consumer team's migration.")
_TEAM_SLUG = nullable({"type": "string"})
_ROW = {"slug": {"type": "string"}, "name": {"type": "string"}, "team": _TEAM_SLUG,
        "team_name": nullable({"type": "string"}), "tier": nullable({"type": "integer"}),
        "lifecycle": nullable({"type": "string"}), "layer": nullable({"type": "string"}),
        "domain": nullable({"type": "string"})}
_ROW_REQUIRED = ("slug", "name", "team", "tier", "lifecycle")
_DISTANCE = {"type": "integer", "minimum": 1}
_CONTACTS = _array(_object({"slug": {"type": "string"}, "name": {"type": "string"},
                            "contact": {"type": "string"}}, ("slug", "name", "contact")))
INCUBATION = _object({
    "picks": _array(SLUG),
    "missing": {**_array({"type": "string"}),
                "description": "Picks of a saved plan no longer in the catalog."},
    "capabilities": _array(_object({
        **_ROW, "distance": _DISTANCE, "picked": {"type": "boolean"},
        "businesses": nullable({"type": "integer", "minimum": 0}),
        "maturity": _object({"level": {"enum": ["none", "bronze", "silver", "gold"]},
                             "source": {"type": "string"}, "checks": {"type": "object"}},
                            ("level", "source", "checks")),
        "apis": _array({"type": "object"}), "docs_url": nullable({"type": "string"}),
        "sla_availability": nullable({"type": "number"}),
        "sla_p99_ms": nullable({"type": "integer"}), "contact": nullable({"type": "string"})},
        (*_ROW_REQUIRED, "distance", "picked"),
        "A capability the new business would use: picked (distance 1, with what adopting it "
        "takes: maturity, APIs, SLA, docs, contact) or brought along by the picks.")),
    "teams": _CONTACTS,
    "deprecated": _array(_object({**_ROW, "distance": _DISTANCE,
                                  "replacement": nullable(SLUG),
                                  "alternatives": _array({"type": "string"})},
                                 (*_ROW_REQUIRED, "distance", "replacement", "alternatives"),
                                 "Proposed, approved, deprecated or retired: not (or no longer) "
                                 "in production; alternatives are its named replacement (first) "
                                 "and production capabilities of its domain.")),
    "needs": _array({"type": "string"}),
    "suggestions": _array(_object({**_ROW, "score": {"type": "number"},
                                   "adopted_by": _array({"type": "string"})},
                                  (*_ROW_REQUIRED, "score", "adopted_by"))),
    "expected_lead_time_days": nullable({"type": "number"}),
    "basis": _object({
        "reused": {"type": "integer", "minimum": 0},
        "cohort": _object({"adoptions_min": nullable({"type": "integer"}),
                           "adoptions_max": nullable({"type": "integer"}),
                           "businesses": _array({"type": "string"})},
                          ("adoptions_min", "adoptions_max", "businesses")),
        "deliveries": {"type": "integer", "minimum": 0},
        "median_days": nullable({"type": "number"}), "p85_days": nullable({"type": "number"}),
    }, ("reused", "cohort", "deliveries", "median_days", "p85_days"),
        "The reuse cohort behind the estimate: businesses adopting about as many "
        "capabilities, and their delivered deliveries' lead time."),
}, ("capabilities", "teams", "deprecated", "expected_lead_time_days", "basis"))
INCUBATION_PLAN_CREATE = _object({
    "name": _text(fields.NAME_MAX, required=True),
    "purpose": _text(fields.PURPOSE_MAX, multiline=True),
    "capabilities": {**_array(SLUG, validation.PICKS_MAX),
                     "description": "Slugs of the picked capabilities (or one text a,b,c)."},
    "needs": _array(_text(validation.NEED_MAX), validation.NEEDS_MAX),
    "team": {**SLUG, "description": "Architects and admins: the team it belongs to (default "
                                    "yours)."},
}, ("name",))
INCUBATION_PLAN = _object({
    "id": {"type": "integer"}, "name": {"type": "string"}, "purpose": {"type": "string"},
    "capabilities": _array({"type": "string"}), "needs": _array({"type": "string"}),
    "team": nullable({"type": "string"}), "business": nullable({"type": "string"}),
    "created_by": nullable({"type": "string"}), "created_at": {"type": "string"},
    "adopted_at": nullable({"type": "string"}),
}, ("id", "name", "purpose", "capabilities", "needs", "team", "business", "created_at"))
INCUBATION_PLAN_ADOPT = _object({
    "slug": SLUG, "name": _text(fields.NAME_MAX),
    "description": _text(fields.DESCRIPTION_MAX, multiline=True),
}, ("slug",))
INCUBATED_BUSINESS = _object({
    "slug": {"type": "string"}, "name": {"type": "string"}, "status": {"type": "string"},
    "team": nullable({"type": "string"}), "plan": {"type": "integer"},
    "adoptions": _array({"type": "string"}),
}, ("slug", "name", "status", "team", "plan", "adoptions"))
_USE = _object({**_ROW, "distance": _DISTANCE, "exclusive": {"type": "boolean"}},
               (*_ROW_REQUIRED, "distance", "exclusive"))
BOUNDARY = _object({
    "business": {"type": "string"}, "name": {"type": "string"}, "status": {"type": "string"},
    "team": nullable({"type": "string"}),
    "uses": _array(_USE), "exclusive": _array(_USE),
    "shared": _array(_object({**_ROW, "distance": _DISTANCE, "exclusive": {"type": "boolean"},
                              "also_used_by": _array({"type": "string"})},
                             (*_ROW_REQUIRED, "distance", "also_used_by"))),
    "provides_to_others": _array(_object({**_ROW, "used": {"type": "boolean"},
                                          "consumers": _array({"type": "string"})},
                                         (*_ROW_REQUIRED, "consumers", "used"))),
    "teams": _array(_object({"slug": {"type": "string"}, "name": {"type": "string"},
                             "contact": {"type": "string"}, "exclusive": {"type": "integer"},
                             "shared": {"type": "integer"}, "provides": {"type": "integer"}},
                            ("slug", "name", "contact", "exclusive", "shared", "provides"))),
}, ("business", "uses", "exclusive", "shared", "provides_to_others", "teams"))

ERROR = _object({"error": {"type": "string"}, "status": {"type": "integer"}},
                ("error", "status"), "Any error but invalid fields.")
VALIDATION_ERRORS = _object({
    "errors": {"type": "object", "minProperties": 1,
               "additionalProperties": _array({"type": "string"})},
    "message": {"type": "string"},
    "report": {"type": "object", "description": "An import's whole report, when one failed."},
}, ("errors",), "Invalid fields (422) or a duplicate (409): {field: [messages]}.")

_LEVEL = {"enum": ["none", "bronze", "silver", "gold"]}
SCORECARD = _object({
    "level": _LEVEL,
    "score": {"type": "integer", "minimum": 0, "maximum": 100},
    "checks": _array(_object({
        "id": {"type": "string"}, "title": {"type": "string"}, "passed": {"type": "boolean"},
        "why": {"type": "string"}, "level": _LEVEL}, ("id", "title", "passed", "why"))),
}, ("level", "score", "checks"), "A capability's scorecard: its level, the share of rules "
                                 "passed (percent) and every check.")
_COUNT = {"type": "integer", "minimum": 0}
TEAM_SCORECARDS = _object({
    "team": nullable({"type": "string"}), "name": {"type": "string"},
    "none": _COUNT, "bronze": _COUNT, "silver": _COUNT, "gold": _COUNT, "total": _COUNT,
}, ("team", "none", "bronze", "silver", "gold", "total"),
    "An owner team's capabilities per scorecard level (team null: no owner team).")

_SIDE = _object({
    "slug": {"type": "string"}, "name": {"type": "string"}, "team": nullable({"type": "string"}),
    "team_name": nullable({"type": "string"}), "domain": nullable({"type": "string"}),
    "domain_name": nullable({"type": "string"}), "lifecycle": nullable({"type": "string"}),
    "used_by": _object({"businesses": _array({"type": "string"}), "capabilities": _COUNT},
                       ("businesses", "capabilities")),
}, ("slug", "name", "team", "used_by"))
DUPLICATE_PAIR = _object({
    "a": _SIDE, "b": _SIDE, "score": {"type": "integer", "minimum": 0, "maximum": 100},
    "reasons": _array({"type": "string"}),
    "dismissal": nullable(_object({"reason": {"type": "string"},
                                   "actor": nullable({"type": "string"}),
                                   "at": {"type": "string", "format": "date-time"}},
                                  ("reason", "actor", "at"))),
}, ("a", "b", "score", "reasons", "dismissal"),
    "Two capabilities of different teams or domains that look alike, and why.")
DISMISSAL_CREATE = fields.json_schema(fields.DismissalInput)[0]
DISMISSAL = _object({
    "capabilities": _array({"type": "string"}), "reason": {"type": "string"},
    "actor": nullable({"type": "string"}), "at": {"type": "string", "format": "date-time"},
}, ("capabilities", "reason", "actor", "at"))

READINESS_ROW = _object({
    "slug": {"type": "string"}, "name": {"type": "string"}, "team": nullable({"type": "string"}),
    "team_name": nullable({"type": "string"}), "team_contact": nullable({"type": "string"}),
    "lifecycle": {"type": "string"},
    "sla": _object({"availability": nullable({"type": "number"}),
                    "p99_ms": nullable({"type": "integer"})}, ("availability", "p99_ms")),
    "blast": _object({"sync": _COUNT, "async": _COUNT, "all": _COUNT}, ("sync", "async", "all")),
    "deprecated_dependencies": _array({"type": "string"}), "cycle": _array({"type": "string"}),
    "businesses": _array({"type": "string"}),
}, ("slug", "name", "team", "sla", "blast", "deprecated_dependencies", "cycle", "businesses"),
    "A tier-1 capability and what a peak sale needs of it: blast radius through synchronous "
    "links (goes down with it) apart from async or data links (degrades or lags).")
READINESS_PAGE = _object({
    **page_of("ReadinessRow")["properties"],
    "businesses": _array(_object({"slug": {"type": "string"}, "name": nullable({"type": "string"}),
                                  "tier1": _COUNT, "without_sla": _COUNT, "at_risk": _COUNT},
                                 ("slug", "tier1", "without_sla", "at_risk"))),
}, ("items", "total", "next", "businesses"))

PATHS = _object({
    "from": {"type": "string"}, "to": {"type": "string"},
    "paths": _array(_array({"type": "string"})), "hops": nullable({"type": "integer"}),
    "reversed": {"type": "boolean"}, "truncated": {"type": "boolean"},
    "names": {"type": "object", "additionalProperties": {"type": "string"}},
}, ("from", "to", "paths", "hops", "reversed", "truncated", "names"),
    "Every shortest path between two nodes (ids capability:<slug> or business:<slug>), "
    "consumer first; reversed: from does not reach to, but to reaches from.")
KEYSTONE = _object({
    "slug": {"type": "string"}, "name": {"type": "string"}, "team": nullable({"type": "string"}),
    "team_name": nullable({"type": "string"}), "tier": nullable({"type": "integer"}),
    "betweenness": {"type": "number", "minimum": 0}, "articulation": {"type": "boolean"},
    "dependents": _COUNT,
}, ("slug", "name", "betweenness", "articulation", "dependents"))

SCHEMAS: dict[str, Schema] = {
    "Slug": SLUG,
    **_CAPABILITY_PARTS,
    "CapabilityCreate": CAPABILITY_CREATE,
    "CapabilityPatch": CAPABILITY_PATCH,
    "Api": API_OUT,
    "Capability": CAPABILITY,
    "CapabilityDetail": CAPABILITY_DETAIL,
    "CapabilityPage": page_of("Capability"),
    "Reach": REACH,
    "DependencyCreate": DEPENDENCY_CREATE,
    "Dependency": DEPENDENCY,
    "AdoptionCreate": ADOPTION_CREATE,
    "AdoptionEnd": ADOPTION_END,
    "Adoption": ADOPTION,
    "AdoptionPage": page_of("Adoption"),
    "DeliveryCreate": DELIVERY_CREATE,
    "Delivery": DELIVERY,
    "DeliveryPage": page_of("Delivery"),
    "CsvImportReport": CSV_IMPORT_REPORT,
    "BackstageImportReport": BACKSTAGE_IMPORT_REPORT,
    "BackstageEntity": BACKSTAGE_ENTITY,
    "CatalogEntity": CATALOG_ENTITY,
    "CatalogEntityPage": CATALOG_ENTITY_PAGE,
    "CatalogRefsRequest": CATALOG_REFS_REQUEST,
    "CatalogRefs": CATALOG_REFS,
    "EntityFacets": ENTITY_FACETS,
    "BackstageError": BACKSTAGE_ERROR,
    "Graph": GRAPH,
    "Cycles": CYCLES,
    "GraphDiff": GRAPH_DIFF,
    "Change": CHANGE,
    "ChangePage": page_of("Change"),
    "FacetCounts": FACET_COUNTS,
    "ReuseMetrics": REUSE_METRICS,
    "ReuseMatrix": REUSE_MATRIX,
    "DeliveryMetrics": DELIVERY_METRICS,
    "ReviewCreate": REVIEW_CREATE,
    "Review": REVIEW,
    "ReviewPage": page_of("Review"),
    "MigrationUpdate": MIGRATION_UPDATE,
    "Migration": MIGRATION,
    "DeprecationPlan": DEPRECATION_PLAN,
    "Incubation": INCUBATION,
    "IncubationPlanCreate": INCUBATION_PLAN_CREATE,
    "IncubationPlan": INCUBATION_PLAN,
    "IncubationPlanPage": page_of("IncubationPlan"),
    "IncubationPlanAdopt": INCUBATION_PLAN_ADOPT,
    "IncubatedBusiness": INCUBATED_BUSINESS,
    "Boundary": BOUNDARY,
    "Error": ERROR,
    "ValidationErrors": VALIDATION_ERRORS,
    "Scorecard": SCORECARD,
    "TeamScorecards": TEAM_SCORECARDS,
    "TeamScorecardsPage": page_of("TeamScorecards"),
    "DuplicatePair": DUPLICATE_PAIR,
    "DuplicatePage": page_of("DuplicatePair"),
    "DismissalCreate": DISMISSAL_CREATE,
    "Dismissal": DISMISSAL,
    "ReadinessRow": READINESS_ROW,
    "ReadinessPage": READINESS_PAGE,
    "Paths": PATHS,
    "Keystone": KEYSTONE,
    "KeystonePage": page_of("Keystone"),
}


# -- query parameters ------------------------------------------------------------------

_PAGE = {"type": "integer", "minimum": 1, "maximum": validation.PAGE_MAX}


def _per_page(default: int) -> Schema:
    return {"type": "integer", "minimum": 1, "maximum": validation.PER_PAGE_MAX,
            "default": default}


_STRINGS = {"type": "array", "items": {"type": "string"}}
_FILTER = {**_STRINGS, "maxItems": query.MAX_FILTER_SETS,
           "description": "kind=component,spec.type (AND); repeat for OR."}
_FIELDS = {**_STRINGS, "description": "Parts to keep, e.g. metadata.name,spec."}


def _catalog_parameters() -> dict[str, Any]:
    """The parameter sets of Backstage's catalog API (``catalog_*``)."""
    count = {"type": "integer", "minimum": 0}
    return {
        "catalog_query": lambda: {
            "filter": _FILTER, "fields": _FIELDS,
            "orderField": {**_STRINGS, "description": "metadata.name,asc (or desc)."},
            "fullTextFilterTerm": {"type": "string"},
            "fullTextFilterFields": {"type": "string",
                                     "description": "Fields searched, e.g. metadata.name."},
            "limit": {**count, "default": query.DEFAULT_LIMIT}, "offset": count,
            "totalItems": {"enum": list(query.TOTAL_ITEMS_MODES)},
            "cursor": {"type": "string", "maxLength": query.MAX_CURSOR_LENGTH,
                       "description": "pageInfo.nextCursor or prevCursor."}},
        "catalog_list": lambda: {
            "filter": _FILTER, "fields": _FIELDS,
            "order": {**_STRINGS, "description": "asc:metadata.name (or desc:)."},
            "offset": count, "limit": {"type": "integer", "minimum": 1},
            "after": {"type": "string", "description": "From the Link header of a page."}},
        "catalog_facets": lambda: {
            "facet": {**_STRINGS, "minItems": 1, "description": "A key, e.g. spec.owner."},
            "filter": _FILTER},
        "catalog_refs": lambda: {"filter": _FILTER, "fields": _FIELDS},
    }


def query_parameters(name: str) -> dict[str, Schema]:
    """Return ``{parameter: schema}`` of a named parameter set.

    ``browse`` (``GET /capabilities``), ``adoptions``, ``deliveries`` (lists),
    ``delivery_filters`` (export and metrics), ``dry_run``.

    >>> query_parameters("browse")["sort"]["enum"][0]
    'relevance'
    """
    paging = {"page": _PAGE, "per_page": _per_page(validation.PER_PAGE_DEFAULT)}
    sets = {
        "browse": lambda: {**BrowseQuery.parameters(), **paging},
        "facets": lambda: {**{k: v for k, v in BrowseQuery.parameters().items() if k != "sort"},
                           "facet": {"type": "array", "items": {"enum": list(COUNTED_FACETS)},
                                     "description": "The facets to count (repeated); "
                                                    "default all."}},
        "adoptions": lambda: {**AdoptionFilters.parameters(), **paging},
        "deliveries": lambda: {**DeliveryFilters.parameters(), **paging},
        "delivery_filters": DeliveryFilters.parameters,
        "dry_run": lambda: {"dry_run": {
            **FLAG_SCHEMA, "description": "Check and report the plan; write nothing."}},
        "changes": lambda: {**ChangeFilters.parameters(), **paging},
        "reviews": lambda: {**ReviewFilters.parameters(), **paging},
        "paging": lambda: paging,
        "incubation": lambda: {"capabilities": {
            "type": "string", "maxLength": validation.PICKS_MAX * (fields.SLUG_MAX + 1),
            "description": f"Picked capability slugs separated by commas (at most "
                           f"{validation.PICKS_MAX}): unknown or retired ones are a 422 "
                           "naming them."}},
        "plans": lambda: {**PlanFilters.parameters(), **paging},
        **_catalog_parameters(),
    }
    return sets[name]()
