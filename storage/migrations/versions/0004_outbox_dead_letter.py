"""outbox dead letters: rows given up on are marked dead, never sent

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dead_at", sa.DateTime(), nullable=True))
    # Until now a row given up on was marked sent with the reason: it is a dead letter.
    op.execute("UPDATE outbox SET dead_at = sent_at, sent_at = NULL WHERE last_error LIKE 'permanent:%'")


def downgrade() -> None:
    op.execute("UPDATE outbox SET sent_at = dead_at WHERE dead_at IS NOT NULL")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("dead_at")
