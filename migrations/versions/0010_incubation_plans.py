"""incubation plans: the capabilities a new business means to reuse, saved to share

Revision ID: 0010_incubation_plans
Revises: 0009_governance_dismissals
Create Date: 2026-12-02

One row per saved plan (name, purpose, picked capability slugs and uncovered
needs as JSON, owner team, author); ``business_id`` is the incubating business
the plan became, once turned into adoptions.
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_incubation_plans'
down_revision = '0009_governance_dismissals'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "incubation_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("capabilities", sa.JSON(), nullable=False),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=63), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=True),
        sa.Column("adopted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"],
                                name=op.f("fk_incubation_plan_team_id_team")),
        sa.ForeignKeyConstraint(["business_id"], ["business.id"], ondelete="SET NULL",
                                name=op.f("fk_incubation_plan_business_id_business")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incubation_plan")),
    )
    op.create_index(op.f("ix_incubation_plan_team_id"), "incubation_plan", ["team_id"])
    op.create_index(op.f("ix_incubation_plan_business_id"), "incubation_plan", ["business_id"])


def downgrade():
    op.drop_index(op.f("ix_incubation_plan_business_id"), table_name="incubation_plan")
    op.drop_index(op.f("ix_incubation_plan_team_id"), table_name="incubation_plan")
    op.drop_table("incubation_plan")
