"""minutes versions and publication

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "minutes_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("markdown", sa.Text(), nullable=False),
        sa.Column("chain_head", sa.String(length=64), nullable=False),
        sa.Column("chain_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("publication_ends_at", sa.DateTime(), nullable=True),
        sa.Column("publication_announced_at", sa.DateTime(), nullable=True),
        sa.Column("pinned_message_ref", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["council_id"], ["councils.id"],
                                name=op.f("fk_minutes_versions_council_id_councils"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_versions")),
        sa.UniqueConstraint("council_id", "scope", "version", name=op.f("uq_minutes_versions_council_id")),
    )
    with op.batch_alter_table("minutes_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_minutes_versions_council_id"), ["council_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_minutes_versions_publication_ends_at"), ["publication_ends_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("minutes_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_versions_publication_ends_at"))
        batch_op.drop_index(batch_op.f("ix_minutes_versions_council_id"))
    op.drop_table("minutes_versions")
