"""Reminders by text message: enrollments.sms_reminders and the SMS outbox.

Revision ID: 7a15e0c0a002
Revises: 7a15e0c0a001
Create Date: 2026-11-30 23:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "7a15e0c0a002"
down_revision = "7a15e0c0a001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sms_reminders", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "sms_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("msisdn", sa.String(length=20), nullable=False),
        sa.Column("body", sa.String(length=480), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("provider_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_sms_messages_enrollment_id_enrollments"),
            ondelete="SET NULL",
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed')", name=op.f("ck_sms_messages_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_messages")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_sms_messages_dedupe_key")),
    )
    with op.batch_alter_table("sms_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sms_messages_enrollment_id"), ["enrollment_id"], unique=False
        )
        batch_op.create_index(
            "ix_sms_messages_pending", ["status", "next_attempt_at"], unique=False
        )


def downgrade():
    op.drop_table("sms_messages")
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.drop_column("sms_reminders")
