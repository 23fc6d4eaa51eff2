"""What every benchmark shares: a seeded catalog and the timing helpers."""

import contextlib
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from catalog import seed
from catalog.db import db
from portal import create_app


@contextlib.contextmanager
def seeded_app(scale: int, *, database_url: str | None = None,
               deliveries: int | None = None) -> Iterator[Flask]:
    """Yield the app, inside its context, over a catalog of ``scale`` generated capabilities.

    The database is a temporary SQLite file unless ``database_url`` names an
    empty one; it is settled after seeding (:func:`settle`), as a live
    database is.
    """
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            print(seed.seed_scale(scale, deliveries=deliveries))
            print(f"seed --scale {scale}: {time.perf_counter() - started:.1f} s "
                  f"on {db.engine.dialect.name}")
            settle()
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()


def timed(call, repeat: int) -> list[float]:
    """Return the seconds of ``repeat`` calls, after one warm-up call."""
    call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def median_time(call, repeat: int) -> float:
    """Return the median seconds of ``repeat`` calls, after one warm-up call."""
    return statistics.median(timed(call, repeat))


def p95(values: list[float]) -> float:
    """Return the 95th percentile of ``values``."""
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def report(label: str, values: list[float]) -> None:
    """Print p50, p95 and max of ``values`` (seconds) in milliseconds."""
    print(f"{label:<26} p50 {statistics.median(values) * 1000:6.2f} ms   "
          f"p95 {p95(values) * 1000:6.2f} ms   max {max(values) * 1000:6.2f} ms")


def settle() -> None:
    """Leave the database as a production server has it a minute after a bulk load.

    ANALYZE; on PostgreSQL VACUUM too, which autovacuum does by then (it sets
    the visibility map that index-only scans need: the team facet's count
    took 4.5 ms without it, 1.5 ms with it). A test server may run with
    autovacuum off.
    """
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
