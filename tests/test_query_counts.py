"""The browse and capability pages issue a fixed number of SQL statements.

N+1 regressions show up as a statement count that grows with the rows shown.
"""

import contextlib

import pytest
import sqlalchemy as sa

from catalog.models import Adoption, Business, Capability


@contextlib.contextmanager
def counted_statements(db):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def build(make, db, n):
    """A catalog of ``n`` capabilities, each with tags, APIs, a dependency and adopters."""
    make.trade_and_growth()
    make.capability("base", domain="search", team="growth", tags=["core"],
                    apis=[{"name": "Base API"}])
    businesses = [make.business(f"biz-{i}") for i in range(3)]
    for i in range(n):
        make.capability(f"cap-{i:03d}", tags=["core", f"t{i}"], dependencies=["base"],
                        apis=[{"name": "A"}, {"name": "B"}])
    base = db.session.scalar(sa.select(Capability).where(Capability.slug == "base"))
    for business in businesses:
        db.session.add(Adoption(business=business, capability=base, purpose="checkout"))
    db.session.commit()
    # Consumers of base that are themselves consumed, so the page lists n of each.
    for i in range(n):
        make.capability(f"user-{i:03d}", team="growth", dependencies=[f"cap-{i:03d}", "base"])
    assert db.session.scalar(sa.select(sa.func.count(Business.id))) == 3


def statements_for(client, db, path):
    client.get(path)  # warm up anything lazily initialised
    with counted_statements(db) as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("path", [
    "/capabilities?per_page={n}",
    "/capabilities?q=cap&per_page={n}&sort=-consumers",
    "/capabilities/base",
    "/api/v1/capabilities?per_page={n}",
    "/teams/trade",
    "/domains/transaction",
    "/businesses/biz-0",
])
def test_statement_count_does_not_grow_with_rows(app, make, db, path):
    client = app.test_client()
    build(make, db, 3)
    few = statements_for(client, db, path.format(n=3))
    build_more(make, db, 3, 12)
    many = statements_for(client, db, path.format(n=15))
    assert many == few, f"{path}: {few} statements for 3 rows but {many} for 15"


def build_more(make, db, start, count):
    for i in range(start, start + count):
        make.capability(f"cap-{i:03d}", tags=["core", f"t{i}"], dependencies=["base"],
                        apis=[{"name": "A"}, {"name": "B"}])
        make.capability(f"user-{i:03d}", team="growth", dependencies=[f"cap-{i:03d}", "base"])
