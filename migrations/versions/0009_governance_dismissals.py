"""governance: duplicate candidates dismissed as "not a duplicate", with who and why

Revision ID: 0009_governance_dismissals
Revises: 0008_reviews
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_governance_dismissals'
down_revision = '0008_reviews'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "duplicate_dismissal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("second_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=63), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("first_id < second_id", name=op.f("ck_duplicate_dismissal_ordered_pair")),
        sa.ForeignKeyConstraint(["first_id"], ["capability.id"], ondelete="CASCADE",
                                name=op.f("fk_duplicate_dismissal_first_id_capability")),
        sa.ForeignKeyConstraint(["second_id"], ["capability.id"], ondelete="CASCADE",
                                name=op.f("fk_duplicate_dismissal_second_id_capability")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_dismissal")),
        sa.UniqueConstraint("first_id", "second_id",
                            name=op.f("uq_duplicate_dismissal_first_id")),
    )
    op.create_index(op.f("ix_duplicate_dismissal_first_id"), "duplicate_dismissal",
                    ["first_id"], unique=False)
    op.create_index(op.f("ix_duplicate_dismissal_second_id"), "duplicate_dismissal",
                    ["second_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_duplicate_dismissal_second_id"), table_name="duplicate_dismissal")
    op.drop_index(op.f("ix_duplicate_dismissal_first_id"), table_name="duplicate_dismissal")
    op.drop_table("duplicate_dismissal")
