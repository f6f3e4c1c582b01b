"""Key figures: partner municipalities' exports, kept for comparison.

Revision ID: 7f16a1c0b002
Revises: 7f16a1c0b001
Create Date: 2026-11-30 23:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "7f16a1c0b002"
down_revision = "7f16a1c0b001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "figures_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality", sa.String(length=200), nullable=False),
        sa.Column("period_id", sa.String(length=30), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_figures_uploads_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figures_uploads")),
        sa.UniqueConstraint("municipality", "period_id", name="uq_figures_uploads_municipality"),
    )
    with op.batch_alter_table("figures_uploads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_figures_uploads_period_id"), ["period_id"])


def downgrade():
    with op.batch_alter_table("figures_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_figures_uploads_period_id"))
    op.drop_table("figures_uploads")
