"""The ballot message ids the tally edits read (bot/telegram/chats.py): from memory for `ref_ttl`
seconds, from the database again one moment after; a post recorded here replaces them at once."""

from __future__ import annotations

import contextlib

from bot.telegram.chats import TelegramChats


class Posts:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], str] = {}
        self.reads = 0

    async def ref(self, chat_key: str, subject: str) -> str | None:
        self.reads += 1
        return self.rows.get((chat_key, subject))

    async def record(self, chat_key, subject, ref, rendered, at) -> None:
        self.rows[(chat_key, subject)] = ref


class Uow:
    def __init__(self, posts: Posts) -> None:
        self.posts = posts

    async def commit(self) -> None:
        pass


def chats_with(posts: Posts, now: list[float]) -> TelegramChats:
    @contextlib.asynccontextmanager
    async def new_uow():
        yield Uow(posts)

    return TelegramChats(new_uow, ref_ttl=60.0, monotonic=lambda: now[0])


async def test_a_message_id_is_read_once_per_minute():
    posts, now = Posts(), [0.0]
    posts.rows[("telegram:-5", "ballot:1")] = "42"
    chats = chats_with(posts, now)
    assert await chats.post_ref(-5, "ballot:1") == 42
    now[0] = 59.999
    assert await chats.post_ref(-5, "ballot:1") == 42 and posts.reads == 1
    posts.rows[("telegram:-5", "ballot:1")] = "43"  # posted anew by another worker
    now[0] = 60.0
    assert await chats.post_ref(-5, "ballot:1") == 43 and posts.reads == 2


async def test_a_post_recorded_here_is_seen_at_once_and_a_retired_chat_is_read_again():
    posts, now = Posts(), [0.0]
    chats = chats_with(posts, now)
    assert await chats.post_ref(-5, "ballot:1") is None
    await chats.record_post(-5, "ballot:1", 77)
    assert await chats.post_ref(-5, "ballot:1") == 77 and posts.reads == 1
    chats._forget_chat(-5)  # what migrate() and retire() do first
    assert await chats.post_ref(-5, "ballot:1") == 77 and posts.reads == 2
