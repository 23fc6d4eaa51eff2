"""Importing Backstage descriptors (``catalog-info.yaml``) into the catalog.

An import runs in four steps, each a small function or class:

1. :func:`~catalog.backstage.parse.parse_entities` reads the YAML files, following ``kind: Location`` targets,
   into :class:`Entity` records;
2. :class:`Resolver` maps the entities onto portal rows (:class:`Row`),
   resolving every entity reference and sorting problems into errors and
   warnings;
3. :func:`plan_steps` compares those rows with the database: create, update or
   unchanged;
4. :func:`write_steps` applies the plan in one transaction, committed once
   (with the descriptors kept).

Any error stops the import before step 3, so nothing is written. The mapping
(apiVersion ``backstage.io/v1alpha1``):

- Group -> Team; Domain -> Domain; System -> the domain of its components;
- Component -> Capability, or Business when ``spec.type`` is ``website`` or
  the ``capability-portal/layer`` annotation says ``frontend``;
- Resource -> Capability in an infrastructure domain;
- API -> Api on each component listing it in ``spec.providesApis``;
- ``spec.dependsOn`` and ``spec.consumesApis`` -> Dependency (a Business
  consuming a capability -> Adoption); ``spec.subcomponentOf`` -> Dependency
  from the parent (which is made of its parts) to the subcomponent; a
  Business's ``spec.adoptions`` (the portal's export writes it) -> its
  Adoptions, ended ones included, with their dates and purpose;
- User, Template and unknown kinds are counted and reported, not mapped.

Every descriptor read is kept (:mod:`~catalog.backstage.descriptors`, in the
import's transaction), so the export gives back what the portal does not map
(kinds, fields) unchanged and merges the portal's changes into the rest.

Fields Backstage describes (names, descriptions, tags, lifecycle, owner,
system, links) are set from the descriptor on every import; fields it does not
describe (team kind, tier, SLA, dependency kind, a domain's layer without the
annotation) are set only when the row is created, unless a ``capability-portal/*``
annotation states them (the portal's own export writes them all, see
:mod:`catalog.backstage.export`, so an export imports back unchanged). Portal
rows the import does not mention are left alone.

:func:`import_catalog` reads a path (the command line); :func:`import_text`
reads one uploaded file (the JSON API) through the same code. YAML aliases are
refused (PyYAML would expand them without limit), and so is a NUL character.
Only architects, admins and the system may import (:func:`ensure_can_import`).

The package follows those steps: :mod:`~catalog.backstage.vocabulary` (what both
directions share), :mod:`~catalog.backstage.parse`, :mod:`~catalog.backstage.resolve`,
:mod:`~catalog.backstage.plan`, :mod:`~catalog.backstage.write`,
:mod:`~catalog.backstage.report` and :mod:`~catalog.backstage.importer` (the two
entry points), :mod:`~catalog.backstage.descriptors` (what was read, kept),
:mod:`~catalog.backstage.records` and :mod:`~catalog.backstage.export` (the way back), and
for Backstage's catalog API :mod:`~catalog.backstage.entities`,
:mod:`~catalog.backstage.query` and :mod:`~catalog.backstage.index`.
"""

from catalog.backstage.export import UNOWNED, catalog_entities, export_catalog
from catalog.backstage.importer import (
    ensure_can_import,
    import_catalog,
    import_documents,
    import_text,
)
from catalog.backstage.report import ImportFailed, ImportReport, Problem
from catalog.backstage.vocabulary import API_VERSIONS, MAX_TEXT_BYTES
from catalog.backstage.write import latest_import

__all__ = [
    "API_VERSIONS",
    "MAX_TEXT_BYTES",
    "UNOWNED",
    "ImportFailed",
    "ImportReport",
    "Problem",
    "catalog_entities",
    "ensure_can_import",
    "export_catalog",
    "import_catalog",
    "import_documents",
    "import_text",
    "latest_import",
]
