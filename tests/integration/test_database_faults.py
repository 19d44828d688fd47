"""The database under a burst: SQLite contention between processes, PostgreSQL connections dropped mid-burst.

(a) SQLite: three OS processes press vote buttons on one database file at the same moment. No
    "database is locked" (nor any apology) reaches a voter; every vote is counted once.
(b) PostgreSQL: while votes pour in, an admin connection keeps terminating every backend of the
    database. Every vote is counted exactly once or answered with a clear "try again"; the desk
    retries the unit of work by itself, so in practice every vote gets through.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.desk.messages import Incoming
from bot.i18n import translate
from bot.main import build_core
from deliberation.chain import verify
from deliberation.model import Member, MemberStatus
from storage.models import VoteRow

pytestmark = pytest.mark.asyncio

ROOT = Path(__file__).resolve().parents[2]
CHAT = "burst"
PROCESSES, PER_PROCESS = 3, 60
BAD_WORDS = ("database is locked", "locked", "OperationalError", "Traceback")


def _vote(voter: int, ballot: int, key: str) -> Incoming:
    return Incoming(
        "console", CHAT, f"v{voter}", f"v{voter}", data=f"v:{ballot}:{'n' if voter % 3 == 0 else 'y'}", update_key=key
    )


async def _ballot_for(app, voters: int) -> int:
    """A council with `voters` members (plus one who never votes, so the ballot stays open) and an open ballot."""
    desk = app.dispatcher

    async def say(who: str, text: str):
        response = await desk.handle(Incoming("console", CHAT, who, who, text=text))
        assert not response.refused, (who, text, [r.text for r in response.replies])
        return response

    await say("chair", "/setup nantang")
    async with desk.uow() as uow:
        council = await uow.councils.by_chat(f"console:{CHAT}")
        for i in range(voters + 1):
            await uow.members.add(
                Member(0, council.id, f"console:v{i}", f"v{i}", f"v{i}", unit=f"1-{i}", status=MemberStatus.ACTIVE)
            )
        await uow.commit()
    await say(f"v{voters}", "/motion 夜间关闭小区东门")
    await say("v1", "/second 1")
    opened = await say("chair", "/vote 1 1h")
    return int(opened.replies[0].subject.split(":")[1])


async def _tally(app, ballot: int) -> tuple[int, int, Counter]:
    async with app.dispatcher.uow() as uow:
        rows = (
            await uow.session.execute(select(VoteRow.voter, VoteRow.choice).where(VoteRow.ballot_id == ballot))
        ).all()
        council = await uow.councils.by_chat(f"console:{CHAT}")
        events = await uow.events.all(council.id)
    casts = Counter(e.payload["name"] for e in events if e.type == "vote.cast")
    assert verify(events).ok
    return len(rows), sum(1 for _, choice in rows if choice == "no"), casts


# ---- (a) SQLite: several processes, one file ------------------------------------------------------

VOTER_PROCESS = r"""
import asyncio, json, sys, time
from bot.main import build_core
from bot.desk.messages import Incoming
from tests.integration.test_database_faults import _vote

async def main(url, ballot, first, count, start, out):
    app = await build_core(url, migrate=False)
    while time.time() < start:          # every process starts pressing at the same moment
        await asyncio.sleep(0.005)
    async def press(voter, click):
        response = await app.dispatcher.handle(_vote(voter, ballot, f"p{voter}:{click}"))
        texts = [r.text for r in response.replies] + [response.popup or ""]
        return {"voter": voter, "refused": response.refused, "refusal": response.refusal,
                "duplicate": response.duplicate, "texts": texts}
    # every voter double-clicks: two updates each
    results = await asyncio.gather(*[press(v, c) for v in range(first, first + count) for c in (1, 2)])
    await app.close()
    with open(out, "w") as handle:
        json.dump(results, handle, ensure_ascii=False)

asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), sys.argv[6]))
"""


async def test_sqlite_processes_voting_at_once_never_see_a_locked_database(sqlite_url, tmp_path):
    app = await build_core(sqlite_url)
    try:
        ballot = await _ballot_for(app, PROCESSES * PER_PROCESS)
    finally:
        await app.close()
    start = time.time() + 4  # time for the interpreters to start and import
    outs = [tmp_path / f"votes{n}.json" for n in range(PROCESSES)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                VOTER_PROCESS,
                sqlite_url,
                str(ballot),
                str(n * PER_PROCESS),
                str(PER_PROCESS),
                str(start),
                str(out),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n, out in enumerate(outs)
    ]
    for process in processes:
        _out, err = await asyncio.to_thread(process.communicate, timeout=120)
        assert process.returncode == 0, err.decode()[-3000:]
    results = [r for out in outs for r in json.loads(out.read_text())]

    apologies = {"error.try_again", "error.unexpected"}
    assert len(results) == 2 * PROCESSES * PER_PROCESS
    troubled = [
        r
        for r in results
        if r["refused"] or r["refusal"] in apologies or any(word in text for text in r["texts"] for word in BAD_WORDS)
    ]
    assert troubled == []
    assert all(any(r["texts"]) for r in results), "every click is answered"

    app = await build_core(sqlite_url, migrate=False)
    try:
        counted, noes, casts = await _tally(app, ballot)
    finally:
        await app.close()
    assert counted == PROCESSES * PER_PROCESS
    assert noes == len(range(0, PROCESSES * PER_PROCESS, 3))
    assert all(casts[f"v{v}"] == 2 for v in range(PROCESSES * PER_PROCESS))  # two clicks, two updates, one vote


# ---- (b) PostgreSQL: connections terminated during the burst ---------------------------------------

PG_VOTERS = 150
KILL_ROUNDS, KILL_EVERY = 3, 0.2  # rounds of pg_terminate_backend on every connection, seconds apart, mid-burst


@pytest.mark.postgres
async def test_postgres_connection_loss_during_a_burst_is_retried(clock):
    import asyncpg

    from tests.conftest import PG_HOST, PG_PORT, PG_USER, create_pg_database, drop_pg_database

    url = await create_pg_database()
    app = await build_core(url)
    try:
        ballot = await _ballot_for(app, PG_VOTERS)
        name = url.rsplit("/", 1)[1]
        admin = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres")
        killed, burst_over = 0, asyncio.Event()

        async def kill_backends():
            nonlocal killed
            for _ in range(KILL_ROUNDS):
                await asyncio.sleep(KILL_EVERY)
                if burst_over.is_set():
                    return
                killed += sum(
                    1
                    for row in await admin.fetch(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = $1 AND pid <> pg_backend_pid()",
                        name,
                    )
                    if row[0]
                )

        async def press(voter: int):
            await asyncio.sleep(voter * 0.004)  # spread over ~0.6 s, so the killing lands mid-burst
            return voter, await app.dispatcher.handle(_vote(voter, ballot, f"pg{voter}"))

        killer = asyncio.create_task(kill_backends())
        try:
            results = await asyncio.gather(*[press(v) for v in range(PG_VOTERS)])
        finally:
            burst_over.set()
            await killer
            await admin.close()

        assert killed > 0, "the burst met no connection loss: the test proved nothing"
        assert [v for v, r in results if r.refusal == "error.unexpected"] == []
        refused = {v for v, r in results if r.refused}
        assert all(r.refusal == "error.try_again" for v, r in results if r.refused), [
            r.popup for v, r in results if r.refused
        ]
        assert all(r.popup for _, r in results), "every press is answered"

        counted, _noes, casts = await _tally(app, ballot)
        accepted = {v for v, r in results if not r.refused}
        assert all(casts[f"v{v}"] == 1 for v in accepted)  # counted once, not twice
        assert all(casts[f"v{v}"] <= 1 for v in refused)
        assert counted == sum(casts.values())
        # the desk retries by itself: a voter should practically never have to press again
        assert len(refused) <= PG_VOTERS // 50, f"{len(refused)} presses were told to try again (killed {killed})"
    finally:
        await app.close()
        await drop_pg_database(url)


# ---- the desk's own guarantees, deterministically -------------------------------------------------


def _locked() -> Exception:
    from sqlalchemy.exc import OperationalError

    return OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))


async def test_a_busy_database_is_retried_then_answered_with_try_again(app, monkeypatch, caplog):
    from storage.uow import SqlUnitOfWork

    from .desk_helpers import Person, incoming, ok, snapshot, standard_council

    desk = app.dispatcher
    await standard_council(desk)
    original, failures = SqlUnitOfWork.claim_update, {"left": 2}

    async def flaky_claim(self, key, at):
        if failures["left"] > 0:
            failures["left"] -= 1
            raise _locked()
        return await original(self, key, at)

    monkeypatch.setattr(SqlUnitOfWork, "claim_update", flaky_claim)
    response = await desk.handle(incoming(Person("alice"), "/motion 修剪绿化带"))
    assert not response.refused and failures["left"] == 0  # two "locked", then through, transparently

    failures["left"] = 10**6  # locked for good
    before = await snapshot(desk)
    response = await desk.handle(incoming(Person("alice"), "/motion 再修一次"))
    assert response.refused and response.refusal == "error.try_again" and response.replies[0].text
    pressed = await desk.handle(incoming(Person("alice"), data="v:2:y"))
    assert pressed.refused and pressed.refusal == "error.try_again" and pressed.popup
    monkeypatch.setattr(SqlUnitOfWork, "claim_update", original)
    assert await snapshot(desk) == before
    await ok(desk, "alice", "/status")


async def test_a_bug_in_a_handler_is_logged_and_apologised_for_and_changes_nothing(app, monkeypatch, caplog):
    from bot.desk import desk as dispatch
    from deliberation import usecases

    from .desk_helpers import Person, incoming, snapshot, standard_council

    desk = app.dispatcher
    await standard_council(desk)

    async def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(usecases, "raise_motion", broken)
    monkeypatch.setattr(usecases, "cast_vote", broken)
    before = await snapshot(desk)
    said = await desk.handle(incoming(Person("alice"), "/motion 装路灯"))
    pressed = await desk.handle(incoming(Person("alice"), data="v:2:y"))
    assert said.refused and said.refusal == "error.unexpected" and said.replies[0].text
    assert pressed.refused and pressed.refusal == "error.unexpected" and pressed.popup
    assert await snapshot(desk) == before
    logged = [r for r in caplog.records if r.name.startswith("bot.desk") and r.exc_info]
    assert len(logged) == 2 and all("update t:" in r.getMessage() for r in logged)
    assert dispatch.DB_ATTEMPTS > 1  # (a bug is not retried: one log line per update)


async def test_a_connection_lost_right_after_commit_is_not_done_twice(app, monkeypatch):
    from storage.uow import SqlUnitOfWork

    from .desk_helpers import CHAT, Person, council_of, incoming, standard_council

    desk = app.dispatcher
    await standard_council(desk)
    original, lose = SqlUnitOfWork.commit, {"left": 1}

    async def commit_then_lose_the_answer(self):
        await original(self)
        if lose["left"]:
            lose["left"] -= 1
            raise _locked()

    monkeypatch.setattr(SqlUnitOfWork, "commit", commit_then_lose_the_answer)
    keyed = await desk.handle(incoming(Person("alice"), "/motion 装一次就够"))
    went_through = keyed.replies[0].text
    assert not keyed.refused and went_through == translate("zh_Hans", "error.went_through")  # not a refusal
    lose["left"] = 1
    unkeyed = await desk.handle(incoming(Person("alice"), "/motion 也只装一次", keyed=False))
    assert unkeyed.refused and unkeyed.refusal == "error.unexpected"  # not re-run blind
    council = await council_of(desk, CHAT)
    async with desk.uow() as uow:
        texts = [m.text for m in await uow.motions.all(council.id)]
    assert texts.count("装一次就够") == 1 and texts.count("也只装一次") == 1
