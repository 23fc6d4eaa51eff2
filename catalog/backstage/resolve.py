"""Step 2: map entities onto portal rows, resolving every reference."""

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from catalog.backstage.parse import Entity, Problems, local_file, mapping
from catalog.backstage.vocabulary import (
    ADOPTIONS_FIELD,
    API_DEFINITION_ANNOTATION,
    API_FIELDS,
    API_NAME_ANNOTATION,
    API_STATUSES,
    API_VERSION_ANNOTATION,
    BACKSTAGE_LIFECYCLES,
    BUSINESS_STATUS_ANNOTATION,
    BUSINESS_STATUS_MAX,
    CAPABILITY_ANNOTATIONS,
    CAPABILITY_DATE_ANNOTATIONS,
    CAPABILITY_LIFECYCLES,
    CONTACT_MAX,
    DEPENDENCY_KINDS_ANNOTATION,
    DEPENDENCY_SINCE_ANNOTATION,
    DOCS_LINK_TYPES,
    ENTITY_TYPES,
    FRONTEND_TYPES,
    HTTP_URL,
    KINDS,
    LAYER_ANNOTATION,
    LOAD_CHUNK,
    MAPPED_KINDS,
    REPO_LINK_TYPES,
    RESOURCES,
    SOURCE_LOCATION_ANNOTATION,
    TAG_SEPARATORS,
    TEAM_KIND_ANNOTATION,
    UNASSIGNED,
    BuiltinDomain,
    Key,
    row_key,
)
from catalog.db import db
from catalog.fields import SUMMARY_MAX, TAG_MAX, TAG_RE, TAGS_MAX
from catalog.models import Adoption, Api, Business, Capability, Dependency, Domain, Team
from catalog.models._time import today
from catalog.models.capability import DEPENDENCY_KINDS, LAYERS
from catalog.models.org import TEAM_KINDS
from catalog.validation import (
    Errors,
    check_adoption,
    check_capability,
    check_date,
)


@dataclass(slots=True)
class Row:
    """A portal row the import wants, keyed the way the plan matches it.

    ``values`` are set on every import; ``defaults`` only when the row is
    created. References to other rows are slugs (an API by its name).
    """

    kind: str
    key: tuple[str, ...]
    values: dict[str, Any]
    defaults: dict[str, Any]
    source: Entity


class CatalogIndex:
    """The portal rows an import matches or refers to, read once.

    While writing, created rows are added so later rows can refer to them.
    """

    def __init__(self, entities: list[Entity]) -> None:
        names = {entity.name for entity in entities if entity.kind in ("component", "resource")}
        self.teams = {team.slug: team for team in db.session.scalars(sa.select(Team))}
        self.domains = {domain.slug: domain for domain in db.session.scalars(sa.select(Domain))}
        self.capabilities: dict[str, Capability | None] = dict.fromkeys(names)
        self.capabilities.update(_load(Capability, names, (
            joinedload(Capability.domain), joinedload(Capability.team),
            selectinload(Capability.tag_links), selectinload(Capability.apis),
            selectinload(Capability.dependencies).joinedload(Dependency.provider),
            selectinload(Capability.dependencies).joinedload(Dependency.api),
        )))
        self.businesses: dict[str, Business | None] = dict.fromkeys(names)
        self.businesses.update(_load(Business, names, (
            joinedload(Business.team),
            selectinload(Business.adoptions).joinedload(Adoption.capability),
            selectinload(Business.adoptions).joinedload(Adoption.api),
        )))

    def capability(self, slug: str) -> Capability | None:
        """Return the capability with ``slug``, reading it when not read yet."""
        if slug not in self.capabilities:
            self.capabilities[slug] = db.session.scalar(
                sa.select(Capability).where(Capability.slug == slug)
                .options(selectinload(Capability.apis))
            )
        return self.capabilities[slug]

    def find(self, kind: str, key: tuple[str, ...]) -> Any:
        """Return the portal row matching a planned row's key, or None."""
        if kind in ("teams", "domains", "businesses", "capabilities"):
            return getattr(self, kind).get(key[0])
        if kind == "apis":
            return self.api(key[0], key[1])
        owner = (self.businesses if kind == "adoptions" else self.capabilities).get(key[0])
        if owner is None:
            return None
        if kind == "dependencies":
            return next((dep for dep in owner.dependencies if dep.provider.slug == key[1]), None)
        if len(key) == 2:  # named by dependsOn / consumesApis: the one in use
            return next((link for link in owner.adoptions
                         if link.capability.slug == key[1] and link.active), None)
        since, api = dt.date.fromisoformat(key[2]), key[3] if len(key) > 3 else ""
        return next((link for link in owner.adoptions
                     if link.capability.slug == key[1] and link.since == since
                     and (link.api.name.lower() if link.api else "") == api), None)

    def api(self, capability: str, name: str) -> Api | None:
        """Return the API ``name`` (any case) of a capability, or None."""
        owner = self.capability(capability)
        if owner is None:
            return None
        return next((api for api in owner.apis if api.name.lower() == name.lower()), None)

    def remember(self, row: Row, obj: Any) -> None:
        """Make a created row findable by the rows written after it."""
        if row.kind in ENTITY_TYPES:
            getattr(self, row.kind)[row.key[0]] = obj


def _load(model: type, slugs: set[str], options: tuple) -> dict[str, Any]:
    """Return ``{slug: row}`` for the rows of ``model`` whose slug is in ``slugs``."""
    ordered = sorted(slugs)
    found = {}
    for start in range(0, len(ordered), LOAD_CHUNK):
        chunk = ordered[start:start + LOAD_CHUNK]
        found.update((row.slug, row) for row in db.session.scalars(
            sa.select(model).where(model.slug.in_(chunk)).options(*options)))
    return found


class Resolver:
    """Turns parsed entities into portal rows, reporting what does not fit."""

    def __init__(self, entities: list[Entity], catalog: CatalogIndex, problems: Problems,
                 root: Path) -> None:
        self.catalog = catalog
        self.problems = problems
        self.root = root
        self.index: dict[Key, Entity] = {}
        self.entities: list[Entity] = []  # without duplicates
        for entity in entities:
            first = self.index.setdefault(entity.key, entity)
            if first is entity:
                self.entities.append(entity)
            else:
                problems.error(entity, "metadata.name", f"{entity.ref} is defined twice "
                                                        f"(first in {first.file}#{first.document}).")
        self.rows: dict[str, dict[tuple[str, ...], Row]] = {kind: {} for kind in KINDS}
        self.targets: dict[Key, tuple[str, str]] = {}  # component/resource -> (kind, slug)
        self.providers: dict[Key, list[str]] = {}  # API -> slugs of providing capabilities
        self.system_domains: dict[Key, str | None] = {}
        self.unmapped: dict[str, int] = {}
        self.maps_to: dict[Key, str] = {}  # entity -> the portal row it becomes (row_key)
        self.listed_adoptions: set[tuple[str, str, str]] = set()  # (business, capability, api)
        self.definitions: set[str] = set()  # files read as API definitions

    def resolve(self) -> dict[str, list[Row]]:
        """Return the rows to import per kind, in writing order."""
        for entity in self._of("group"):
            self._group(entity)
        for entity in self._of("domain"):
            self._domain(entity)
        for entity in self._of("system"):
            self._system(entity)
        for entity in self._of("component", "resource"):
            self._component_or_resource(entity)
        for entity in self._of("component", "resource"):
            self._provided_apis(entity)
        for entity in self._of("api"):
            self._api(entity)
        for entity in self._of("component", "resource"):
            self._relations(entity)
        self._count_unmapped()
        return {kind: list(rows.values()) for kind, rows in self.rows.items()}

    def _of(self, *kinds: str) -> Iterator[Entity]:
        return (entity for entity in self.entities if entity.kind in kinds)

    # kinds

    def _group(self, entity: Entity) -> None:
        profile = mapping(entity.spec.get("profile"))
        name, name_field = _title(entity, profile.get("displayName"), "spec.profile.displayName")
        contact = _text(profile.get("email"))
        if len(contact) > CONTACT_MAX:
            self.problems.error(entity, "spec.profile.email",
                                f"The email must be at most {CONTACT_MAX} characters.")
        values = {"name": name, "description": _text(entity.metadata.get("description")),
                  "contact": contact}
        self._check(entity, values, {"name": name_field, "description": "metadata.description"})
        kind = entity.annotations.get(TEAM_KIND_ANNOTATION)
        if kind in TEAM_KINDS:
            values["kind"] = kind
        elif kind is not None:
            self.problems.warn(entity, f"metadata.annotations[{TEAM_KIND_ANNOTATION}]",
                               f"Unknown team kind {kind!r} (one of {', '.join(TEAM_KINDS)}); "
                               "ignored.")
        self._add(Row("teams", (entity.name,), values, {"kind": "platform"}, entity))

    def _domain(self, entity: Entity) -> None:
        name, name_field = _title(entity)
        values = {"name": name, "description": _text(entity.metadata.get("description"))}
        layer = self._layer_annotation(entity)
        if layer is not None:
            values["layer"] = layer
        self._check(entity, values, {"name": name_field, "description": "metadata.description"})
        self._add(Row("domains", (entity.name,), values, {"layer": UNASSIGNED.layer}, entity))

    def _system(self, entity: Entity) -> None:
        value = entity.spec.get("domain")
        key = _parse_ref(value, "domain", entity.namespace)
        known = key is not None and key[0] == "domain" and (key in self.index
                                                            or key[2] in self.catalog.domains)
        if value is not None and not known:
            self.problems.warn(entity, "spec.domain",
                               f"Domain {value!r} is neither in the import nor in the portal; "
                               "the system's entities get the default domain.")
        self.system_domains[entity.key] = key[2] if known else None

    def _component_or_resource(self, entity: Entity) -> None:
        layer = self._layer_annotation(entity)
        team = self._owner(entity)
        if entity.kind == "component" and (_text(entity.spec.get("type")) in FRONTEND_TYPES
                                           or layer == "frontend"):
            self._business(entity, team)
            return
        domain = self._system_domain(entity)
        defaults: dict[str, Any] = {}
        if entity.kind == "resource":
            if domain is None or self._domain_layer(domain) != RESOURCES.layer:
                domain = self._builtin_domain(RESOURCES, entity)
            defaults["lifecycle"] = "production"
        else:
            domain = domain or self._builtin_domain(UNASSIGNED, entity)
        if layer is not None and layer != self._domain_layer(domain):
            self.problems.warn(entity, f"metadata.annotations[{LAYER_ANNOTATION}]",
                               f"The annotation says {layer}, but domain {domain!r} is "
                               f"{self._domain_layer(domain)}; the domain decides the layer.")
        name, name_field = _title(entity)
        description = _text(entity.metadata.get("description"))
        links = self._links(entity)
        docs_url, docs_field = links.get("docs_url", ("", ""))
        repo_url, repo_field = links.get("repo_url", ("", ""))
        values: dict[str, Any] = {
            "name": name, "summary": first_line(description), "description": description,
            "tags": self._tags(entity), "docs_url": docs_url, "repo_url": repo_url,
        }
        portal = self._portal_fields(entity)
        stated = entity.spec.get("lifecycle")
        if (entity.kind == "component" and "lifecycle" in portal and isinstance(stated, str)
                and BACKSTAGE_LIFECYCLES[portal["lifecycle"]] != stated):
            field_name = f"metadata.annotations[{CAPABILITY_ANNOTATIONS['lifecycle']}]"
            self.problems.warn(entity, field_name, (
                f"The annotation says {portal.pop('lifecycle')}, but spec.lifecycle says "
                f"{stated} (changed in Backstage since the portal exported it?); "
                "spec.lifecycle decides."))
        if entity.kind == "component" and "lifecycle" not in portal:
            values["lifecycle"] = self._lifecycle(entity)
        portal.update(self._dates(entity))
        self._check(entity, values, {
            "name": name_field, "summary": "metadata.description",
            "description": "metadata.description", "tags": "metadata.tags",
            "lifecycle": "spec.lifecycle", "docs_url": docs_field, "repo_url": repo_field,
        })
        values.update(portal)
        values.update(domain=domain, team=team)
        self._add(Row("capabilities", (entity.name,), values, defaults, entity))
        self.targets[entity.key] = ("capabilities", entity.name)

    def _business(self, entity: Entity, team: str | None) -> None:
        name, name_field = _title(entity)
        values = {"name": name, "description": _text(entity.metadata.get("description"))}
        self._check(entity, values, {"name": name_field, "description": "metadata.description"})
        values["team"] = team
        status = entity.annotations.get(BUSINESS_STATUS_ANNOTATION)
        if isinstance(status, str) and 0 < len(status.strip()) <= BUSINESS_STATUS_MAX:
            values["status"] = status.strip()
        elif status is not None:
            self.problems.warn(entity, f"metadata.annotations[{BUSINESS_STATUS_ANNOTATION}]",
                               f"A business status is a word of at most {BUSINESS_STATUS_MAX} "
                               "characters; ignored.")
        self._add(Row("businesses", (entity.name,), values, {}, entity))
        self.targets[entity.key] = ("businesses", entity.name)

    def _provided_apis(self, entity: Entity) -> None:
        kind, slug = self.targets[entity.key]
        for i, value in enumerate(self._refs(entity, "providesApis")):
            field_name = f"spec.providesApis[{i}]"
            api = self._api_entity(entity, field_name, value)
            if api is None:
                continue
            if kind == "businesses":
                self.problems.warn(entity, field_name, f"A frontend (Business) holds no APIs; "
                                                       f"{api.ref} is not attached to it.")
            elif slug not in self.providers.setdefault(api.key, []):
                self.providers[api.key].append(slug)

    def _api(self, entity: Entity) -> None:
        slugs = self.providers.get(entity.key)
        if not slugs:
            self.problems.warn(entity, "", "No component provides this API, so it is kept "
                                           "as it is (exported back unchanged), not imported "
                                           "as an API (an API belongs to its provider).")
            self._definition(entity, Problems())  # kept with its definition file's text
            return
        values = self._api_values(entity)
        for slug in slugs:
            self._add(Row("apis", (slug, values["name"].lower()), dict(values), {}, entity))

    def _api_values(self, entity: Entity) -> dict[str, Any]:
        kind = _text(entity.spec.get("type"))
        if not kind:
            kind = "unknown"
            self.problems.warn(entity, "spec.type", "The API has no type; imported as 'unknown'.")
        lifecycle = entity.spec.get("lifecycle")
        status = API_STATUSES.get(lifecycle) if isinstance(lifecycle, str) else None
        if status is None:
            status = "beta"
            self.problems.warn(entity, "spec.lifecycle", f"Lifecycle {lifecycle!r} has no API "
                                                         "status; imported as 'beta'.")
        definition = self._definition(entity)
        if entity.annotations.get(API_DEFINITION_ANNOTATION) == "none":
            definition = ""
        values = {"name": _api_name(entity), "kind": kind, "status": status,
                  "description": _text(entity.metadata.get("description")),
                  "spec": definition}
        version = entity.annotations.get(API_VERSION_ANNOTATION)
        if version is not None:
            values["version"] = str(version).strip()
        errors = Errors()
        cleaned = check_capability({"apis": [values]}, errors, partial=True)["apis"]
        if cleaned:  # as the capability service will keep them (e.g. text stripped)
            values.update({key: cleaned[0][key] for key in values})
        for key, messages in errors.items():
            api_field = key.rsplit(".", 1)[-1]
            for message in messages:
                if api_field == "spec":
                    self.problems.warn(entity, API_FIELDS["spec"], f"{message} The API is "
                                                                   "imported without it.")
                else:
                    self.problems.error(entity, API_FIELDS.get(api_field, key), message)
            if api_field == "spec":
                values["spec"] = ""
        return values

    def _definition(self, entity: Entity, problems: Problems | None = None) -> str:
        """Return the API definition: inline text, or the text of a local ``$text`` file.

        The text of a file is also written into the kept descriptor (as
        Backstage's catalog does), so that the export stands alone.
        """
        problems = problems or self.problems
        definition = entity.spec.get("definition")
        if definition is None or isinstance(definition, str):
            return definition or ""
        target = definition.get("$text") if isinstance(definition, dict) else None
        if not isinstance(target, str) or len(definition) != 1:
            problems.warn(entity, "spec.definition", "Only text or {$text: file} "
                                                     "definitions are read; left empty.")
            return ""
        field_name = "spec.definition.$text"
        if HTTP_URL.match(target):
            problems.warn(entity, field_name, f"{target} is not fetched; the API is "
                                              "imported without its definition.")
            return ""
        file = local_file(entity, field_name, target, self.root, problems, "Definition file")
        if file is None:
            return ""
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.error(entity, field_name, f"Cannot read {target}: {exc}.")
            return ""
        if "\x00" in text:
            problems.error(entity, field_name, f"{target} holds a NUL character; not read.")
            return ""
        entity.descriptor["spec"]["definition"] = text
        self.definitions.add(file.relative_to(self.root).as_posix())
        return text

    def _relations(self, entity: Entity) -> None:
        source = self.targets[entity.key]
        if source[0] == "businesses":
            self._adoptions(entity, source[1])
        kinds = self._dependency_kinds(entity)
        since = self._dependency_since(entity)
        for i, value in enumerate(self._refs(entity, "dependsOn")):
            field_name = f"spec.dependsOn[{i}]"
            provider = self._depends_on(entity, field_name, value)
            if provider is not None:
                values = {"since": since[provider[1]]} if provider[1] in since else {}
                self._link(entity, field_name, source, provider, values,
                           kinds.get(provider[1], "sync"), stated=provider[1] in kinds)
        for i, value in enumerate(self._refs(entity, "consumesApis")):
            field_name = f"spec.consumesApis[{i}]"
            api = self._api_entity(entity, field_name, value)
            if api is None:
                continue
            if not self.providers.get(api.key):
                self.problems.warn(entity, field_name, f"No component provides {api.ref}; "
                                                       "no dependency is recorded.")
            kind = "async" if _text(api.spec.get("type")).lower() == "asyncapi" else "sync"
            for slug in self.providers.get(api.key, []):
                values = {"api": _api_name(api), **({"since": since[slug]} if slug in since
                                                    else {})}
                self._link(entity, field_name, source, ("capabilities", slug), values,
                           kinds.get(slug, kind), stated=slug in kinds)
        if "subcomponentOf" in entity.spec:
            parent = self._parent(entity, entity.spec["subcomponentOf"])
            if parent is not None:
                self._link(entity, "spec.subcomponentOf", parent, source, {}, "sync")

    # references

    def _refs(self, entity: Entity, name: str) -> list[Any]:
        value = entity.spec.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problems.error(entity, f"spec.{name}", "Must be a list of entity references.")
            return []
        return value

    def _owner(self, entity: Entity) -> str | None:
        """Return the owning team's slug; warn (None) when the owner is not a known Group."""
        value = entity.spec.get("owner")
        key = _parse_ref(value, "group", entity.namespace)
        if key is None:
            self.problems.warn(entity, "spec.owner", "No owner; kept without an owner team.")
            return None
        if key[0] == "group" and (key in self.index or key[2] in self.catalog.teams):
            return key[2]
        if key[0] == "user":
            message = f"The owner {_ref_text(key)} is a User; owners in the portal are teams."
        else:
            message = (f"The owner {_ref_text(key)} is neither a Group in the import nor a "
                       "portal team (dangling owner).")
            user = ("user", key[1], key[2])
            if user in self.index:
                message += f" ({_ref_text(user)} is a User.)"
        self.problems.warn(entity, "spec.owner", f"{message} Kept without an owner team.")
        return None

    def _system_domain(self, entity: Entity) -> str | None:
        """Return the slug of the domain of the entity's system (None: no system or domain)."""
        value = entity.spec.get("system")
        if value is None:
            return None
        key = _parse_ref(value, "system", entity.namespace)
        if key not in self.system_domains:
            self.problems.warn(entity, "spec.system", f"System {value!r} is not in the import; "
                                                      "the entity gets the default domain.")
            return None
        return self.system_domains[key]

    def _depends_on(self, entity: Entity, field_name: str, value: Any) -> tuple[str, str] | None:
        """Return the (kind, slug) a ``dependsOn`` entry names; an error when dangling."""
        key = _parse_ref(value, "component", entity.namespace)
        if key is None:
            self.problems.error(entity, field_name, f"{value!r} is not an entity reference.")
            return None
        if key in self.targets:
            return self.targets[key]
        if key in self.index:
            self.problems.warn(entity, field_name, f"{_ref_text(key)} is a {key[0]}; only "
                                                   "components and resources are depended on "
                                                   "in the portal; not recorded.")
            return None
        if key[0] in ("component", "resource") and self.catalog.capability(key[2]) is not None:
            return ("capabilities", key[2])
        self.problems.error(entity, field_name, f"Dangling reference: {_ref_text(key)} is "
                                                "neither in the import nor a portal capability.")
        return None

    def _api_entity(self, entity: Entity, field_name: str, value: Any) -> Entity | None:
        """Return the API entity an API reference names; an error when dangling."""
        key = _parse_ref(value, "api", entity.namespace)
        if key is None:
            self.problems.error(entity, field_name, f"{value!r} is not an entity reference.")
            return None
        api = self.index.get(key) if key[0] == "api" else None
        if api is None:
            self.problems.error(entity, field_name,
                                f"Dangling reference: {_ref_text(key)} is not an API in the import.")
        return api

    def _parent(self, entity: Entity, value: Any) -> tuple[str, str] | None:
        key = _parse_ref(value, "component", entity.namespace)
        if key in self.targets:
            return self.targets[key]
        if key is not None and self.catalog.capability(key[2]) is not None:
            return ("capabilities", key[2])
        self.problems.warn(entity, "spec.subcomponentOf", f"{value!r} is neither in the import "
                                                          "nor a portal capability; not recorded.")
        return None

    def _link(self, entity: Entity, field_name: str, consumer: tuple[str, str],
              provider: tuple[str, str], values: dict[str, Any], kind: str, *,
              stated: bool = False) -> None:
        """Add a dependency (or, for a consuming Business, an adoption).

        ``kind`` is set when the dependency is created, and on every import
        when ``stated`` (the portal's dependency-kinds annotation names it).
        """
        if consumer == provider:
            self.problems.warn(entity, field_name, "An entity cannot depend on itself; ignored.")
            return
        if provider[0] == "businesses":
            self.problems.warn(entity, field_name, f"{provider[1]!r} is a frontend (Business); "
                                                   "nothing can depend on it; not recorded.")
            return
        table = "dependencies" if consumer[0] == "capabilities" else "adoptions"
        if table == "adoptions" and (consumer[1], provider[1], str(values.get("api") or "")
                                     .lower()) in self.listed_adoptions:
            return  # spec.adoptions states it, dates and purpose included
        key = (consumer[1], provider[1])
        defaults = {"kind": kind} if table == "dependencies" else {}
        if table == "dependencies" and stated:
            values = {**values, "kind": kind}  # stated by the portal: set on every import
        row = self.rows[table].setdefault(key, Row(table, key, {}, defaults, entity))
        for name, value in values.items():  # the first API named for the pair is kept
            row.values.setdefault(name, value)

    # fields

    def _portal_fields(self, entity: Entity) -> dict[str, Any]:
        """Return the capability fields stated by portal annotations, cleaned by the rules."""
        raw = {name: entity.annotations[key] for name, key in CAPABILITY_ANNOTATIONS.items()
               if key in entity.annotations}
        if not raw:
            return {}
        errors = Errors()
        cleaned = check_capability(raw, errors, partial=True)
        for name, messages in errors.items():
            for message in messages:
                self.problems.error(entity, f"metadata.annotations[{CAPABILITY_ANNOTATIONS[name]}]",
                                    message)
        return {name: cleaned[name] for name in raw if name not in errors}

    def _dates(self, entity: Entity) -> dict[str, dt.date | None]:
        """Return the capability dates the portal's annotations state (YYYY-MM-DD)."""
        dates = {}
        for name, annotation in CAPABILITY_DATE_ANNOTATIONS.items():
            if annotation in entity.annotations:
                errors = Errors()
                day = check_date(entity.annotations[annotation], errors, name, "The date")
                for message in errors[name]:
                    self.problems.error(entity, f"metadata.annotations[{annotation}]", message)
                dates[name] = day
        return dates

    def _dependency_since(self, entity: Entity) -> dict[str, dt.date]:
        """Return ``{provider slug: since}`` from the dependency-since annotation.

        The annotation reads ``provider=YYYY-MM-DD`` pairs separated by commas.
        """
        value = entity.annotations.get(DEPENDENCY_SINCE_ANNOTATION)
        field_name = f"metadata.annotations[{DEPENDENCY_SINCE_ANNOTATION}]"
        if value is None:
            return {}
        found: dict[str, dt.date] = {}
        for pair in value.split(",") if isinstance(value, str) else [None]:
            slug, _, day = (pair or "").strip().partition("=")
            errors = Errors()
            since = check_date(day.strip(), errors, "since", "since", latest=today())
            if not slug.strip() or since is None:
                self.problems.warn(entity, field_name, f"{pair!r} is not provider=YYYY-MM-DD "
                                                       "(not in the future); ignored.")
                continue
            found[slug.strip()] = since
        return found

    def _adoptions(self, entity: Entity, business: str) -> None:
        """Add the adoptions the portal's ``spec.adoptions`` lists (ended ones too)."""
        listed = entity.spec.get(ADOPTIONS_FIELD)
        if listed is None:
            return
        if not isinstance(listed, list):
            self.problems.error(entity, f"spec.{ADOPTIONS_FIELD}", "Must be a list of "
                                "{capability, api, since, until, purpose}.")
            return
        for i, item in enumerate(listed):
            where = f"spec.{ADOPTIONS_FIELD}[{i}]"
            if not isinstance(item, dict):
                self.problems.error(entity, where, "An adoption must be a mapping.")
                continue
            provider = self._depends_on(entity, f"{where}.capability", item.get("capability"))
            if provider is None:
                continue
            if provider[0] == "businesses":
                self.problems.error(entity, f"{where}.capability", f"{provider[1]!r} is a "
                                    "frontend (Business); only capabilities are adopted.")
                continue
            api_name = None
            if item.get("api") is not None:
                api = self._api_entity(entity, f"{where}.api", item["api"])
                if api is None:
                    continue
                if provider[1] not in self.providers.get(api.key, []):
                    self.problems.error(entity, f"{where}.api", f"{api.ref} is not an API of "
                                                                f"{provider[1]!r}.")
                    continue
                api_name = _api_name(api)
            errors = Errors()
            cleaned = check_adoption({**item, "business": business, "capability": provider[1],
                                      "api": api_name}, errors, today=today())
            for name, messages in errors.items():
                for message in messages:
                    self.problems.error(entity, f"{where}.{name}", message)
            if errors:
                continue
            key = (business, provider[1], cleaned["since"].isoformat(),
                   *([api_name.lower()] if api_name else []))
            values = {name: cleaned[name] for name in ("since", "until", "purpose")}
            if api_name:
                values["api"] = api_name
            if key in self.rows["adoptions"]:
                self.problems.error(entity, where, "The same adoption (capability, API, since) "
                                                   "is listed twice.")
                continue
            self.rows["adoptions"][key] = Row("adoptions", key, values, {}, entity)
            if Adoption(until=cleaned["until"]).active:
                self.listed_adoptions.add((business, provider[1], (api_name or "").lower()))

    def _dependency_kinds(self, entity: Entity) -> dict[str, str]:
        """Return ``{provider slug: kind}`` from the dependency-kinds annotation.

        The annotation reads ``provider=kind`` pairs separated by commas,
        e.g. ``order-center=async,user-tags=data``.
        """
        value = entity.annotations.get(DEPENDENCY_KINDS_ANNOTATION)
        if value is None:
            return {}
        kinds: dict[str, str] = {}
        pairs = value.split(",") if isinstance(value, str) else [None]
        for pair in pairs:
            slug, equals, kind = (pair or "").strip().partition("=")
            if not pair or not pair.strip():
                continue
            if not equals or kind.strip() not in DEPENDENCY_KINDS:
                self.problems.warn(entity, f"metadata.annotations[{DEPENDENCY_KINDS_ANNOTATION}]",
                                   f"{pair!r} is not provider=kind with a kind among "
                                   f"{', '.join(DEPENDENCY_KINDS)}; ignored.")
                continue
            kinds[slug.strip()] = kind.strip()
        return kinds

    def _layer_annotation(self, entity: Entity) -> str | None:
        value = entity.annotations.get(LAYER_ANNOTATION)
        if value is None or value in LAYERS:
            return value
        self.problems.warn(entity, f"metadata.annotations[{LAYER_ANNOTATION}]",
                           f"Unknown layer {value!r} (one of {', '.join(LAYERS)}); ignored.")
        return None

    def _domain_layer(self, slug: str) -> str:
        """Return the layer domain ``slug`` will have after the import."""
        row = self.rows["domains"].get((slug,))
        existing = self.catalog.domains.get(slug)
        if row is not None and "layer" in row.values:
            return row.values["layer"]
        if existing is not None:
            return existing.layer
        return row.defaults["layer"] if row is not None else UNASSIGNED.layer

    def _builtin_domain(self, domain: BuiltinDomain, entity: Entity) -> str:
        """Return the slug of a default domain, planning to create it when missing.

        An existing one (or a Domain of that name in the import) is left as it is.
        """
        self.rows["domains"].setdefault((domain.slug,), Row(
            "domains", (domain.slug,), {},
            {"name": domain.name, "layer": domain.layer, "description": domain.description},
            entity,
        ))
        return domain.slug

    def _lifecycle(self, entity: Entity) -> str:
        value = entity.spec.get("lifecycle")
        lifecycle = CAPABILITY_LIFECYCLES.get(value) if isinstance(value, str) else None
        if lifecycle is None:
            self.problems.warn(entity, "spec.lifecycle", f"Lifecycle {value!r} has no portal "
                                                         "equivalent; imported as 'proposed'.")
            return "proposed"
        return lifecycle

    def _tags(self, entity: Entity) -> list[str]:
        """Return the entity's tags made portal tags (sorted); warn about the others."""
        raw = entity.metadata.get("tags")
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.problems.warn(entity, "metadata.tags", "Tags must be a list; ignored.")
            return []
        tags: list[str] = []
        for i, value in enumerate(raw):
            tag = portal_tag(value)
            if tag is None:
                self.problems.warn(entity, f"metadata.tags[{i}]",
                                   f"Tag {value!r} cannot be a portal tag (lowercase letters, "
                                   f"digits and hyphens, at most {TAG_MAX}); dropped.")
            elif tag not in tags:
                tags.append(tag)
        if len(tags) > TAGS_MAX:
            self.problems.warn(entity, "metadata.tags",
                               f"Only the first {TAGS_MAX} of {len(tags)} tags are kept.")
        return sorted(tags[:TAGS_MAX])

    def _links(self, entity: Entity) -> dict[str, tuple[str, str]]:
        """Return ``{"repo_url" / "docs_url": (url, field)}`` from annotations and links."""
        found = {}
        source = entity.annotations.get(SOURCE_LOCATION_ANNOTATION)
        if isinstance(source, str) and source.startswith("url:") and HTTP_URL.match(source[4:]):
            found["repo_url"] = (source[4:], f"metadata.annotations[{SOURCE_LOCATION_ANNOTATION}]")
        links = entity.metadata.get("links")
        for i, link in enumerate(links if isinstance(links, list) else []):
            url = mapping(link).get("url")
            if not isinstance(url, str) or not HTTP_URL.match(url):
                continue
            marks = {_text(link.get("type")).lower(), _text(link.get("icon")).lower()}
            if marks & REPO_LINK_TYPES:
                found.setdefault("repo_url", (url, f"metadata.links[{i}]"))
            elif marks & DOCS_LINK_TYPES:
                found.setdefault("docs_url", (url, f"metadata.links[{i}]"))
        return found

    # bookkeeping

    def _check(self, entity: Entity, values: dict[str, Any], fields: dict[str, str]) -> None:
        """Apply the catalog's field rules; report each broken one at its descriptor field."""
        errors = Errors()
        check_capability(values, errors, partial=True)
        for key, messages in errors.items():
            for message in messages:
                self.problems.error(entity, fields.get(key, key), message)

    def _add(self, row: Row) -> None:
        self.maps_to.setdefault(row.source.key, row_key(row.kind, *row.key))
        first = self.rows[row.kind].setdefault(row.key, row)
        if first is not row:
            what = (f"API {row.key[1]!r} of {row.key[0]!r}" if row.kind == "apis"
                    else f"{ENTITY_TYPES[row.kind]} {row.key[0]!r}")
            self.problems.error(row.source, "metadata.name", (
                f"{row.source.ref} and {first.source.ref} ({first.source.file}#"
                f"{first.source.document}) would both be {what}."
            ))

    def _count_unmapped(self) -> None:
        counts: Counter[str] = Counter()
        first: dict[str, Entity] = {}
        for entity in self.entities:
            if entity.kind not in MAPPED_KINDS:
                counts[entity.label] += 1
                first.setdefault(entity.label, entity)
        for label, count in sorted(counts.items()):
            self.problems.warn(first[label], "kind", f"The portal does not map {label} entities: "
                                                     f"{count} kept as they are (exported back "
                                                     "unchanged), none mapped.")
        self.unmapped = dict(sorted(counts.items()))


def _parse_ref(value: Any, default_kind: str, default_namespace: str) -> Key | None:
    """Split an entity reference ``[kind:][namespace/]name``.

    >>> _parse_ref("group:default/team-a", "group", "default")
    ('group', 'default', 'team-a')
    >>> _parse_ref("guest", "group", "default")
    ('group', 'default', 'guest')
    """
    if not isinstance(value, str) or not value.strip():
        return None
    kind, colon, rest = value.strip().partition(":")
    if not colon:
        kind, rest = default_kind, kind
    namespace, slash, name = rest.rpartition("/")
    if not name:
        return None
    return (kind.lower(), namespace if slash else default_namespace, name)


def _api_name(entity: Entity) -> str:
    """Return the portal name of an API entity: the portal annotation, else its name."""
    name = entity.annotations.get(API_NAME_ANNOTATION)
    return name.strip() if isinstance(name, str) and name.strip() else entity.name


def _ref_text(key: Key) -> str:
    return f"{key[0]}:{key[1]}/{key[2]}"




def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _title(entity: Entity, preferred: Any = None, preferred_field: str = "") -> tuple[str, str]:
    """Return the display name and the field it came from."""
    for value, field_name in ((preferred, preferred_field),
                              (entity.metadata.get("title"), "metadata.title")):
        if _text(value):
            return _text(value), field_name
    return entity.name, "metadata.name"


def first_line(text: str) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line[:SUMMARY_MAX]


def portal_tag(value: Any) -> str | None:
    """Return a Backstage tag as a portal tag, or None when it cannot be one.

    >>> portal_tag("Machine_Learning"), portal_tag("c++")
    ('machine-learning', None)
    """
    if not isinstance(value, str):
        return None
    tag = TAG_SEPARATORS.sub("-", value.strip().lower()).strip("-")
    tag = re.sub(r"-{2,}", "-", tag)
    return tag if tag and len(tag) <= TAG_MAX and TAG_RE.match(tag) else None
