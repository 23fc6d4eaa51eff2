"""SQLite's page cache: 8 MiB per connection, raised for one bulk write and set back after.

Regressions: with SQLite's default 2 MB, a search at 10,000 capabilities read most
of its thousand rows from the file again (2-3 ms more per statement), and an import
of 100,000 components did not finish in 15 minutes.
"""

import pytest
import sqlalchemy as sa

from catalog.db import SQLITE_CACHE_KIB, sqlite_page_cache, transaction


def cache_kib(db) -> int | None:
    """The session's connection's page cache in KiB (None on PostgreSQL)."""
    if db.engine.dialect.name != "sqlite":
        return None
    return -db.session.execute(sa.text("PRAGMA cache_size")).scalar_one()


def test_every_sqlite_connection_caches_8_mib(db):
    assert cache_kib(db) in (SQLITE_CACHE_KIB, None)
    assert SQLITE_CACHE_KIB == 8 * 1024


def test_a_bulk_write_gets_the_larger_cache_then_the_usual_one(db):
    with transaction(), sqlite_page_cache(64 * 1024):
        during = cache_kib(db)
        db.session.execute(sa.text("SELECT 1"))
    assert during in (64 * 1024, None)
    assert cache_kib(db) in (SQLITE_CACHE_KIB, None)


def test_a_failed_bulk_write_gives_the_cache_back_too(db):
    with pytest.raises(RuntimeError), transaction(), sqlite_page_cache(64 * 1024):
        raise RuntimeError("a row was refused")
    assert cache_kib(db) in (SQLITE_CACHE_KIB, None)


def test_a_smaller_size_never_shrinks_the_usual_cache(db):
    with sqlite_page_cache(1024):
        assert cache_kib(db) in (SQLITE_CACHE_KIB, None)
