"""Browse/search benchmark.

Seeds ``seed-demo --scale N`` into a temporary database, runs 50 varied
browse queries several times each and prints p50/p95 of

* the browse service (``catalog.browse.browse``: total, page, facets),
* the whole page through the Flask test client (render included),
* the raw SQL those calls issue, replayed on a bare DBAPI connection,

and the ratio of the service to its raw SQL. Usage::

    python -m bench.search [--scale 10000] [--repeat 5] [--database-url URL]
"""

import argparse
import random
import statistics

import sqlalchemy as sa

from bench.common import median_time, p95, report, seeded_app
from catalog.browse import BrowseQuery, browse
from catalog.db import db
from catalog.models import Capability, CapabilityTag, Domain, Team


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--database-url", help="an EMPTY database to use instead of a temporary SQLite file")
    args = parser.parse_args()

    with seeded_app(args.scale, database_url=args.database_url) as app:
        run(app, make_queries(args.queries), args.repeat)


def make_queries(count: int) -> list[dict[str, str]]:
    """Return ``count`` varied browse parameter sets drawn from the seeded catalog."""
    rng = random.Random(7)
    names = db.session.scalars(sa.select(Capability.name).order_by(Capability.id).limit(2000)).all()
    words = sorted({w.lower() for name in names for w in name.split() if len(w) > 3 and w.isalpha()})
    domains = db.session.scalars(sa.select(Domain.slug)).all()
    teams = db.session.scalars(sa.select(Team.slug)).all()
    tags = db.session.scalars(sa.select(CapabilityTag.tag).distinct()).all()
    facets = {"domain": domains, "team": teams, "tag": tags,
              "layer": ["business-platform", "data-platform", "infrastructure"],
              "lifecycle": ["production", "deprecated"]}
    sorts = ["", "name", "-updated", "tier", "-consumers"]
    queries = []
    for i in range(count):
        params = {"sort": rng.choice(sorts)}
        kind = i % 5
        if kind == 0:  # one word
            params["q"] = rng.choice(words)
        elif kind == 1:  # a prefix, as typed so far
            params["q"] = rng.choice(words)[:4]
        elif kind == 3:  # a deep page
            params["page"] = str(rng.randint(2, 50))
        if kind in (2, 4):  # a facet, alone or with two words
            facet = rng.choice(sorted(facets))
            params[facet] = rng.choice(facets[facet])
        if kind == 4:
            params["q"] = " ".join(rng.sample(words, 2))
        queries.append({k: v for k, v in params.items() if v})
    return queries


def run(app, queries, repeat: int) -> None:
    client = app.test_client()
    service, page, raw = [], [], []
    for params in queries:
        query = BrowseQuery.from_args(params)
        statements = capture(lambda q=query: browse(q))
        service.append(median_time(lambda q=query: (browse(q), db.session.rollback()), repeat))
        page.append(median_time(lambda p=params: client.get(
            "/capabilities", query_string=p, headers={"HX-Request": "true"}), repeat))
        raw.append(median_time(lambda s=statements: replay(s), repeat))
    report("browse service", service)
    report("results fragment (HTTP)", page)
    report("raw SQL replayed", raw)
    print(f"{'ratio service / raw SQL':<26} p50 {statistics.median(service) / statistics.median(raw):.2f}x"
          f"   p95 {p95(service) / p95(raw):.2f}x")
    slowest = sorted(zip(service, queries, strict=False), key=lambda pair: pair[0], reverse=True)[:3]
    for seconds, params in slowest:
        print(f"  slow: {seconds * 1000:6.1f} ms  {params}")


def capture(call):
    """Run ``call`` once and return the (statement, parameters) it sent to the database.

    On SQLite each connection's trace callback sees every statement, also
    those sent past SQLAlchemy on the DBAPI connection (a search word's
    trigram ids), with their values written in.
    """
    statements = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    def traced(sql):
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((sql, ()))

    def trace(dbapi_connection, record, proxy):
        dbapi_connection.set_trace_callback(traced)

    def untrace(dbapi_connection, record):
        dbapi_connection.set_trace_callback(None)

    sqlite = db.engine.dialect.name == "sqlite"
    db.session.rollback()  # the call checks a connection out: traced from its first statement
    events = (("checkout", trace), ("checkin", untrace)) if sqlite else (
        ("before_cursor_execute", listener),)
    for name, function in events:
        sa.event.listen(db.engine, name, function)
    try:
        call()
    finally:
        db.session.rollback()
        for name, function in events:
            sa.event.remove(db.engine, name, function)
    return statements


def replay(statements) -> None:
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            cursor.fetchall()
        cursor.close()
    finally:
        connection.close()


if __name__ == "__main__":
    main()
