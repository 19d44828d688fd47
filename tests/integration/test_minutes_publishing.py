"""deliberation.minutes.publishing on a real unit of work: versions, supersede, the end of 公示, the council lookup.

The use cases take the caller's unit of work and never commit; these tests commit where the desk would,
and show that leaving without a commit keeps nothing. Wording and files are not theirs: the place
line and the Markdown come in as plain functions here.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from deliberation import errors, publication, usecases
from deliberation.minutes import NothingPublished, publishing
from deliberation.model import Actor, Council
from storage.database import make_engine, make_sessions
from storage.models import EventRow
from storage.uow import SqlUnitOfWork
from tests.integration.minutes_script import Recording, record


def place(council: Council) -> str:
    return f"{council.title} (chat)"


def markdown(council: Council, minutes: Any) -> str:
    return f"# {minutes.council_name} v{minutes.version}"


@pytest.fixture(scope="module")
def nantang(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    return record(tmp_path_factory.mktemp("nantang_publishing"), "nantang")


@pytest.fixture
async def sessions(nantang: Recording, tmp_path: Path) -> Any:
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(nantang.database) + suffix)
        if source.exists():
            shutil.copy(source, tmp_path / ("copy.db" + suffix))
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'copy.db'}")
    yield make_sessions(engine)
    await engine.dispose()


async def publish(sessions: Any, council: int | str, now: datetime, actor: Actor | None = None) -> Any:
    async with SqlUnitOfWork(sessions) as uow:
        done = await publishing.publish(uow, council, "all", now=now, actor=actor, place=place, markdown=markdown)
        await uow.commit()
        return done


async def test_publish_leaves_the_commit_to_the_caller(sessions: Any, nantang: Recording) -> None:
    now = nantang.ended_at + timedelta(hours=1)
    async with SqlUnitOfWork(sessions) as uow:
        done = await publishing.publish(
            uow, nantang.council_id, "all", now=now, actor=None, place=place, markdown=markdown
        )
        assert done.version.version == 1 and done.version.markdown.endswith("v1")
    async with SqlUnitOfWork(sessions) as uow:  # left without a commit: nothing was kept
        assert await publishing.versions(uow, nantang.council_id, now=now) == []


async def test_versions_supersede_and_the_period(sessions: Any, nantang: Recording) -> None:
    now = nantang.ended_at + timedelta(hours=1)
    async with SqlUnitOfWork(sessions) as uow:
        drafted = await publishing.draft(uow, nantang.chat_key, "all", now=now, place=place)
    assert drafted.minutes.version == 1 and drafted.minutes.place.endswith("(chat)")

    first = await publish(sessions, nantang.council_id, now)
    assert (first.version.version, first.unchanged, first.previous) == (1, False, None)
    async with SqlUnitOfWork(sessions) as uow:
        council = await uow.councils.get(nantang.council_id)
    assert first.ends_at == publication.publication_end(council.rules, now)

    again = await publish(sessions, nantang.council_id, now + timedelta(minutes=5))
    assert again.unchanged and again.version.id == first.version.id

    # Something new in the log: publishing again is a correction, version 2, and version 1's 公示 ends now.
    async with SqlUnitOfWork(sessions) as uow:
        council = await uow.councils.get(nantang.council_id)
        member = await uow.members.by_user(council.id, "tg:13")
        clock = lambda: now + timedelta(minutes=9)  # noqa: E731
        await usecases.raise_motion(uow, clock, council, Actor("tg:13", "王五", member=member), "修缮自行车棚")
        await uow.commit()
    later = now + timedelta(minutes=10)
    second = await publish(sessions, nantang.council_id, later)
    assert second.version.version == 2 and second.previous is not None and second.previous.id == first.version.id
    async with SqlUnitOfWork(sessions) as uow:
        versions = await publishing.versions(uow, nantang.council_id, now=later)
        pending = await publishing.publications_pending(uow)
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].publication_ends_at == later and versions[0].publication_announced_at == later
    assert [v.id for v in pending] == [second.version.id]


async def test_the_end_of_the_period_is_claimed_once_and_recorded(sessions: Any, nantang: Recording) -> None:
    now = nantang.ended_at + timedelta(hours=1)
    published = await publish(sessions, nantang.council_id, now)
    async with SqlUnitOfWork(sessions) as uow:
        assert await publishing.publications_ended(uow, now=published.ends_at - timedelta(seconds=1)) == []
        ended = await publishing.publications_ended(uow, now=published.ends_at)
        assert [e.version.id for e in ended] == [published.version.id]
        assert await publishing.end_publication(uow, ended[0].council, published.version.id, published.ends_at) is None
        await uow.commit()
    async with SqlUnitOfWork(sessions) as uow:
        events = await uow.events.all(nantang.council_id)
        assert await publishing.publications_pending(uow) == []
        verdict = await publishing.verify_chain(uow, nantang.council_id)
    assert (events[-1].type, events[-1].payload) == (publication.PUBLICATION_ENDED, {"version": 1, "scope": "all"})
    assert verdict.ok and verdict.count == nantang.seq + 1


async def test_only_a_recorder_publishes_and_nothing_is_stored_when_refused(sessions: Any, nantang: Recording) -> None:
    async with SqlUnitOfWork(sessions) as uow:
        resident = await uow.members.by_user(nantang.council_id, "tg:11")
    with pytest.raises(errors.RoleRequired):
        await publish(sessions, nantang.council_id, nantang.ended_at, Actor("tg:11", "张三", member=resident))
    async with SqlUnitOfWork(sessions) as uow:
        assert await publishing.versions(uow, nantang.council_id, now=nantang.ended_at) == []
        with pytest.raises(errors.RoleRequired):
            await publishing.for_export(
                uow,
                nantang.council_id,
                None,
                now=nantang.ended_at,
                actor=Actor("tg:11", "张三", member=resident),
                place=place,
            )


async def test_export_names_a_stored_version_or_refuses(sessions: Any, nantang: Recording) -> None:
    now = nantang.ended_at + timedelta(hours=1)
    published = await publish(sessions, nantang.council_id, now)
    async with SqlUnitOfWork(sessions) as uow:
        _, stored = await publishing.for_export(
            uow, nantang.council_id, "all", now=now, actor=None, place=place, version=1
        )
        _, live = await publishing.for_export(uow, nantang.council_id, "all", now=now, actor=None, place=place)
        with pytest.raises(NothingPublished):
            await publishing.for_export(uow, nantang.council_id, "all", now=now, actor=None, place=place, version=2)
    assert stored == published.minutes and live.version == 1  # unchanged since: the draft carries version 1


async def test_the_council_by_id_chat_key_or_digits(sessions: Any, nantang: Recording) -> None:
    async with SqlUnitOfWork(sessions) as uow:
        by_id = await publishing.find_council(uow, nantang.council_id)
        by_chat = await publishing.find_council(uow, nantang.chat_key)
        by_digits = await publishing.find_council(uow, f" {nantang.council_id} ")
        with pytest.raises(errors.CouncilMissing):
            await publishing.find_council(uow, 9999)
        with pytest.raises(errors.CouncilMissing):
            await publishing.find_council(uow, "no-such-chat")
        count = (await uow.session.execute(select(func.count()).select_from(EventRow))).scalar_one()
    assert by_id.id == by_chat.id == by_digits.id == nantang.council_id and count == nantang.seq
