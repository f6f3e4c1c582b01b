"""A volunteer group leader role (frivillig tovholder, issue 12): users.role takes
`volunteer_leader`.

The role is a CHECK constraint on both databases (native_enum=False), so widening it drops
and re-creates `ck_users_role`. On SQLite that is a batch rebuild of `users` (copy, drop,
rename); with foreign keys on, dropping `users` would cascade into the rows that reference it
(facilitators, password reset tokens) or null them (audit log, created_by). So on SQLite the
rebuild runs with foreign keys off (a PRAGMA that only takes effect between transactions) and
they are switched on again after.

Downgrading cannot keep the role. A leader would become volunteer-centre staff, which sees and
edits much more, so their accounts are switched off instead (and keep their facilitator rows).

Revision ID: 3e5d7a91c2b4
Revises: 3f6a9d2c81b4
Create Date: 2026-12-01 04:40:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "3e5d7a91c2b4"
down_revision = "3f6a9d2c81b4"
branch_labels = None
depends_on = None

ROLES_OLD = ("admin", "coordinator", "peer_worker", "volunteer_staff")
ROLES_NEW = (*ROLES_OLD, "volunteer_leader")


def _in(column, values):
    return "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values))


def _foreign_keys(on: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")
    bind.exec_driver_sql("BEGIN")


def _role_check(values) -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint("role", _in("role", values))


def upgrade():
    _foreign_keys(False)
    _role_check(ROLES_NEW)
    _foreign_keys(True)


def downgrade():
    _foreign_keys(False)
    op.execute(
        "UPDATE users SET role = 'volunteer_staff', is_active_account = false, "
        "session_version = session_version + 1 WHERE role = 'volunteer_leader'"
    )
    _role_check(ROLES_OLD)
    _foreign_keys(True)
