"""Running an import: from a path or an uploaded text to a report, all or nothing."""

import gc
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from catalog import history
from catalog.backstage.descriptors import keep_descriptors
from catalog.backstage.export import planned_entities
from catalog.backstage.parse import (
    Entity,
    Problems,
    count_kinds,
    entities_from_documents,
    file_counts,
    import_root,
    parse_entities,
    report_skipped,
)
from catalog.backstage.plan import Step, plan_steps
from catalog.backstage.report import ImportReport, Problem
from catalog.backstage.resolve import CatalogIndex, Resolver
from catalog.backstage.vocabulary import (
    MAX_TEXT_BYTES,
    TEXT_FILE_NAME,
    WRITE_CACHE_BYTES_PER_ROW,
)
from catalog.backstage.write import WriteRefused, import_summary, write_steps
from catalog.db import sqlite_page_cache, transaction
from catalog.errors import Conflict, StaleVersion
from catalog.models import User
from catalog.permissions import ensure_can_govern


def ensure_can_import(actor: User | None) -> None:
    """Raise Forbidden unless ``actor`` may import catalogs: architects, admins, the system."""
    ensure_can_govern(actor, "import Backstage catalogs")


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
        What to call the source in the report and in history.
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
        Who imports, for history (None: the system); only
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
    place and creates nothing. Every row is written through the catalog
    services (:mod:`catalog.backstage.write`), so each entity changed gets
    one change in history, with the source ``import``, and one more change
    of kind ``import`` carries the counts and the warnings; the catalog
    revision is bumped once, and only when something changed.
    """
    ensure_can_import(actor)
    problems = Problems()
    root = import_root(Path(path))
    with _collector_paused():
        entities = parse_entities(Path(path), root, problems)
        return _import(entities, problems, root, source=name or str(path), dry_run=dry_run,
                       progress=progress, actor=actor)


def import_documents(documents: list[dict[str, Any]], *, name: str, dry_run: bool = False,
                     progress: Callable[[int, int], None] | None = None,
                     actor: User | None = None) -> ImportReport:
    """Import descriptors given as data (parsed YAML documents), as :func:`import_catalog` does.

    For generators (the benchmark seed) that would otherwise write YAML only
    to read it back; Location entities are not followed.
    """
    ensure_can_import(actor)
    problems = Problems()
    with _collector_paused():
        entities = entities_from_documents(documents, name, problems)
        return _import(entities, problems, Path("."), source=name, dry_run=dry_run,
                       progress=progress, actor=actor)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for the block, then let it run again.

    An import builds about a million objects that all stay alive until it
    ends; the collector walked them over and over, a quarter of the time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _import(entities: list[Entity], problems: Problems, root: Path, *, source: str,
            dry_run: bool, progress: Callable[[int, int], None] | None,
            actor: User | None) -> ImportReport:
    """Resolve, plan and (unless a dry run) write parsed entities; report everything."""
    catalog = CatalogIndex(entities)
    resolver = Resolver(entities, catalog, problems, root)
    rows = resolver.resolve()
    report_skipped(problems, resolver.definitions)
    report = ImportReport(source=source, dry_run=dry_run, read=count_kinds(entities),
                          unmapped=resolver.unmapped, errors=problems.errors,
                          warnings=problems.warnings, files=file_counts(entities, problems))
    if not report.ok:
        return report
    if dry_run:
        steps = plan_steps(rows, catalog)
        _count_steps(report, steps)
        report.plan = _plan(steps)
        return report
    steps = []
    try:
        with transaction():  # the rows and the descriptors they came from, all or nothing
            kept = keep_descriptors(resolver.entities, resolver.maps_to, planned_entities(rows))
            for entity in entities:  # kept: the rest needs only where each came from
                entity.forget_document()
            steps = plan_steps(rows, catalog)  # planned once the documents are let go
            _count_steps(report, steps)
            with sqlite_page_cache(len(steps) * WRITE_CACHE_BYTES_PER_ROW // 1024):
                report.written = write_steps(steps, catalog, actor=actor,
                                             summary=import_summary(report), progress=progress)
            if kept and not report.written:  # only what the portal does not map changed
                with history.importing():
                    history.record(actor, "import", source[-130:], import_summary(report),
                                   action="import")
                report.written = True
    except WriteRefused as exc:
        report.errors.extend(exc.problems)
    except (Conflict, StaleVersion) as exc:
        report.errors.append(Problem(
            source, None, "", "",
            f"The catalog changed while importing ({exc.message}); nothing was written. "
            "Run the import again.",
        ))
    report.plan = _plan(steps)  # listed once written: the write needs the memory more
    return report


def _count_steps(report: ImportReport, steps: list[Step]) -> None:
    """Count the steps per action and kind in the report."""
    for step in steps:
        getattr(report, step.action)[step.row.kind] += 1


def _plan(steps: list[Step]) -> list[dict[str, Any]]:
    """Return the report's plan: the steps that write."""
    return [step.as_plan() for step in steps if step.action != "unchanged"]
