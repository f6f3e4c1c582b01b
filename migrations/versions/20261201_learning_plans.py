"""My learning plan: learning_plans (a person's goals and notes per course, encrypted).

Revision ID: 8ac994fc8320
Revises: 8d13a0c0e001
Create Date: 2026-12-01 01:01:04

"""

import sqlalchemy as sa
from alembic import op

revision = "8ac994fc8320"
down_revision = "8d13a0c0e001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "learning_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_normalized", sa.String(length=254), nullable=False),
        sa.Column("offering_id", sa.Integer(), nullable=False),
        sa.Column("content_encrypted", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["offering_id"],
            ["offerings.id"],
            name=op.f("fk_learning_plans_offering_id_offerings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_plans")),
        sa.UniqueConstraint(
            "email_normalized", "offering_id", name="uq_learning_plans_person_offering"
        ),
    )
    with op.batch_alter_table("learning_plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learning_plans_offering_id"), ["offering_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("learning_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_plans_offering_id"))
    op.drop_table("learning_plans")
