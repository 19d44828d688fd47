"""secret ballots: choices sealed under a per-ballot key (ballot_keys), destroyed at close

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.sealing import Seal, new_key

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ballot_keys",
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballots.id"], name=op.f("fk_ballot_keys_ballot_id_ballots"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("ballot_id", name=op.f("pk_ballot_keys")),
    )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed", sa.LargeBinary(length=64), nullable=True))
    # Secret ballots open now: seal the choices they hold in the clear, and forget when each was cast.
    connection = op.get_bind()
    ballots = sa.table("ballots", sa.column("id", sa.Integer()), sa.column("secret", sa.Boolean()),
                       sa.column("closed_at", sa.DateTime()))
    keys = sa.table("ballot_keys", sa.column("ballot_id", sa.Integer()), sa.column("key", sa.LargeBinary()))
    votes = sa.table("votes", sa.column("id", sa.Integer()), sa.column("ballot_id", sa.Integer()),
                     sa.column("voter", sa.String()), sa.column("choice", sa.String()),
                     sa.column("sealed", sa.LargeBinary()), sa.column("cast_at", sa.DateTime()))
    open_secret = sa.select(ballots.c.id).where(ballots.c.secret.is_(True), ballots.c.closed_at.is_(None))
    for (ballot_id,) in connection.execute(open_secret).all():
        key = new_key()
        connection.execute(keys.insert().values(ballot_id=ballot_id, key=key))
        seal = Seal(key, ballot_id)
        rows = connection.execute(
            sa.select(votes.c.id, votes.c.voter, votes.c.choice)
            .where(votes.c.ballot_id == ballot_id, votes.c.choice.is_not(None))
        ).all()
        for vote_id, voter, choice in rows:
            connection.execute(votes.update().where(votes.c.id == vote_id)
                               .values(choice=None, cast_at=None, sealed=seal.seal(voter, choice)))


def downgrade() -> None:
    # The sealed choices of open secret ballots go back in the clear (their keys are still there).
    connection = op.get_bind()
    keys = sa.table("ballot_keys", sa.column("ballot_id", sa.Integer()), sa.column("key", sa.LargeBinary()))
    votes = sa.table("votes", sa.column("id", sa.Integer()), sa.column("ballot_id", sa.Integer()),
                     sa.column("voter", sa.String()), sa.column("choice", sa.String()),
                     sa.column("sealed", sa.LargeBinary()))
    for ballot_id, key in connection.execute(sa.select(keys.c.ballot_id, keys.c.key)).all():
        seal = Seal(key, ballot_id)
        rows = connection.execute(
            sa.select(votes.c.id, votes.c.voter, votes.c.sealed)
            .where(votes.c.ballot_id == ballot_id, votes.c.sealed.is_not(None))
        ).all()
        for vote_id, voter, sealed in rows:
            connection.execute(votes.update().where(votes.c.id == vote_id).values(choice=seal.open(voter, sealed)))
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_column("sealed")
    op.drop_table("ballot_keys")
