"""users: a session generation, so signing out and changing a password end every session

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

Session and remember-me cookies carry ``<user id>:<generation>``; signing out or
changing the password bumps the generation, and cookies with an older one sign
nobody in. Cookies issued before this migration carry the id alone and sign
nobody in either: everyone signs in once more.
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("session_generation", sa.Integer(), nullable=False,
                                   server_default="0"))


def downgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("session_generation")
