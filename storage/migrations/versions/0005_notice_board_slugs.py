"""notice board: an unguessable slug per council, and whether the council publishes there

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("councils", schema=None) as batch_op:
        batch_op.add_column(sa.Column("board_slug", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("on_board", sa.Boolean(), nullable=False, server_default=sa.false()))
    connection = op.get_bind()
    councils = sa.table("councils", sa.column("id", sa.Integer()), sa.column("board_slug", sa.String()))
    for (council_id,) in connection.execute(sa.select(councils.c.id)).all():
        connection.execute(councils.update().where(councils.c.id == council_id)
                           .values(board_slug=secrets.token_urlsafe(12)))
    with op.batch_alter_table("councils", schema=None) as batch_op:
        batch_op.alter_column("board_slug", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_councils_board_slug"), ["board_slug"])


def downgrade() -> None:
    with op.batch_alter_table("councils", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_councils_board_slug"), type_="unique")
        batch_op.drop_column("on_board")
        batch_op.drop_column("board_slug")
