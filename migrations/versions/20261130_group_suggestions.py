"""Group suggestions (foreslå en gruppe) and the people behind them.

Revision ID: 14a5c0e2d001
Revises: 7f16a1c0b002
Create Date: 2026-11-30 23:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "14a5c0e2d001"
down_revision = "7f16a1c0b002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "group_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.String(length=600), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "declined",
                "merged",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_group_suggestions_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["group_suggestions.id"],
            name=op.f("fk_group_suggestions_merged_into_id_group_suggestions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_suggestions")),
    )
    with op.batch_alter_table("group_suggestions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_suggestions_status"), ["status"])
    op.create_table(
        "suggestion_supporters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("is_author", sa.Boolean(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["group_suggestions.id"],
            name=op.f("fk_suggestion_supporters_suggestion_id_group_suggestions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_supporters")),
    )
    with op.batch_alter_table("suggestion_supporters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_suggestion_supporters_suggestion_id"), ["suggestion_id"]
        )


def downgrade():
    with op.batch_alter_table("suggestion_supporters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suggestion_supporters_suggestion_id"))
    op.drop_table("suggestion_supporters")
    with op.batch_alter_table("group_suggestions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_suggestions_status"))
    op.drop_table("group_suggestions")
