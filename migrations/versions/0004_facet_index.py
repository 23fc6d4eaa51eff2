"""browse facets: one covering index for the (domain, team, lifecycle) counts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

The browse page counts its domain, layer, team and lifecycle facets from a
single GROUP BY over these three columns; this index lets the database read
the counts without sorting the capabilities.
"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_capability_facets", "capability", ["domain_id", "team_id", "lifecycle"])


def downgrade():
    op.drop_index("ix_capability_facets", "capability")
