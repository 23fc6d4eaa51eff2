"""The Backstage vocabulary the import and the export share: annotations, kinds, mappings."""

import re
from typing import Any, NamedTuple

from catalog.models import Business, Team

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
    "replacement": "capability-portal/replacement",
}
#: Dates of a capability, ``YYYY-MM-DD`` (written when set).
CAPABILITY_DATE_ANNOTATIONS = {
    "launched_on": "capability-portal/launched-on",
    "deprecated_on": "capability-portal/deprecated-on",
    "sunset_on": "capability-portal/sunset-on",
}
DEPENDENCY_KINDS_ANNOTATION = "capability-portal/dependency-kinds"
#: ``provider=YYYY-MM-DD,...``: since when each dependency holds.
DEPENDENCY_SINCE_ANNOTATION = "capability-portal/dependency-since"
#: A business's adoptions, each with its since / until dates, API and purpose (ended ones
#: too): a list of ``{capability, api, since, until, purpose}`` under this spec field.
ADOPTIONS_FIELD = "adoptions"
#: On a Location the portal exports: its targets' entities are in the same export, so an
#: import does not look for its target files.
TARGETS_IN_EXPORT_ANNOTATION = "capability-portal/targets-in-export"
#: The namespace of a business whose slug is also a capability's (both are Components).
BUSINESS_NAMESPACE = "business"
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
#: Portal lifecycle -> Backstage lifecycle (the exact one travels as an annotation).
BACKSTAGE_LIFECYCLES = {"proposed": "experimental", "approved": "experimental",
                        "production": "production", "deprecated": "deprecated",
                        "retired": "deprecated"}
API_STATUSES = {"production": "stable", "experimental": "beta", "deprecated": "deprecated"}
API_FIELDS = {"name": "metadata.name", "kind": "spec.type", "status": "spec.lifecycle",
              "version": f"metadata.annotations[{API_VERSION_ANNOTATION}]",
              "description": "metadata.description", "spec": "spec.definition"}
REPO_LINK_TYPES = frozenset({"repository", "source", "github", "gitlab", "bitbucket"})
DOCS_LINK_TYPES = frozenset({"docs", "documentation", "techdocs"})
REFERENCE_FIELDS = {"team": "slug", "domain": "slug", "api": "name", "replacement": "slug"}
CONTACT_MAX = Team.__table__.c.contact.type.length
MAX_YAML_NODES = 2_000_000
#: The largest catalog-info.yaml text :func:`import_text` takes (the JSON API's upload).
MAX_TEXT_BYTES = 5 * 1024 * 1024
TEXT_FILE_NAME = "catalog-info.yaml"
PROGRESS_EVERY = 500
LOAD_CHUNK = 500
#: SQLite's page cache while an import writes, per row written (see
#: :func:`catalog.db.sqlite_page_cache`): 100,000 components (747,674 rows)
#: took over 15 minutes with 8 MiB, 8.3 with 128 MiB and 7.1 with this (146 MiB);
#: 10,000 get 15 MiB, within what the import held before writing.
WRITE_CACHE_BYTES_PER_ROW = 200
HTTP_URL = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)
TAG_SEPARATORS = re.compile(r"[\s_.:/]+")

Key = tuple[str, str, str]  # (lower-case kind, namespace, name)
DEFAULT_NAMESPACE = "default"
#: The order of kinds in an export (kinds not listed come last, by name).
EXPORT_KIND_ORDER = ("Location", "Group", "User", "Domain", "System", "Component", "Resource",
                     "API")


def row_key(kind: str, *key: str) -> str:
    """Return the text naming one portal row, e.g. ``capabilities:orders``.

    >>> row_key("apis", "orders", "Order API")
    'apis:orders/order api'
    """
    return f"{kind}:{'/'.join(key).lower()}"


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


def entity_ref(entity: dict[str, Any]) -> str:
    """Return the lower-case reference ``kind:namespace/name`` of an entity.

    >>> entity_ref({"kind": "Component", "metadata": {"name": "Orders"}})
    'component:default/orders'
    """
    metadata = entity["metadata"]
    namespace = metadata.get("namespace") or DEFAULT_NAMESPACE
    return f"{entity['kind']}:{namespace}/{metadata['name']}".lower()


def parse_entity_ref(value: Any, default_kind: str | None, default_namespace: str) -> str | None:
    """Return ``[kind:][namespace/]name`` as a lower-case full reference, or None.

    Backstage's ``parseEntityRef``: a slash before the first colon means the
    reference has no kind; a missing kind takes ``default_kind`` (None: the
    reference is invalid), a missing namespace ``default_namespace``.

    >>> parse_entity_ref("Group:Ops/Team-A", "group", "default")
    'group:ops/team-a'
    >>> parse_entity_ref("team-a", "group", "default"), parse_entity_ref("db", None, "default")
    ('group:default/team-a', None)
    """
    if not isinstance(value, str) or not value:
        return None
    colon, slash = value.find(":"), value.find("/")
    if slash != -1 and slash < colon:
        colon = -1
    kind = value[:colon] if colon != -1 else default_kind
    namespace = value[colon + 1:slash] if slash != -1 else default_namespace
    name = value[max(colon + 1, slash + 1):]
    if not kind or not namespace or not name:
        return None
    return f"{kind}:{namespace}/{name}".lower()
