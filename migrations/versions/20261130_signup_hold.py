"""A seat held until the address is confirmed (SIGNUP_CONFIRM_HOURS): enrollments.hold_expires_at.

Revision ID: 401d5eed7e11
Revises: 5e55107e7510
Create Date: 2026-11-30 22:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "401d5eed7e11"
down_revision = "5e55107e7510"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hold_expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.drop_column("hold_expires_at")
