"""Recording every write: the changes feed, the versions and the catalog revision.

Every catalog service ends its write with :func:`record` (or :func:`record_many`
for a batch): given the entity's new snapshot, it compares it with the open
version, closes that version, opens a new one, writes one :class:`Change`
with the field-level differences and files it under the entities it concerns,
and bumps the catalog revision once. All of it happens in the caller's
transaction, so an aborted write leaves no change, no version and no new
revision behind.

*Who* is the ``actor`` the service checked permissions for; *how* (the
source: web, api, import, cli, seed, and the API token used) comes from
:func:`provenance`, which the web app sets per request and the command line,
the importers and the seed set around their work; *when* is
:func:`catalog.models._time.utcnow`, which the seed may set to a past moment.

Why versions beside the live tables (rather than validity columns on every
table): the live tables and every query over them stay as they were, and
reading the catalog as of a date is one indexed query over one table, the
same for every kind of entity.
"""

import hashlib
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, SessionTransaction

from catalog.db import db, transaction
from catalog.models import CatalogRevision, Change, ChangeScope, SpecText, User, Version
from catalog.models._time import utcnow
from catalog.models.history import SOURCES, VERSIONED_KINDS

__all__ = [
    "Entry",
    "Provenance",
    "batch",
    "batching",
    "bump_revision",
    "current_provenance",
    "current_revision",
    "diff",
    "importing",
    "keep_spec",
    "provenance",
    "record",
    "record_many",
    "reset_provenance",
    "scopes_of",
    "set_provenance",
    "spec_digest",
]

#: Snapshot fields that change with every write and say nothing to a reader:
#: kept in versions (so the past reads back exactly), left out of the diffs.
BOOKKEEPING = frozenset({"version", "updated_at"})
CHUNK = 500


@dataclass(frozen=True)
class Provenance:
    """Where writes come from: the source and, for the JSON API, the token's name."""

    source: str = "cli"
    token: str | None = None


_SYSTEM = Provenance()
_provenance: ContextVar[Provenance | None] = ContextVar("catalog_provenance", default=None)


@contextmanager
def provenance(source: str, token: str | None = None) -> Iterator[Provenance]:
    """Record the writes made inside the block as coming from ``source``.

    >>> with provenance("import"):
    ...     current_provenance().source
    'import'
    """
    reset = set_provenance(source, token)
    try:
        yield current_provenance()
    finally:
        _provenance.reset(reset)


def set_provenance(source: str, token: str | None = None) -> Token:
    """Record the writes from now on as coming from ``source``; return what undoes it.

    For a web request, whose start and end are two hooks rather than one
    block: pass the result to :func:`reset_provenance` when it ends.
    """
    if source not in SOURCES:
        raise ValueError(f"Unknown source {source!r}; one of {', '.join(SOURCES)}.")
    return _provenance.set(Provenance(source, token))


def reset_provenance(reset: Token) -> None:
    """Undo :func:`set_provenance`."""
    _provenance.reset(reset)


def importing() -> AbstractContextManager[Provenance]:
    """Mark the writes inside the block as an import's, keeping the API token that asked."""
    return provenance("import", current_provenance().token)


def current_provenance() -> Provenance:
    """Return where the writes being made now come from (default: the command line)."""
    return _provenance.get() or _SYSTEM


@dataclass
class Entry:
    """One entity's new state, for :func:`record_many`.

    Attributes
    ----------
    kind, key : str
        The entity, e.g. ``("capability", "checkout")``; adoptions and
        deliveries are keyed by their id.
    doc : dict
        Its whole new snapshot (plain JSON values).
    action : str, optional
        Default ``create`` for an entity without a version, else ``update``.
    scopes : iterable of (kind, slug)
        Other entities the change concerns, beyond the entity itself and
        those :func:`scopes_of` finds in its snapshots.
    before : dict, optional
        The previous snapshot of an entity whose kind keeps no versions
        (deliveries, users, tokens); versioned kinds read it from their
        open version.
    note : str
        A remark kept with the change (a warning the writer accepted).
    force : bool
        Write a change even when the snapshot did not change (an action
        that is itself the news, such as a review decision).
    """

    kind: str
    key: str
    doc: dict[str, Any]
    action: str | None = None
    scopes: Iterable[tuple[str, str]] = ()
    before: dict[str, Any] | None = None
    note: str = ""
    force: bool = False


def record(actor: User | None, kind: str, key: str | Callable[[], str],
           doc: dict[str, Any] | Callable[[], dict[str, Any]], *, action: str | None = None,
           scopes: Iterable[tuple[str, str]] = (), before: dict[str, Any] | None = None,
           note: str = "", force: bool = False) -> int | None:
    """Record one entity's new state; see :func:`record_many`.

    ``key`` and ``doc`` may be functions, called once the session is flushed
    (a new row's id, a changed row's version), so the caller need not flush.
    Inside :func:`batch` the entry is gathered and written when the batch
    ends (None is returned).
    """
    pending = (kind, key, doc, action, scopes, before, note, force)
    gathered = _batch.get()
    if gathered is not None:
        gathered.append(pending)
        return None
    return record_many(actor, [_entry(pending)])[0]


_Pending = tuple[Any, ...]
_batch: ContextVar[list[_Pending] | None] = ContextVar("catalog_history_batch", default=None)


def batching() -> bool:
    """Return True inside :func:`batch`."""
    return _batch.get() is not None


@contextmanager
def batch(actor: User | None) -> Iterator[None]:
    """Write everything done inside the block in one transaction, with one change per entity.

    The records made inside are gathered and written when the block ends,
    before the commit: an import that creates a capability and then sets its
    dependencies leaves one ``create`` change with every field, exactly as
    registering it with the form does, and the session is flushed once, not
    once per write. Nothing is written when the block raises.
    """
    with transaction():
        gathered: list[_Pending] = []
        reset = _batch.set(gathered)
        try:
            yield
        finally:
            _batch.reset(reset)
        if gathered:
            if any(callable(p[1]) or callable(p[2]) for p in gathered):
                db.session.flush()
            record_many(actor, _coalesce([_entry(pending, flushed=True) for pending in gathered]))


def _entry(pending: _Pending, *, flushed: bool = False) -> Entry:
    """Turn a pending record into an entry, calling its functions after a flush."""
    kind, key, doc, action, scopes, before, note, force = pending
    if not flushed and (callable(key) or callable(doc)):
        db.session.flush()
    return Entry(kind, key() if callable(key) else key, doc() if callable(doc) else doc,
                 action, scopes, before, note, force)


def _coalesce(entries: list[Entry]) -> list[Entry]:
    """Merge the entries of each entity into one: its last state, its first action."""
    merged: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        entity = (entry.kind, entry.key)
        first = merged.get(entity)
        if first is None:
            merged[entity] = Entry(**{**entry.__dict__, "scopes": set(entry.scopes)})
            continue
        first.doc = entry.doc
        first.scopes = {*first.scopes, *entry.scopes}
        first.note = "\n".join(note for note in (first.note, entry.note) if note)
        first.force = first.force or entry.force
        if first.action is None:
            first.action = entry.action
    return list(merged.values())


def record_many(actor: User | None, entries: Sequence[Entry]) -> list[int | None]:
    """Record new states of entities: changes, versions and the catalog revision.

    Parameters
    ----------
    actor : User or None
        Who writes (None: the system, e.g. the seed or the command line).
    entries : sequence of Entry
        The new states, in the order they happened (one entity may appear
        more than once).

    Returns
    -------
    list of int or None
        The id of the change written for each entry; None where the snapshot
        equals the entity's current version (nothing changed, nothing is
        written) and the entry is not forced.

    Notes
    -----
    Rows are written with bulk inserts in the caller's transaction. The
    catalog revision is bumped once when a versioned entity (one the graph
    is built from) changed; every change remembers the revision it left.
    """
    now = utcnow()
    origin = current_provenance()
    latest = _open_versions([(e.kind, e.key) for e in entries if e.kind in VERSIONED_KINDS])
    changes: list[dict[str, Any]] = []  # each without its diff, made as it is inserted
    states: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (before, after) of each change
    scopes: list[set[tuple[str, str]]] = []
    opened: dict[tuple[str, str], int] = {}  # entity -> index of its newest change
    closed: list[int] = []
    written: list[int | None] = []
    for entry in entries:
        entity = (entry.kind, entry.key)
        versioned = entry.kind in VERSIONED_KINDS
        if versioned:
            before = latest[entity][1] if entity in latest else {}
        else:
            before = entry.before or {}
        if versioned and entity in latest and before == entry.doc and not entry.force:
            written.append(None)
            continue
        written.append(len(changes))
        changes.append({
            "at": now, "actor": actor.username if actor is not None else None,
            "token": origin.token, "source": origin.source, "kind": entry.kind,
            "slug": entry.key, "action": entry.action or ("update" if before else "create"),
            "note": entry.note,
        })
        states.append((before, entry.doc))
        scopes.append({entity, *entry.scopes, *scopes_of(entry.kind, before, entry.doc)})
        if versioned and before != entry.doc:
            if entity in latest and latest[entity][0] is not None:
                closed.append(latest[entity][0])
            latest[entity] = (None, entry.doc)
            opened[entity] = len(changes) - 1
    if not changes:
        return written
    graph_changed = any(change["kind"] in VERSIONED_KINDS for change in changes)
    revision = bump_revision() if graph_changed else current_revision()
    for change in changes:
        change["revision"] = revision
    ids = _insert_returning_ids(Change.__table__, (
        {**change, "changes": diff(*state)} for change, state in zip(changes, states, strict=True)))
    connection = db.session.connection()
    _insert(ChangeScope.__table__, (
        {"change_id": ids[i], "kind": kind, "slug": slug, "at": now}
        for i, entity_scopes in enumerate(scopes) for kind, slug in sorted(entity_scopes) if slug))
    for start in range(0, len(closed), CHUNK):
        connection.execute(sa.update(Version.__table__)
                           .where(Version.__table__.c.id.in_(closed[start:start + CHUNK]))
                           .values(valid_to=now))
    _insert(Version.__table__, (
        {"kind": kind, "key": key, "valid_from": now, "valid_to": None,
         "data": latest[(kind, key)][1], "change_id": ids[index]}
        for (kind, key), index in opened.items()))
    return [ids[i] if i is not None else None for i in written]


def _insert(table: sa.Table, rows: Iterable[dict[str, Any]]) -> None:
    """Insert ``rows`` in bulk, :data:`CHUNK` at a time, each chunk made only when it is sent."""
    connection = db.session.connection()
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, CHUNK)):
        connection.execute(sa.insert(table), chunk)


def _insert_returning_ids(table: sa.Table, rows: Iterable[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` in bulk, as :func:`_insert` does, and return their new ids, in order."""
    connection = db.session.connection()
    insert = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids: list[int] = []
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, CHUNK)):
        ids += connection.execute(insert, chunk).scalars().all()
    return ids


def scopes_of(kind: str, *snapshots: dict[str, Any] | None) -> set[tuple[str, str]]:
    """Return the entities a change between ``snapshots`` concerns besides itself.

    A capability's change is also its teams' and domains' (before and after,
    so a move shows on both sides); an adoption's is its business's and
    capability's; a business's is its team's.

    >>> sorted(scopes_of("capability", {"team": "trade", "domain": "order"},
    ...                  {"team": "member", "domain": "order"}))
    [('domain', 'order'), ('team', 'member'), ('team', 'trade')]
    """
    scopes: set[tuple[str, str]] = set()
    for snapshot in snapshots:
        if not snapshot:
            continue
        for field in _SCOPE_FIELDS.get(kind, ()):
            if snapshot.get(field):
                scopes.add((field, snapshot[field]))
    return scopes


_SCOPE_FIELDS = {
    "capability": ("team", "domain"),
    "adoption": ("business", "capability"),
    "business": ("team",),
    "delivery": ("business",),
    "user": ("team",),
    "plan": ("team", "business"),
}


def _open_versions(keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[int | None, dict]]:
    """Return ``{(kind, key): (version id, snapshot)}`` of the current version of each entity."""
    found: dict[tuple[str, str], tuple[int | None, dict]] = {}
    by_kind: dict[str, set[str]] = {}
    for kind, key in keys:
        by_kind.setdefault(kind, set()).add(key)
    connection = db.session.connection()
    table = Version.__table__
    for kind, names in by_kind.items():
        unique = sorted(names)
        for start in range(0, len(unique), CHUNK):
            for id_, key, data in connection.execute(
                sa.select(table.c.id, table.c.key, table.c.data)
                .where(table.c.kind == kind, table.c.valid_to.is_(None),
                       table.c.key.in_(unique[start:start + CHUNK]))
            ):
                found[(kind, key)] = (id_, data)
    return found


def spec_digest(text: str) -> str | None:
    """Return the name an API spec text is kept under (None for no spec).

    >>> spec_digest("openapi: 3.0.0")[:12], spec_digest("")
    ('e02589bb1d47', None)
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text else None


def keep_spec(text: str) -> str | None:
    """Keep an API spec text once and return its digest (None for no spec)."""
    digest = spec_digest(text)
    if digest is None:
        return None
    kept = db.session.info.setdefault("kept_specs", set())
    if digest not in kept:
        with db.session.no_autoflush:  # called while the writer is still building its rows
            stored = db.session.get(SpecText, digest)
        if stored is None:
            db.session.add(SpecText(digest=digest, text=text))
        kept.add(digest)
    return digest


@sa.event.listens_for(Session, "after_rollback")
def _forget_kept_specs(session: Session) -> None:
    """Spec texts added in a rolled-back transaction are gone: forget them."""
    session.info.pop("kept_specs", None)


def bump_revision() -> int:
    """Increase the catalog revision by one within the current transaction; return it."""
    bumped = db.session.execute(
        sa.update(CatalogRevision)
        .where(CatalogRevision.id == 1)
        .values(revision=CatalogRevision.revision + 1)
    )
    if bumped.rowcount == 0:
        db.session.add(CatalogRevision(id=1, revision=1))
        db.session.flush()
    db.session.info.pop("revision", None)
    return current_revision()


def current_revision() -> int:
    """Return the catalog revision number (0 for an empty catalog).

    Read once per transaction: a request that asks for the graph, the
    search index and a derived figure reads it once, and sees one revision
    throughout. :func:`bump_revision` and the end of the transaction forget it.
    """
    info = db.session.info
    if "revision" not in info:
        info["revision"] = db.session.scalar(_REVISION) or 0
    return info["revision"]


#: Read on every request that uses the graph: built once.
_REVISION = sa.select(CatalogRevision.revision).where(CatalogRevision.id == 1)


@sa.event.listens_for(Session, "after_transaction_end")
def _forget_revision(session: Session, transaction: SessionTransaction) -> None:
    """The next transaction reads the revision again (another may have written since)."""
    session.info.pop("revision", None)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Return ``{field: [old, new]}`` for the fields whose values differ.

    Bookkeeping fields (the row version, the time of the last update) are
    left out: they change with every write and tell a reader nothing.

    >>> diff({"owner": "trade", "tier": 2, "version": 3},
    ...      {"owner": "member", "tier": 2, "version": 4})
    {'owner': ['trade', 'member']}
    """
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if key not in BOOKKEEPING and before.get(key) != after.get(key)
    }
