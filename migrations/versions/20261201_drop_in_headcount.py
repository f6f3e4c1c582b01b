"""A drop-in date's headcount: how many came, counted by the facilitator.

Revision ID: b12b0a1c0001
Revises: 14b0e7a2d002
Create Date: 2026-12-01 01:20:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b12b0a1c0001"
down_revision = "14b0e7a2d002"
branch_labels = None
depends_on = None


def _foreign_keys(on: bool) -> None:
    """SQLite rebuilds the table: with foreign keys on, dropping it would cascade into its
    children (attendance), so the rebuild runs with them off (between transactions)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")
    bind.exec_driver_sql("BEGIN")


def upgrade():
    _foreign_keys(False)
    with op.batch_alter_table("occurrences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("headcount", sa.Integer(), nullable=True))
        batch_op.create_check_constraint("headcount", "headcount IS NULL OR headcount >= 0")
    _foreign_keys(True)


def downgrade():
    _foreign_keys(False)
    with op.batch_alter_table("occurrences", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_occurrences_headcount"), type_="check")
        batch_op.drop_column("headcount")
    _foreign_keys(True)
