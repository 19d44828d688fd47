"""A run of vote presses recorded in one unit of work (`Desk.handle_vote_runs`, `usecases.cast_votes`):
each press gets the answer it would get alone, with the same rules, one commit, an unbroken event chain."""

from __future__ import annotations

import pytest

from bot.desk.messages import Incoming
from deliberation import usecases
from deliberation.chain import verify
from deliberation.counting import Choice
from deliberation.model import Actor, Member, MemberStatus

pytestmark = pytest.mark.asyncio
CHAT = "-7001"


def press(user: str, data: str, update: int, name: str = "") -> Incoming:
    return Incoming("telegram", CHAT, user, name or user, data=data, chat_is_group=True, update_key=f"tg:{update}")


async def council_with_ballot(app, clock, voters: int):
    desk = app.dispatcher
    async with desk.uow() as uow:
        chair = Actor("telegram:1", "chair", platform_admin=True)  # a group admin sets up
        council = await usecases.setup_council(uow, clock, chat_key=f"telegram:{CHAT}", title="runs", actor=chair)
        await uow.commit()  # use cases leave the commit to their caller
    async with desk.uow() as uow:
        members = [
            await uow.members.add(Member(0, council.id, f"telegram:{100 + i}", f"v{i}", status=MemberStatus.ACTIVE))
            for i in range(voters)
        ]
        await uow.members.add(Member(0, council.id, "telegram:99", "pending", status=MemberStatus.PENDING))
        await uow.commit()
    async with desk.uow() as uow:
        chair = Actor("telegram:1", "chair", member=await uow.members.by_user(council.id, "telegram:1"))
        motion = await usecases.raise_motion(
            uow, clock, council, Actor("telegram:100", "v0", member=members[0]), "夜间关闭小区东门"
        )
        await uow.commit()
    async with desk.uow() as uow:
        await usecases.second_motion(uow, clock, council, Actor("telegram:101", "v1", member=members[1]), motion.number)
        await uow.commit()
    async with desk.uow() as uow:
        _, ballot = await usecases.put_question(uow, clock, council, chair, motion.number)
        await uow.commit()
    return council, ballot


async def test_a_run_of_votes_answers_each_press_as_alone(app, clock):
    desk = app.dispatcher
    council, ballot = await council_with_ballot(app, clock, voters=6)  # + the chair: 7 eligible
    y, n = f"v:{ballot.id}:y", f"v:{ballot.id}:n"
    run = [
        press("100", y, 1),
        press("101", n, 2),
        press("100", n, 3),  # a changed vote
        press("555", y, 4),  # a stranger
        press("99", y, 5),  # a pending member
        press("102", "v:999999:y", 6),  # a foreign ballot
        press("103", "v:x:y", 7),  # forged data
        press("101", n, 2),
    ]  # the same update twice in the run
    responses = (await desk.handle_vote_runs([run]))[0]
    assert responses is not None and len(responses) == len(run)
    accepted = [r for r in responses if not r.refused and not r.duplicate]
    assert len(accepted) == 3 and all(r.edits and r.edits[-1].subject == f"ballot:{ballot.id}" for r in accepted)
    assert responses[0].popup != responses[2].popup  # "recorded" then "changed"
    assert [r.refused for r in responses[3:7]] == [True] * 4
    assert responses[7].duplicate
    # every accepted press shows the ballot as it reads after the run
    assert len({r.edits[-1].text for r in accepted}) == 1

    async with desk.uow() as uow:
        counts = await uow.votes.counts(ballot.id)
        events = await uow.events.all(council.id)
    assert (counts[Choice.YES], counts[Choice.NO]) == (0, 2)
    assert verify(events).ok and sum(e.type == "vote.cast" for e in events) == 3

    # the whole run delivered again: nothing changes; a refused press is not remembered (as alone)
    again = (await desk.handle_vote_runs([run]))[0]
    assert [r.duplicate for r in again[:3]] == [True] * 3
    assert again[3].refused
    async with desk.uow() as uow:
        assert len(await uow.events.all(council.id)) == len(events)


async def test_the_ballot_closes_at_the_vote_that_completes_it(app, clock):
    desk = app.dispatcher
    council, ballot = await council_with_ballot(app, clock, voters=4)
    assert ballot.eligible_voters == 4  # the chair does not vote under the default rules
    y = f"v:{ballot.id}:y"
    run = [press(str(100 + i), y, 10 + i) for i in range(4)] + [press("100", f"v:{ballot.id}:n", 21)]
    responses = (await desk.handle_vote_runs([run]))[0]
    assert [r.refused for r in responses] == [False] * 4 + [True]  # the last one comes after the close
    assert responses[3].replies and not any(r.replies for r in responses[:3])  # the result, once
    async with desk.uow() as uow:
        closed = await uow.ballots.get(ballot.id)
        events = await uow.events.all(council.id)
    assert not closed.open and (closed.result.yes, closed.result.no) == (4, 0)
    assert [e.type for e in events][-5:] == ["vote.cast"] * 4 + ["ballot.closed"]
    assert verify(events).ok
