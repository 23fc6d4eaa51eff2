"""Reviews, deprecation plans and dependency warnings at scale.

Seeds ``--scale`` generated capabilities, sends ``--pending`` of them back to
``proposed`` and decides on half of those, deprecates the capability with
the most dependents (every one of them a consumer), then prints p50 / p95 of:

* the navigation's pending count (on every page an architect opens);
* ``GET /api/v1/reviews`` (pending and decided pages);
* ``GET /api/v1/capabilities/<hub>/deprecation-plan`` and the plan page;
* the cycle and layering check of a new dependency on the hub (the inline
  row of the edit form), and a capability page with its review thread.

Usage::

    .venv/bin/python -m bench.reviews [--scale 10000] [--pending 400] [--repeat 30]
        [--database-url URL]   # an empty database, or one already seeded (used as it is)
"""

import argparse
import contextlib
import datetime as dt
import time
from collections.abc import Iterator

import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from bench.common import report, seeded_app, timed
from catalog import history, reviews
from catalog.capabilities import get_capability, update_capability
from catalog.db import db
from catalog.models import Capability, Dependency, User
from catalog.models._time import today
from catalog.structure import depends_on_transitively, providers_of
from portal import create_app


@contextlib.contextmanager
def _app(scale: int, url: str | None) -> Iterator[Flask]:
    """The app over a catalog already loaded at ``url``, else over a freshly seeded one."""
    if url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            upgrade()
            if db.session.scalar(sa.select(sa.func.count(Capability.id))):
                print("the database already holds a catalog: not seeded again")
                yield app
                db.session.remove()
                db.engine.dispose()
                return
    with seeded_app(scale, database_url=url) as app:
        yield app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--pending", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with _app(args.scale, args.database_url) as app:
        architect = User(username="bench-architect", role="architect", password_hash="!")
        db.session.add(architect)
        db.session.commit()
        slugs = db.session.scalars(sa.select(Capability.slug).order_by(Capability.id)
                                   .limit(args.pending)).all()
        with history.provenance("cli"):
            for slug in slugs:
                update_capability(get_capability(slug), {"lifecycle": "proposed"}, None)
            for slug in slugs[::2]:
                reviews.decide(slug, {"decision": "changes", "comment": "Add an SLA."},
                               architect)
        hub_id, dependents = db.session.execute(
            sa.select(Dependency.provider_id, sa.func.count())
            .group_by(Dependency.provider_id).order_by(sa.func.count().desc()).limit(1)).one()
        hub = db.session.get(Capability, hub_id)
        replacement = db.session.scalar(sa.select(Capability.slug).where(
            Capability.lifecycle == "production", Capability.id != hub_id).limit(1))
        update_capability(get_capability(hub.slug), {
            "lifecycle": "deprecated", "sunset_on": today() + dt.timedelta(days=60),
            "replacement": replacement}, None)
        consumer = db.session.scalar(sa.select(Dependency.consumer_id)
                                     .where(Dependency.provider_id == hub_id).limit(1))
        print(f"{reviews.pending_count()} waiting for review; hub {hub.slug!r} with "
              f"{dependents:,} direct dependents deprecated")
        client = app.test_client()
        n = args.repeat
        report("pending count (nav)", timed(reviews.pending_count, n))
        report("GET /reviews pending", timed(lambda: client.get("/api/v1/reviews"), n))
        report("GET /reviews decided",
               timed(lambda: client.get("/api/v1/reviews?status=decided&per_page=100"), n))
        plan_url = f"/api/v1/capabilities/{hub.slug}/deprecation-plan"
        started = time.perf_counter()
        body = client.get(plan_url).get_json()
        print(f"deprecation plan, first     {(time.perf_counter() - started) * 1000:8.1f} ms  "
              f"({body['consumers']['total_capabilities']:,} consumers, "
              f"{len(body['migrations'])} teams)")
        report("GET deprecation-plan", timed(lambda: client.get(plan_url), n))
        report("plan page", timed(lambda: client.get(f"/capabilities/{hub.slug}/deprecation"), n))
        report("cycle check, down (CTE)", timed(lambda: providers_of([hub_id]), n))
        report("all dependents (CTE)", timed(lambda: depends_on_transitively(hub_id), n))
        consumer_slug = db.session.get(Capability, consumer).slug
        report("inline dependency row", timed(lambda: client.get(
            f"/capabilities/picker/{consumer_slug}?consumer={hub.slug}"), n))
        report("capability page", timed(lambda: client.get(f"/capabilities/{slugs[0]}"), n))


if __name__ == "__main__":
    main()
