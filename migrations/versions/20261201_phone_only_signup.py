"""Staff may add someone who phoned with a phone number only: an enrollment's email is optional.

Revision ID: b12b0a1c0002
Revises: b12b0a1c0001
Create Date: 2026-12-01 01:35:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b12b0a1c0002"
down_revision = "b12b0a1c0001"
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
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.alter_column("email", existing_type=sa.String(length=254), nullable=True)
        batch_op.alter_column(
            "email_normalized", existing_type=sa.String(length=254), nullable=True
        )
    _foreign_keys(True)


def downgrade():
    _foreign_keys(False)
    # Someone added without an address gets a placeholder that can never receive mail.
    op.execute(
        "UPDATE enrollments SET email = '', email_normalized = 'no-email-' || id "
        "WHERE email IS NULL"
    )
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.alter_column(
            "email_normalized", existing_type=sa.String(length=254), nullable=False
        )
        batch_op.alter_column("email", existing_type=sa.String(length=254), nullable=False)
    _foreign_keys(True)
