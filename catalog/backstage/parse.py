"""Step 1: read YAML files, following Location targets, into :class:`Entity` records."""

import datetime as dt
import os
import re
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import yaml

from catalog import safe_yaml
from catalog.backstage.report import Problem
from catalog.backstage.vocabulary import (
    API_VERSIONS,
    HTTP_URL,
    KIND_LABELS,
    MAPPED_KINDS,
    MAX_YAML_NODES,
    SLUG_KINDS,
    TARGETS_IN_EXPORT_ANNOTATION,
    Key,
)
from catalog.validation import Errors, check_slug

GLOB = re.compile(r"[*?\[]")
#: Backstage's own rules for kinds, names and namespaces (FieldFormatEntityPolicy).
BACKSTAGE_NAME_MAX = 63
KIND_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9]*$")
BACKSTAGE_NAME_RE = re.compile(r"^[a-zA-Z0-9]+(?:[-_.][a-zA-Z0-9]+)*$")
NAMESPACE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: What an entity holds once its document is let go: empty, and read-only.
FORGOTTEN: Mapping[str, Any] = MappingProxyType({})


class Problems:
    """Collects errors and warnings in the order they are found."""

    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.skipped: list[str] = []  # files of a folder holding no descriptor

    def error(self, at: "Entity | Place", field: str, message: str) -> None:
        self.errors.append(Problem(at.file, at.document, at.ref, field, message))

    def warn(self, at: "Entity | Place", field: str, message: str) -> None:
        self.warnings.append(Problem(at.file, at.document, at.ref, field, message))


class Place(NamedTuple):
    """Where a problem is when there is no entity to point at."""

    file: str
    document: int | None
    ref: str = ""


@dataclass(slots=True)
class Entity:
    """One Backstage descriptor as read from a YAML document."""

    kind: str  # lower-case, as in entity references
    label: str  # the kind as the portal reports it, e.g. "API"
    namespace: str
    name: str
    file: str
    document: int
    folder: Path  # the folder of its file, for relative paths
    metadata: Mapping[str, Any]
    spec: Mapping[str, Any]
    descriptor: Mapping[str, Any]  # the whole document, as JSON data (dates as YYYY-MM-DD text)
    key: Key = field(init=False)  # made once: an import's dicts hold it 75,000 times at 10,000

    def __post_init__(self) -> None:
        self.key = (self.kind, self.namespace, self.name)

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.namespace}/{self.name}"

    @property
    def annotations(self) -> dict[str, Any]:
        return mapping(self.metadata.get("annotations"))

    def forget_document(self) -> None:
        """Drop the document once it is kept; where it was read stays, for problems."""
        self.metadata = self.spec = self.descriptor = FORGOTTEN


def count_kinds(entities: list[Entity]) -> dict[str, int]:
    return dict(sorted(Counter(entity.label for entity in entities).items()))


def file_counts(entities: list[Entity], problems: Problems) -> dict[str, dict[str, int]]:
    """Return ``{file: {"entities", "errors", "warnings"}}`` for every file read, by path."""
    counts: dict[str, dict[str, int]] = {}

    def of(file: str) -> dict[str, int]:
        return counts.setdefault(file, {"entities": 0, "errors": 0, "warnings": 0})

    for entity in entities:
        of(entity.file)["entities"] += 1
    for file in problems.skipped:
        of(file)
    for name, found in (("errors", problems.errors), ("warnings", problems.warnings)):
        for problem in found:
            of(problem.file)[name] += 1
    return dict(sorted(counts.items()))


def report_skipped(problems: Problems, definitions: set[str]) -> None:
    """Warn about each file of the folder that holds no descriptor and no API reads."""
    for rel in problems.skipped:
        if rel not in definitions:
            problems.warn(Place(rel, None), "", "No Backstage descriptor (no kind or apiVersion) "
                                               "in this file; skipped.")


def import_root(path: Path) -> Path:
    """Return the imported folder: ``path`` itself, or the folder of the file ``path``."""
    return path.resolve() if path.is_dir() else path.resolve().parent


def parse_entities(path: Path, root: Path, problems: Problems) -> list[Entity]:
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


def _read_file(file: Path, root: Path, scanned: bool, problems: Problems) -> list[Entity]:
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
        documents.extend(safe_yaml.load_all(text, max_nodes=MAX_YAML_NODES))
    except yaml.YAMLError as exc:
        where = getattr(exc, "document", len(documents))
        problems.error(Place(rel, where), "", f"Malformed YAML: {_yaml_message(exc)}")
    else:
        if scanned and not any(isinstance(doc, dict) and ("kind" in doc or "apiVersion" in doc)
                               for doc in documents):
            problems.skipped.append(rel)  # reported unless an API reads it as its definition
            return []
    entities = (_entity(doc, rel, index, file.parent, problems)
                for index, doc in enumerate(documents))
    return [entity for entity in entities if entity is not None]


def _yaml_message(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        context = f"{exc.context}, " if exc.context else ""
        return f"{context}{exc.problem} (line {mark.line + 1}, column {mark.column + 1})."
    return " ".join(str(exc).split())


def entities_from_documents(documents: list[Any], name: str, problems: Problems) -> list[Entity]:
    """Return the entities of descriptors given as data (already parsed), as from one file."""
    entities = []
    for index, doc in enumerate(documents):
        entity = _entity(doc, name, index, Path("."), problems)
        if entity is not None:
            entities.append(entity)
    return entities


def _entity(doc: Any, rel: str, index: int, folder: Path,
            problems: Problems) -> Entity | None:
    """Check the envelope of one document and return its entity (None: not one)."""
    if doc is None:  # an empty document, e.g. after a trailing ---
        return None
    if not isinstance(doc, dict):
        problems.error(Place(rel, index), "",
                       f"A descriptor must be a mapping, not a {type(doc).__name__}.")
        return None
    kind, metadata, spec = doc.get("kind"), doc.get("metadata"), doc.get("spec") or {}
    meta = mapping(metadata)
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
                    metadata=meta, spec=spec, descriptor=json_data(doc))
    if entity.kind in MAPPED_KINDS and doc.get("apiVersion") not in API_VERSIONS:
        problems.warn(entity, "apiVersion", f"apiVersion {doc.get('apiVersion')!r} is not "
                                            f"{API_VERSIONS[0]}; read as if it were.")
    if entity.kind in SLUG_KINDS:
        errors = Errors()
        check_slug(name, errors, "metadata.name")
        for message in errors["metadata.name"]:
            problems.error(entity, "metadata.name",
                           f"{name!r} cannot be a portal slug (it is not rewritten): {message}")
    for field_name, value, rule in (("kind", kind.strip(), KIND_RE),
                                    ("metadata.name", name, BACKSTAGE_NAME_RE),
                                    ("metadata.namespace", namespace, NAMESPACE_RE)):
        if field_name == "metadata.name" and entity.kind in SLUG_KINDS:
            continue  # the slug rule above is stricter
        if len(value) > BACKSTAGE_NAME_MAX or not rule.match(value):
            problems.error(entity, field_name, f"{value[:80]!r} is not a valid Backstage "
                                               f"{field_name.rsplit('.', 1)[-1]} (at most "
                                               f"{BACKSTAGE_NAME_MAX} characters; Backstage "
                                               "refuses it too).")
    return entity


def _location_targets(entity: Entity, root: Path, problems: Problems) -> list[Path]:
    """Return the local files a Location points at; warn about URLs, report missing files.

    A target may be a glob (``./services/*/catalog-info.yaml``, ``**`` for any
    depth): its matches, in sorted order. A Location the portal exported
    (:data:`TARGETS_IN_EXPORT_ANNOTATION`) is not followed: its targets'
    entities came with it.
    """
    if entity.annotations.get(TARGETS_IN_EXPORT_ANNOTATION) == "true":
        return []
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
        if isinstance(target, str) and GLOB.search(target):
            files += _glob(entity, field_name, target.strip(), root, problems)
            continue
        file = local_file(entity, field_name, target, root, problems, "Location target",
                           optional=optional)
        if file is not None:
            files.append(file)
    return files


def _glob(entity: Entity, field_name: str, pattern: str, root: Path,
          problems: Problems) -> list[Path]:
    """Return the files inside the imported folder that a glob target matches, sorted."""
    if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
        problems.error(entity, field_name, f"Location target {pattern} must stay inside the "
                                           "imported folder; it is not read.")
        return []
    matches = sorted(file for file in entity.folder.glob(pattern)
                     if file.is_file() and file.resolve().is_relative_to(root))
    if not matches:
        problems.warn(entity, field_name, f"Location target {pattern} matches no file.")
    return matches


def local_file(entity: Entity, field_name: str, target: Any, root: Path, problems: Problems,
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





def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def json_data(value: Any) -> Any:
    """Return YAML data as JSON data: dates as ``YYYY-MM-DD`` text, keys as text.

    (Backstage reads YAML with the core schema, where a date is text too.)
    A mapping or list that is JSON data already is returned itself, not
    copied: an import holds every document it read until it is kept.

    >>> json_data({"since": dt.date(2024, 1, 2), 1: [True, None]})
    {'since': '2024-01-02', '1': [True, None]}
    >>> document = {"spec": {"tags": ["a"]}}
    >>> json_data(document) is document
    True
    """
    if isinstance(value, dict):
        converted = {str(key): json_data(item) for key, item in value.items()}
        same = all(type(key) is str and converted[key] is item for key, item in value.items())
        return value if same else converted
    if isinstance(value, list):
        items = [json_data(item) for item in value]
        return value if all(new is old for new, old in zip(items, value, strict=True)) else items
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
