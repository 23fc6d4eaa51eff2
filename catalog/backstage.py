"""Importing Backstage descriptors (``catalog-info.yaml``) into the catalog.

An import runs in four steps, each a small function or class:

1. :func:`_parse` reads the YAML files, following ``kind: Location`` targets,
   into :class:`Entity` records;
2. :class:`_Resolver` maps the entities onto portal rows (:class:`Row`),
   resolving every entity reference and sorting problems into errors and
   warnings;
3. :func:`_plan` compares those rows with the database: create, update or
   unchanged;
4. :func:`_write` applies the plan in one transaction, committed once.

Any error stops the import before step 3, so nothing is written. The mapping
(apiVersion ``backstage.io/v1alpha1``):

- Group -> Team; Domain -> Domain; System -> the domain of its components;
- Component -> Capability, or Business when ``spec.type`` is ``website`` or
  the ``capability-portal/layer`` annotation says ``frontend``;
- Resource -> Capability in an infrastructure domain;
- API -> Api on each component listing it in ``spec.providesApis``;
- ``spec.dependsOn`` and ``spec.consumesApis`` -> Dependency (a Business
  consuming a capability -> Adoption); ``spec.subcomponentOf`` -> Dependency
  from the parent (which is made of its parts) to the subcomponent;
- User, Template and unknown kinds are counted and reported, not imported.

Fields Backstage describes (names, descriptions, tags, lifecycle, owner,
system, links) are set from the descriptor on every import; fields it does not
describe (team kind, tier, SLA, dependency kind, a domain's layer without the
annotation) are set only when the row is created, unless a ``capability-portal/*``
annotation states them (the portal's own export writes them all, see
:mod:`catalog.backstage_export`, so an export imports back unchanged). Portal
rows the import does not mention are left alone.

:func:`import_catalog` reads a path (the command line); :func:`import_text`
reads one uploaded file (the JSON API) through the same code. YAML aliases are
refused (PyYAML would expand them without limit), and so is a NUL character.
Only architects, admins and the system may import (:func:`ensure_can_import`).
"""

import os
import re
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa
import yaml
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from catalog import audit
from catalog.capabilities import search_text
from catalog.db import db
from catalog.errors import Forbidden, ValidationFailed
from catalog.models import (
    Adoption,
    Api,
    AuditEvent,
    Business,
    Capability,
    CapabilityTag,
    Dependency,
    Domain,
    Team,
    User,
)
from catalog.models.capability import DEPENDENCY_KINDS, LAYERS
from catalog.models.org import TEAM_KINDS
from catalog.permissions import EDIT_ALL_ROLES
from catalog.validation import (
    SUMMARY_MAX,
    TAG_MAX,
    TAG_RE,
    TAGS_MAX,
    Errors,
    check_capability,
    check_slug,
)

API_VERSIONS = ("backstage.io/v1alpha1", "backstage.io/v1beta1")
ANNOTATION_PREFIX = "capability-portal/"
LAYER_ANNOTATION = "capability-portal/layer"
API_VERSION_ANNOTATION = "capability-portal/api-version"
#: Portal fields Backstage has no place for travel as annotations (the export
#: writes them, the import reads them), so an export imports back unchanged.
CAPABILITY_ANNOTATIONS = {
    "summary": "capability-portal/summary",
    "lifecycle": "capability-portal/lifecycle",
    "tier": "capability-portal/tier",
    "sla_availability": "capability-portal/sla-availability",
    "sla_p99_ms": "capability-portal/sla-p99-ms",
}
DEPENDENCY_KINDS_ANNOTATION = "capability-portal/dependency-kinds"
TEAM_KIND_ANNOTATION = "capability-portal/team-kind"
BUSINESS_STATUS_ANNOTATION = "capability-portal/status"
API_NAME_ANNOTATION = "capability-portal/api-name"
API_DEFINITION_ANNOTATION = "capability-portal/api-definition"
#: The definition the export writes for an API registered without one (Backstage
#: requires a definition); with ``API_DEFINITION_ANNOTATION: none`` it imports as none.
NO_DEFINITION = "# No definition is registered in the capability portal.\n"
BUSINESS_STATUS_MAX = Business.__table__.c.status.type.length
SOURCE_LOCATION_ANNOTATION = "backstage.io/source-location"

# Portal row kinds, in the order they are written (a row only refers to earlier kinds).
KINDS = ("teams", "domains", "businesses", "capabilities", "apis", "dependencies", "adoptions")
ENTITY_TYPES = {"teams": "team", "domains": "domain", "businesses": "business",
                "capabilities": "capability"}
KIND_LABELS = {"api": "API", "component": "Component", "domain": "Domain", "group": "Group",
               "location": "Location", "resource": "Resource", "system": "System",
               "template": "Template", "user": "User"}
MAPPED_KINDS = frozenset({"api", "component", "domain", "group", "location", "resource", "system"})
SLUG_KINDS = frozenset({"component", "domain", "group", "resource"})
FRONTEND_TYPES = frozenset({"website"})
CAPABILITY_LIFECYCLES = {"production": "production", "experimental": "proposed",
                         "deprecated": "deprecated"}
API_STATUSES = {"production": "stable", "experimental": "beta", "deprecated": "deprecated"}
API_FIELDS = {"name": "metadata.name", "kind": "spec.type", "status": "spec.lifecycle",
              "version": f"metadata.annotations[{API_VERSION_ANNOTATION}]",
              "description": "metadata.description", "spec": "spec.definition"}
REPO_LINK_TYPES = frozenset({"repository", "source", "github", "gitlab", "bitbucket"})
DOCS_LINK_TYPES = frozenset({"docs", "documentation", "techdocs"})
REFERENCE_FIELDS = {"team": "slug", "domain": "slug", "api": "name"}
CONTACT_MAX = Team.__table__.c.contact.type.length
MAX_YAML_NODES = 2_000_000
#: The largest catalog-info.yaml text :func:`import_text` takes (the JSON API's upload).
MAX_TEXT_BYTES = 5 * 1024 * 1024
TEXT_FILE_NAME = "catalog-info.yaml"
PROGRESS_EVERY = 500
LOAD_CHUNK = 500
HTTP_URL = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)
TAG_SEPARATORS = re.compile(r"[\s_.:/]+")

Key = tuple[str, str, str]  # (lower-case kind, namespace, name)


class BuiltinDomain(NamedTuple):
    slug: str
    name: str
    layer: str
    description: str


UNASSIGNED = BuiltinDomain(
    "unassigned", "Unassigned", "business-platform",
    "Imported Backstage components whose system names no domain.",
)
RESOURCES = BuiltinDomain(
    "infrastructure-resources", "Infrastructure", "infrastructure",
    "Imported Backstage resources whose system is not in an infrastructure domain.",
)


# -- what an import reports ---------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the descriptors, located as precisely as possible.

    Attributes
    ----------
    file : str
        Path relative to the imported folder (or to the folder of the imported file).
    document : int or None
        0-based index of the YAML document within the file (None: the whole file).
    ref : str
        Entity reference ``kind:namespace/name`` ("" when not known yet).
    field : str
        Descriptor field, e.g. ``spec.dependsOn[1]`` ("" for the whole document).
    message : str
        What is wrong and what the import did about it.
    """

    file: str
    document: int | None
    ref: str
    field: str
    message: str

    @property
    def location(self) -> str:
        """Return ``file#document ref field``, leaving out the parts not known."""
        where = self.file if self.document is None else f"{self.file}#{self.document}"
        return " ".join(part for part in (where, self.ref, self.field) if part)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


def _zero_counts() -> dict[str, int]:
    return dict.fromkeys(KINDS, 0)


@dataclass
class ImportReport:
    """What an import read, would change or changed, and every problem found.

    Attributes
    ----------
    source : str
        The path that was imported.
    dry_run : bool
        True when the plan was computed without writing.
    written : bool
        True when the changes were committed.
    read : dict
        Entities read per kind, e.g. ``{"Component": 13}``.
    unmapped : dict
        Entities of kinds the portal does not map, per kind (counted only).
    created, updated, unchanged : dict
        Portal rows per kind (teams, domains, businesses, capabilities, apis,
        dependencies, adoptions).
    errors : list of Problem
        Problems that stop the import; when any, nothing is written.
    warnings : list of Problem
        Problems imported around (dangling owner, unmapped kinds, ...).
    plan : list of dict
        Each row created or updated (by a dry run: that would be), in writing
        order: ``{"action": "create" | "update", "kind", "key", "fields"}``,
        ``key`` being the slug (``capability/api`` for an API,
        ``consumer/provider`` for a link) and ``fields`` the fields set.
    """

    source: str
    dry_run: bool = False
    written: bool = False
    read: dict[str, int] = field(default_factory=dict)
    unmapped: dict[str, int] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=_zero_counts)
    updated: dict[str, int] = field(default_factory=_zero_counts)
    unchanged: dict[str, int] = field(default_factory=_zero_counts)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    plan: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no error stops the import."""
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data (what the import endpoint returns)."""
        data = asdict(self)
        data["ok"] = self.ok
        return data

    def as_error(self) -> "ImportFailed":
        """Return the errors as a :class:`ImportFailed` (a ``ValidationFailed``)."""
        return ImportFailed(self)

    def __str__(self) -> str:
        lines = [self._headline()]
        if self.read:
            lines.append("Read: " + ", ".join(f"{n} {kind}" for kind, n in self.read.items()) + ".")
        if self.ok:
            lines.append(f"  {'':<14}{'created':>9}{'updated':>9}{'unchanged':>11}")
            lines += [f"  {kind:<14}{self.created[kind]:>9}{self.updated[kind]:>9}"
                      f"{self.unchanged[kind]:>11}" for kind in KINDS]
        if self.unmapped:
            lines.append("Not mapped (counted only): "
                         + ", ".join(f"{n} {kind}" for kind, n in self.unmapped.items()) + ".")
        for title, problems in (("Errors", self.errors), ("Warnings", self.warnings)):
            if problems:
                lines.append(f"{title} ({len(problems)}):")
                lines += [f"  {problem}" for problem in problems]
        return "\n".join(lines)

    def _headline(self) -> str:
        if not self.ok:
            return (f"Backstage import of {self.source} failed with {len(self.errors)} "
                    "error(s); nothing was written.")
        if self.dry_run:
            return f"Dry run of the Backstage import of {self.source}: nothing was written."
        if not self.written:
            return f"Imported {self.source}: the catalog already matched it; nothing changed."
        return f"Imported {self.source}."


class ImportFailed(ValidationFailed):
    """The Backstage descriptors have errors; nothing was written.

    ``errors`` maps each problem's location (``file#document ref field``) to
    its messages; ``report`` is the whole :class:`ImportReport`.
    """

    def __init__(self, report: ImportReport) -> None:
        errors: dict[str, list[str]] = {}
        for problem in report.errors:
            errors.setdefault(problem.location, []).append(problem.message)
        super().__init__(errors, f"{len(report.errors)} error(s) in the Backstage descriptors "
                                 f"of {report.source}; nothing was written.")
        self.report = report


# -- the import ----------------------------------------------------------------


def ensure_can_import(actor: User | None) -> None:
    """Raise Forbidden unless ``actor`` may import catalogs: architects, admins, the system.

    An import creates and changes teams, domains and any team's capabilities
    at once, so it is a governance action, not a team's.
    """
    if actor is not None and actor.role not in EDIT_ALL_ROLES:
        raise Forbidden("Only architects and admins can import Backstage catalogs.")


def import_text(text: str | bytes, *, name: str = "the upload", dry_run: bool = False,
                actor: User | None = None) -> ImportReport:
    """Import one multi-document ``catalog-info.yaml`` given as text, all or nothing.

    The text is imported exactly as :func:`import_catalog` imports a file
    (it is written to a private temporary folder first), so Location targets
    and ``$text`` definitions can only name files that are not there: send
    one self-contained file. Problems name the file ``catalog-info.yaml``.

    Parameters
    ----------
    text : str or bytes
        The YAML (UTF-8), at most :data:`MAX_TEXT_BYTES`.
    name : str
        What to call the source in the report and the audit trail.
    dry_run, actor
        As :func:`import_catalog`.

    Raises
    ------
    Forbidden
        ``actor`` may not import (see :func:`ensure_can_import`).
    """
    ensure_can_import(actor)
    data = text.encode("utf-8") if isinstance(text, str) else text
    if len(data) > MAX_TEXT_BYTES:
        report = ImportReport(source=name, dry_run=dry_run)
        report.errors.append(Problem(TEXT_FILE_NAME, None, "", "", (
            f"The file is {len(data):,} bytes; at most {MAX_TEXT_BYTES:,} are imported at "
            "once. Split it, or import a folder with the command line.")))
        return report
    with tempfile.TemporaryDirectory(prefix="backstage-import-") as folder:
        path = Path(folder) / TEXT_FILE_NAME
        path.write_bytes(data)
        return import_catalog(path, dry_run=dry_run, actor=actor, name=name)


def import_catalog(path: str | Path, *, dry_run: bool = False,
                   progress: Callable[[int, int], None] | None = None,
                   actor: User | None = None, name: str | None = None) -> ImportReport:
    """Import Backstage descriptors into the catalog, all or nothing.

    Parameters
    ----------
    path : str or Path
        A ``catalog-info.yaml`` (multi-document YAML) or a folder, whose
        ``*.yaml`` and ``*.yml`` files are read recursively in sorted order.
        ``kind: Location`` targets are followed relative to their file; they
        must stay inside that folder (the folder of the file imported).
    dry_run : bool
        Compute and report the plan without writing anything.
    progress : callable, optional
        Called as ``progress(done, total)`` every 500 rows written and once
        at the end, ``total`` being the rows created or updated.
    actor : User, optional
        Who imports, for the audit trail (None: the system); only
        architects and admins may (see :func:`ensure_can_import`).
    name : str, optional
        What to call the source in the report (default: ``path``).

    Returns
    -------
    ImportReport
        Counts per kind and every problem. When ``report.errors`` is not
        empty nothing was written; ``report.as_error()`` turns it into a
        ``ValidationFailed`` for the command line and the JSON API.

    Notes
    -----
    Rows are matched by slug (APIs by capability and name, dependencies by
    consumer and provider), so importing the same input again updates in
    place and creates nothing. Each written entity gets an audit event, and
    one ``import`` event carries the counts and the warnings; the catalog
    revision is bumped once, and only when something changed.
    """
    ensure_can_import(actor)
    source = name or str(path)
    problems = _Problems()
    root = _root(Path(path))
    entities = _parse(Path(path), root, problems)
    catalog = _Catalog(entities)
    resolver = _Resolver(entities, catalog, problems, root)
    rows = resolver.resolve()
    report = ImportReport(source=source, dry_run=dry_run, read=_count_kinds(entities),
                          unmapped=resolver.unmapped, errors=problems.errors,
                          warnings=problems.warnings)
    if not report.ok:
        return report
    steps = _plan(rows, catalog)
    for step in steps:
        getattr(report, step.action)[step.row.kind] += 1
    report.plan = [step.as_plan() for step in steps if step.action != "unchanged"]
    if dry_run:
        return report
    try:
        report.written = _write(steps, catalog, actor=actor, summary=_summary(report),
                                progress=progress)
    except (IntegrityError, StaleDataError) as exc:
        report.errors.append(Problem(
            source, None, "", "",
            f"The catalog changed while importing ({type(exc).__name__}); nothing was "
            "written. Run the import again.",
        ))
    return report


class _Problems:
    """Collects errors and warnings in the order they are found."""

    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, at: "Entity | Place", field: str, message: str) -> None:
        self.errors.append(Problem(at.file, at.document, at.ref, field, message))

    def warn(self, at: "Entity | Place", field: str, message: str) -> None:
        self.warnings.append(Problem(at.file, at.document, at.ref, field, message))


class Place(NamedTuple):
    """Where a problem is when there is no entity to point at."""

    file: str
    document: int | None
    ref: str = ""


@dataclass
class Entity:
    """One Backstage descriptor as read from a YAML document."""

    kind: str  # lower-case, as in entity references
    label: str  # the kind as the portal reports it, e.g. "API"
    namespace: str
    name: str
    file: str
    document: int
    folder: Path  # the folder of its file, for relative paths
    metadata: dict[str, Any]
    spec: dict[str, Any]

    @property
    def key(self) -> Key:
        return (self.kind, self.namespace, self.name)

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.namespace}/{self.name}"

    @property
    def annotations(self) -> dict[str, Any]:
        return _mapping(self.metadata.get("annotations"))


def _count_kinds(entities: list[Entity]) -> dict[str, int]:
    return dict(sorted(Counter(entity.label for entity in entities).items()))


# -- 1. parse ------------------------------------------------------------------


def _root(path: Path) -> Path:
    """Return the imported folder: ``path`` itself, or the folder of the file ``path``."""
    return path.resolve() if path.is_dir() else path.resolve().parent


def _parse(path: Path, root: Path, problems: _Problems) -> list[Entity]:
    """Read every entity reachable from ``path``, each file once, in reading order."""
    if not path.exists():
        problems.error(Place(str(path), None), "", "No such file or folder.")
        return []
    if path.is_dir():
        queue = deque((file, True) for file in sorted(root.rglob("*"))
                      if file.suffix in (".yaml", ".yml") and file.is_file())
    else:
        queue = deque([(path.resolve(), False)])
    seen: set[Path] = set()
    entities: list[Entity] = []
    while queue:
        file, scanned = queue.popleft()
        if file.resolve() in seen:
            continue
        seen.add(file.resolve())
        for entity in _read_file(file, root, scanned, problems):
            entities.append(entity)
            if entity.kind == "location":
                queue.extend((target, False) for target in _location_targets(entity, root, problems))
    return entities


def _read_file(file: Path, root: Path, scanned: bool, problems: _Problems) -> list[Entity]:
    """Return the entities of one YAML file.

    A file found by scanning a folder that holds no descriptor at all (an
    OpenAPI document, say) is skipped with a warning.
    """
    rel = file.relative_to(root).as_posix()
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.error(Place(rel, None), "", f"Cannot read the file: {exc}.")
        return []
    documents: list[Any] = []
    try:
        documents.extend(yaml.load_all(text, Loader=_GuardedLoader))
    except yaml.YAMLError as exc:
        problems.error(Place(rel, len(documents)), "", f"Malformed YAML: {_yaml_message(exc)}")
    else:
        if scanned and not any(isinstance(doc, dict) and ("kind" in doc or "apiVersion" in doc)
                               for doc in documents):
            problems.warn(Place(rel, None), "",
                          "No Backstage descriptor (no kind or apiVersion) in this file; skipped.")
            return []
    entities = (_entity(doc, rel, index, file.parent, problems)
                for index, doc in enumerate(documents))
    return [entity for entity in entities if entity is not None]


class _GuardedLoader(yaml.SafeLoader):
    """PyYAML's safe loader without the ways a small file can eat the server.

    PyYAML expands aliases without limit (a few kilobytes of nested aliases
    become billions of nodes), so aliases are refused, as Backstage's own
    catalog files never need them; a file may hold at most
    :data:`MAX_YAML_NODES` nodes; and a NUL character (which ``"\\0"``
    spells in YAML) cannot be stored in PostgreSQL text, so it is refused too.
    """

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not accepted; write the value out",
                self.peek_event().start_mark)
        self.nodes += 1
        if self.nodes > MAX_YAML_NODES:
            raise yaml.composer.ComposerError(
                None, None, f"more than {MAX_YAML_NODES:,} YAML nodes in one file",
                self.peek_event().start_mark)
        node = super().compose_node(parent, index)
        if isinstance(node, yaml.ScalarNode) and "\x00" in node.value:
            raise yaml.composer.ComposerError(None, None, "a NUL character (\\0) is not "
                                                          "accepted in text", node.start_mark)
        return node


def _yaml_message(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        context = f"{exc.context}, " if exc.context else ""
        return f"{context}{exc.problem} (line {mark.line + 1}, column {mark.column + 1})."
    return " ".join(str(exc).split())


def _entity(doc: Any, rel: str, index: int, folder: Path,
            problems: _Problems) -> Entity | None:
    """Check the envelope of one document and return its entity (None: not one)."""
    if doc is None:  # an empty document, e.g. after a trailing ---
        return None
    if not isinstance(doc, dict):
        problems.error(Place(rel, index), "",
                       f"A descriptor must be a mapping, not a {type(doc).__name__}.")
        return None
    kind, metadata, spec = doc.get("kind"), doc.get("metadata"), doc.get("spec") or {}
    meta = _mapping(metadata)
    name, namespace = meta.get("name"), meta.get("namespace") or "default"
    has_kind = isinstance(kind, str) and bool(kind.strip())
    has_name = isinstance(name, str) and bool(name.strip())
    kind_ref = kind.strip().lower() if has_kind else "?"
    place = Place(rel, index, f"{kind_ref}:{namespace}/{name if has_name else '?'}")
    if not has_kind:
        problems.error(place, "kind", "The kind is missing.")
    if not isinstance(metadata, dict):
        problems.error(place, "metadata", "metadata is missing or not a mapping.")
    elif not has_name:
        problems.error(place, "metadata.name", "metadata.name is missing or not text.")
    if not isinstance(namespace, str):
        problems.error(place, "metadata.namespace", "metadata.namespace must be text.")
    if not isinstance(spec, dict):
        problems.error(place, "spec", "spec must be a mapping.")
    if not (has_kind and has_name and isinstance(namespace, str) and isinstance(spec, dict)):
        return None
    entity = Entity(kind=kind_ref, label=KIND_LABELS.get(kind_ref, kind.strip()),
                    namespace=namespace, name=name, file=rel, document=index, folder=folder,
                    metadata=meta, spec=spec)
    if entity.kind in MAPPED_KINDS and doc.get("apiVersion") not in API_VERSIONS:
        problems.warn(entity, "apiVersion", f"apiVersion {doc.get('apiVersion')!r} is not "
                                            f"{API_VERSIONS[0]}; read as if it were.")
    if entity.kind in SLUG_KINDS:
        errors = Errors()
        check_slug(name, errors, "metadata.name")
        for message in errors["metadata.name"]:
            problems.error(entity, "metadata.name",
                           f"{name!r} cannot be a portal slug (it is not rewritten): {message}")
    return entity


def _location_targets(entity: Entity, root: Path, problems: _Problems) -> list[Path]:
    """Return the local files a Location points at; warn about URLs, report missing files."""
    targets: list[tuple[str, Any]] = []
    if "target" in entity.spec:
        targets.append(("spec.target", entity.spec["target"]))
    listed = entity.spec.get("targets") or []
    if isinstance(listed, list):
        targets += [(f"spec.targets[{i}]", target) for i, target in enumerate(listed)]
    else:
        problems.error(entity, "spec.targets", "spec.targets must be a list of paths.")
    optional = entity.spec.get("presence") == "optional"
    files = []
    for field_name, target in targets:
        if isinstance(target, str) and HTTP_URL.match(target):
            problems.warn(entity, field_name, f"{target} is a URL; remote locations are not "
                                              "fetched, so its entities are not imported.")
            continue
        file = _local_file(entity, field_name, target, root, problems, "Location target",
                           optional=optional)
        if file is not None:
            files.append(file)
    return files


def _local_file(entity: Entity, field_name: str, target: Any, root: Path, problems: _Problems,
                what: str, *, optional: bool = False) -> Path | None:
    """Resolve ``target`` relative to the entity's file; report it when it is not usable."""
    if not isinstance(target, str) or not target.strip():
        problems.error(entity, field_name, f"{what} must be a relative file path.")
        return None
    file = Path(os.path.normpath(entity.folder / target.strip()))
    if not file.resolve().is_relative_to(root) or not file.is_relative_to(root):
        problems.error(entity, field_name,
                       f"{what} {target} is outside the imported folder; it is not read.")
        return None
    if not file.is_file():
        if optional:
            problems.warn(entity, field_name, f"Optional {what.lower()} {target} does not exist.")
        else:
            problems.error(entity, field_name, f"{what} {target} does not exist.")
        return None
    return file


# -- 2. resolve ----------------------------------------------------------------


@dataclass
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


class _Catalog:
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
        return next((link for link in owner.adoptions if link.capability.slug == key[1]), None)

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


class _Resolver:
    """Turns parsed entities into portal rows, reporting what does not fit."""

    def __init__(self, entities: list[Entity], catalog: _Catalog, problems: _Problems,
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
        profile = _mapping(entity.spec.get("profile"))
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
            "name": name, "summary": _first_line(description), "description": description,
            "tags": self._tags(entity), "docs_url": docs_url, "repo_url": repo_url,
        }
        portal = self._portal_fields(entity)
        if entity.kind == "component" and "lifecycle" not in portal:
            values["lifecycle"] = self._lifecycle(entity)
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
            self.problems.warn(entity, "", "No component provides this API, so it is not "
                                           "imported (an API belongs to its provider).")
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
        check_capability({"apis": [values]}, errors, partial=True)
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

    def _definition(self, entity: Entity) -> str:
        """Return the API definition: inline text, or the text of a local ``$text`` file."""
        definition = entity.spec.get("definition")
        if definition is None or isinstance(definition, str):
            return definition or ""
        target = definition.get("$text") if isinstance(definition, dict) else None
        if not isinstance(target, str) or len(definition) != 1:
            self.problems.warn(entity, "spec.definition", "Only text or {$text: file} "
                                                          "definitions are read; left empty.")
            return ""
        field_name = "spec.definition.$text"
        if HTTP_URL.match(target):
            self.problems.warn(entity, field_name, f"{target} is not fetched; the API is "
                                                   "imported without its definition.")
            return ""
        file = _local_file(entity, field_name, target, self.root, self.problems,
                           "Definition file")
        if file is None:
            return ""
        try:
            return file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.problems.error(entity, field_name, f"Cannot read {target}: {exc}.")
            return ""

    def _relations(self, entity: Entity) -> None:
        source = self.targets[entity.key]
        kinds = self._dependency_kinds(entity)
        for i, value in enumerate(self._refs(entity, "dependsOn")):
            field_name = f"spec.dependsOn[{i}]"
            provider = self._depends_on(entity, field_name, value)
            if provider is not None:
                self._link(entity, field_name, source, provider, {},
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
                self._link(entity, field_name, source, ("capabilities", slug),
                           {"api": _api_name(api)}, kinds.get(slug, kind), stated=slug in kinds)
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
            tag = _portal_tag(value)
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
            url = _mapping(link).get("url")
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
                                                     f"{count} counted, none imported.")
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


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _title(entity: Entity, preferred: Any = None, preferred_field: str = "") -> tuple[str, str]:
    """Return the display name and the field it came from."""
    for value, field_name in ((preferred, preferred_field),
                              (entity.metadata.get("title"), "metadata.title")):
        if _text(value):
            return _text(value), field_name
    return entity.name, "metadata.name"


def _first_line(text: str) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line[:SUMMARY_MAX]


def _portal_tag(value: Any) -> str | None:
    """Return a Backstage tag as a portal tag, or None when it cannot be one.

    >>> _portal_tag("Machine_Learning"), _portal_tag("c++")
    ('machine-learning', None)
    """
    if not isinstance(value, str):
        return None
    tag = TAG_SEPARATORS.sub("-", value.strip().lower()).strip("-")
    tag = re.sub(r"-{2,}", "-", tag)
    return tag if tag and len(tag) <= TAG_MAX and TAG_RE.match(tag) else None


# -- 3. plan -------------------------------------------------------------------


@dataclass
class Step:
    """What the import does with one row: create it, update it, or nothing."""

    row: Row
    target: Any  # the matching portal row; None when it is created
    changes: dict[str, list[Any]]  # {field: [old, new]}, as the audit trail keeps them

    @property
    def action(self) -> str:
        if self.target is None:
            return "created"
        return "updated" if self.changes else "unchanged"

    def as_plan(self) -> dict[str, Any]:
        """Return this step as a line of the report's plan."""
        return {"action": self.action[:-1], "kind": self.row.kind,
                "key": "/".join(self.row.key), "fields": sorted(self.changes)}


def _plan(rows: dict[str, list[Row]], catalog: _Catalog) -> list[Step]:
    """Match each row with the portal and say what changes, in writing order."""
    steps = []
    for kind in KINDS:
        for row in rows[kind]:
            target = catalog.find(kind, row.key)
            if target is None:
                changes = audit.diff({}, {**row.defaults, **row.values})
            else:
                changes = audit.diff({name: _current(target, name) for name in row.values},
                                     row.values)
            steps.append(Step(row, target, changes))
    return steps


def _current(obj: Any, name: str) -> Any:
    """Return a portal row's field the way a planned row states it."""
    if name == "tags":
        return sorted(obj.tags)
    value = getattr(obj, name)
    if name in REFERENCE_FIELDS and value is not None:
        return getattr(value, REFERENCE_FIELDS[name])
    return value


# -- 4. write ------------------------------------------------------------------


def _write(steps: list[Step], catalog: _Catalog, *, actor: User | None, summary: dict[str, Any],
           progress: Callable[[int, int], None] | None) -> bool:
    """Apply the plan in one transaction; return whether anything was written.

    Rolls back and re-raises on any exception.
    """
    changed = [step for step in steps if step.action != "unchanged"]
    if not changed:
        return False
    try:
        with db.session.no_autoflush:
            for done, step in enumerate(changed, 1):
                _apply(step, catalog)
                if step.row.kind in ENTITY_TYPES:
                    audit.log(actor, "create" if step.target is None else "update",
                              ENTITY_TYPES[step.row.kind], step.row.key[0], step.changes)
                if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(changed)):
                    progress(done, len(changed))
        audit.record(actor, "import", "backstage", summary["source"][-120:], summary)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return True


def _apply(step: Step, catalog: _Catalog) -> None:
    """Create or update the portal row of one step."""
    row = step.row
    obj = step.target if step.target is not None else _new(row, catalog)
    values = row.values if step.target is not None else {**row.defaults, **row.values}
    for name, value in values.items():
        if name == "team":
            obj.team = catalog.teams[value] if value else None
        elif name == "domain":
            obj.domain = catalog.domains[value]
        elif name == "api":
            obj.api = catalog.api(row.key[1], value)
        elif name == "tags":
            kept = {link.tag: link for link in obj.tag_links}
            obj.tag_links = [kept.get(tag) or CapabilityTag(tag=tag) for tag in value]
        else:
            setattr(obj, name, value)
    if isinstance(obj, Capability):
        obj.search_text = search_text(obj.slug, obj.name, obj.summary, obj.tags)
    if step.target is None:
        db.session.add(obj)
        catalog.remember(row, obj)


def _new(row: Row, catalog: _Catalog) -> Any:
    """Return a new, empty model object for a row that is created."""
    first, second = row.key[0], row.key[-1]
    if row.kind == "apis":
        return Api(capability=catalog.capability(first))
    if row.kind == "dependencies":
        return Dependency(consumer=catalog.capability(first), provider=catalog.capability(second))
    if row.kind == "adoptions":
        return Adoption(business=catalog.businesses[first], capability=catalog.capability(second))
    model = {"teams": Team, "domains": Domain, "businesses": Business,
             "capabilities": Capability}[row.kind]
    return model(slug=first)


def _summary(report: ImportReport) -> dict[str, Any]:
    """Return what the audit event of an import keeps, warnings included."""
    return {"source": report.source, "created": report.created, "updated": report.updated,
            "unmapped": report.unmapped, "warnings": [str(problem) for problem in report.warnings]}


def latest_import() -> AuditEvent | None:
    """Return the audit event of the latest Backstage import that wrote something.

    Its ``changes`` hold the source, the counts and the warnings as lines.
    """
    return db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "import",
                                    AuditEvent.entity_type == "backstage")
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(1)
    )
