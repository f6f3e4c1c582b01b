"""A per-account session version: sign-out, a password reset and deactivation end every session.

Revision ID: 5e55107e7510
Revises: 5b2d7c1e9a40
Create Date: 2026-11-30 22:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "5e55107e7510"
down_revision = "5b2d7c1e9a40"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
