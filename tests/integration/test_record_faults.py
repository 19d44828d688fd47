"""Issue 13's "wrong in the record": each fault pinned at its edge, through the console chat and the minutes."""

from __future__ import annotations

import json

import pytest

from bot import minutes_service
from bot.console import ConsoleChat

pytestmark = pytest.mark.asyncio


async def _chat(app) -> ConsoleChat:
    lines: list[str] = []
    chat = ConsoleChat(app.dispatcher, out=lines.append)
    chat.lines = lines  # type: ignore[attr-defined]
    return chat


async def _council(app):
    async with app.dispatcher.uow() as uow:
        return await uow.councils.by_chat("console:main")


async def _setup(chat: ConsoleChat, preset: str = "nantang") -> None:
    for line in (f"@chair /setup {preset}", "@alice /join 1-101", "@bob /join 1-102", "@carol /join 1-201"):
        assert not (await chat.say(line)).refused, line


async def _ok(chat: ConsoleChat, line: str):
    response = await chat.say(line)
    assert not response.refused, (line, [r.text for r in response.replies], response.popup)
    return response


async def _export(app, fmt: str, scope: str | None = "all", clock=None) -> bytes:
    council = await _council(app)
    async with app.dispatcher.uow() as uow:
        _, content = await minutes_service.export(uow, council.id, fmt, scope, now=clock() if clock else None)
    return content


async def test_times_read_in_the_council_zone_in_chat_and_minutes(app, clock) -> None:
    """Asia/Shanghai is UTC+8: 19:30 typed is 19:30 shown everywhere, never 11:30 or "UTC"."""
    chat = await _chat(app)
    await _setup(chat)
    await _ok(chat, "@alice /motion 议题一")
    await _ok(chat, "@bob /second 1")
    card = await _ok(chat, "@carol /postpone 1 2026-12-16 19:30")
    text = "\n".join(r.text for r in card.replies)
    assert "2026年12月16日 19:30" in text and "UTC" not in text and "11:30" not in text
    await _ok(chat, "@alice /second 2")
    await _ok(chat, "@chair /vote 2 10m")
    for voter in ("alice", "bob", "carol"):
        await _ok(chat, f"@{voter} /yes 2")

    await _ok(chat, "@alice /motion 议题三")
    await _ok(chat, "@bob /second 3")
    await _ok(chat, "@chair /vote 3 10m")
    for voter in ("alice", "bob", "carol"):
        await _ok(chat, f"@{voter} /yes 3")
    assigned = await _ok(chat, "@chair /assign 3 @bob 2026-12-06 18:00")
    assert "2026年12月6日 18:00" in assigned.replies[0].text, assigned.replies[0].text

    draft = await _ok(chat, "@chair /minutes all")
    said = "\n".join(r.text for r in draft.replies)
    assert "推迟至2026年12月16日 19:30审议" in said and "11:30" not in said
    markdown = (await _export(app, "md", clock=clock)).decode()
    assert "推迟至2026年12月16日 19:30审议" in markdown and "2026年12月6日 18:00" in markdown
    assert "11:30" not in markdown and "12月6日 10:00" not in markdown
    document = json.loads(await _export(app, "json", clock=clock))
    motion = next(m for m in document["minutes"]["motions"] if m["number"] == 1)
    assert motion["postponed_until"] == "2026-12-16T19:30:00+08:00"
    assert document["minutes"]["assignments"][0]["due"] == "2026-12-06T18:00:00+08:00"
    csv_text = (await _export(app, "csv", clock=clock)).decode("utf-8-sig")
    assert "2026-12-06T18:00:00+08:00" in csv_text and "+00:00" not in csv_text


async def _adopted(chat: ConsoleChat) -> None:
    await _ok(chat, "@alice /motion 议题一")
    await _ok(chat, "@bob /second 1")
    await _ok(chat, "@chair /vote 1 10m")
    for voter in ("alice", "bob", "carol"):
        await _ok(chat, f"@{voter} /yes 1")


async def test_publish_refuses_a_scope_with_nothing_in_it_and_stores_nothing(app, clock) -> None:
    """Point 3: `/publish 999` (no such motion) or a day without events publishes, pins and stores nothing."""
    chat = await _chat(app)
    await _setup(chat)
    await _adopted(chat)
    council = await _council(app)
    async with app.dispatcher.uow() as uow:
        head = await uow.events.head(council.id)
    for scope in ("999", "2026-10-01", "meeting 3"):
        refused = await chat.say(f"@chair /publish {scope}")
        assert refused.refused and not any(r.pin for r in refused.replies) and not refused.announced, scope
        assert "没有" in (refused.replies[0].text if refused.replies else refused.popup or ""), scope
    async with app.dispatcher.uow() as uow:
        assert await uow.minutes.versions(council.id, None) == []
        assert await uow.events.head(council.id) == head
    published = await _ok(chat, "@chair /publish 1")  # the edge: one motion is something
    async with app.dispatcher.uow() as uow:
        assert len(await uow.minutes.versions(council.id, None)) == 1
    assert published.replies


async def test_an_altered_record_is_neither_exported_nor_published(app, clock) -> None:
    """Point 4: one stored vote changed; every export and /publish refuse, naming the first broken event."""
    from sqlalchemy import update

    from deliberation.minutes import ChainBroken
    from storage.models import EventRow

    chat = await _chat(app)
    await _setup(chat)
    await _adopted(chat)
    council = await _council(app)
    assert not (await chat.say("@chair /export md")).refused  # intact: exported
    async with app.dispatcher.uow() as uow:
        cast = [e for e in await uow.events.all(council.id) if e.type == "vote.cast"]
        altered = cast[-1]
        payload = json.dumps(dict(altered.payload, choice="no"), ensure_ascii=False, sort_keys=True)
        await uow.session.execute(
            update(EventRow)
            .where(EventRow.council_id == council.id, EventRow.seq == altered.seq)
            .values(payload=payload)
        )
        await uow.commit()
    for line in ("/export md", "/export json", "/export pdf", "/publish all"):
        refused = await chat.say(f"@chair {line}")
        assert refused.refused and not refused.documents and not any(r.pin for r in refused.replies), line
        text = refused.replies[0].text if refused.replies else refused.popup or ""
        assert f"第{altered.seq}号事件" in text, (line, text)
    for fmt in ("md", "csv", "docx"):
        with pytest.raises(ChainBroken) as broken:
            await _export(app, fmt, clock=clock)
        assert broken.value.params["seq"] == altered.seq
    async with app.dispatcher.uow() as uow:
        assert await uow.minutes.versions(council.id, None) == []
