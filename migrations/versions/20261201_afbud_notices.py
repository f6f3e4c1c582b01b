"""Afbud notices follow each facilitator's choice: two more notice events (an afbud for one
date, and its undo) and the date a waiting notice is about.

pending_notices is a leaf table (nothing points to it), so SQLite's batch rebuild that widens
its CHECK needs no foreign keys switched off.

Revision ID: 3f6a9d2c81b4
Revises: 7c3e12a9d5f4
Create Date: 2026-12-01 04:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "3f6a9d2c81b4"
down_revision = "7c3e12a9d5f4"
branch_labels = None
depends_on = None

EVENTS_OLD = ("request", "cancelled", "offer_accepted", "offer_expired", "bounced")
EVENTS_NEW = (*EVENTS_OLD, "absence", "absence_taken_back")


def _in(column, values):
    return "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values))


def upgrade():
    with op.batch_alter_table("pending_notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("occurrence_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_pending_notices_occurrence_id_occurrences"),
            "occurrences",
            ["occurrence_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(
            batch_op.f("ix_pending_notices_occurrence_id"), ["occurrence_id"], unique=False
        )
        batch_op.drop_constraint(batch_op.f("ck_pending_notices_event"), type_="check")
        batch_op.create_check_constraint("event", _in("event", EVENTS_NEW))


def downgrade():
    op.execute("DELETE FROM pending_notices WHERE event IN ('absence', 'absence_taken_back')")
    with op.batch_alter_table("pending_notices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_pending_notices_event"), type_="check")
        batch_op.create_check_constraint("event", _in("event", EVENTS_OLD))
        batch_op.drop_index(batch_op.f("ix_pending_notices_occurrence_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_pending_notices_occurrence_id_occurrences"), type_="foreignkey"
        )
        batch_op.drop_column("occurrence_id")
