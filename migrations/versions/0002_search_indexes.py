"""browse indexes: text search (FTS5 trigram / pg_trgm) and the sort orders

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

Browse search matches every word as a substring of capability.search_text.
Both text indexes answer substring matches of three or more characters.
The expression indexes serve the browse sort orders, so a deep page of an
unfiltered catalog walks an index instead of sorting every row.
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

SQLITE_UP = [
    ("CREATE VIRTUAL TABLE capability_fts USING fts5("
    "search_text, content='capability', content_rowid='id', tokenize='trigram')"),
    ("CREATE TRIGGER capability_fts_insert AFTER INSERT ON capability BEGIN "
    "INSERT INTO capability_fts(rowid, search_text) VALUES (new.id, new.search_text); END"),
    ("CREATE TRIGGER capability_fts_delete AFTER DELETE ON capability BEGIN "
    "INSERT INTO capability_fts(capability_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END"),
    ("CREATE TRIGGER capability_fts_update AFTER UPDATE OF search_text ON capability BEGIN "
    "INSERT INTO capability_fts(capability_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO capability_fts(rowid, search_text) VALUES (new.id, new.search_text); END"),
    "INSERT INTO capability_fts(capability_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER capability_fts_update",
    "DROP TRIGGER capability_fts_delete",
    "DROP TRIGGER capability_fts_insert",
    "DROP TABLE capability_fts",
]
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_capability_search_trgm ON capability USING gin (search_text gin_trgm_ops)",
]
POSTGRES_DOWN = ["DROP INDEX ix_capability_search_trgm"]


def _run(statements):
    for statement in statements:
        op.execute(statement)


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UP)
    elif dialect == "postgresql":
        _run(POSTGRES_UP)
    op.create_index("ix_capability_name_key", "capability", [sa.text("lower(name)"), "id"])
    op.create_index("ix_capability_tier_name", "capability",
                    ["tier", sa.text("lower(name)"), "id"])
    op.create_index("ix_capability_updated", "capability", ["updated_at", "id"])


def downgrade():
    op.drop_index("ix_capability_updated", "capability")
    op.drop_index("ix_capability_tier_name", "capability")
    op.drop_index("ix_capability_name_key", "capability")
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(POSTGRES_DOWN)
