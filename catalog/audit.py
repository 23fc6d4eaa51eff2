"""Writing the audit trail and bumping the catalog revision.

Both happen inside the caller's transaction, so an aborted write leaves no
event and no new revision behind.
"""

from typing import Any

import sqlalchemy as sa

from catalog.db import db
from catalog.models import AuditEvent, CatalogRevision, User


def record(actor: User | None, action: str, entity_type: str, key: str,
           changes: dict[str, Any] | None = None) -> None:
    """Log a catalog change and bump the catalog revision (not committed)."""
    log(actor, action, entity_type, key, changes)
    bump_revision()


def log(actor: User | None, action: str, entity_type: str, key: str,
        changes: dict[str, Any] | None = None) -> None:
    """Add an audit event without touching the catalog revision (not committed)."""
    db.session.add(AuditEvent(
        actor=actor.username if actor is not None else None,
        action=action,
        entity_type=entity_type,
        entity_key=key,
        changes=changes or {},
    ))


def bump_revision() -> None:
    """Increase the catalog revision by one within the current transaction."""
    bumped = db.session.execute(
        sa.update(CatalogRevision)
        .where(CatalogRevision.id == 1)
        .values(revision=CatalogRevision.revision + 1)
    )
    if bumped.rowcount == 0:
        db.session.add(CatalogRevision(id=1, revision=1))


def current_revision() -> int:
    """Return the catalog revision number (0 for an empty catalog)."""
    return db.session.scalar(sa.select(CatalogRevision.revision).where(CatalogRevision.id == 1)) or 0


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Return ``{field: [old, new]}`` for the fields whose values differ."""
    return {
        key: [_plain(before.get(key)), _plain(after.get(key))]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)
