"""Incubation and spin-off benchmark.

Seeds ``seed-demo --scale N`` (default 10,000 capabilities) into a temporary
database and prints, warm (the graph and its per-revision business index
computed once before timing), p50 / p95 / max over ``--repeat`` requests:

* ``GET /api/v1/incubation`` for 20 picked production capabilities (a new set
  each request) and the incubate page for the same picks;
* ``GET /api/v1/businesses/<slug>/boundary`` of the business that uses the
  most capabilities, and its spin-off page (tables and the bounded figure);
* once, cold: building the per-revision index of which businesses reach each
  capability (:func:`graphs.business.businesses_reaching`).

Goal: the plan for 20 picks and the boundary of the largest business answer
in at most 300 ms warm. Nothing is asserted. Usage::

    python -m bench.business [--scale 10000] [--repeat 30] [--database-url URL]
    python -m bench.business --seeded sqlite:////tmp/catalog-10k.db   # already seeded: no seed
"""

import argparse
import contextlib
import random
import time

import sqlalchemy as sa

from bench.common import report, seeded_app
from catalog.db import db
from catalog.models import Capability
from graphs.business import businesses_reaching
from graphs.cache import catalog_graph
from portal import create_app

PICKS = 20


def timed(client, url: str, repeat: int) -> tuple[list[float], int]:
    """Return the seconds of ``repeat`` GETs of ``url`` (after one) and the last body size."""
    client.get(url)
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        size = len(response.get_data())
    return times, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database-url")
    parser.add_argument("--seeded", help="a database seeded already (seed-demo --scale N)")
    args = parser.parse_args()
    with (_opened(args.seeded) if args.seeded
          else seeded_app(args.scale, database_url=args.database_url)) as app:
        client = app.test_client()
        G = catalog_graph()
        started = time.perf_counter()
        reaching = businesses_reaching(G)
        print(f"graph: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges; "
              f"businesses_reaching (cold, once per revision): "
              f"{(time.perf_counter() - started) * 1000:.0f} ms")
        businesses = [n for n, kind in G.nodes(data="kind") if kind == "business"]
        used = dict.fromkeys(businesses, 0)
        for reached_by in reaching.values():
            for b in reached_by:
                used[b] += 1
        largest = max(used, key=used.get)
        slug = G.nodes[largest]["slug"]
        print(f"largest business: {slug}, uses {used[largest]:,} capabilities")
        production = sorted(db.session.scalars(sa.select(Capability.slug).where(
            Capability.lifecycle == "production")))
        rng = random.Random(11)

        def picks() -> str:
            return ",".join(rng.sample(production, PICKS))

        client.get(f"/api/v1/incubation?capabilities={picks()}")  # the per-revision indexes
        plan_api, plan_page, sizes = [], [], []
        for _ in range(args.repeat):
            chosen = picks()
            times, size = timed(client, f"/api/v1/incubation?capabilities={chosen}", 1)
            plan_api += times
            sizes.append(size)
            query = "&".join(f"capabilities={s}" for s in chosen.split(","))
            plan_page += timed(client, f"/businesses/incubate?{query}", 1)[0]
        report(f"incubation API, {PICKS} picks", plan_api)
        report(f"incubate page, {PICKS} picks", plan_page)
        print(f"  (incubation JSON: {sum(sizes) // len(sizes):,} bytes on average)")
        times, size = timed(client, f"/api/v1/businesses/{slug}/boundary", args.repeat)
        report("boundary API, largest", times)
        print(f"  (boundary JSON: {size:,} bytes)")
        times, size = timed(client, f"/businesses/{slug}/spin-off", args.repeat)
        report("spin-off page, largest", times)
        print(f"  (spin-off page: {size:,} bytes)")
        times, _ = timed(client, f"/businesses/{slug}/spin-off.csv", max(5, args.repeat // 3))
        report("spin-off CSV, largest", times)


@contextlib.contextmanager
def _opened(url: str):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
