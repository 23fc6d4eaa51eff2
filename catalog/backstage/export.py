"""Writing the catalog as Backstage descriptors (``catalog-info.yaml``).

The export is the importer (:mod:`catalog.backstage`) run backwards, so that
exporting, importing into an empty portal and exporting again gives the same
text (the round trip the tests check). apiVersion ``backstage.io/v1alpha1``:

- Team -> Group (``spec.profile.displayName`` / ``email``);
- Domain -> Domain, plus a System of the same name for each domain that has
  capabilities (a Component's domain is its System's in Backstage);
- Capability -> Component (``spec.type: service``), or Resource
  (``spec.type: infrastructure``) for an infrastructure capability with no
  APIs and no API-bound dependencies;
- Business -> Component with ``spec.type: website`` (the importer's frontend);
- Api -> API, provided by its capability (``spec.providesApis``);
- Dependency -> ``spec.dependsOn`` of the consumer, or ``spec.consumesApis``
  when it names the API used; an active Adoption -> the same on the business.

Every relation is set (``spec.owner``, ``spec.system``, ``spec.domain``,
``spec.dependsOn``, ``spec.providesApis``, ``spec.consumesApis``). Owners are
required by Backstage: a domain is owned by the team owning most of its
capabilities, and a row without a team names :data:`UNOWNED`, a Group that
does not exist (Backstage keeps a dangling relation, and the importer keeps
the row without a team, as before). Portal fields Backstage has no place for
travel as ``capability-portal/*`` annotations (layer, lifecycle, tier,
summary, SLA, dependency kinds, team kind, business status, API name).
Documents come sorted (Groups, Domains, Systems, Components and Resources,
APIs, each by name), so the same catalog always exports to the same text.
"""

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import yaml

from catalog.backstage.resolve import first_line
from catalog.backstage.vocabulary import (
    API_DEFINITION_ANNOTATION,
    API_NAME_ANNOTATION,
    API_STATUSES,
    API_VERSION_ANNOTATION,
    API_VERSIONS,
    BUSINESS_STATUS_ANNOTATION,
    CAPABILITY_ANNOTATIONS,
    DEPENDENCY_KINDS_ANNOTATION,
    LAYER_ANNOTATION,
    NO_DEFINITION,
    TEAM_KIND_ANNOTATION,
)
from catalog.db import db
from catalog.models import (
    Adoption,
    Api,
    Business,
    Capability,
    CapabilityTag,
    Dependency,
    Domain,
    Team,
)

__all__ = ["UNOWNED", "catalog_entities", "export_catalog"]

API_VERSION = API_VERSIONS[0]
#: The owner written for a row without a team: not a valid portal slug (it has a
#: dot), so no real team can ever be called that.
UNOWNED = "group:default/capability-portal.unowned"
#: Portal lifecycle -> Backstage lifecycle (the exact one travels as an annotation).
LIFECYCLES = {"proposed": "experimental", "approved": "experimental",
              "production": "production", "deprecated": "deprecated",
              "retired": "deprecated"}
API_LIFECYCLES = {status: lifecycle for lifecycle, status in API_STATUSES.items()}
NAME_RE = re.compile(r"^[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*$")
NAME_MAX = 63


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
    """Return the catalog as Backstage entities (dicts), in export order."""
    teams, domains, capabilities, businesses = _read_catalog()
    api_names = _api_entity_names(capabilities)
    resources = {c.slug for c in capabilities if _is_resource(c)}
    owners = _domain_owners(capabilities)

    entities = [_group(team) for team in teams]
    entities += [_domain(domain, owners.get(domain.slug, UNOWNED)) for domain in domains]
    used = {capability.domain.id for capability in capabilities}
    entities += [_system(domain, owners.get(domain.slug, UNOWNED)) for domain in domains
                 if domain.id in used]
    components = [_capability(c, resources, api_names) for c in capabilities]
    components += [_business(b, resources, api_names) for b in businesses]
    entities += sorted(components, key=lambda e: (e["metadata"]["name"], e["kind"]))
    entities += sorted((_api(c, api, api_names) for c in capabilities for api in c.apis),
                       key=lambda e: e["metadata"]["name"])
    return entities


# -- reading the catalog ----------------------------------------------------------------
# Capabilities, their APIs, tags and links are read as plain rows (a catalog of 10,000
# capabilities is ~100,000 rows: ORM objects would cost seconds), into these records.


@dataclass(slots=True, eq=False)
class _Api:
    id: int
    name: str
    kind: str
    version: str
    status: str
    description: str
    spec: str


@dataclass(slots=True, eq=False)
class _Link:
    """A dependency (provider) or an adoption (capability): what is used, and through which API."""

    provider: "_Capability"
    api: _Api | None
    kind: str = ""
    active: bool = True


@dataclass(slots=True, eq=False)
class _Capability:
    id: int
    slug: str
    name: str
    summary: str
    description: str
    lifecycle: str
    tier: int
    docs_url: str
    repo_url: str
    sla_availability: Decimal | None
    sla_p99_ms: int | None
    domain: Domain
    team: Team | None
    tags: list[str] = field(default_factory=list)
    apis: list[_Api] = field(default_factory=list)
    dependencies: list[_Link] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class _Business:
    slug: str
    name: str
    description: str
    status: str
    team: Team | None
    adoptions: list[_Link] = field(default_factory=list)


def _read_catalog() -> tuple[list[Team], list[Domain], list[_Capability], list[_Business]]:
    """Return teams, domains, capabilities and businesses, each sorted by slug."""
    teams = list(db.session.scalars(sa.select(Team).order_by(Team.slug)))
    domains = list(db.session.scalars(sa.select(Domain).order_by(Domain.slug)))
    team_of = {team.id: team for team in teams}
    domain_of = {domain.id: domain for domain in domains}
    capabilities = [
        _Capability(*row[:11], domain=domain_of[row.domain_id], team=team_of.get(row.team_id))
        for row in db.session.execute(sa.select(
            Capability.id, Capability.slug, Capability.name, Capability.summary,
            Capability.description, Capability.lifecycle, Capability.tier, Capability.docs_url,
            Capability.repo_url, Capability.sla_availability, Capability.sla_p99_ms,
            Capability.domain_id, Capability.team_id).order_by(Capability.slug))]
    by_id = {capability.id: capability for capability in capabilities}
    for capability_id, tag in db.session.execute(
            sa.select(CapabilityTag.capability_id, CapabilityTag.tag).order_by(CapabilityTag.tag)):
        by_id[capability_id].tags.append(tag)
    apis = {}
    for row in db.session.execute(sa.select(
            Api.capability_id, Api.id, Api.name, Api.kind, Api.version, Api.status,
            Api.description, Api.spec).order_by(Api.name)):
        apis[row.id] = _Api(*row[1:])
        by_id[row.capability_id].apis.append(apis[row.id])
    for consumer, provider, api, kind in db.session.execute(sa.select(
            Dependency.consumer_id, Dependency.provider_id, Dependency.api_id, Dependency.kind)):
        by_id[consumer].dependencies.append(_Link(by_id[provider], apis.get(api), kind))
    businesses = {row.id: _Business(row.slug, row.name, row.description, row.status,
                                    team_of.get(row.team_id))
                  for row in db.session.execute(sa.select(
                      Business.id, Business.slug, Business.name, Business.description,
                      Business.status, Business.team_id).order_by(Business.slug))}
    for business, capability, api, active in db.session.execute(sa.select(
            Adoption.business_id, Adoption.capability_id, Adoption.api_id,
            Adoption.active.label("active"))):
        businesses[business].adoptions.append(_Link(by_id[capability], apis.get(api),
                                                    active=bool(active)))
    return teams, domains, capabilities, list(businesses.values())


# -- one entity per row ---------------------------------------------------------------


def _entity(kind: str, metadata: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """Return an entity; empty metadata fields, and a title equal to the name, are left out."""
    if metadata.get("title") == metadata["name"]:
        metadata = {**metadata, "title": None}
    return {"apiVersion": API_VERSION, "kind": kind,
            "metadata": {key: value for key, value in metadata.items()
                         if value not in (None, "", [], {})},
            "spec": spec}


def _group(team: Team) -> dict[str, Any]:
    profile = {"displayName": team.name}
    if _strip(team.contact):
        profile["email"] = _strip(team.contact)
    return _entity("Group", {
        "name": team.slug, "description": _strip(team.description),
        "annotations": {TEAM_KIND_ANNOTATION: team.kind},
    }, {"type": "team", "profile": profile, "children": []})


def _domain(domain: Domain, owner: str) -> dict[str, Any]:
    return _entity("Domain", {
        "name": domain.slug, "title": domain.name, "description": _strip(domain.description),
        "annotations": {LAYER_ANNOTATION: domain.layer},
    }, {"owner": owner})


def _system(domain: Domain, owner: str) -> dict[str, Any]:
    return _entity("System", {
        "name": domain.slug, "title": domain.name,
        "description": f"The capabilities of the {domain.name} domain.",
    }, {"owner": owner, "domain": f"domain:default/{domain.slug}"})


def _capability(capability: _Capability, resources: set[str],
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
    dependencies = sorted(capability.dependencies, key=lambda d: d.provider.slug)
    if dependencies:
        annotations[DEPENDENCY_KINDS_ANNOTATION] = ",".join(
            f"{dep.provider.slug}={dep.kind}" for dep in dependencies)
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
        "lifecycle": LIFECYCLES[capability.lifecycle],
        "owner": _owner(capability.team),
        "system": f"system:default/{capability.domain.slug}",
    }
    if not resource:
        spec["providesApis"] = sorted(f"api:default/{api_names[api.id]}"
                                      for api in capability.apis)
    _relations(spec, [(dep.provider, dep.api) for dep in dependencies], resources, api_names)
    return _entity("Resource" if resource else "Component", metadata, _compact(spec))


def _business(business: _Business, resources: set[str],
              api_names: dict[int, str]) -> dict[str, Any]:
    annotations = {LAYER_ANNOTATION: "frontend", BUSINESS_STATUS_ANNOTATION: business.status}
    spec: dict[str, Any] = {"type": "website", "lifecycle": "production",
                            "owner": _owner(business.team)}
    adopted = sorted((a for a in business.adoptions if a.active),
                     key=lambda a: (a.provider.slug, a.api is not None,
                                    a.api.name if a.api else ""))
    _relations(spec, [(a.provider, a.api) for a in adopted], resources, api_names)
    return _entity("Component", {
        "name": business.slug, "title": business.name,
        "description": _strip(business.description),
        "annotations": dict(sorted(annotations.items())),
    }, _compact(spec))


def _api(capability: _Capability, api: _Api, api_names: dict[int, str]) -> dict[str, Any]:
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


def _relations(spec: dict[str, Any], links: list[tuple[_Capability, _Api | None]],
               resources: set[str],
               api_names: dict[int, str]) -> None:
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


def _owner(team: Team | None) -> str:
    return f"group:default/{team.slug}" if team is not None else UNOWNED


def _decimal(value: Decimal) -> str:
    """Return a stored availability as text, e.g. ``99.95``.

    >>> _decimal(Decimal("99.950")), _decimal(Decimal("100.000"))
    ('99.95', '100')
    """
    return format(value.normalize(), "f")


def _is_resource(capability: _Capability) -> bool:
    """Return True when a capability exports as a Resource (Resources hold no APIs)."""
    return (capability.domain.layer == "infrastructure" and not capability.apis
            and all(dep.api is None for dep in capability.dependencies))


def _domain_owners(capabilities: list[_Capability]) -> dict[str, str]:
    """Return ``{domain slug: owner ref}``: the team owning most of its capabilities."""
    counts: dict[str, Counter[str]] = {}
    for capability in capabilities:
        if capability.team is not None:
            counts.setdefault(capability.domain.slug, Counter())[capability.team.slug] += 1
    return {domain: f"group:default/{min(c.items(), key=lambda item: (-item[1], item[0]))[0]}"
            for domain, c in counts.items()}


def _api_entity_names(capabilities: list[_Capability]) -> dict[int, str]:
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
