"""Key figures: a keyed pseudonym per enrollment, and the indexes the figures read by.

Revision ID: 7f16a1c0b001
Revises: 401d5eed7e11
Create Date: 2026-11-30 22:00:00

Existing enrollments get their pseudonym from the email they still hold (the same keyed
hash new sign-ups get, app/figures/pseudonym.py), so "returning participants" counts them.
"""

import sqlalchemy as sa
from alembic import op

revision = "7f16a1c0b001"
down_revision = "401d5eed7e11"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_key", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_enrollments_person_key", ["person_key", "confirmed_at"])
        batch_op.create_index("ix_enrollments_offering_created", ["offering_id", "created_at"])
    _backfill()


def _backfill():
    from flask import current_app, has_app_context

    if not has_app_context():
        return
    from app.figures.pseudonym import person_key, pseudonym_key

    key = pseudonym_key(current_app.config)
    connection = op.get_bind()
    enrollments = sa.table(
        "enrollments",
        sa.column("id", sa.Integer),
        sa.column("email_normalized", sa.String),
        sa.column("person_key", sa.String),
    )
    rows = connection.execute(
        sa.select(enrollments.c.id, enrollments.c.email_normalized).where(
            enrollments.c.person_key.is_(None), enrollments.c.email_normalized != ""
        )
    ).all()
    for enrollment_id, email in rows:
        connection.execute(
            enrollments.update()
            .where(enrollments.c.id == enrollment_id)
            .values(person_key=person_key(email, key))
        )


def downgrade():
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.drop_index("ix_enrollments_offering_created")
        batch_op.drop_index("ix_enrollments_person_key")
        batch_op.drop_column("person_key")
