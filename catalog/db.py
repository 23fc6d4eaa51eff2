"""The unbound SQLAlchemy extension shared by models and services."""

import time

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

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
