"""A stateful Hypothesis test: random sequences of use cases never break the rules or the chain."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from bot.console import ConsoleChat
from bot.main import build_core
from deliberation.chain import verify
from deliberation.lifecycle import TERMINAL

from ..conftest import FakeClock

PEOPLE = ["alice", "bob", "carol", "dave"]
people = st.sampled_from(PEOPLE)
numbers = st.integers(1, 4)


class Deliberation(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.dir = tempfile.TemporaryDirectory()
        self.clock = FakeClock(datetime(2026, 11, 22, 2, tzinfo=UTC))
        self.app = self.run(build_core(f"sqlite+aiosqlite:///{Path(self.dir.name) / 's.db'}", clock=self.clock))
        self.chat = ConsoleChat(self.app.dispatcher, out=lambda _line: None)
        self.run(self.chat.say("@chair /setup nantang"))
        for person in PEOPLE:
            self.run(self.chat.say(f"@{person} /join 1-{PEOPLE.index(person) + 101}"))
        self.terminal: dict[int, str] = {}

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    def say(self, line: str) -> None:
        self.run(self.chat.say(line))

    @rule(who=people, text=st.sampled_from(["装灯", "修门禁", "换垃圾桶"]))
    def motion(self, who, text):
        self.say(f"@{who} /motion {text}")

    @rule(who=people, n=numbers)
    def second(self, who, n):
        self.say(f"@{who} /second {n}")

    @rule(who=people, n=numbers, side=st.sampled_from(["for", "against"]))
    def speak(self, who, n, side):
        self.say(f"@{who} /{side} {n} 我的意见")

    @rule(n=numbers)
    def put(self, n):
        self.say(f"@chair /vote {n} 10m")

    @rule(who=people, n=numbers, choice=st.sampled_from(["yes", "no", "abstain"]))
    def vote(self, who, n, choice):
        self.say(f"@{who} /{choice} {n}")

    @rule(n=numbers)
    def close(self, n):
        self.say(f"@chair /close {n}")

    @rule(who=people, n=numbers)
    def withdraw(self, who, n):
        self.say(f"@{who} /withdraw {n}")

    @rule(who=people, n=numbers)
    def amend(self, who, n):
        self.say(f"@{who} /amend {n} 修改后的内容")

    async def _state(self):
        async with self.app.dispatcher.uow() as uow:
            council = await uow.councils.by_chat("console:main")
            motions = await uow.motions.all(council.id)
            speeches = {m.number: await uow.speeches.for_motion(m.id) for m in motions}
            ballots = {m.number: await uow.ballots.for_motion(m.id) for m in motions}
            events = await uow.events.all(council.id)
        return motions, speeches, ballots, events

    @invariant()
    def rules_hold(self):
        motions, speeches, ballots, events = self.run(self._state())
        assert verify(events).ok
        for m in motions:
            per_member: dict[int, int] = {}
            for s in speeches[m.number]:
                per_member[s.member_id] = per_member.get(s.member_id, 0) + 1
            assert all(count <= 2 for count in per_member.values())
            assert m.seconder_id != m.mover_id
            assert sum(1 for b in ballots[m.number] if b.open) <= 1
            for b in ballots[m.number]:
                if not b.open:
                    r = b.result
                    assert r is not None and r.cast <= b.eligible_voters
                    assert r.passed == (r.yes > r.no)  # nantang
            if m.number in self.terminal:
                assert m.state.value == self.terminal[m.number]  # terminal states never change
            if m.state in TERMINAL:
                self.terminal[m.number] = m.state.value

    def teardown(self):
        self.run(self.app.close())
        self.loop.close()
        self.dir.cleanup()


Deliberation.TestCase.settings = settings(
    max_examples=12, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestDeliberation = Deliberation.TestCase
