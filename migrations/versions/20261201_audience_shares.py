"""Audience shares: per offering and audience, a minimum share of seats kept until a date
and a maximum number of seats.

Revision ID: 14a0d1e5c001
Revises: 8d13a0c0e001
Create Date: 2026-12-01 01:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "14a0d1e5c001"
down_revision = "8d13a0c0e001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("offering_audiences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("min_share_percent", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("kept_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("max_seats", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            "share_percent",
            "min_share_percent IS NULL OR (min_share_percent > 0 AND min_share_percent <= 100)",
        )
        batch_op.create_check_constraint("max_seats_positive", "max_seats IS NULL OR max_seats > 0")


def downgrade():
    with op.batch_alter_table("offering_audiences", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_offering_audiences_max_seats_positive"), type_="check"
        )
        batch_op.drop_constraint(batch_op.f("ck_offering_audiences_share_percent"), type_="check")
        batch_op.drop_column("max_seats")
        batch_op.drop_column("kept_until")
        batch_op.drop_column("min_share_percent")
