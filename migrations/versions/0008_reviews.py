"""reviews: review decisions, deprecation sunset and replacement, consumer migrations

Revision ID: 0008_reviews
Revises: 0007
Create Date: 2026-12-02

A capability gains ``sunset_on`` (the last day a deprecated capability runs)
and ``replacement_id`` (what its consumers move to). ``review`` keeps each
decision of an architect or admin on a capability; ``migration_status``
keeps how far each consumer team is in moving off a deprecated capability.
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_reviews'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch copy of the table on SQLite, which would drop its
    # expression indexes); the foreign key rides on the column.
    op.add_column('capability', sa.Column('sunset_on', sa.Date(), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("ALTER TABLE capability ADD COLUMN replacement_id INTEGER "
                   "CONSTRAINT fk_capability_replacement_id_capability "
                   "REFERENCES capability (id) ON DELETE SET NULL")
    else:
        op.add_column('capability', sa.Column('replacement_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_capability_replacement_id_capability'), 'capability',
                              'capability', ['replacement_id'], ['id'], ondelete='SET NULL')
    op.create_table(
        'review',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('capability_id', sa.Integer(), nullable=False),
        sa.Column('decision', sa.String(length=20), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('reviewer', sa.String(length=63), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=False),
        sa.Column('capability_version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['capability_id'], ['capability.id'],
                                name=op.f('fk_review_capability_id_capability'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review')),
    )
    op.create_index('ix_review_capability', 'review', ['capability_id', 'id'])
    op.create_index(op.f('ix_review_decided_at'), 'review', ['decided_at'])
    op.create_table(
        'migration_status',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('capability_id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('note', sa.String(length=280), nullable=False),
        sa.Column('updated_by', sa.String(length=63), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['capability_id'], ['capability.id'],
                                name=op.f('fk_migration_status_capability_id_capability'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['team_id'], ['team.id'],
                                name=op.f('fk_migration_status_team_id_team'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_migration_status')),
        sa.UniqueConstraint('capability_id', 'team_id',
                            name=op.f('uq_migration_status_capability_id')),
    )
    op.create_index(op.f('ix_migration_status_capability_id'), 'migration_status',
                    ['capability_id'])


def downgrade():
    op.drop_table('migration_status')
    op.drop_table('review')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_capability_replacement_id_capability'), 'capability',
                           type_='foreignkey')
    op.drop_column('capability', 'replacement_id')
    op.drop_column('capability', 'sunset_on')
