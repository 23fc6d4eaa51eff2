"""history: each change's moment on its scopes, so an entity's changes page by one index range

Revision ID: 0011
Revises: 0010_incubation_plans
Create Date: 2026-12-02

``change_scope.at`` repeats ``change.at``; the index ``(kind, slug, at,
change_id)`` gives the newest changes of a team, domain, business or
capability without reading and sorting all of them.
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010_incubation_plans'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('change_scope', schema=None) as batch_op:
        batch_op.add_column(sa.Column('at', sa.DateTime(), nullable=True))
    op.execute("UPDATE change_scope SET at = (SELECT change.at FROM change "
               "WHERE change.id = change_scope.change_id)")
    op.create_index('ix_change_scope_at', 'change_scope', ['kind', 'slug', 'at', 'change_id'])


def downgrade():
    op.drop_index('ix_change_scope_at', 'change_scope')
    with op.batch_alter_table('change_scope', schema=None) as batch_op:
        batch_op.drop_column('at')
