"""Enum columns are declared as sa.Enum: the same VARCHAR(20) and the same CHECK constraints.

The models now declare every enum column as `sa.Enum(..., native_enum=False,
create_constraint=True, length=20)` instead of a hand-built CHECK string. Reviewed by hand:
that declaration emits exactly the DDL the first migration wrote (VARCHAR(20) plus
`ck_<table>_<column> CHECK (<column> IN (...))` with the same values in the same order), and
the partial unique index on enrollments is now built from ACTIVE_ENROLLMENT_STATUSES with
the same condition. So no column type, constraint or row changes here.

What this revision does is check that claim on the database it runs on: each constraint must
exist and allow exactly the enum's values, or the upgrade stops with a message naming it. A
table is never rebuilt (on SQLite that would mean copying every table, and dropping a parent
with foreign keys on cascades into its children), and no data is touched.

Revision ID: 5b2d7c1e9a40
Revises: 0841f31502d7
Create Date: 2026-11-30 22:05:00

"""

import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b2d7c1e9a40"
down_revision = "0841f31502d7"
branch_labels = None
depends_on = None

# (table, column) -> the values the enum allows, frozen as of this revision.
ENUM_COLUMNS = {
    ("users", "role"): ("admin", "coordinator", "peer_worker", "volunteer_staff"),
    ("offerings", "kind"): ("course", "group", "meeting"),
    ("offerings", "enrolment_mode"): ("instant", "request", "drop_in"),
    ("offerings", "status"): ("draft", "published", "cancelled"),
    ("offering_audiences", "audience"): ("citizen", "relative", "staff", "volunteer"),
    ("facilitators", "role"): ("peer", "professional", "volunteer"),
    ("occurrences", "status"): ("scheduled", "cancelled"),
    ("enrollments", "status"): (
        "requested",
        "confirmed",
        "waitlisted",
        "offered",
        "cancelled",
        "declined",
    ),
    ("enrollments", "audience"): ("citizen", "relative", "staff", "volunteer"),
    ("attendance", "status"): ("present", "absent", "excused"),
    ("outbox_messages", "status"): ("pending", "sent", "failed"),
}


def _check_values(inspector, table, column):
    for constraint in inspector.get_check_constraints(table):
        if constraint["name"] == f"ck_{table}_{column}":
            return set(re.findall(r"'([^']*)'", constraint["sqltext"]))
    return None


def upgrade():
    inspector = sa.inspect(op.get_bind())
    for (table, column), values in ENUM_COLUMNS.items():
        found = _check_values(inspector, table, column)
        if found != set(values):
            raise RuntimeError(
                f"ck_{table}_{column} should allow exactly {sorted(values)}, "
                f"the database has {sorted(found) if found is not None else 'no such constraint'}"
            )


def downgrade():
    # Nothing was changed, so nothing is undone.
    pass
