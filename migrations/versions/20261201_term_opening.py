"""The opening of a term (issue 17): page caches that survive a sign-up, and a sign-up's mail
written after the offering's lock is let go.

- change_marker.structure_version and .seats_version: public pages other than seats, and
  seats anywhere; seat_markers: a counter per offering (its seats). See app/database.py.
- outbox status `draft` (also allowed on the SMS outbox, which shares the enum): a sign-up's
  mail before it is written (app/enrollment/standing.py).

Widening the CHECK rebuilds outbox_messages and sms_messages on SQLite (batch mode); no table
refers to them, so no foreign key cascades.

Revision ID: 17a0c0ffee01
Revises: 3e5d7a91c2b4
Create Date: 2026-12-01 04:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "17a0c0ffee01"
down_revision = "3e5d7a91c2b4"
branch_labels = None
depends_on = None

STATUSES_OLD = ("pending", "sent", "failed")
STATUSES_NEW = ("draft", *STATUSES_OLD)


def _in(column, values):
    return "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values))


def _statuses(values) -> None:
    for table in ("outbox_messages", "sms_messages"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_status"), type_="check")
            batch_op.create_check_constraint("status", _in("status", values))


def upgrade():
    with op.batch_alter_table("change_marker", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("structure_version", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("seats_version", sa.BigInteger(), server_default="0", nullable=False)
        )
    op.create_table(
        "seat_markers",
        sa.Column("offering_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["offering_id"],
            ["offerings.id"],
            name=op.f("fk_seat_markers_offering_id_offerings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("offering_id", name=op.f("pk_seat_markers")),
    )
    _statuses(STATUSES_NEW)


def downgrade():
    # A draft not yet written cannot stay: the mail is written before the downgrade is run
    # (`flask send-mail`), and whatever is left goes.
    op.execute("DELETE FROM outbox_messages WHERE status = 'draft'")
    op.execute("DELETE FROM sms_messages WHERE status = 'draft'")
    _statuses(STATUSES_OLD)
    op.drop_table("seat_markers")
    with op.batch_alter_table("change_marker", schema=None) as batch_op:
        batch_op.drop_column("seats_version")
        batch_op.drop_column("structure_version")
