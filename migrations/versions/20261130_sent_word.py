"""Afbud: an attendance row remembers when the person sent word that they cannot come.

Revision ID: 7a15e0c0a001
Revises: 7f16b1c0e001
Create Date: 2026-11-30 23:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "7a15e0c0a001"
down_revision = "7f16b1c0e001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent_word_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_column("sent_word_at")
