"""Reliability: Telegram misbehaves for a while (429 with retry_after, 500s, dropped connections).

Every result and reminder due in that time is delivered once the server recovers — from the
outbox in the database (the bot is even restarted while Telegram is down) — and none twice.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.i18n import Translator
from bot.outbox import BUTTONS_ONLY_KEY
from storage.models import BallotRow, MotionRow, OutboxRow
from tests.e2e.conftest import ALICE, BOB, CAROL, CHAIR, Harness, button_data, running_bot

from .conftest import classic_rules

pytestmark = pytest.mark.timeout(120)
t = Translator("zh_Hans")
G = -9601
FAULTY = ("sendMessage", "editMessageText")


class ShiftedClock:
    """Real time, shifted by `offset` (a deadline made to fall due a few seconds from now)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def fail_all(api, **how) -> None:
    api.clear_faults()
    for method in FAULTY:
        api.fail(method, times=None, chat_id=G, **how)


async def outbox(h: Harness) -> list[OutboxRow]:
    async with h.app.sessions() as session:
        return list((await session.execute(select(OutboxRow).order_by(OutboxRow.id))).scalars())


async def until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


def delivered(api, text: str) -> list[dict]:
    """Messages posted in the group (accepted by the server) whose text contains `text`."""
    return [m for m in api.sent_messages(G) if text in m["text"]]


def has_vote_buttons(message: dict | None) -> bool:
    return any(d.startswith("v:") for d in button_data(message or {}))


def ballot_message(step, number: int) -> dict:
    """The ballot message a /vote posted (not a reminder the alarm happened to post meanwhile)."""
    for message in step.messages:
        if message["text"].startswith(f"表决 · 议题 #{number}") and has_vote_buttons(message):
            return message
    raise AssertionError(f"no ballot message for #{number} in {step.texts}")


async def test_results_and_reminders_survive_a_telegram_outage(tmp_path, api):
    clock = ShiftedClock()
    # max_retries=0: a 429 reaches the outbox at once (the limiter would otherwise sleep it out in-line)
    async with running_bot(tmp_path, api, clock=clock, max_retries=0) as h:
        h.bot.drainer.max_backoff = 1.0
        api.set_chat(G, "group", "故障演练群")
        api.set_chat_member(G, CHAIR, "creator")
        await h.cmd(G, CHAIR, "/setup")
        await classic_rules(h, G, CHAIR)
        for user, unit in ((ALICE, "6-101"), (BOB, "6-102"), (CAROL, "6-201")):
            await h.cmd(G, user, f"/join {unit}")
        for n, text in enumerate(("东门加装雨棚", "楼顶防水维修", "增设快递柜"), start=1):
            await h.cmd(G, ALICE, f"/motion {text}")
            await h.cmd(G, BOB, f"/second {n}")
        # Ballot 1: its reminder (half-time of 10 minutes) falls due ~4 s from now, in the outage.
        clock.offset = -timedelta(minutes=5) + timedelta(seconds=4)
        ballot1 = ballot_message(await h.cmd(G, CHAIR, "/vote 1 10m"), 1)
        # Ballot 2: the alarm closes it ~6 s from now, in the outage (its ballot message must lose its buttons).
        clock.offset = -timedelta(minutes=10) + timedelta(seconds=6)
        ballot2 = ballot_message(await h.cmd(G, CHAIR, "/vote 2 10m"), 2)
        clock.offset = timedelta(0)
        # Ballot 3: closed by its last vote, in the outage.
        ballot3 = ballot_message(await h.cmd(G, CHAIR, "/vote 3"), 3)
        for user in (ALICE, BOB):
            await h.click(G, user, ballot3["message_id"], button_data(ballot3)[0])
        await h.settle()
        started = time.monotonic()
        queued_before = {row.id for row in await outbox(h)}

        # --- the outage: 429 with retry_after, then 500s, then dropped connections ---------------
        fail_all(api, error_code=429, retry_after=1)
        step = await h.click(G, CAROL, ballot3["message_id"], button_data(ballot3)[0])
        assert step.answer is not None and not step.alert  # the vote itself is answered (not a send)
        await asyncio.sleep(max(0.0, 3 - (time.monotonic() - started)))
        fail_all(api, error_code=500)
        await until(lambda: time.monotonic() - started > 7, 10, "the alarm's moments")  # reminder 1, close 2

        async def alarm_acted() -> bool:  # on a loaded machine the alarm's scan may come a little later
            async with h.app.sessions() as session:
                closed_2 = (
                    await session.execute(
                        select(BallotRow.closed_at).where(
                            BallotRow.motion_id == select(MotionRow.id).where(MotionRow.number == 2).scalar_subquery()
                        )
                    )
                ).scalar_one_or_none()
            reminded_1 = any(r.payload.get("text", "").startswith("提醒：#1 ") for r in await outbox(h))
            return closed_2 is not None and reminded_1

        await until(alarm_acted, 30, "reminder 1 and the closing of ballot 2")
        fail_all(api, error_code="drop")
        await h.cmd(G, CHAIR, "/close 1")  # after its reminder rang
        # /close writes only outbox rows now (queued behind the older ones); a direct reply meets the drops
        await h.cmd(G, CHAIR, "/status")
        await asyncio.sleep(1.0)
        pending = [r for r in await outbox(h) if r.id not in queued_before and r.sent_at is None]
        assert len(pending) >= 6, [r.payload.get("text", "")[:30] for r in pending]  # results, reminder, edits
        failed_calls = [c for c in api.calls() if c.method in FAULTY and not c.ok]
        statuses = {c.status for c in failed_calls}
        assert {429, 500, "dropped"} <= statuses, statuses
    # The bot stops while Telegram is still down: what is pending lives in the database only.

    async with running_bot(tmp_path, api, clock=clock, max_retries=0) as h:
        h.bot.drainer.max_backoff = 1.0
        await asyncio.sleep(1.5)  # still down for a while after the restart
        assert [r for r in await outbox(h) if r.sent_at is None]
        api.clear_faults()  # recovery
        h.bot.drainer.wake.set()

        async def drained() -> bool:
            return all(r.sent_at is not None for r in await outbox(h))

        await until(drained, 30, "the outbox to drain")
        await h.settle()
        rows = await outbox(h)

    # Every announcement once: the three results, ballot 1's reminder, and nothing twice.
    results = {n: delivered(api, t("result.counts", yes=y, no=0, abstain=0)) for n, y in ((1, 0), (2, 0), (3, 3))}
    assert len(results[3]) == 1 and t("result.passed") in results[3][0]["text"]
    closed = [m for m in api.sent_messages(G) if t("result.passed") in m["text"] or t("result.failed") in m["text"]]
    assert len(closed) == 3, [m["text"][:60] for m in closed]
    reminders = [
        m
        for m in api.sent_messages(G)
        if has_vote_buttons(m)
        and m["message_id"] not in (ballot1["message_id"], ballot2["message_id"], ballot3["message_id"])
    ]
    # Ballot 1's reminder rang in the outage: delivered once. (Ballot 2's fell due before it was put, with the
    # clock shifted; the alarm may ring it at once or drop it as stale, depending on when it looks: never twice.)
    assert len([m for m in reminders if m["text"].startswith("提醒：#1 ")]) == 1, [m["text"][:60] for m in reminders]
    assert len([m for m in reminders if m["text"].startswith("提醒：#2 ")]) <= 1, [m["text"][:60] for m in reminders]
    texts = [m["text"] for m in api.sent_messages(G)]
    assert len(texts) == len(set(texts)), [x[:40] for x in texts if texts.count(x) > 1]  # nothing twice
    # Each outbox row was sent and recorded its message; the head of the chat's queue met the outage.
    assert all(r.sent_at is not None and r.last_error is None for r in rows)
    assert all(r.message_ref for r in rows if not r.payload.get(BUTTONS_ONLY_KEY))  # (no reminder: nothing to edit)
    assert any(r.attempts > 0 for r in rows if r.id not in queued_before)
    # The ballots closed in the outage (by the alarm, by the last vote, by /close) lost their buttons.
    for ballot in (ballot1, ballot2, ballot3):
        assert not has_vote_buttons(api.message(G, ballot["message_id"])), ballot["message_id"]
    for reminder in reminders:  # and so did the reminders posted for them
        assert not has_vote_buttons(api.message(G, reminder["message_id"])), reminder["text"][:40]
