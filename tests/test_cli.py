"""Command-line commands: they say why they fail on stderr and exit non-zero."""

import sqlalchemy as sa

from catalog import accounts
from catalog.models import User


def test_create_user_and_token(runner, make, db):
    make.team("trade")
    result = runner.invoke(args=["create-user", "alice", "--role", "contributor", "--team",
                                 "trade", "--password", "long-enough-pw"])
    assert result.exit_code == 0, result.output
    assert accounts.authenticate("alice", "long-enough-pw") is not None
    result = runner.invoke(args=["create-token", "alice", "--scope", "write"])
    assert result.exit_code == 0
    user, token = accounts.user_for_token(result.output.strip())
    assert user.username == "alice" and token.scopes == "write"


def test_create_user_with_bad_input_fails_and_writes_nothing(runner, db, unchanged):
    unchanged()
    result = runner.invoke(args=["create-user", "Bad Name!", "--role", "contributor",
                                 "--password", "short"])
    assert result.exit_code == 1
    assert "username:" in result.stderr and "password:" in result.stderr and "team:" in result.stderr
    unchanged.check()


def test_duplicate_user_fails(runner, db):
    runner.invoke(args=["create-user", "bob", "--password", "long-enough-pw"])
    result = runner.invoke(args=["create-user", "bob", "--password", "long-enough-pw"])
    assert result.exit_code == 1 and "taken" in result.stderr
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_token_for_unknown_user_fails(runner, db):
    result = runner.invoke(args=["create-token", "ghost"])
    assert result.exit_code == 1 and "ghost" in result.stderr


def test_init_db_is_idempotent(runner, db):
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert runner.invoke(args=["init-db"]).exit_code == 0


def planner_rows(db, table: str) -> int | None:
    """Return how many rows the query planner believes ``table`` has (None: no statistics)."""
    if db.engine.dialect.name == "postgresql":
        rows = db.session.scalar(sa.text("SELECT reltuples FROM pg_class WHERE relname = :t"),
                                 {"t": table})
        return None if rows is None or rows < 0 else int(rows)
    if not db.session.scalar(sa.text(
            "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")):
        return None
    stat = db.session.scalar(sa.text("SELECT stat FROM sqlite_stat1 WHERE tbl = :t LIMIT 1"),
                             {"t": table})
    return None if stat is None else int(stat.split()[0])


def test_a_bulk_write_leaves_the_planner_statistics_of_what_it_wrote(runner, db):
    # without them SQLite walks the lifecycle index for "production capabilities of a team"
    assert runner.invoke(args=["seed-demo", "--scale", "257", "--deliveries", "0"]).exit_code == 0
    db.session.commit()
    assert planner_rows(db, "capability") == 257
    assert planner_rows(db, "capability_tag") > 0
    db.session.execute(sa.text("DELETE FROM capability_tag"))
    db.session.commit()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    db.session.commit()
    assert planner_rows(db, "capability_tag") in (None, 0)
