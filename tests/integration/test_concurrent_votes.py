"""200 voters double-clicking at once, each click in its own session: exactly 200 ballots."""

from __future__ import annotations

import asyncio

import pytest

from deliberation import usecases
from deliberation.counting import Choice
from deliberation.model import Actor, Member, MemberStatus

pytestmark = pytest.mark.asyncio

VOTERS = 200


async def test_double_clicks_never_count_twice(app, clock):
    desk = app.dispatcher
    async with desk.uow() as uow:
        chair = Actor("console:chair", "chair", platform_admin=True)  # a group admin sets up
        council = await usecases.setup_council(uow, clock, chat_key="console:burst", title="burst", actor=chair)
        await uow.commit()  # use cases leave the commit to their caller
    async with desk.uow() as uow:
        members = [
            await uow.members.add(Member(0, council.id, f"console:v{i}", f"v{i}", status=MemberStatus.ACTIVE))
            for i in range(VOTERS + 1)
        ]  # one member never votes, so the ballot stays open
        await uow.commit()
    async with desk.uow() as uow:
        chair = Actor("console:chair", "chair", member=await uow.members.by_user(council.id, "console:chair"))
        mover = Actor(members[0].user_key, members[0].name, member=members[0])
        motion = await usecases.raise_motion(uow, clock, council, mover, "夜间关闭小区东门")
        await uow.commit()
    async with desk.uow() as uow:
        seconder = Actor(members[1].user_key, members[1].name, member=members[1])
        await usecases.second_motion(uow, clock, council, seconder, motion.number)
        await uow.commit()
    async with desk.uow() as uow:
        _, ballot = await usecases.put_question(uow, clock, council, chair, motion.number)
        await uow.commit()

    async def click(member: Member, choice: Choice) -> None:
        async with desk.uow() as uow:
            actor = Actor(member.user_key, member.name, member=member)
            await usecases.cast_vote(uow, clock, council, actor, ballot.id, choice)
            await uow.commit()

    clicks = [click(m, Choice.YES if i % 3 else Choice.NO) for i, m in enumerate(members[:VOTERS])]
    clicks += [click(m, Choice.YES if i % 3 else Choice.NO) for i, m in enumerate(members[:VOTERS])]
    results = await asyncio.gather(*clicks, return_exceptions=True)
    assert [r for r in results if isinstance(r, BaseException)] == []

    async with desk.uow() as uow:
        assert await uow.votes.count(ballot.id) == VOTERS
        rows = await uow.votes.all(ballot.id)
    assert len({voter for voter, *_ in rows}) == VOTERS
    assert sum(1 for *_, choice, _area in rows if choice is Choice.NO) == len(range(0, VOTERS, 3))
