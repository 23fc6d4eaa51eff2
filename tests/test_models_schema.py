"""The models describe the schema the migrations build, column for column.

The test database is built by the real migrations (see ``conftest.py``);
``flask db check`` compares it with the models' metadata, types, lengths and
server defaults included, through ``migrations/env.py`` and its filter of
what only the migrations make (``catalog.db.schema_filter``). A model column
whose type, length, nullability, default, key or index drifts from the
migrated database fails here, on SQLite and on PostgreSQL alike; so would a
filter that let ``flask db migrate`` draft dropping the search indexes.
"""

import pytest
from flask_migrate import check


# SQLite's reflection skips expression indexes (all migration-only) with a warning.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_flask_db_check_finds_nothing_to_migrate(db, capfd):
    try:
        check()  # flask db check; it exits 1 when the models and the database differ
    except SystemExit:
        found = [line for line in capfd.readouterr().err.splitlines()
                 if "autogenerate.compare" in line]
        pytest.fail("flask db check: " + " | ".join(found))
