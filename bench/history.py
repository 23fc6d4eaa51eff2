"""History at scale: the graph as of a past date, the changes feed, a long capability history.

Seeds ``--scale`` generated capabilities three years ago, then replays
``--rounds`` rounds of edits through the catalog services (each round a month
later: owners, tiers, summaries and lifecycles change) until history holds
about ``--changes`` changes, and gives one capability 1,000 changes of its
own. Prints:

* building the graph of today against the graph as of a past date (goal:
  within 2x);
* the changes feed API under a mix of filters, p50 / p95 (goal: p95 <= 50 ms);
* the history of the capability with 1,000 changes, as a page and as the
  History section's fragment (goal: <= 200 ms).

Usage::

    .venv/bin/python -m bench.history [--scale 10000] [--changes 100000]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/EMPTY_DB]

Given ``--database-url`` of a database an earlier run filled (it holds at
least ``--changes`` changes), it measures again without writing.
"""

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.orm import joinedload, selectinload

from bench.common import p95, report, settle
from catalog import history, seed
from catalog.capabilities import update_capability
from catalog.db import db
from catalog.models import Capability, Change, Dependency, Team
from catalog.models._time import clock_at, utcnow
from graphs.build import build_graph, build_graph_as_of
from portal import create_app

HOT_CHANGES = 1000
TIERS = (1, 2, 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database-url", help="an EMPTY database (or one an earlier run "
                        "filled) instead of a temporary SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            upgrade()
            if args.database_url and _count() >= args.changes:
                middle = _kept(args)
            else:
                start = utcnow() - dt.timedelta(days=3 * 365)
                began = time.perf_counter()
                with clock_at(start):
                    print(seed.seed_scale(args.scale, deliveries=0))
                print(f"seed three years ago: {time.perf_counter() - began:.1f} s")
                middle = replay(args, start)
                settle()
            measure(app, args, middle)


def _kept(args) -> dt.datetime:
    """Measure a database an earlier run left (``--database-url``): find its hot capability
    and the middle of its history instead of writing them again."""
    args.hot, _ = db.session.execute(
        sa.select(Change.slug, sa.func.count()).where(Change.kind == "capability")
        .group_by(Change.slug).order_by(sa.func.count().desc()).limit(1)).one()
    first, last = db.session.execute(sa.select(sa.func.min(Change.at), sa.func.max(Change.at))).one()
    print(f"measuring the history kept in the database: {_count():,} changes, "
          f"{args.hot} the busiest capability")
    return first + (last - first) / 2


def replay(args, start: dt.datetime) -> dt.datetime:
    """Edit the catalog month after month until history has about ``--changes`` changes.

    Returns a moment in the middle of the replayed history.
    """
    rng = random.Random(9)
    slugs = sorted(db.session.scalars(sa.select(Capability.slug)))
    teams = sorted(db.session.scalars(sa.select(Team.slug).where(Team.kind != "business")))
    hot = slugs[len(slugs) // 2]
    began = time.perf_counter()
    month, moments = 0, []
    while _count() < args.changes - HOT_CHANGES:
        month += 1
        moment = start + dt.timedelta(days=30 * month)
        moments.append(moment)
        wanted = min(len(slugs), args.changes - HOT_CHANGES - _count())
        with clock_at(moment), history.provenance("cli"), history.batch(None):
            loaded = _loaded(rng.sample(slugs, wanted))
            for capability in loaded:
                update_capability(capability, _edit(rng, capability, teams), None)
        db.session.expire_all()
    for i in range(HOT_CHANGES):
        with clock_at(start + dt.timedelta(days=30 * month + 1, minutes=i)):
            capability = db.session.scalar(sa.select(Capability).where(Capability.slug == hot))
            update_capability(capability, {"summary": f"Edit {i} of {hot}."}, None)
    print(f"replayed {month} months of edits, {_count():,} changes in all: "
          f"{time.perf_counter() - began:.1f} s ({hot} has {HOT_CHANGES:,} of its own)")
    args.hot = hot
    return moments[len(moments) // 2]


def _loaded(slugs: list[str]) -> list[Capability]:
    """Read capabilities with everything their snapshot holds, a chunk at a time."""
    found = []
    for start in range(0, len(slugs), 500):
        found += db.session.scalars(
            sa.select(Capability).where(Capability.slug.in_(slugs[start:start + 500])).options(
                joinedload(Capability.domain), joinedload(Capability.team),
                selectinload(Capability.tag_links), selectinload(Capability.apis),
                selectinload(Capability.dependencies).joinedload(Dependency.provider),
                selectinload(Capability.dependencies).joinedload(Dependency.api))).all()
    return found


def _edit(rng: random.Random, capability: Capability, teams: list[str]) -> dict:
    edit = rng.choice(("team", "tier", "summary", "lifecycle"))
    if edit == "team":
        return {"team": rng.choice([t for t in teams if t != capability.team.slug])}
    if edit == "tier":
        return {"tier": rng.choice([t for t in TIERS if t != capability.tier])}
    if edit == "lifecycle" and capability.lifecycle == "approved":
        return {"lifecycle": "production"}
    return {"summary": f"{capability.name}, revised {rng.randint(1, 10**6)}."}


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Change))


def measure(app, args, middle: dt.datetime) -> None:
    today, past = [], []
    for _ in range(5):
        db.session.rollback()
        started = time.perf_counter()
        G = build_graph()
        today.append(time.perf_counter() - started)
        started = time.perf_counter()
        H = build_graph_as_of(middle)
        past.append(time.perf_counter() - started)
    ratio = statistics.median(past) / statistics.median(today)
    print(f"graph of today: {len(G):,} nodes, {G.number_of_edges():,} edges; as of "
          f"{middle:%Y-%m-%d}: {len(H):,} nodes, {H.number_of_edges():,} edges")
    report("build graph (today)", today)
    report("build graph (as of)", past)
    print(f"{'ratio as of / today':<26} {ratio:.2f}x   (goal: at most 2x)")

    client = app.test_client()
    team = db.session.scalar(sa.select(Team.slug).order_by(Team.slug).limit(1))
    queries = [{}, {"entity": f"capability:{args.hot}"}, {"team": team},
               {"kind": "capability", "since": middle.date().isoformat()},
               {"until": middle.date().isoformat(), "page": 50}, {"actor": "nobody"},
               {"domain": "search", "kind": "capability", "per_page": 100}]
    feed, per_query = [], [[] for _ in queries]
    for _ in range(args.repeat):
        for query, times in zip(queries, per_query, strict=True):
            started = time.perf_counter()
            response = client.get("/api/v1/changes", query_string=query)
            times.append(time.perf_counter() - started)
            feed.append(times[-1])
            assert response.status_code == 200, response.get_json()
    for query, times in zip(queries, per_query, strict=True):
        report("  " + (",".join(sorted(query)) or "no filter"), times)
    report("changes feed API", feed)
    print(f"{'':<26} p95 {p95(feed) * 1000:.1f} ms (goal: at most 50 ms)")
    for label, headers, query in (
            ("hot history page", {}, {"entity": f"capability:{args.hot}"}),
            ("hot history section", {"HX-Request": "true"},
             {"entity": f"capability:{args.hot}", "per_page": 10, "compact": 1})):
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get("/changes", query_string=query, headers=headers)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200
        report(label, times)
    print("(goal for the history of a capability with 1,000 changes: at most 200 ms)")


if __name__ == "__main__":
    main()
