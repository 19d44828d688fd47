"""After a secret ballot closes, no byte of the database (SQLite file and WAL, PostgreSQL heap pages with their
dead row versions and free space) ties a voter to a choice, and no byte holds the key that sealed them.

Seven members vote in a secret ballot, some changing their minds (each change leaves an old row version
behind). The control is a roll-call ballot of the same members, each with a choice they never made in the
secret one: the same scan must find every one of those pairs, or it cannot see a pair at all.
"""

from __future__ import annotations

import os
import re
import stat

import pytest
from sqlalchemy import select, text

from storage.database import is_sqlite

from .desk_helpers import council_of, ok, press

pytestmark = pytest.mark.asyncio

NAMES = ("ann", "ben", "cai", "dou", "eve", "fan", "gao")
# each member's choices in the secret ballot (the last one counts) and the choice in the roll call
SECRET = {
    "ann": ("y",),
    "ben": ("n",),
    "cai": ("a", "n"),
    "dou": ("y", "n"),
    "eve": ("n", "y"),
    "fan": ("n", "a"),
    "gao": ("a",),  # votes last, once: that vote closes the ballot
}
ROLL_CALL = {"ann": "n", "ben": "a", "cai": "y", "dou": "a", "eve": "a", "fan": "y", "gao": "y"}
WORD = {"y": b"yes", "n": b"no", "a": b"abstain"}


def pairs(blob: bytes, voter: str, choice: bytes) -> int:
    """How often `voter` stands right before `choice` as a stored row puts them (a member id between)."""
    pattern = re.escape(voter.encode()) + rb"(?![0-9]).{0,8}?" + re.escape(choice) + rb"(?![a-z])"
    return len(re.findall(pattern, blob, re.DOTALL))


async def _ballot(desk, number: int, secret: bool) -> int:
    opened = await ok(desk, "chair", f"/vote {number} 10m{' 无记名' if secret else ''}")
    return int(next(r.subject for r in opened.replies if r.subject).split(":")[1])


async def _sqlite_files(url: str) -> dict[str, bytes]:
    path = url.split("///", 1)[1]
    return {name: open(name, "rb").read() for name in (path, f"{path}-wal") if os.path.exists(name)}


async def _postgres_pages(engine) -> dict[str, bytes]:
    """Every page of the votes and keys tables as stored, dead row versions and free space included."""
    async with engine.connect() as conn:
        await conn.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        await conn.commit()
        pages = {}
        for table in ("votes", "ballot_keys"):
            size = (await conn.execute(text(f"SELECT pg_relation_size('{table}')"))).scalar_one()
            raw = [
                (await conn.execute(text(f"SELECT get_raw_page('{table}', {block})"))).scalar_one()
                for block in range(size // 8192)
            ]
            pages[table] = b"".join(raw)
        await conn.rollback()
    return pages


async def test_a_closed_secret_ballot_leaves_no_voter_choice_pair_in_the_files(app, database_url):
    desk = app.dispatcher
    await ok(desk, "chair", "/setup nantang")
    await ok(desk, "chair", "/set abstain on")  # the ballots below take abstentions too
    await ok(desk, "chair", "/set one_matter off")  # and two motions are under vote at once
    for i, name in enumerate(NAMES):
        await ok(desk, name, f"/join 1-{101 + i}")
    await ok(desk, "ann", "/motion 楼道装感应灯")
    await ok(desk, "ben", "/second 1")
    await ok(desk, "ann", "/motion 增设快递柜")
    await ok(desk, "ben", "/second 2")
    council = await council_of(desk)
    async with desk.uow() as uow:
        voter = {m.name: f"m{m.id}" for m in await uow.members.all(council.id)}

    roll_call = await _ballot(desk, 2, secret=False)
    for name in NAMES:
        assert not (await press(desk, name, f"v:{roll_call}:{ROLL_CALL[name]}")).refused
    secret = await _ballot(desk, 1, secret=True)
    for name in NAMES:  # first thoughts, changed below: each change leaves an old row version behind
        if len(SECRET[name]) > 1:
            assert not (await press(desk, name, f"v:{secret}:{SECRET[name][0]}")).refused
    for name in NAMES[:-1]:
        assert not (await press(desk, name, f"v:{secret}:{SECRET[name][-1]}")).refused

    async with desk.uow() as uow:  # the keys, while the ballot is open (none on a store that keeps no key)
        try:
            keys = list((await uow.session.execute(text("SELECT key FROM ballot_keys"))).scalars())
        except Exception:  # noqa: BLE001 - a store without the table
            keys = []
    closed = await press(desk, NAMES[-1], f"v:{secret}:{SECRET[NAMES[-1]][-1]}")  # the last vote closes it
    async with desk.uow() as uow:
        ballot = await uow.ballots.get(secret)
    assert any(r.subject and r.subject.startswith("result:") for r in closed.replies), (closed, ballot)
    assert (ballot.result.yes, ballot.result.no, ballot.result.abstain) == (2, 3, 2)  # counted before destroyed

    if is_sqlite(database_url):
        blobs = await _sqlite_files(database_url)
        assert set(blobs) >= {database_url.split("///", 1)[1]}
    else:
        blobs = await _postgres_pages(app.engine)
    everything = b"\n".join(blobs.values())

    found = [
        (name, WORD[choice].decode(), pairs(everything, voter[name], WORD[choice]))
        for name in NAMES
        for choice in set(SECRET[name])
    ]
    assert [f for f in found if f[2]] == [], "secret voter→choice pairs left in the files"
    assert [k for k in keys if k in everything] == [], "a secret ballot's key outlived it"
    # the control: every roll-call pair is seen by the same scan
    assert all(pairs(everything, voter[name], WORD[ROLL_CALL[name]]) for name in NAMES)


async def test_sqlite_files_are_private(sqlite_url, clock):
    """SQLite only: PostgreSQL's files belong to its server, not to this process."""
    from bot.main import build_core

    core = await build_core(sqlite_url, clock=clock)
    try:
        await ok(core.dispatcher, "chair", "/setup nantang")  # writes: the WAL and shared memory exist now
        path = sqlite_url.split("///", 1)[1]
        files = [name for name in (path, f"{path}-wal", f"{path}-shm") if os.path.exists(name)]
        assert len(files) == 3
        assert {name: oct(stat.S_IMODE(os.stat(name).st_mode)) for name in files} == dict.fromkeys(files, "0o600")
    finally:
        await core.close()


async def test_sealed_choices_all_have_one_length_and_open_only_for_their_voter(app):
    from storage.models import VoteRow

    desk = app.dispatcher
    await ok(desk, "chair", "/setup nantang")
    await ok(desk, "chair", "/set abstain on")  # the ballots below take abstentions too
    for i, name in enumerate(NAMES[:4]):  # the fourth does not vote: the ballot stays open
        await ok(desk, name, f"/join 1-{101 + i}")
    await ok(desk, "ann", "/motion 楼道装感应灯")
    await ok(desk, "ben", "/second 1")
    secret = await _ballot(desk, 1, secret=True)
    for name, choice in zip(NAMES[:3], "yna", strict=True):
        assert not (await press(desk, name, f"v:{secret}:{choice}")).refused
    async with desk.uow() as uow:
        rows = (
            await uow.session.execute(
                select(VoteRow.voter, VoteRow.choice, VoteRow.sealed, VoteRow.cast_at).where(
                    VoteRow.ballot_id == secret
                )
            )
        ).all()
        assert {len(sealed) for _, _, sealed, _ in rows} == {36} and {(c, t) for _, c, _, t in rows} == {(None, None)}
        assert await uow.votes.counts(secret) == {c: 1 for c in (await uow.votes.choices(secret)).values()}
        uow.session.sync_session.expunge_all()
    async with desk.uow() as uow:  # a sealed value moved to another voter's row does not open
        first, second = rows[0], rows[1]
        await uow.session.execute(
            VoteRow.__table__.update()
            .where(VoteRow.ballot_id == secret, VoteRow.voter == second[0])
            .values(sealed=first[2])
        )
        with pytest.raises(ValueError, match="does not open"):
            await uow.votes.choices(secret)
