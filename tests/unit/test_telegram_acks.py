"""Quiet acknowledgements (bot/telegram/acks.py): held while the chat has content to send, then a
reaction each for up to three, one note for four or more."""

from __future__ import annotations

import asyncio

from bot.telegram.acks import Ack, Acknowledgements


class Chat:
    def __init__(self) -> None:
        self.busy = False
        self.sent: list[tuple] = []

    async def react(self, chat_id: int, message_id: int) -> None:
        self.sent.append(("👍", chat_id, message_id))

    async def note(self, chat_id: int, people: int, locale: str) -> None:
        self.sent.append(("note", chat_id, people, locale))


def acks_for(chat: Chat) -> Acknowledgements:
    acks = Acknowledgements(chat.react, chat.note, grace=0)
    acks.busy.append(lambda chat_id: chat.busy)
    return acks


async def wave(size: int) -> list[tuple]:
    chat = Chat()
    acks = acks_for(chat)
    chat.busy = True  # the chat's updates are still being handled
    for n in range(size):
        acks.submit(-1, Ack(100 + n, user_id=n, locale="zh_Hans"))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert chat.sent == []  # nothing while content is under way
    chat.busy = False
    acks.wake(-1)
    await acks.settle(timeout=5)
    return chat.sent


async def test_three_held_acknowledgements_are_three_reactions():
    assert await wave(3) == [("👍", -1, 100), ("👍", -1, 101), ("👍", -1, 102)]


async def test_four_held_acknowledgements_are_one_note():
    assert await wave(4) == [("note", -1, 4, "zh_Hans")]


async def test_a_note_counts_people_not_messages():
    chat = Chat()
    acks = acks_for(chat)
    chat.busy = True
    for n in range(6):
        acks.submit(-1, Ack(100 + n, user_id=n % 5, locale="en"))
    chat.busy = False
    acks.wake(-1)
    await acks.settle(timeout=5)
    assert chat.sent == [("note", -1, 5, "en")]


async def test_a_chat_that_stays_busy_gets_its_acknowledgements_after_max_hold():
    chat = Chat()
    clock = [0.0]
    acks = Acknowledgements(chat.react, chat.note, grace=0, max_hold=30.0, clock=lambda: clock[0])
    acks.busy.append(lambda chat_id: True)
    acks.submit(-1, Ack(7, user_id=1, locale="zh_Hans"))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert chat.sent == []
    clock[0] = 29.999
    acks.wake(-1)
    await asyncio.sleep(0)
    assert chat.sent == []
    clock[0] = 30.0
    acks.wake(-1)
    await acks.settle(timeout=5)
    assert chat.sent == [("👍", -1, 7)]
