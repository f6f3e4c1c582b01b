"""Interest mode: an enrolment mode `interest` with a start threshold, the interest list
(enrollment status `interested`) and the first talk (a status and a date).

Widening an enum's CHECK on SQLite rebuilds the table (batch mode: copy, drop, rename). With
foreign keys on, dropping `offerings` or `enrollments` would cascade into their children, so
on SQLite the rebuild runs with foreign keys off (a PRAGMA that only takes effect between
transactions) and they are switched on again after.

Revision ID: 14b0e7a2d002
Revises: 7f2288ef29ca
Create Date: 2026-12-01 01:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "14b0e7a2d002"
down_revision = "7f2288ef29ca"
branch_labels = None
depends_on = None

MODES_OLD = ("instant", "request", "drop_in")
MODES_NEW = (*MODES_OLD, "interest")
STATUSES_OLD = ("requested", "confirmed", "waitlisted", "offered", "cancelled", "declined")
STATUSES_NEW = (*STATUSES_OLD, "interested")
ACTIVE_OLD = "status IN ('requested', 'confirmed', 'waitlisted', 'offered')"
ACTIVE_NEW = "status IN ('requested', 'confirmed', 'waitlisted', 'offered', 'interested')"
TALKS = ("to_do", "held", "not_now", "withdrew")
SUGGESTIONS_OLD = ("pending", "approved", "declined", "merged")
SUGGESTIONS_NEW = (*SUGGESTIONS_OLD, "became_group")


def _in(column, values):
    return "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values))


def _foreign_keys(on: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")
    bind.exec_driver_sql("BEGIN")


def _active_index(batch_op, condition, create: bool) -> None:
    kwargs = {
        "sqlite_where": sa.text(condition),
        "postgresql_where": sa.text(condition),
    }
    if create:
        batch_op.create_index(
            "uq_enrollments_active_person",
            ["offering_id", "email_normalized"],
            unique=True,
            **kwargs,
        )
    else:
        batch_op.drop_index("uq_enrollments_active_person", **kwargs)


def upgrade():
    _foreign_keys(False)
    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("min_participants", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(batch_op.f("ck_offerings_enrolment_mode"), type_="check")
        batch_op.create_check_constraint("enrolment_mode", _in("enrolment_mode", MODES_NEW))
        batch_op.create_check_constraint(
            "min_participants_positive", "min_participants IS NULL OR min_participants > 0"
        )
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_talk", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("first_talk_on", sa.Date(), nullable=True))
        batch_op.drop_constraint(batch_op.f("ck_enrollments_status"), type_="check")
        batch_op.create_check_constraint("status", _in("status", STATUSES_NEW))
        batch_op.create_check_constraint("first_talk", _in("first_talk", TALKS))
        _active_index(batch_op, ACTIVE_OLD, create=False)
        _active_index(batch_op, ACTIVE_NEW, create=True)
    with op.batch_alter_table("group_suggestions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offering_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_group_suggestions_offering_id_offerings"),
            "offerings",
            ["offering_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.drop_constraint(batch_op.f("ck_group_suggestions_status"), type_="check")
        batch_op.create_check_constraint("status", _in("status", SUGGESTIONS_NEW))
    _foreign_keys(True)


def downgrade():
    _foreign_keys(False)
    op.execute("UPDATE group_suggestions SET status = 'approved' WHERE status = 'became_group'")
    with op.batch_alter_table("group_suggestions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_group_suggestions_status"), type_="check")
        batch_op.create_check_constraint("status", _in("status", SUGGESTIONS_OLD))
        batch_op.drop_constraint(
            batch_op.f("fk_group_suggestions_offering_id_offerings"), type_="foreignkey"
        )
        batch_op.drop_column("offering_id")
    op.execute("DELETE FROM enrollments WHERE status = 'interested'")
    op.execute("UPDATE offerings SET enrolment_mode = 'request' WHERE enrolment_mode = 'interest'")
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        _active_index(batch_op, ACTIVE_NEW, create=False)
        _active_index(batch_op, ACTIVE_OLD, create=True)
        batch_op.drop_constraint(batch_op.f("ck_enrollments_first_talk"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_enrollments_status"), type_="check")
        batch_op.create_check_constraint("status", _in("status", STATUSES_OLD))
        batch_op.drop_column("first_talk_on")
        batch_op.drop_column("first_talk")
    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_offerings_min_participants_positive"), type_="check"
        )
        batch_op.drop_constraint(batch_op.f("ck_offerings_enrolment_mode"), type_="check")
        batch_op.create_check_constraint("enrolment_mode", _in("enrolment_mode", MODES_OLD))
        batch_op.drop_column("started_at")
        batch_op.drop_column("min_participants")
    _foreign_keys(True)
