"""Own data: an offering counts the companion wishes of participants whose data was erased.

Revision ID: 8d13a0c0e001
Revises: 3e0d9c64f0b8
Create Date: 2026-12-01 01:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8d13a0c0e001"
down_revision = "3e0d9c64f0b8"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("erased_companion_wishes", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.drop_column("erased_companion_wishes")
