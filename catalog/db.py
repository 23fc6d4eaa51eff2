"""The unbound SQLAlchemy extension shared by models and services, and their transaction."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm.exc import StaleDataError

from catalog.errors import Conflict, NotFound, StaleVersion

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

#: Indexes the migrations make for search and browse (0002, 0004) that the models do not
#: declare: expressions, pg_trgm and covering indexes only the queries need to know of.
MIGRATION_ONLY_INDEXES = frozenset({
    "ix_capability_facets", "ix_capability_name_key", "ix_capability_search_trgm",
    "ix_capability_tier_name", "ix_capability_updated"})
#: SQLite's full-text index of capabilities (0002): a virtual table and its shadow tables.
MIGRATION_ONLY_TABLES = "capability_fts"


def schema_filter(dialect: str) -> Callable[..., bool]:
    """Return Alembic's ``include_object`` for ``dialect``: what the models must describe.

    Leaves out the indexes and tables only the migrations make, so that
    ``flask db check`` passes and ``flask db migrate`` never drafts dropping
    them, and, on SQLite, the foreign key of ``capability.replacement_id``:
    0008 declares it on the column, and SQLite's reflection reads such a key
    back without its name and ON DELETE, though the database keeps both.
    """
    def include_object(obj, name, type_, reflected, compare_to) -> bool:
        if type_ == "index":
            return name not in MIGRATION_ONLY_INDEXES
        if type_ == "table":
            return not (reflected and name.startswith(MIGRATION_ONLY_TABLES))
        if type_ == "foreign_key_constraint" and dialect == "sqlite":
            return list(obj.column_keys) != ["replacement_id"]
        return True
    return include_object

#: SQLite's page cache per connection, in KiB (its default is 2,000). A search at
#: 10,000 capabilities reads about a thousand rows by id; with the default cache
#: most of them came from the file again each time (count 2.8 ms, page 5.8 ms;
#: with 8 MiB 1.0 and 3.6 ms). More did not help.
SQLITE_CACHE_KIB = 8 * 1024


@sa.event.listens_for(sa.Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Enforce foreign keys and let readers and a writer work at once on SQLite.

    Also arm the statement timeout: SQLite has none of its own, so a progress
    handler interrupts a statement (``OperationalError: interrupted``) once the
    deadline that :func:`_start_statement_clock` set has passed.
    """
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()
        deadline = connection_record.info["statement_deadline"] = [None]
        dbapi_connection.set_progress_handler(
            lambda: deadline[0] is not None and time.monotonic() > deadline[0], 20_000)


@sa.event.listens_for(sa.Engine, "before_cursor_execute")
def _start_statement_clock(conn, cursor, statement, parameters, context, executemany) -> None:
    """Start the SQLite statement timeout (execution option ``statement_timeout``, seconds)."""
    deadline = conn.connection.info.get("statement_deadline")
    if deadline is not None:
        limit = conn.get_execution_options().get("statement_timeout") or 0
        deadline[0] = time.monotonic() + limit if limit > 0 else None


@contextmanager
def sqlite_page_cache(kib: int) -> Iterator[None]:
    """Let the session's SQLite connection cache ``kib`` KiB of pages for the block.

    For one bulk write in the caller's transaction: once the pages it
    changes outgrow the cache, SQLite writes them to the WAL mid-transaction
    and reads them back for each insert into an index. The usual size
    (:data:`SQLITE_CACHE_KIB`) is set again when the block ends; on
    PostgreSQL, or for a size no larger than the usual, nothing changes.
    """
    if db.engine.dialect.name != "sqlite" or kib <= SQLITE_CACHE_KIB:
        yield
        return
    connection = db.session.connection()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{int(kib)}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")


def scalar_or_not_found(query: sa.Select, missing: str) -> Any:
    """Return the row ``query`` reads; raise NotFound saying ``missing`` when there is none."""
    row = db.session.scalar(query)
    if row is None:
        raise NotFound(missing)
    return row


def refresh_statistics() -> None:
    """Let the query planner see what a bulk write (seed, import, migration) left: ANALYZE.

    Without statistics SQLite takes the first index that fits: "production
    capabilities of one team" then walks the lifecycle index (13 ms at 10,000
    capabilities) instead of the facets index (1 ms). A whole ANALYZE costs
    0.3 s at that size; PostgreSQL samples, whatever the size.
    """
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()


_depth: ContextVar[int] = ContextVar("catalog_transaction_depth", default=0)


@contextmanager
def transaction() -> Iterator[None]:
    """Run a write all or nothing: commit when the outermost block ends, roll back on error.

    Every catalog service wraps its write in this block, so called alone it
    commits its own work; a caller grouping several writes (an import, the
    seed) wraps them in one more block and nothing is committed until that
    one ends. A lost race on a row version (SQLAlchemy's ``StaleDataError``,
    raised while flushing or committing) becomes :class:`StaleVersion`; one on
    a unique key becomes :class:`Conflict`.
    """
    depth = _depth.get()
    reset = _depth.set(depth + 1)
    try:
        yield
        if depth == 0:
            db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise StaleVersion() from exc
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict({}, "Someone saved the same thing at the same moment; nothing was "
                           "written. Reload and try again.") from exc
    except BaseException:
        if depth == 0:
            db.session.rollback()
        raise
    finally:
        _depth.reset(reset)
