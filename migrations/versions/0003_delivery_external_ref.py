"""deliveries: an external reference is unique per business

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

A delivery's ``external_ref`` (the ticket id of the feature in the business's
own tracker) names at most one delivery of that business, so importing the
same CSV twice is refused instead of counting every feature twice. Blank
references are not constrained (a partial unique index, on SQLite and
PostgreSQL alike).
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

WHERE = sa.text("external_ref <> ''")


def upgrade():
    op.create_index("uq_delivery_business_external_ref", "delivery",
                    ["business_id", "external_ref"], unique=True,
                    sqlite_where=WHERE, postgresql_where=WHERE)


def downgrade():
    op.drop_index("uq_delivery_business_external_ref", "delivery")
