"""Backstage catalog API benchmark: ours beside a real Backstage catalog backend's figures.

Generates the synthetic Backstage catalog of :mod:`bench.backstage_catalog`
(``--n 10000 --seed 42``: 10,030 components, 25,095 entities), imports it
into a temporary SQLite database (or an empty PostgreSQL one), serves the
portal with gunicorn (``gunicorn.conf.py``, one worker, two threads) and times, over HTTP, the
workloads a real Backstage catalog backend (plugin-catalog-backend 4.0.5,
Node 20, 2 cores, quiet machine) was measured with on the same catalog:

- full text: ``by-query`` with ``fullTextFilterTerm`` over name, title and
  displayName, limit 20 (varied terms);
- filter: ``by-query?filter=kind=component,spec.lifecycle=production``, limit 20
  (and the same sorted by name);
- owner facets: ``entity-facets?facet=spec.owner&filter=kind=component``;
- by-name; by-refs of 1,000 references;
- the blast radius of hub 0: a breadth-first walk over ``dependencyOf``
  relations with ``by-refs`` (what a Backstage plugin can do), checked against
  the generator's ground truth (every dependent found).

It prints p50 / p95 / max per workload beside the reference figures and the
targets (full text p95 at most half of Backstage's, filter and facets a
quarter, by-refs of 1,000 within 100 ms), the import time, the first read
after a catalog change (the index build) and the worker's memory. Usage::

    python -m bench.backstage_api [--n 10000] [--seed 42] [--repeat 100]
                                  [--database-url postgresql+psycopg://...EMPTY_DB]
"""

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.common import p95
from bench.load import serving

ROOT = Path(__file__).resolve().parent.parent
#: Backstage's p95 in ms on the same catalog, quiet machine: (SQLite, PostgreSQL) ranges.
REFERENCE = {
    "full text, limit 20": ((26, 29), (64, 89)),
    "filter, limit 20": ((88, 93), (26, 32)),
    "owner facets": ((124, 265), (35, 39)),
    "by-name": ((1, 5), (1.2, 2.2)),
    "blast radius of hub 0": ((335, 368), (390, 398)),
}
#: The targets of issue "Speak Backstage both ways", against Backstage on PostgreSQL.
TARGETS = {"full text, limit 20": 89 / 2, "filter, limit 20": 32 / 4, "owner facets": 39 / 4,
           "by-refs, 1,000 refs": 100}
WORDS = ("payments billing ledger search catalog inventory orders shipping auth identity "
         "notification analytics gateway checkout pricing profile fraud invoice refund loyalty "
         "warehouse ticket session token vault deploy backup archive").split()
FULL_TEXT_FIELDS = "metadata.name,metadata.title,spec.profile.displayName"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=100, help="requests per workload")
    parser.add_argument("--database-url", help="an EMPTY database instead of temporary SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        catalog = Path(tmp) / "catalog.yaml"
        subprocess.run([sys.executable, "-m", "bench.backstage_catalog", "--n", str(args.n),
                        "--seed", str(args.seed), "--out", str(catalog)], cwd=ROOT, check=True)
        meta = json.loads(Path(f"{catalog}.meta.json").read_text())
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        dialect = "postgresql" if url.startswith("postgres") else "sqlite"
        import_catalog(url, catalog)
        # One gunicorn worker (production settings, two threads): its first read builds the
        # index, and its memory is the figure beside Backstage's process.
        os.environ.update(WEB_CONCURRENCY="1", PORTAL_THREADS="2")
        with serving("gunicorn", url) as port:
            run(port, _worker_listening_on(port), meta, dialect, args.repeat,
                random.Random(args.seed))


def import_catalog(url: str, catalog: Path) -> None:
    """Import the generated catalog into a new schema; print how long it took."""
    from flask_migrate import upgrade

    from catalog.backstage import import_catalog as import_descriptors
    from catalog.db import db
    from portal import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        report = import_descriptors(catalog)
        assert report.ok, report.errors[:5]
        print(f"import of {sum(report.read.values()):,} entities: "
              f"{time.perf_counter() - started:.1f} s on {db.engine.dialect.name} "
              "(Backstage: 208 s on PostgreSQL, 341-372 s on SQLite, start to all visible)")
        db.session.remove()
        db.engine.dispose()


_connections: dict[int, http.client.HTTPConnection] = {}


def request(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
    """Send one request on a kept-alive connection; return the status and the body."""
    connection = _connections.get(port) or http.client.HTTPConnection("127.0.0.1", port)
    _connections[port] = connection
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"} if body is not None else {}
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    except (http.client.HTTPException, OSError):
        _connections.pop(port).close()
        raise


def timed(port: int, method: str, path: str, body: dict | None = None) -> tuple[float, bytes]:
    started = time.perf_counter()
    status, data = request(port, method, path, body)
    elapsed = time.perf_counter() - started
    assert status == 200, (status, data[:300])
    return elapsed, data


def run(port: int, worker: int, meta: dict, dialect: str, repeat: int,
        rng: random.Random) -> None:
    api = "/api/catalog"
    first, _ = timed(port, "GET", f"{api}/entities/by-query?limit=1")
    print(f"first read (builds the index of {meta['entities']:,} entities): {first:.1f} s")
    _, data = timed(port, "GET", f"{api}/entities?filter=kind%3Dcomponent&fields=metadata.name")
    components = [entity["metadata"]["name"] for entity in json.loads(data)]

    def by_query(**params) -> str:
        return f"{api}/entities/by-query?{urlencode(params, doseq=True)}"

    workloads = {
        "full text, limit 20": lambda: ("GET", by_query(
            fullTextFilterTerm=rng.choice(WORDS)[:rng.randint(3, 8)],
            fullTextFilterFields=FULL_TEXT_FIELDS, limit=20), None),
        "filter, limit 20": lambda: ("GET", by_query(
            filter="kind=component,spec.lifecycle=production", limit=20), None),
        "filter sorted by name": lambda: ("GET", by_query(
            filter="kind=component,spec.lifecycle=production", limit=20,
            orderField="metadata.name,asc"), None),
        "owner facets": lambda: (
            "GET", f"{api}/entity-facets?facet=spec.owner&filter=kind%3Dcomponent", None),
        "by-name": lambda: (
            "GET", f"{api}/entities/by-name/component/default/{rng.choice(components)}", None),
        "by-refs, 1,000 refs": lambda: ("POST", f"{api}/entities/by-refs", {
            "entityRefs": [f"component:default/{name}" for name in rng.sample(components,
                                                                               1000)]}),
    }
    print(f"\n{'workload':<24}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}   Backstage p95 "
          f"({dialect})   target p95")
    for label, make in workloads.items():
        times = []
        for _ in range(repeat):
            elapsed, data = timed(port, *make())
            times.append(elapsed)
        assert None not in json.loads(data)["items"] if label.startswith("by-refs") else data
        _row(label, times, dialect)
    hub = next(iter(meta["hubs"]))
    times, found, requests = [], 0, 0
    for _ in range(max(5, repeat // 10)):
        started = time.perf_counter()
        found, requests = blast_radius(port, api, f"component:default/{hub}")
        times.append(time.perf_counter() - started)
    assert found == meta["hubs"][hub]["transitive"], (found, meta["hubs"][hub])
    _row("blast radius of hub 0", times, dialect, f"   ({found:,} dependents, as generated; "
                                                  f"{requests} requests)")
    print(f"\nworker memory: {_rss_mb(worker):.0f} MB RSS (Backstage: 0.3-0.46 GB on "
          "PostgreSQL plus the database, 1.3-1.8 GB on SQLite)")


def blast_radius(port: int, api: str, ref: str) -> tuple[int, int]:
    """Walk ``dependencyOf`` relations breadth-first with by-refs; return (dependents, requests)."""
    seen, frontier, requests = {ref}, [ref], 0
    while frontier:
        following = []
        for start in range(0, len(frontier), 1000):
            _, data = timed(port, "POST", f"{api}/entities/by-refs?fields=relations",
                            {"entityRefs": frontier[start:start + 1000]})
            requests += 1
            for entity in json.loads(data)["items"]:
                for relation in (entity or {}).get("relations", []):
                    target = relation["targetRef"]
                    if relation["type"] == "dependencyOf" and target not in seen:
                        seen.add(target)
                        following.append(target)
        frontier = following
    return len(seen) - 1, requests


def _row(label: str, times: list[float], dialect: str, extra: str = "") -> None:
    reference = REFERENCE.get(label)
    backstage = ""
    if reference is not None:
        low, high = reference[dialect == "postgresql"]
        backstage = f"{low:g}-{high:g} ms"
    target = f"<= {TARGETS[label]:g} ms" if label in TARGETS else ""
    print(f"{label:<24}{statistics.median(times) * 1000:9.1f}{p95(times) * 1000:9.1f}"
          f"{max(times) * 1000:9.1f}   {backstage:<22}{target}{extra}")


def _worker_listening_on(port: int) -> int:
    """Return the pid of the gunicorn worker serving ``port`` (the child of its master)."""
    masters = {int(cmdline.parent.name) for cmdline in Path("/proc").glob("[0-9]*/cmdline")
               if _read(cmdline).find(f"127.0.0.1:{port}".encode()) >= 0}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        fields = _read(stat).rsplit(b")", 1)[-1].split()
        if len(fields) > 1 and int(fields[1]) in masters:
            return int(stat.parent.name)
    raise RuntimeError("no gunicorn worker found")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


if __name__ == "__main__":
    main()
