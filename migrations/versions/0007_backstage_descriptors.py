"""backstage: the descriptors an import read, so that the export loses nothing

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

One row per Backstage entity an import read (``kind:namespace/name``,
lower-case): the descriptor as read, the portal row it became (none for a
User, a Location, an API no component provides, ...), and what the export
wrote for that row as the import created it. See catalog/backstage/descriptors.py.
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "backstage_descriptor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=400), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("maps_to", sa.String(length=400), nullable=True),
        sa.Column("baseline", sa.JSON(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backstage_descriptor")),
        sa.UniqueConstraint("ref", name=op.f("uq_backstage_descriptor_ref")),
    )


def downgrade():
    op.drop_table("backstage_descriptor")
