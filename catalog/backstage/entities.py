"""The catalog as Backstage's catalog backend serves it: the export, plus what the backend adds.

Backstage's catalog API answers each entity as its descriptor was read, with
what the backend adds while processing it; :func:`served_entities` does the
same for the portal's export (:func:`~catalog.backstage.export.catalog_entities`):

- ``metadata.namespace`` (``default`` when the descriptor has none);
- ``metadata.uid``: a UUID derived from the entity reference (UUID 5), so it
  is the same in every worker, after every restart and in every export;
- ``metadata.etag``: a hash of everything else in the entity, relations
  included, so it changes exactly when the entity (or a relation) does;
- ``relations``: computed as Backstage's ``BuiltinKindsEntityProcessor`` does
  (:data:`RELATION_FIELDS`): each reference in a spec field gives the
  relation on its entity and the inverse one on the target; a relation to an
  entity that does not exist is kept (Backstage keeps dangling relations),
  each entity lists the relations it is the source of, sorted by type and
  target, and targets are lower-case references ``kind:namespace/name``.
"""

import hashlib
import json
import uuid
from collections import defaultdict
from typing import Any, NamedTuple

from catalog.backstage.export import catalog_entities
from catalog.backstage.vocabulary import DEFAULT_NAMESPACE, entity_ref, parse_entity_ref

__all__ = ["RELATION_FIELDS", "entity_uid", "relations_of", "served_entities", "stamp"]

#: The UUID 5 namespace of entity uids (any fixed UUID would do; this one never changes).
UID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://capability-portal/backstage/entity")


class RelationField(NamedTuple):
    """A spec field whose references make relations (Backstage's BuiltinKindsEntityProcessor)."""

    field: str
    default_kind: str | None  # None: the reference must name its kind
    relation: str  # on the entity holding the field
    inverse: str  # on the entity it names


_OWNER = RelationField("owner", "group", "ownedBy", "ownerOf")
_SYSTEM = RelationField("system", "system", "partOf", "hasPart")
_DEPENDS_ON = RelationField("dependsOn", None, "dependsOn", "dependencyOf")
_DEPENDENCY_OF = RelationField("dependencyOf", None, "dependencyOf", "dependsOn")
#: Per kind (as Backstage spells it), the spec fields that make relations.
RELATION_FIELDS: dict[str, tuple[RelationField, ...]] = {
    "Component": (
        _OWNER,
        RelationField("subcomponentOf", "component", "partOf", "hasPart"),
        RelationField("providesApis", "api", "providesApi", "apiProvidedBy"),
        RelationField("consumesApis", "api", "consumesApi", "apiConsumedBy"),
        _DEPENDS_ON, _DEPENDENCY_OF, _SYSTEM,
    ),
    "API": (_OWNER, _SYSTEM),
    "Resource": (_OWNER, _DEPENDS_ON, _DEPENDENCY_OF, _SYSTEM),
    "User": (RelationField("memberOf", "group", "memberOf", "hasMember"),),
    "Group": (
        RelationField("parent", "group", "childOf", "parentOf"),
        RelationField("children", "group", "parentOf", "childOf"),
        RelationField("members", "user", "hasMember", "memberOf"),
    ),
    "System": (_OWNER, RelationField("domain", "domain", "partOf", "hasPart")),
    "Domain": (_OWNER, RelationField("subdomainOf", "domain", "partOf", "hasPart")),
}


def served_entities() -> list[dict[str, Any]]:
    """Return every entity of the catalog as Backstage's catalog API would serve it.

    Returns
    -------
    list of dict
        The entities of :func:`~catalog.backstage.export.catalog_entities`, in
        the same order, each with ``metadata.namespace``, ``metadata.uid``,
        ``metadata.etag`` and ``relations`` added.
    """
    return stamp(catalog_entities())


def stamp(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return ``entities`` with the namespace, relations, uid and etag the catalog backend adds.

    The input is not changed.

    Examples
    --------
    >>> group = {"apiVersion": "backstage.io/v1alpha1", "kind": "Group",
    ...          "metadata": {"name": "trade"}, "spec": {"type": "team", "children": []}}
    >>> api = {"apiVersion": "backstage.io/v1alpha1", "kind": "API",
    ...        "metadata": {"name": "orders"}, "spec": {"owner": "trade"}}
    >>> served = stamp([group, api])
    >>> served[0]["relations"]
    [{'type': 'ownerOf', 'targetRef': 'api:default/orders'}]
    >>> served[1]["metadata"]["namespace"], served[1]["relations"][0]["targetRef"]
    ('default', 'group:default/trade')
    >>> served[1]["metadata"]["uid"] == stamp([api])[0]["metadata"]["uid"]
    True
    """
    with_namespace = [_with_namespace(_with_definition_text(entity)) for entity in entities]
    relations = relations_of(with_namespace)
    served = []
    for entity in with_namespace:
        ref = entity_ref(entity)
        entity = {**entity, "relations": relations.get(ref, [])}
        etag = hashlib.sha1(json.dumps(entity, ensure_ascii=False, separators=(",", ":"))
                            .encode("utf-8")).hexdigest()
        entity["metadata"] = {**entity["metadata"], "uid": entity_uid(ref), "etag": etag}
        served.append(entity)
    return served


def relations_of(entities: list[dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
    """Return ``{entity ref: relations}`` of ``entities``, as Backstage computes them.

    A reference Backstage could not parse (a ``dependsOn`` entry without a
    kind, an empty string, not text) makes no relation.

    Parameters
    ----------
    entities : list of dict
        Entities with ``kind``, ``metadata.name`` and optionally ``metadata.namespace``.

    Returns
    -------
    dict
        Lower-case entity reference -> ``[{"type", "targetRef"}]`` sorted by
        type then target; refs of entities that are not in ``entities`` (the
        sources of inverse relations to missing entities) are included too.

    Examples
    --------
    >>> web = {"kind": "Component", "metadata": {"name": "Web"},
    ...        "spec": {"dependsOn": ["component:db", "db"], "system": "shop"}}
    >>> relations_of([web])["component:default/web"]
    [{'type': 'dependsOn', 'targetRef': 'component:default/db'}, {'type': 'partOf', 'targetRef': 'system:default/shop'}]
    >>> relations_of([web])["component:default/db"]
    [{'type': 'dependencyOf', 'targetRef': 'component:default/web'}]
    """
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    parsed: dict[tuple[Any, str | None, str], str | None] = {}  # the same refs recur
    for entity in entities:
        fields = RELATION_FIELDS.get(entity.get("kind"), ())
        spec = entity.get("spec") if isinstance(entity.get("spec"), dict) else {}
        source = entity_ref(entity)
        namespace = entity["metadata"].get("namespace") or DEFAULT_NAMESPACE
        for field in fields:
            values = spec.get(field.field)
            for value in values if isinstance(values, list) else [values]:
                if not isinstance(value, str):
                    continue
                memo = (value, field.default_kind, namespace)
                if memo not in parsed:
                    parsed[memo] = parse_entity_ref(value, field.default_kind, namespace)
                target = parsed[memo]
                if target is None:
                    continue
                found[source].add((field.relation, target))
                found[target].add((field.inverse, source))
    return {ref: [{"type": kind, "targetRef": target} for kind, target in sorted(pairs)]
            for ref, pairs in found.items()}


def entity_uid(ref: str) -> str:
    """Return the uid of the entity with (lower-case) reference ``ref``: stable everywhere.

    >>> entity_uid("component:default/orders") == entity_uid("component:default/orders")
    True
    """
    return str(uuid.uuid5(UID_NAMESPACE, ref))


def _with_definition_text(entity: dict[str, Any]) -> dict[str, Any]:
    """Return an API whose definition is still a placeholder (``$text: <url>``) with text.

    Backstage's catalog serves the fetched text; the portal does not fetch
    URLs, so it serves a line saying where the definition is.
    """
    spec = entity.get("spec")
    if entity.get("kind") != "API" or not isinstance(spec, dict) or not isinstance(
            spec.get("definition"), dict):
        return entity
    where = ", ".join(str(value) for value in spec["definition"].values())
    text = f"# The definition is at {where}; the capability portal does not fetch it.\n"
    return {**entity, "spec": {**spec, "definition": text}}


def _with_namespace(entity: dict[str, Any]) -> dict[str, Any]:
    metadata = entity["metadata"]
    if metadata.get("namespace"):
        return entity
    return {**entity, "metadata": {"name": metadata["name"], "namespace": DEFAULT_NAMESPACE,
                                   **{k: v for k, v in metadata.items() if k != "name"}}}
