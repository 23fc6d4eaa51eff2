"""Load test: concurrent readers on browse, search, graph and impact, gunicorn against
the development server, on one seeded database.

The mix: browse pages (any of the first 40, each sort), searches (the page and
the API), graph views around a capability (``/graph/figure.json``, depth 2) and
impact (the page and the API); one graph or impact in ten is about one of the 50
most depended-on capabilities, whose answers are the largest.

Seeds ``--scale`` generated capabilities, then for each server in turn (gunicorn
with ``gunicorn.conf.py``, production settings; ``flask run``, the development
server) starts it on a free local port, warms it up, and runs ``--readers``
threads, each with a keep-alive connection, sending the mix below for
``--duration`` seconds. Prints per server: requests, errors (any status >= 400 or
a failed connection), requests per second, and p50 / p95 / p99 latency overall
and per kind. Usage::

    python -m bench.load --database-url postgresql+psycopg://postgres@127.0.0.1:5432/EMPTY_DB
        [--scale 10000] [--readers 16] [--duration 60] [--servers gunicorn,dev]

Without ``--database-url`` a temporary SQLite file is used.
"""

import argparse
import contextlib
import http.client
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from bench.common import p95, seeded_app
from catalog.db import db
from catalog.models import Capability, Dependency

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("browse", "search", "graph", "impact")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--servers", default="gunicorn,dev")
    parser.add_argument("--database-url", help="an EMPTY database to seed and serve from")
    args = parser.parse_args()
    with seeded_app(args.scale, database_url=args.database_url) as app:
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        mix = request_mix(random.Random(13))
        db.session.remove()
        print(f"\n{args.readers} readers, {args.duration:.0f} s per server after a "
              f"{args.warmup:.0f} s warm-up; {len(mix)} distinct requests "
              f"({', '.join(KINDS)}); database {db.engine.dialect.name}; "
              f"{os.cpu_count()} CPU cores (shared with the readers)")
        for name in args.servers.split(","):
            with serving(name, url) as port:
                hammer(port, mix, args.readers, args.warmup)
                results = hammer(port, mix, args.readers, args.duration)
            summarise(name, results, args.duration)


def request_mix(rng: random.Random) -> list[tuple[str, str]]:
    """Return (kind, path) pairs: browse pages and facets, searches, graph views, impacts."""
    slugs = db.session.scalars(sa.select(Capability.slug).order_by(Capability.id)).all()
    names = db.session.scalars(sa.select(Capability.name).limit(3000)).all()
    words = sorted({w.lower() for n in names for w in n.split() if len(w) > 3 and w.isalpha()})
    hubs = db.session.execute(
        sa.select(Capability.slug).join(Dependency, Dependency.provider_id == Capability.id)
        .group_by(Capability.slug).order_by(sa.func.count().desc()).limit(50)).scalars().all()
    sorts = ["", "name", "-updated", "tier", "-consumers"]
    mix = []
    def some_capability() -> str:  # one in ten is a hub: the heaviest graphs and impacts
        return rng.choice(hubs) if rng.random() < 0.1 else rng.choice(slugs)

    for _ in range(100):
        mix.append(("browse", f"/capabilities?page={rng.randint(1, 40)}&sort={rng.choice(sorts)}"))
        mix.append(("search", rng.choice([f"/capabilities?q={rng.choice(words)}",
                                          f"/api/v1/capabilities?q={rng.choice(words)[:4]}"])))
        focus = some_capability()
        mix.append(("graph", f"/graph/figure.json?focus=capability:{focus}&depth=2&width=1200"))
        target = some_capability()
        mix.append(("impact", rng.choice([f"/capabilities/{target}/impact",
                                          f"/api/v1/capabilities/{target}/impact"])))
    rng.shuffle(mix)
    return mix


@contextlib.contextmanager
def serving(name: str, database_url: str) -> Iterator[int]:
    """Run server ``name`` (gunicorn or dev) on a free port for the block; yield the port.

    Its output goes to a temporary file, shown if it fails to start.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(32)}
    if name == "gunicorn":
        command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
                   "--bind", f"127.0.0.1:{port}", "app:app"]
    elif name == "dev":
        env.pop("PORTAL_ENV", None)
        command = [sys.executable, "-m", "flask", "--app", "app", "run", "--port", str(port)]
    else:
        raise SystemExit(f"unknown server {name!r}: gunicorn or dev")
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 120
            while not healthy(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise SystemExit(f"{name} did not start:\n{log.read()[-3000:]}")
                time.sleep(0.3)
            yield port
        finally:
            process.terminate()
            process.wait(timeout=60)


def healthy(port: int) -> bool:
    """Return True when the server on ``port`` answers /healthz with 200."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False


def hammer(port: int, mix: list[tuple[str, str]], readers: int,
           duration: float) -> list[tuple[str, int, float]]:
    """Run ``readers`` threads over ``mix`` for ``duration`` s; return (kind, status, seconds)."""
    results: list[tuple[str, int, float]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def reader(offset: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine, i = [], offset
        while time.monotonic() < deadline:
            kind, path = mix[i % len(mix)]
            i += 1
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                answer = connection.getresponse()
                answer.read()
                status = answer.status
            except (OSError, http.client.HTTPException):
                status = 0  # a failed connection counts as an error
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            mine.append((kind, status, time.perf_counter() - started))
        connection.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=reader, args=(n * len(mix) // readers,))
               for n in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def summarise(name: str, results: list[tuple[str, int, float]], duration: float) -> None:
    errors = [r for r in results if r[1] == 0 or r[1] >= 400]
    times = [r[2] for r in results]
    print(f"\n{name}: {len(results):,} requests, {len(errors):,} errors, "
          f"{len(results) / duration:,.1f} requests/s")
    print(f"  {'all':<8} p50 {statistics.median(times) * 1000:7.1f} ms   "
          f"p95 {p95(times) * 1000:7.1f} ms   "
          f"p99 {statistics.quantiles(times, n=100, method='inclusive')[-1] * 1000:7.1f} ms")
    by_kind = defaultdict(list)
    for kind, _, seconds in results:
        by_kind[kind].append(seconds)
    for kind in KINDS:
        values = by_kind.get(kind) or [0.0]
        print(f"  {kind:<8} p50 {statistics.median(values) * 1000:7.1f} ms   "
              f"p95 {p95(values) * 1000:7.1f} ms   ({len(values):,} requests)")
    if errors:
        statuses = defaultdict(int)
        for _, status, _ in errors:
            statuses[status] += 1
        print(f"  errors by status: {dict(statuses)}")


if __name__ == "__main__":
    main()
