"""ballot registers: the property register a civil278 ballot counts on, frozen when it opens

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Ballots opened before this revision froze no register: their denominators (on the ballot) are all they keep.
    op.create_table(
        "ballot_registers",
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("units", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballots.id"], name=op.f("fk_ballot_registers_ballot_id_ballots"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("ballot_id", name=op.f("pk_ballot_registers")),
    )


def downgrade() -> None:
    op.drop_table("ballot_registers")
