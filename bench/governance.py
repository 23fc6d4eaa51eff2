"""Governance boards benchmark: duplicates, readiness, scorecards, keystones at 10,000 capabilities.

Seeds ``seed-demo --scale N`` into a temporary database (or an empty one
named by ``--database-url``) and prints, in milliseconds:

* cold: after a catalog write, the graph rebuilt (timed apart), then each
  board's computation on the new revision: duplicate candidates (goal
  <= 2 s), readiness, the scorecards and their roll-up, keystones (sampled
  betweenness), the scorecard trend (read from history);
* warm: p50 / p95 of each endpoint and page through the Flask test client
  on the cached revision (goal for readiness and the scorecards roll-up:
  p95 <= 100 ms), and of the register form's similar-capability notice.

Usage::

    python -m bench.governance [--scale 10000] [--repeat 30] [--cold 3] [--database-url URL]
                               [--seeded URL]

``--seeded`` reads a database already seeded with ``seed-demo --scale N``
(it is written to: each cold run bumps the catalog revision). Cold figures
are wall time and the process's CPU time: on a machine shared with other
jobs the CPU time is the work itself, the wall time adds the waiting.
"""

import argparse
import contextlib
import statistics
import time
from collections.abc import Iterator

import sqlalchemy as sa
from flask import Flask

from bench.common import report, seeded_app
from catalog import history
from catalog.db import db
from catalog.models import Capability
from graphs.cache import catalog_graph
from graphs.duplicates import candidate_pairs
from graphs.paths import keystones_of_catalog
from graphs.readiness import readiness_of_catalog
from graphs.scorecards import rollup_of_catalog, scorecards_of_catalog, trend
from portal import create_app

COLD = [
    ("duplicate candidates", candidate_pairs),
    ("readiness", readiness_of_catalog),
    ("scorecards + roll-up", lambda: (scorecards_of_catalog(), rollup_of_catalog())),
    ("keystones (betweenness)", keystones_of_catalog),
    ("scorecard trend (history)", trend),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--cold", type=int, default=3)
    parser.add_argument("--database-url",
                        help="an EMPTY database to use instead of a temporary SQLite file")
    parser.add_argument("--seeded", help="a database already seeded (seed-demo --scale N)")
    args = parser.parse_args()
    with _app(args) as app:
        run_cold(args.cold)
        run_warm(app, args.repeat)


@contextlib.contextmanager
def _app(args) -> Iterator[Flask]:
    if not args.seeded:
        with seeded_app(args.scale, database_url=args.database_url) as app:
            yield app
        return
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.seeded, "SECRET_KEY": "bench"})
    with app.app_context():
        print(f"{db.session.scalar(sa.select(sa.func.count(Capability.id))):,} capabilities "
              f"already seeded, on {db.engine.dialect.name}")
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def run_cold(runs: int) -> None:
    """Time each board's computation on a fresh revision (the graph rebuilt first, apart)."""
    print(f"\ncold: first computation after a catalog write, {runs} runs "
          "(median ms: wall / CPU of this process)")
    times: dict[str, list[tuple[float, float]]] = {"graph rebuild": []}
    counts: dict[str, int] = {}
    for _ in range(runs):
        history.bump_revision()
        db.session.commit()
        wall, cpu = time.perf_counter(), time.process_time()
        G = catalog_graph()
        times["graph rebuild"].append((time.perf_counter() - wall, time.process_time() - cpu))
        for label, compute in COLD:
            wall, cpu = time.perf_counter(), time.process_time()
            value = compute()
            times.setdefault(label, []).append((time.perf_counter() - wall,
                                                time.process_time() - cpu))
            if label == "duplicate candidates":
                counts["candidate pairs"] = len(value)
    for label, values in times.items():
        print(f"{label:<28} {statistics.median(v[0] for v in values) * 1000:9.1f} / "
              f"{statistics.median(v[1] for v in values) * 1000:9.1f}")
    print(f"graph: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges; "
          f"candidate pairs: {counts['candidate pairs']:,}")


def run_warm(app, repeat: int) -> None:
    """p50 / p95 of each endpoint and page on the cached revision."""
    client = app.test_client()
    slugs = list(db.session.scalars(sa.select(Capability.slug).order_by(Capability.id).limit(2)))
    name = db.session.scalar(sa.select(Capability.name).where(Capability.slug == slugs[0]))
    paths = [
        "/api/v1/governance/readiness",
        "/api/v1/scorecards",
        "/api/v1/governance/duplicates",
        "/api/v1/graph/keystones",
        f"/api/v1/capabilities/{slugs[0]}/scorecard",
        f"/api/v1/graph/paths?from={slugs[0]}&to={slugs[1]}",
        "/governance/readiness",
        "/governance/scorecards",
        "/governance/duplicates",
        f"/governance/duplicates/similar?name={name}",
    ]
    print(f"\nwarm: {repeat} requests each through the test client (cached revision)")
    for path in paths:
        assert client.get(path).status_code == 200, path  # warm-up
        values = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(path)
            values.append(time.perf_counter() - started)
            assert response.status_code == 200, path
        report(path.split("?")[0][:60], values)


if __name__ == "__main__":
    main()
