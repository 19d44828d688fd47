"""communities: councils grouped in a community (社区), its secretaries, join requests and desk passes

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "communities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_communities"),
        sa.UniqueConstraint("slug", name="uq_communities_slug"),
        sa.UniqueConstraint("code", name="uq_communities_code"),
    )
    op.create_table(
        "community_councils",
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["council_id"], ["councils.id"], ondelete="CASCADE", name="fk_community_councils_council_id_councils"
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            ondelete="CASCADE",
            name="fk_community_councils_community_id_communities",
        ),
        sa.PrimaryKeyConstraint("council_id", name="pk_community_councils"),
    )
    op.create_index("ix_community_councils_community_id", "community_councils", ["community_id"])
    op.create_table(
        "community_secretaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("user_key", sa.String(200), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            ondelete="CASCADE",
            name="fk_community_secretaries_community_id_communities",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_community_secretaries"),
        sa.UniqueConstraint("community_id", "user_key", name="uq_community_secretaries_community_id"),
    )
    op.create_index("ix_community_secretaries_community_id", "community_secretaries", ["community_id"])
    op.create_table(
        "community_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(255), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            ondelete="CASCADE",
            name="fk_community_requests_community_id_communities",
        ),
        sa.ForeignKeyConstraint(
            ["council_id"], ["councils.id"], ondelete="CASCADE", name="fk_community_requests_council_id_councils"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_community_requests"),
    )
    op.create_index("ix_community_requests_community_id", "community_requests", ["community_id"])
    op.create_index("ix_community_requests_council_id", "community_requests", ["council_id"])
    op.create_table(
        "desk_passes",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("user_key", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], ondelete="CASCADE", name="fk_desk_passes_community_id_communities"
        ),
        sa.PrimaryKeyConstraint("token_hash", name="pk_desk_passes"),
    )
    op.create_index("ix_desk_passes_community_id", "desk_passes", ["community_id"])


def downgrade() -> None:
    for table in ("desk_passes", "community_requests", "community_secretaries", "community_councils", "communities"):
        op.drop_table(table)
