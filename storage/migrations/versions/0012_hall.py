"""the hall: each council's hall slug, one-time passes (personal links, invite codes), device sessions and
WeChat Official Account users recognised as members

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hall_councils",
        sa.Column("council_id", sa.Integer(), sa.ForeignKey("councils.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("slug", sa.String(length=32), nullable=False, unique=True),
    )
    op.create_table(
        "hall_passes",
        sa.Column("token_hash", sa.String(length=64), primary_key=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("council_id", sa.Integer(), sa.ForeignKey("councils.id", ondelete="CASCADE"), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("unit", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_hall_passes_council_id", "hall_passes", ["council_id"])
    op.create_table(
        "hall_sessions",
        sa.Column("token_hash", sa.String(length=64), primary_key=True),
        sa.Column("council_id", sa.Integer(), sa.ForeignKey("councils.id", ondelete="CASCADE"), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("flash", sa.Text(), nullable=True),
        sa.Column("flash_refused", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_hall_sessions_council_id", "hall_sessions", ["council_id"])
    op.create_index("ix_hall_sessions_member_id", "hall_sessions", ["member_id"])
    op.create_table(
        "hall_wechat",
        sa.Column("council_id", sa.Integer(), sa.ForeignKey("councils.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("openid", sa.String(length=64), primary_key=True),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        # The hall's live pages: every committed move of a council's chain is announced to listening workers.
        op.execute(
            "CREATE OR REPLACE FUNCTION yishi_chain_moved() RETURNS trigger AS $$ BEGIN "
            "IF NEW.chain_seq IS DISTINCT FROM OLD.chain_seq THEN PERFORM pg_notify('yishi_chain', NEW.id::text); "
            "END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER councils_chain_moved AFTER UPDATE OF chain_seq ON councils "
            "FOR EACH ROW EXECUTE FUNCTION yishi_chain_moved()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS councils_chain_moved ON councils")
        op.execute("DROP FUNCTION IF EXISTS yishi_chain_moved()")
    op.drop_table("hall_wechat")
    op.drop_table("hall_sessions")
    op.drop_table("hall_passes")
    op.drop_table("hall_councils")
