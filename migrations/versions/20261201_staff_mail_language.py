"""Staff mail in the recipient's language, with a Reply-To of the sender (issue 12).

users.language: the language of a staff member's own mail (welcome, password reset).
outbox_messages.reply_to: where an answer goes when a staff member wrote the mail.
Both are added columns: no table is rebuilt, either way.

Revision ID: 7c3e12a9d5f4
Revises: b12b0a1c0003
Create Date: 2026-12-01 02:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7c3e12a9d5f4"
down_revision = "b12b0a1c0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), server_default="da", nullable=False)
        )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reply_to", sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("reply_to")
    # Not a batch rebuild: on SQLite that would drop and re-create users, and the facilitator
    # rows that cascade from it. Both databases drop a column in place.
    op.execute("ALTER TABLE users DROP COLUMN language")
