"""The desk owns the commit: one per update, after the handler, and "done" only once it returned.

A transient database failure inside /publish, before the commit, must be answered as a failure in
the user's language with no minutes version stored (it used to be answered "went through" while
nothing was stored, because the minutes code ran in transactions of its own).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bot.desk import desk as dispatch
from bot.i18n import translate
from storage.models import MinutesVersionRow
from storage.repositories.minutes import MinutesRepository
from storage.uow import SqlUnitOfWork

from .desk_helpers import Person, council_of, incoming, ok, standard_council

pytestmark = pytest.mark.asyncio


def _locked() -> OperationalError:
    return OperationalError("INSERT INTO minutes_versions", {}, Exception("database is locked"))


class CountingSessions:
    """Wraps a session factory (or the desk's unit-of-work factory) and counts every commit of what it hands out."""

    def __init__(self, sessions: Callable[[], Any]) -> None:
        self.sessions = sessions
        self.commits = 0

    def __call__(self) -> Any:
        made = self.sessions()
        original = made.commit

        async def commit() -> None:
            self.commits += 1
            await original()

        made.commit = commit
        return made


@pytest.fixture
async def desk(app, monkeypatch):
    monkeypatch.setattr(dispatch, "DB_BACKOFF", 0.0)  # the retries need no real pause here
    desk = app.dispatcher
    await standard_council(desk)
    await ok(desk, "chair", "/secretary @carol")
    return desk


async def _versions(desk) -> int:
    async with desk.uow() as uow:
        return (await uow.session.execute(select(func.count()).select_from(MinutesVersionRow))).scalar_one()


def _fail(monkeypatch, times: int | None) -> dict[str, int]:
    """Make storing a minutes version fail with "database is locked" (`times` times; None: always)."""
    original, calls = MinutesRepository.add, {"failed": 0}

    async def add(self, *args: Any, **kwargs: Any):
        if times is None or calls["failed"] < times:
            calls["failed"] += 1
            raise _locked()
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(MinutesRepository, "add", add)
    return calls


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
async def test_publish_with_the_database_still_busy_is_a_failure_and_stores_nothing(desk, monkeypatch, locale):
    await ok(desk, "chair", f"/lang {locale}")
    calls = _fail(monkeypatch, times=None)
    answer = await desk.handle(incoming(Person("carol"), "/publish all"))
    assert answer.refusal == "error.try_again" and [r.text for r in answer.replies] == [
        translate(locale, "error.try_again")
    ]
    assert calls["failed"] == dispatch.DB_ATTEMPTS  # every attempt ran the whole update again
    assert await _versions(desk) == 0


async def test_publish_failing_at_the_commit_is_a_failure_and_stores_nothing(desk, monkeypatch):
    async def commit(self: SqlUnitOfWork) -> None:
        raise _locked()  # before anything reached the database

    monkeypatch.setattr(SqlUnitOfWork, "commit", commit)
    answer = await desk.handle(incoming(Person("carol"), "/publish all"))
    assert answer.refused and [r.text for r in answer.replies] == [translate("zh_Hans", "error.try_again")]
    assert await _versions(desk) == 0


@pytest.mark.parametrize("keyed", [True, False])
async def test_one_transient_failure_is_retried_and_stores_exactly_one_version(desk, monkeypatch, keyed):
    calls = _fail(monkeypatch, times=1)
    answer = await desk.handle(incoming(Person("carol"), "/publish all", keyed=keyed))
    assert calls["failed"] == 1
    assert not answer.refused and answer.replies[0].pin and answer.replies[0].subject.startswith("minutes:")
    assert await _versions(desk) == 1


async def test_a_successful_command_commits_exactly_once(desk):
    counting = desk.new_uow = CountingSessions(desk.new_uow)
    for who, text, keyed in (
        ("carol", "/publish all", True),
        ("alice", "/motion 装一个快递柜", True),
        ("chair", "/status", True),
        ("chair", "/status", False),
        ("carol", "/minutes", True),
        ("carol", "/verify", False),
        ("carol", "/export md", True),
    ):
        before = counting.commits
        answer = await desk.handle(incoming(Person(who), text, keyed=keyed))
        assert not answer.refused, (text, [r.text for r in answer.replies])
        assert counting.commits - before == 1, text
    assert await _versions(desk) == 1


async def test_a_vote_press_and_a_run_of_presses_commit_once_each(desk):
    council = await council_of(desk)
    async with desk.uow() as uow:  # standard_council's motion #2 is being voted on
        ballot = await uow.ballots.open_for_motion((await uow.motions.by_number(council.id, 2)).id)
    counting = desk.new_uow = CountingSessions(desk.new_uow)
    answer = await desk.handle(incoming(Person("alice"), data=f"v:{ballot.id}:y"))
    assert not answer.refused and counting.commits == 1
    [answers] = await desk.handle_vote_runs(
        [[incoming(Person(who), data=f"v:{ballot.id}:n") for who in ("alice", "bob")]]
    )
    assert answers is not None and not any(a.refused for a in answers)
    assert counting.commits == 2


async def test_a_refusal_commits_nothing(desk):
    counting = desk.new_uow = CountingSessions(desk.new_uow)
    answer = await desk.handle(incoming(Person("alice"), "/publish all"))  # a resident: not the secretary
    assert answer.refused and counting.commits == 0
    assert await _versions(desk) == 0


async def test_use_cases_leave_the_commit_to_their_caller(app, desk, clock):
    from deliberation import usecases
    from deliberation.model import Actor

    council = await council_of(desk)
    counting = CountingSessions(app.sessions)
    async with SqlUnitOfWork(counting) as uow:
        alice = Actor("console:alice", "alice", member=await uow.members.by_user(council.id, "console:alice"))
        motion = await usecases.raise_motion(uow, clock, council, alice, "不会留下的议题")
        assert counting.commits == 0
    async with desk.uow() as uow:  # left without a commit: rolled back
        assert await uow.motions.by_number(council.id, motion.number) is None
