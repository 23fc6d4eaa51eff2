"""Step 4: apply the plan in one transaction."""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from catalog import audit
from catalog.backstage.plan import Step
from catalog.backstage.report import ImportReport
from catalog.backstage.resolve import CatalogIndex, Row
from catalog.backstage.vocabulary import ENTITY_TYPES, PROGRESS_EVERY
from catalog.capabilities import search_text
from catalog.db import db
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


def write_steps(steps: list[Step], catalog: CatalogIndex, *, actor: User | None, summary: dict[str, Any],
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


def _apply(step: Step, catalog: CatalogIndex) -> None:
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


def _new(row: Row, catalog: CatalogIndex) -> Any:
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


def import_summary(report: ImportReport) -> dict[str, Any]:
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
