"""vote channels (civil278): tellers, paper-slip entries, the ballot attempts ledger, proxies

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "tellers",
        _id(),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("appointed_at", sa.DateTime(), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        _fk("tellers", "council_id", "councils"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tellers")),
    )
    op.create_index(op.f("ix_tellers_council_id"), "tellers", ["council_id"], unique=False)
    op.create_table(
        "paper_entries",
        _id(),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("teller_id", sa.Integer(), nullable=False),
        sa.Column("teller", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("choice", sa.String(length=8), nullable=True),
        sa.Column("sealed", sa.LargeBinary(length=64), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("replaced", sa.Boolean(), nullable=False),
        _fk("paper_entries", "ballot_id", "ballots"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_entries")),
    )
    op.create_index(op.f("ix_paper_entries_ballot_id"), "paper_entries", ["ballot_id"], unique=False)
    op.create_table(
        "ballot_attempts",
        _id(),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("by", sa.String(length=255), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("choice", sa.String(length=8), nullable=True),
        sa.Column("sealed", sa.LargeBinary(length=64), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        _fk("ballot_attempts", "ballot_id", "ballots"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot_attempts")),
    )
    op.create_index(op.f("ix_ballot_attempts_ballot_id"), "ballot_attempts", ["ballot_id"], unique=False)
    op.create_table(
        "proxies",
        _id(),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=255), nullable=False),
        sa.Column("granted_by", sa.String(length=255), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("until", sa.DateTime(), nullable=True),
        sa.Column("file_id", sa.String(length=255), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("file_bytes", sa.LargeBinary(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        _fk("proxies", "council_id", "councils"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proxies")),
    )
    op.create_index(op.f("ix_proxies_council_id"), "proxies", ["council_id"], unique=False)


def downgrade() -> None:
    for table in ("proxies", "ballot_attempts", "paper_entries", "tellers"):
        op.drop_index(op.f(f"ix_{table}_{'council_id' if table in ('proxies', 'tellers') else 'ballot_id'}"), table)
        op.drop_table(table)
