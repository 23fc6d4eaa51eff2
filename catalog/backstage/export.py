"""Writing the catalog as Backstage descriptors (``catalog-info.yaml``).

The export is the importer (:mod:`catalog.backstage`) run backwards, so that
exporting, importing into an empty portal and exporting again gives the same
text and the same catalog (the round trips the tests check). apiVersion
``backstage.io/v1alpha1``:

- Team -> Group (``spec.profile.displayName`` / ``email``);
- Domain -> Domain, plus a System of the same name for each domain whose
  capabilities name it (a Component's domain is its System's in Backstage);
- Capability -> Component (``spec.type: service``), or Resource
  (``spec.type: infrastructure``) for an infrastructure capability with no
  APIs and no API-bound dependencies;
- Business -> Component with ``spec.type: website`` (the importer's frontend),
  in namespace :data:`BUSINESS_NAMESPACE` when a capability has its slug;
- Api -> API, provided by its capability (``spec.providesApis``);
- Dependency -> ``spec.dependsOn`` of the consumer, or ``spec.consumesApis``
  when it names the API used; an Adoption in use -> the same on the business.

Every relation is set (``spec.owner``, ``spec.system``, ``spec.domain``,
``spec.dependsOn``, ``spec.providesApis``, ``spec.consumesApis``). Owners are
required by Backstage: a domain is owned by the team owning most of its
capabilities, and a row without a team names :data:`UNOWNED`, a Group that
does not exist (Backstage keeps a dangling relation, and the importer keeps
the row without a team, as before). Portal fields Backstage has no place for
travel as ``capability-portal/*`` annotations (layer, lifecycle, tier,
summary, SLA, launch and deprecation dates, dependency kinds and dates, team
kind, business status, API name), and a business's adoptions, ended ones
included, as ``spec.adoptions`` (capability, API, since, until, purpose).

Descriptors an import read are written back (:mod:`catalog.backstage.descriptors`):
foreign ones (Users, Locations, Systems, APIs no component provides, ...) as
they were read, the others as read with the portal's changes merged in. A
Location's targets are in the same export, which it says with
:data:`TARGETS_IN_EXPORT_ANNOTATION` (so an import does not look for them).
Documents come sorted (Locations, Groups, Users, Domains, Systems, Components
and Resources, APIs, other kinds; each by name), so the same catalog always
exports to the same text.
"""

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from functools import partial
from typing import Any

import yaml

from catalog.backstage.descriptors import merge, stored_descriptors
from catalog.backstage.records import (
    BusinessRecord,
    CapabilityRecord,
    Catalog,
    DomainRecord,
    LinkRecord,
    TeamRecord,
    planned_catalog,
    read_catalog,
)
from catalog.backstage.resolve import first_line
from catalog.backstage.vocabulary import (
    ADOPTIONS_FIELD,
    API_DEFINITION_ANNOTATION,
    API_NAME_ANNOTATION,
    API_STATUSES,
    API_VERSION_ANNOTATION,
    API_VERSIONS,
    BACKSTAGE_LIFECYCLES,
    BUSINESS_NAMESPACE,
    BUSINESS_STATUS_ANNOTATION,
    CAPABILITY_ANNOTATIONS,
    CAPABILITY_DATE_ANNOTATIONS,
    DEPENDENCY_KINDS_ANNOTATION,
    DEPENDENCY_SINCE_ANNOTATION,
    EXPORT_KIND_ORDER,
    LAYER_ANNOTATION,
    NO_DEFINITION,
    TARGETS_IN_EXPORT_ANNOTATION,
    TEAM_KIND_ANNOTATION,
    entity_ref,
    parse_entity_ref,
    row_key,
)
from catalog.capabilities import NewApi

__all__ = ["UNOWNED", "catalog_entities", "export_catalog", "planned_entities"]

API_VERSION = API_VERSIONS[0]
#: The owner written for a row without a team: not a valid portal slug (it has a
#: dot), so no real team can ever be called that.
UNOWNED = "group:default/capability-portal.unowned"
API_LIFECYCLES = {status: lifecycle for lifecycle, status in API_STATUSES.items()}
NAME_RE = re.compile(r"^[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*$")
NAME_MAX = 63
#: Export order of kinds; Components and Resources are listed together.
KIND_RANK = {kind: rank for rank, kind in enumerate(EXPORT_KIND_ORDER)} | {
    "Resource": EXPORT_KIND_ORDER.index("Component")}

Generated = list[tuple[str | None, dict[str, Any]]]  # (portal row, entity); None: a System
Makers = list[tuple[str | None, Callable[[], dict[str, Any]]]]  # the same, each made when called


def export_catalog() -> str:
    """Return the whole catalog as multi-document ``catalog-info.yaml`` text.

    Returns
    -------
    str
        YAML documents separated by ``---`` ("" for an empty catalog); the
        same catalog always gives the same text.

    Examples
    --------
    >>> print(yaml.safe_dump_all([_entity("Group", {"name": "trade"}, {"type": "team"})],
    ...                          sort_keys=False, explicit_start=True), end="")
    ---
    apiVersion: backstage.io/v1alpha1
    kind: Group
    metadata:
      name: trade
    spec:
      type: team
    """
    entities = catalog_entities()
    if not entities:
        return ""
    return yaml.dump_all(entities, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                         explicit_start=True, width=100)


class _Dumper(yaml.SafeDumper):
    """The safe dumper, writing multi-line text (descriptions, definitions) as ``|`` blocks.

    PyYAML falls back to a quoted scalar when a text cannot be a block
    (trailing spaces on a line, say), so every string still loads back as it was.
    """


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def catalog_entities() -> list[dict[str, Any]]:
    """Return the catalog as Backstage entities (dicts), in export order.

    The portal's rows, merged with the descriptors they were imported from,
    and the foreign descriptors an import kept.
    """
    return _with_descriptors(_generate(read_catalog()), stored_descriptors())


def planned_entities(rows: dict[str, list[Any]]) -> Mapping[str, dict[str, Any]]:
    """Return ``{portal row: entity}``: what the export writes for an import's rows.

    The rows are laid over the catalog as a fresh import creates them
    (:func:`~catalog.backstage.records.planned_catalog`): each entity is
    what importing its descriptor alone gives back, the baseline a later
    export compares the portal with (:func:`~catalog.backstage.descriptors.merge`).
    Each entity is made when it is looked up, so the import never holds them
    all at once (10,000 components' entities, 42 MB, were its peak).
    """
    return _Planned(_makers(planned_catalog(rows)))


class _Planned(Mapping[str, dict[str, Any]]):
    """Portal row -> its entity, made anew on each lookup."""

    def __init__(self, makers: Makers) -> None:
        self._makers = {key: make for key, make in makers if key is not None}

    def __getitem__(self, key: str) -> dict[str, Any]:
        return self._makers[key]()

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)


def _generate(catalog: Catalog) -> Generated:
    """Return the entity of every portal row, with its row; the domains' Systems with None."""
    return [(key, make()) for key, make in _makers(catalog)]


def _makers(catalog: Catalog) -> Makers:
    """Return, for every portal row, the function making its entity (Systems' rows are None)."""
    capabilities = catalog.capabilities
    api_names = _api_entity_names(capabilities)
    resources = {c.slug for c in capabilities if _is_resource(c)}
    owners = _domain_owners(capabilities)
    slugs = {c.slug for c in capabilities}

    makers: Makers = [(row_key("teams", team.slug), partial(_group, team))
                      for team in catalog.teams]
    makers += [(row_key("domains", domain.slug),
                partial(_domain, domain, owners.get(domain.slug, UNOWNED)))
               for domain in catalog.domains]
    used = {capability.domain.slug for capability in capabilities}
    makers += [(None, partial(_system, domain, owners.get(domain.slug, UNOWNED)))
               for domain in catalog.domains if domain.slug in used]
    makers += [(row_key("capabilities", c.slug), partial(_capability, c, resources, api_names))
               for c in capabilities]
    makers += [(row_key("businesses", b.slug),
                partial(_business, b, resources, api_names, b.slug in slugs))
               for b in catalog.businesses]
    makers += [(row_key("apis", c.slug, api.name), partial(_api, c, api, api_names))
               for c in capabilities for api in c.apis]
    return makers


def _with_descriptors(generated: Generated, descriptors: list[Any]) -> list[dict[str, Any]]:
    """Return the generated entities merged with their descriptors, plus the foreign ones.

    A descriptor of a row the portal no longer has is left out; a domain's
    System is written when an entity names it (and no descriptor has its name).
    """
    mapped = {d.maps_to: d for d in descriptors if d.maps_to}
    entities: dict[str, dict[str, Any]] = {}
    systems = {}
    for key, entity in generated:
        if key is None:
            systems[entity_ref(entity)] = entity
            continue
        kept = mapped.get(key)
        if kept is not None:
            entity = merge(kept.document, kept.baseline or {}, entity)
        entities[entity_ref(entity)] = entity
    for descriptor in descriptors:
        if descriptor.maps_to is None:
            entities.setdefault(descriptor.ref, _foreign(descriptor.document))
    named = {_system_of(entity) for entity in entities.values()}
    for ref, system in systems.items():
        if ref in named:
            entities.setdefault(ref, system)
    return sorted(entities.values(), key=_export_order)


def _foreign(document: dict[str, Any]) -> dict[str, Any]:
    """Return a foreign descriptor as exported: a Location says its targets came along."""
    spec = document.get("spec")
    if document.get("kind") != "Location" or not isinstance(spec, dict) or not (
            spec.get("target") or spec.get("targets")):
        return document
    metadata = dict(document.get("metadata") or {})
    metadata["annotations"] = {**(metadata.get("annotations") or {}),
                               TARGETS_IN_EXPORT_ANNOTATION: "true"}
    return {**document, "metadata": metadata}


def _system_of(entity: dict[str, Any]) -> str | None:
    spec = entity.get("spec") if isinstance(entity.get("spec"), dict) else {}
    namespace = (entity.get("metadata") or {}).get("namespace") or "default"
    return parse_entity_ref(spec.get("system"), "system", namespace)


def _export_order(entity: dict[str, Any]) -> tuple:
    kind, metadata = str(entity.get("kind")), entity.get("metadata") or {}
    return (KIND_RANK.get(kind, len(EXPORT_KIND_ORDER)), kind if kind not in KIND_RANK else "",
            str(metadata.get("name")), kind, str(metadata.get("namespace") or ""))


# -- one entity per row ---------------------------------------------------------------


def _entity(kind: str, metadata: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """Return an entity; empty metadata fields, and a title equal to the name, are left out."""
    if metadata.get("title") == metadata["name"]:
        metadata = {**metadata, "title": None}
    return {"apiVersion": API_VERSION, "kind": kind,
            "metadata": {key: value for key, value in metadata.items()
                         if value not in (None, "", [], {})},
            "spec": spec}


def _group(team: TeamRecord) -> dict[str, Any]:
    profile = {"displayName": team.name}
    if _strip(team.contact):
        profile["email"] = _strip(team.contact)
    return _entity("Group", {
        "name": team.slug, "description": _strip(team.description),
        "annotations": {TEAM_KIND_ANNOTATION: team.kind},
    }, {"type": "team", "profile": profile, "children": []})


def _domain(domain: DomainRecord, owner: str) -> dict[str, Any]:
    return _entity("Domain", {
        "name": domain.slug, "title": domain.name, "description": _strip(domain.description),
        "annotations": {LAYER_ANNOTATION: domain.layer},
    }, {"owner": owner})


def _system(domain: DomainRecord, owner: str) -> dict[str, Any]:
    return _entity("System", {
        "name": domain.slug, "title": domain.name,
        "description": f"The capabilities of the {domain.name} domain.",
    }, {"owner": owner, "domain": f"domain:default/{domain.slug}"})


def _capability(capability: CapabilityRecord, resources: set[str],
                api_names: dict[int, str]) -> dict[str, Any]:
    annotations = {CAPABILITY_ANNOTATIONS["lifecycle"]: capability.lifecycle,
                   CAPABILITY_ANNOTATIONS["tier"]: str(capability.tier)}
    if capability.domain.layer != "frontend":  # the importer reads a frontend as a Business
        annotations[LAYER_ANNOTATION] = capability.domain.layer
    if capability.summary != first_line(_strip(capability.description)):
        annotations[CAPABILITY_ANNOTATIONS["summary"]] = capability.summary
    if capability.sla_availability is not None:
        annotations[CAPABILITY_ANNOTATIONS["sla_availability"]] = _decimal(
            capability.sla_availability)
    if capability.sla_p99_ms is not None:
        annotations[CAPABILITY_ANNOTATIONS["sla_p99_ms"]] = str(capability.sla_p99_ms)
    if capability.replacement:
        annotations[CAPABILITY_ANNOTATIONS["replacement"]] = capability.replacement
    for name, annotation in CAPABILITY_DATE_ANNOTATIONS.items():
        if getattr(capability, name) is not None:
            annotations[annotation] = getattr(capability, name).isoformat()
    dependencies = sorted(capability.dependencies, key=lambda d: d.provider.slug)
    if dependencies:
        annotations[DEPENDENCY_KINDS_ANNOTATION] = ",".join(
            f"{dep.provider.slug}={dep.kind}" for dep in dependencies)
        annotations[DEPENDENCY_SINCE_ANNOTATION] = ",".join(
            f"{dep.provider.slug}={dep.since.isoformat()}" for dep in dependencies)
    links = []
    if capability.docs_url:
        links.append({"url": capability.docs_url, "title": "Docs", "type": "docs"})
    if capability.repo_url:
        links.append({"url": capability.repo_url, "title": "Repository", "type": "repository"})
    metadata = {"name": capability.slug, "title": capability.name,
                "description": _strip(capability.description), "tags": capability.tags,
                "links": links, "annotations": dict(sorted(annotations.items()))}
    resource = capability.slug in resources
    spec: dict[str, Any] = {
        "type": "infrastructure" if resource else "service",
        "lifecycle": BACKSTAGE_LIFECYCLES[capability.lifecycle],
        "owner": _owner(capability.team),
        "system": f"system:default/{capability.domain.slug}",
    }
    if not resource:
        spec["providesApis"] = sorted(f"api:default/{api_names[api.id]}"
                                      for api in capability.apis)
    _relations(spec, [(dep.provider, dep.api) for dep in dependencies], resources, api_names)
    return _entity("Resource" if resource else "Component", metadata, _compact(spec))


def _business(business: BusinessRecord, resources: set[str], api_names: dict[int, str],
              shares_a_slug: bool) -> dict[str, Any]:
    annotations = {LAYER_ANNOTATION: "frontend", BUSINESS_STATUS_ANNOTATION: business.status}
    spec: dict[str, Any] = {"type": "website", "lifecycle": "production",
                            "owner": _owner(business.team)}
    adoptions = sorted(business.adoptions, key=lambda a: (
        a.provider.slug, a.api is not None, a.api.name if a.api else "", a.since))
    _relations(spec, [(a.provider, a.api) for a in adoptions if a.active], resources, api_names)
    spec[ADOPTIONS_FIELD] = [_adoption(a, resources, api_names) for a in adoptions]
    return _entity("Component", {
        "name": business.slug,
        "namespace": BUSINESS_NAMESPACE if shares_a_slug else None,
        "title": business.name,
        "description": _strip(business.description),
        "annotations": dict(sorted(annotations.items())),
    }, _compact(spec))


def _adoption(adoption: LinkRecord, resources: set[str],
              api_names: dict[int, str]) -> dict[str, Any]:
    kind = "resource" if adoption.provider.slug in resources else "component"
    item = {"capability": f"{kind}:default/{adoption.provider.slug}",
            "api": f"api:default/{api_names[adoption.api.id]}" if adoption.api else None,
            "since": adoption.since.isoformat(),
            "until": adoption.until.isoformat() if adoption.until else None,
            "purpose": adoption.purpose or None}
    return {key: value for key, value in item.items() if value is not None}


def _api(capability: CapabilityRecord, api: NewApi,
         api_names: dict[int, str]) -> dict[str, Any]:
    name = api_names[api.id]
    annotations = {}
    if name != api.name:
        annotations[API_NAME_ANNOTATION] = api.name
    if api.version:
        annotations[API_VERSION_ANNOTATION] = api.version
    if not api.spec:
        annotations[API_DEFINITION_ANNOTATION] = "none"
    return _entity("API", {
        "name": name, "title": api.name,
        "description": _strip(api.description),
        "annotations": dict(sorted(annotations.items())),
    }, {"type": api.kind, "lifecycle": API_LIFECYCLES.get(api.status, "experimental"),
        "owner": _owner(capability.team),
        "system": f"system:default/{capability.domain.slug}",
        "definition": api.spec or NO_DEFINITION})


# -- helpers --------------------------------------------------------------------------


def _relations(spec: dict[str, Any], links: list[tuple[CapabilityRecord, NewApi | None]],
               resources: set[str], api_names: dict[int, str]) -> None:
    """Fill ``dependsOn`` / ``consumesApis`` from (provider, api or None) pairs."""
    depends, consumes = [], []
    for provider, api in links:
        if api is not None:
            consumes.append(f"api:default/{api_names[api.id]}")
        else:
            kind = "resource" if provider.slug in resources else "component"
            depends.append(f"{kind}:default/{provider.slug}")
    spec["dependsOn"] = list(dict.fromkeys(depends))
    spec["consumesApis"] = list(dict.fromkeys(consumes))


def _strip(text: str | None) -> str:
    """Return text as the importer keeps it: without surrounding blanks."""
    return (text or "").strip()


def _compact(spec: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in spec.items() if value not in ([], None)}


def _owner(team: TeamRecord | None) -> str:
    return f"group:default/{team.slug}" if team is not None else UNOWNED


def _decimal(value: Decimal) -> str:
    """Return a stored availability as text, e.g. ``99.95``.

    >>> _decimal(Decimal("99.950")), _decimal(Decimal("100.000"))
    ('99.95', '100')
    """
    return format(value.normalize(), "f")


def _is_resource(capability: CapabilityRecord) -> bool:
    """Return True when a capability exports as a Resource (Resources hold no APIs)."""
    return (capability.domain.layer == "infrastructure" and not capability.apis
            and all(dep.api is None for dep in capability.dependencies))


def _domain_owners(capabilities: list[CapabilityRecord]) -> dict[str, str]:
    """Return ``{domain slug: owner ref}``: the team owning most of its capabilities."""
    counts: dict[str, Counter[str]] = {}
    for capability in capabilities:
        if capability.team is not None:
            counts.setdefault(capability.domain.slug, Counter())[capability.team.slug] += 1
    return {domain: f"group:default/{min(c.items(), key=lambda item: (-item[1], item[0]))[0]}"
            for domain, c in counts.items()}


def _api_entity_names(capabilities: list[CapabilityRecord]) -> dict[int, str]:
    """Return ``{api id: entity name}``, unique across the export (case-insensitively).

    An API keeps its own name when that is a valid Backstage name no other
    API uses; otherwise it is named ``<capability>-<name>`` (cut to 63
    characters with a short hash when longer).
    """
    apis = [(capability.slug, api) for capability in capabilities for api in capability.apis]
    used = Counter(api.name.lower() for _, api in apis)
    names: dict[int, str] = {}
    taken: set[str] = set()
    for slug, api in sorted(apis, key=lambda pair: (pair[1].name.lower(), pair[0])):
        if used[api.name.lower()] == 1 and _valid_name(api.name):
            name = api.name
        else:
            name = _fit(f"{slug}-{_slugify(api.name)}")
        if name.lower() in taken:
            name = _fit(f"{name}-{_short_hash(slug + '/' + api.name)}", force=True)
        taken.add(name.lower())
        names[api.id] = name
    return names


def _valid_name(name: str) -> bool:
    return len(name) <= NAME_MAX and bool(NAME_RE.match(name))


def _slugify(text: str) -> str:
    """Return ``text`` with runs of other characters as single hyphens.

    >>> _slugify("Orders API (v2)")
    'orders-api-v2'
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "api"


def _fit(name: str, *, force: bool = False) -> str:
    if len(name) <= NAME_MAX and not force:
        return name
    digest = _short_hash(name)
    return f"{name[:NAME_MAX - len(digest) - 1].rstrip('-_.')}-{digest}"


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]
