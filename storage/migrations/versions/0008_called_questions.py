"""called questions: 南塘 11, a ballot that opens after a quiet spell with no new speech

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "called_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("motion_id", sa.Integer(), nullable=False),
        sa.Column("called_at", sa.DateTime(), nullable=False),
        sa.Column("opens_at", sa.DateTime(), nullable=False),
        sa.Column("quiet_seconds", sa.Integer(), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("major", sa.Boolean(), nullable=False),
        sa.Column("called_by", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["council_id"], ["councils.id"], name=op.f("fk_called_questions_council_id_councils"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["motion_id"], ["motions.id"], name=op.f("fk_called_questions_motion_id_motions"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_called_questions")),
    )
    op.create_index(op.f("ix_called_questions_council_id"), "called_questions", ["council_id"], unique=False)
    op.create_index("ix_called_questions_waiting", "called_questions", ["state", "opens_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_called_questions_waiting", table_name="called_questions")
    op.drop_index(op.f("ix_called_questions_council_id"), table_name="called_questions")
    op.drop_table("called_questions")
