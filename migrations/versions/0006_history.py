"""history: the changes feed, entity versions and spec texts replace the audit table

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

Every write now leaves a ``change`` (who, when, from where, what, field by
field), filed under the entities it concerns (``change_scope``), and a new
``entity_version`` of the entity written (its whole snapshot, valid from that
moment until the next one), so the catalog can be read as of any date. API
spec texts are kept once each in ``spec_text``. The rows of the old
``audit_event`` table are carried over as changes; the current state of the
catalog gets its first versions from ``flask init-db`` (they need the
application's snapshot code, which a migration should not import).
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

KINDS = {"api_token": "token", "backstage": "import"}


def upgrade():
    change = op.create_table(
        'change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor', sa.String(length=63), nullable=True),
        sa.Column('token', sa.String(length=120), nullable=True),
        sa.Column('source', sa.String(length=12), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('slug', sa.String(length=130), nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('revision', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_change')),
    )
    op.create_index('ix_change_at_id', 'change', ['at', 'id'])
    op.create_index(op.f('ix_change_actor'), 'change', ['actor'])
    op.create_table(
        'change_scope',
        sa.Column('change_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('slug', sa.String(length=130), nullable=False),
        sa.ForeignKeyConstraint(['change_id'], ['change.id'],
                                name=op.f('fk_change_scope_change_id_change'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('change_id', 'kind', 'slug', name=op.f('pk_change_scope')),
    )
    op.create_index('ix_change_scope_entity', 'change_scope', ['kind', 'slug', 'change_id'])
    op.create_table(
        'entity_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('key', sa.String(length=130), nullable=False),
        sa.Column('valid_from', sa.DateTime(), nullable=False),
        sa.Column('valid_to', sa.DateTime(), nullable=True),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('change_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['change_id'], ['change.id'],
                                name=op.f('fk_entity_version_change_id_change'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_entity_version')),
    )
    op.create_index('ix_entity_version_key', 'entity_version', ['kind', 'key', 'valid_to'])
    op.create_index('ix_entity_version_from', 'entity_version', ['kind', 'valid_from'])
    op.create_table(
        'spec_text',
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('digest', name=op.f('pk_spec_text')),
    )

    connection = op.get_bind()
    audit = sa.table('audit_event', sa.column('id'), sa.column('at'), sa.column('actor'),
                     sa.column('action'), sa.column('entity_type'), sa.column('entity_key'),
                     sa.column('changes', sa.JSON))
    revision_row = connection.execute(sa.text("SELECT revision FROM catalog_revision")).first()
    revision_now = revision_row[0] if revision_row else 0
    rows = [{"at": at, "actor": actor, "token": None, "source": "cli",
             "kind": KINDS.get(kind, kind), "slug": (key or "")[:130], "action": action,
             "changes": changes or {}, "note": "", "revision": revision_now}
            for at, actor, action, kind, key, changes in connection.execute(
                sa.select(audit.c.at, audit.c.actor, audit.c.action, audit.c.entity_type,
                          audit.c.entity_key, audit.c.changes).order_by(audit.c.id))]
    if rows:
        op.bulk_insert(change, rows)
    op.drop_table('audit_event')


def downgrade():
    op.create_table(
        'audit_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor', sa.String(length=63), nullable=True),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('entity_type', sa.String(length=40), nullable=False),
        sa.Column('entity_key', sa.String(length=120), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event')),
    )
    op.create_index(op.f('ix_audit_event_at'), 'audit_event', ['at'])
    op.create_index(op.f('ix_audit_event_entity_key'), 'audit_event', ['entity_key'])
    op.drop_table('spec_text')
    op.drop_index('ix_entity_version_from', 'entity_version')
    op.drop_index('ix_entity_version_key', 'entity_version')
    op.drop_table('entity_version')
    op.drop_index('ix_change_scope_entity', 'change_scope')
    op.drop_table('change_scope')
    op.drop_index(op.f('ix_change_actor'), 'change')
    op.drop_index('ix_change_at_id', 'change')
    op.drop_table('change')
