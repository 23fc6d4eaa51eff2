"""The Backstage vocabulary the import and the export share: annotations, kinds, mappings."""

import re
from typing import NamedTuple

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
