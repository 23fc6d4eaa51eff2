"""Metrics benchmark: reuse and lead-time figures at scale, and the delivery CSV import.

Seeds ``seed-demo --scale N`` (with ``5 * N`` deliveries unless told) into a
temporary database and prints p50/p95 of

* each metrics function (``graphs.metrics.reuse_metrics``,
  ``reuse_over_time``, ``reuse_matrix``; ``catalog.metrics.delivery_metrics``
  unfiltered, per business and per period), on a warm per-revision cache;
* the same through the Flask test client (``/api/v1/metrics/...``);
* the dashboard pages through the test client (``/``, ``/reuse``, ``/delivery``
  and its filtered figures; target: 300 ms each at 10,000 capabilities and
  50,000 deliveries on SQLite);
* the first request after a catalog write (cold: graph rebuilt, caches empty);
* exporting every delivery as CSV, and importing 50,000 CSV rows (dry run and
  real).

Usage::

    python -m bench.metrics [--scale 10000] [--deliveries 50000] [--repeat 7]
                            [--database-url URL]
"""

import argparse
import statistics
import time

import sqlalchemy as sa

from bench.common import seeded_app, timed
from catalog import history
from catalog.db import db
from catalog.deliveries import DeliveryFilters, export_deliveries_csv, import_deliveries_csv
from catalog.metrics import delivery_metrics
from catalog.models import Delivery
from graphs.metrics import reuse_matrix, reuse_metrics, reuse_over_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--deliveries", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--import-rows", type=int, default=50_000)
    parser.add_argument("--database-url",
                        help="an EMPTY database to use instead of a temporary SQLite file")
    args = parser.parse_args()

    with seeded_app(args.scale, database_url=args.database_url,
                    deliveries=args.deliveries) as app:
        business = db.session.scalar(sa.text(
            "SELECT b.slug FROM business b JOIN delivery d ON d.business_id = b.id "
            "GROUP BY b.slug ORDER BY count(*) DESC LIMIT 1"))
        run_functions(business, args.repeat)
        run_endpoints(app, business, args.repeat)
        run_pages(app, business, args.repeat)
        run_cold(app, args.repeat)
        run_csv(args.import_rows)


def run_functions(business: str, repeat: int) -> None:
    print(f"\nfunctions (warm cache), {repeat} runs each")
    year_ago = DeliveryFilters.from_args({"since": "2025-01-01", "until": "2025-12-31"})
    for label, call in [
        ("reuse_metrics(top=20)", lambda: reuse_metrics(top=20)),
        ("reuse_over_time(12)", lambda: reuse_over_time(quarters=12)),
        ("reuse_matrix(top=50)", lambda: reuse_matrix(top=50)),
        ("delivery_metrics()", lambda: delivery_metrics()),
        (f"delivery_metrics({business})",
         lambda: delivery_metrics(DeliveryFilters(business=business))),
        ("delivery_metrics(2025)", lambda: delivery_metrics(year_ago)),
    ]:
        report(label, timed(lambda call=call: (call(), db.session.rollback()), repeat))


def run_endpoints(app, business: str, repeat: int) -> None:
    print(f"\nendpoints through the test client (warm cache), {repeat} runs each")
    client = app.test_client()
    for path in ["/api/v1/metrics/reuse", "/api/v1/metrics/reuse/matrix",
                 "/api/v1/metrics/delivery", f"/api/v1/metrics/delivery?business={business}",
                 "/api/v1/metrics/delivery?since=2025-01-01&until=2025-12-31",
                 "/api/v1/deliveries?open=true"]:
        def get(path=path):
            response = client.get(path)
            assert response.status_code == 200, response.get_data(as_text=True)[:200]
        report(path, timed(get, repeat))


def run_pages(app, business: str, repeat: int) -> None:
    print(f"\ndashboard pages through the test client (warm cache), {repeat} runs each")
    client = app.test_client()
    for path in ["/", "/reuse", "/delivery", f"/delivery?business={business}&quarters=4",
                 "/delivery?quarters=8", f"/businesses/{business}"]:
        def get(path=path):
            response = client.get(path)
            assert response.status_code == 200, response.get_data(as_text=True)[:200]
        report(path, timed(get, repeat))


def run_cold(app, repeat: int) -> None:
    """Time the first request after a catalog write: the graph and every cache rebuilt."""
    print(f"\nfirst request after a catalog write (cold), {repeat} runs each")
    client = app.test_client()
    for path in ["/api/v1/metrics/reuse", "/api/v1/metrics/reuse/matrix", "/reuse", "/"]:
        def cold(path=path):
            history.bump_revision()
            db.session.commit()
            started = time.perf_counter()
            assert client.get(path).status_code == 200
            return time.perf_counter() - started
        report(path, [cold() for _ in range(repeat)])


def run_csv(rows: int) -> None:
    print("\ndelivery CSV")
    started = time.perf_counter()
    text = export_deliveries_csv()
    seconds = time.perf_counter() - started
    exported = text.count("\n") - 1
    print(f"{'export every delivery':<48} {seconds * 1000:8.1f} ms  ({exported:,} rows, "
          f"{len(text) / 1e6:.1f} MB)")
    lines = text.splitlines()
    header, body = lines[0], lines[1:rows + 1]
    # New external refs, so the rows are new deliveries.
    fresh = "\n".join([header, *(line.replace(",GEN-", ",BENCH-") for line in body)]) + "\n"
    for dry_run in (True, False):
        started = time.perf_counter()
        report_ = import_deliveries_csv(fresh, dry_run=dry_run, name="bench.csv")
        seconds = time.perf_counter() - started
        assert report_.ok, report_.errors[:3]
        label = f"import {len(body):,} rows ({len(fresh) / 1e6:.1f} MB)" + (
            " --dry-run" if dry_run else "")
        print(f"{label:<48} {seconds * 1000:8.1f} ms  written={report_.written}")
    total = db.session.scalar(sa.select(sa.func.count(Delivery.id)))
    print(f"deliveries now: {total:,}")


def report(label: str, values: list[float]) -> None:
    p95 = statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 \
        else values[0]
    print(f"{label:<48} p50 {statistics.median(values) * 1000:8.1f} ms   "
          f"p95 {p95 * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
