"""The scripted deliberation run through the real use cases into a SQLite file, for the tests that need it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from deliberation import usecases
from deliberation.chain import Event
from deliberation.counting import Choice
from deliberation.model import Actor, Council, MotionKind, Role, Side
from deliberation.roster import RosterUnit, parse_area_cm2
from storage.database import make_engine, make_sessions
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork
from tests.unit.minutes_chain import (
    AGAINST_SHELTER,
    BENCHES,
    CHAIR,
    CHARGERS,
    COUNCIL,
    FOR_SHELTER,
    NOTICE_BOARD,
    RAIN_SHELTER,
    RAIN_SHELTER_AMENDED,
    RESIDENTS,
    START,
)


class Clock:
    """The script's clock: one minute per action unless told otherwise."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def tick(self, **delta: float) -> None:
        self.now += timedelta(**delta) if delta else timedelta(minutes=1)


@dataclass(frozen=True)
class Recording:
    """A finished scripted deliberation: its events and the database file that holds them."""

    preset: str
    events: list[Event]
    seq: int
    head: str
    database: Path
    council_id: int
    chat_key: str
    ended_at: datetime


async def _actor(sessions: Any, council_id: int, user_key: str, name: str, *, admin: bool = False) -> Actor:
    async with SqlUnitOfWork(sessions) as uow:
        member = await uow.members.by_user(council_id, user_key)
    return Actor(user_key, name, platform_admin=admin, member=member)


async def _scripted_council(sessions: Any, clock: Clock, chat_key: str, preset: str) -> Council:
    """The deliberation of tests.unit.minutes_chain.scripted_chain, one use case per action."""
    chair = Actor("tg:1", CHAIR, platform_admin=True)
    async with SqlUnitOfWork(sessions) as uow:
        council = await usecases.setup_council(uow, clock, chat_key=chat_key, title=COUNCIL, actor=chair, preset=preset)
        if council.rules.weighted:  # a civil278 ballot opens only on the register: each resident owns a unit
            register = [RosterUnit(unit, name, parse_area_cm2(area)) for _, name, unit, area in RESIDENTS]
            council = await usecases.import_roster(uow, clock, council, register)
        # The script's 王五 abstains: the council offers the abstain button (南塘 12 does not), kept out of the
        # chain so that it stays the unit tests' chain.
        council = replace(council, rules=replace(council.rules, abstain_choice=True))
        await uow.councils.update(council)
        await uow.commit()  # use cases leave the commit to their caller
    for user_key, name, unit, area in RESIDENTS:
        clock.tick()
        async with SqlUnitOfWork(sessions) as uow:
            await usecases.join(uow, clock, council, Actor(user_key, name, username=name), unit, area)
            await uow.commit()

    async def who(name: str) -> Actor:
        key = next(k for k, n, _, _ in RESIDENTS if n == name) if name != CHAIR else "tg:1"
        return await _actor(sessions, council.id, key, name, admin=name == CHAIR)

    if council.rules.approval_required:
        for _, name, _, _ in RESIDENTS:
            async with SqlUnitOfWork(sessions) as uow:
                await usecases.approve(uow, clock, council, await who(CHAIR), name)
                await uow.commit()
    async with SqlUnitOfWork(sessions) as uow:
        await usecases.assign_role(uow, clock, council, await who(CHAIR), "孙七", Role.SECRETARY)
        await uow.commit()

    async def run(use_case: Any, actor_name: str, *args: Any, **kwargs: Any) -> Any:
        clock.tick()
        async with SqlUnitOfWork(sessions) as uow:
            done = await use_case(uow, clock, council, await who(actor_name), *args, **kwargs)
            await uow.commit()
            return done

    async def close(ballot_id: int) -> None:
        clock.tick()
        async with SqlUnitOfWork(sessions) as uow:
            await usecases.close_ballot(uow, clock, council, ballot_id, await who(CHAIR))
            await uow.commit()

    main = await run(usecases.raise_motion, "张三", RAIN_SHELTER)
    await run(usecases.second_motion, "李四", main.number)
    await run(usecases.speak, "李四", main.number, Side.FOR, FOR_SHELTER)
    await run(usecases.speak, "王五", main.number, Side.AGAINST, AGAINST_SHELTER)
    amendment = await run(
        usecases.raise_motion, "王五", RAIN_SHELTER_AMENDED, kind=MotionKind.AMENDMENT, parent_number=main.number
    )
    await run(usecases.second_motion, "赵六", amendment.number)
    _, ballot = await run(usecases.put_question, CHAIR, amendment.number)
    for name in ("张三", "李四", "王五", "赵六"):
        await run(usecases.cast_vote, name, ballot.id, Choice.YES)
    await close(ballot.id)
    _, ballot = await run(usecases.put_question, CHAIR, main.number)
    for name, choice in (("张三", Choice.NO), ("李四", Choice.YES), ("王五", Choice.YES), ("赵六", Choice.NO)):
        await run(usecases.cast_vote, name, ballot.id, choice)
    await run(usecases.cast_vote, "张三", ballot.id, Choice.YES)  # changes their mind while open
    await close(ballot.id)

    chargers = await run(usecases.raise_motion, "赵六", CHARGERS)
    await run(usecases.second_motion, "张三", chargers.number)
    _, ballot = await run(usecases.put_question, CHAIR, chargers.number, secret=True)
    for name, choice in (("张三", Choice.YES), ("李四", Choice.NO), ("王五", Choice.ABSTAIN), ("赵六", Choice.YES)):
        await run(usecases.cast_vote, name, ballot.id, choice)
    await close(ballot.id)

    board = await run(usecases.raise_motion, "李四", NOTICE_BOARD)
    await run(usecases.withdraw, "李四", board.number)
    benches = await run(usecases.raise_motion, "王五", BENCHES)
    clock.tick(hours=25)
    async with SqlUnitOfWork(sessions) as uow:
        await usecases.lapse(uow, clock, council, benches.id)
        await uow.commit()
    return council


def record(directory: Path, preset: str) -> Recording:
    """Run the script once (outside any event loop) so that several tests can share its record."""

    async def run() -> Recording:
        engine = make_engine(f"sqlite+aiosqlite:///{directory / 'minutes.db'}")
        try:
            await upgrade(engine)
            sessions = make_sessions(engine)
            clock = Clock()
            chat_key = f"tg:-100{abs(hash(preset)) % 1000}"
            council = await _scripted_council(sessions, clock, chat_key, preset)
            async with SqlUnitOfWork(sessions) as uow:
                events = list(await uow.events.all(council.id))
                seq, head = await uow.events.head(council.id)
        finally:
            await engine.dispose()
        return Recording(preset, events, seq, head, directory / "minutes.db", council.id, chat_key, clock.now)

    return asyncio.run(run())
