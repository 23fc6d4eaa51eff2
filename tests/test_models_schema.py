"""The models describe the schema the migrations build, column for column.

The test database is built by the real migrations (see ``conftest.py``);
Alembic compares it with the models' metadata, types, lengths and server
defaults included. A model column whose type, length, nullability, default,
key or index drifts from the migrated database fails here, on SQLite and on
PostgreSQL alike.
"""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

#: Indexes that only the migrations declare (0002, 0004): search's and browse's,
#: some of them expressions or database-specific, which the models need not know.
MIGRATION_ONLY_INDEXES = {"ix_capability_facets", "ix_capability_name_key",
                          "ix_capability_search_trgm", "ix_capability_tier_name",
                          "ix_capability_updated"}


def _expected(difference: tuple, dialect: str) -> bool:
    """Say whether one Alembic difference is one the schema has on purpose."""
    action, subject = difference[0], difference[1]
    if action == "remove_table":
        # SQLite's full-text index of capabilities: a virtual table and its shadow tables.
        return dialect == "sqlite" and subject.name.startswith("capability_fts")
    if action == "remove_index":
        return subject.name in MIGRATION_ONLY_INDEXES
    if action in ("remove_fk", "add_fk"):
        # SQLite reflects a foreign key added by ALTER TABLE ... ADD COLUMN without its
        # name and ON DELETE, though the database has both (0008: replacement_id).
        return dialect == "sqlite" and [c.name for c in subject.columns] == ["replacement_id"]
    return False


# SQLite's reflection skips expression indexes (all migration-only) with a warning.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_models_match_the_migrated_schema(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True})
        differences = compare_metadata(context, db.metadata)
    # Changes to one column's attributes come as a list of tuples.
    flat = [item for entry in differences
            for item in (entry if isinstance(entry, list) else [entry])]
    dialect = db.engine.dialect.name
    assert [d for d in flat if not _expected(d, dialect)] == []
