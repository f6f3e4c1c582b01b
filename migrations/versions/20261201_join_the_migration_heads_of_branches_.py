"""Join the migration heads of branches landed together

Revision ID: a32a59db65c4
Revises: 14a0d1e5c001, 6a7fdc61c212, 00ec1f7397e8
Create Date: 2026-12-01 02:16:58.394104

"""

# revision identifiers, used by Alembic.
revision = "a32a59db65c4"
down_revision = ("14a0d1e5c001", "6a7fdc61c212", "00ec1f7397e8")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
