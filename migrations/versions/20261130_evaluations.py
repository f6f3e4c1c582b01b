"""Evaluation after a course: invitations (sent once) and anonymous answers.

Revision ID: 7f16b1c0e001
Revises: 14a5c0e2d001
Create Date: 2026-11-30 23:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "7f16b1c0e001"
down_revision = "14a5c0e2d001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "evaluation_invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("offering_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.String(length=30), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_evaluation_invites_enrollment_id_enrollments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offering_id"],
            ["offerings.id"],
            name=op.f("fk_evaluation_invites_offering_id_offerings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_invites")),
        sa.UniqueConstraint("enrollment_id", "round", name="uq_evaluation_invites_once"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_evaluation_invites_token_hash")),
    )
    with op.batch_alter_table("evaluation_invites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluation_invites_offering_id"), ["offering_id"])
    op.create_table(
        "evaluation_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offering_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.String(length=30), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.Column("usefulness", sa.Integer(), nullable=False),
        sa.Column("learnt", sa.Integer(), nullable=False),
        sa.Column("welcome", sa.Integer(), nullable=False),
        sa.Column("recommend", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("comment_hidden", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["offering_id"],
            ["offerings.id"],
            name=op.f("fk_evaluation_answers_offering_id_offerings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_answers")),
    )
    with op.batch_alter_table("evaluation_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluation_answers_offering_id"), ["offering_id"])


def downgrade():
    with op.batch_alter_table("evaluation_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_answers_offering_id"))
    op.drop_table("evaluation_answers")
    with op.batch_alter_table("evaluation_invites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_invites_offering_id"))
    op.drop_table("evaluation_invites")
