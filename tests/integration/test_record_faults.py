"""Issue 13's "wrong in the record": each fault pinned at its edge, through the console chat and the minutes."""

from __future__ import annotations

import json

import pytest

from bot.console import CHAT_ID, ConsoleChat
from bot.desk import buttons, subjects
from bot.desk import minutes as minutes_service
from bot.desk.messages import Incoming
from deliberation import usecases
from deliberation.counting import Choice
from deliberation.roster import RosterUnit, parse_area_cm2
from tests.integration.test_secret_ballot_privacy import _document_text

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
    # the spreadsheet reads the council's wall-clock time as a date and time, never a UTC one
    assert "2026-12-06 18:00" in csv_text and "+00:00" not in csv_text and "2026-12-06 10:00" not in csv_text


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


# Eight owners, 885.95 ㎡: six of them (809.75 ㎡) vote on each ballot below.
VOTERS = (("chair", "135"), ("an", "140.25"), ("bo", "130.5"), ("cui", "134"), ("du", "135"), ("er", "135"))
ABSENT = (("fu", "38.1"), ("gu", "38.1"))


async def _building(app, chat: ConsoleChat, clock) -> None:
    """Eight flats of eight owners, from the imported register (civil278 counts only on a register)."""
    await _ok(chat, "@chair /setup civil278")
    council = await _council(app)
    register = [
        RosterUnit(f"3-{100 + index}", name, parse_area_cm2(area))
        for index, (name, area) in enumerate(VOTERS + ABSENT, start=1)
    ]
    async with app.dispatcher.uow() as uow:
        await usecases.import_roster(uow, clock, council, register)
        await uow.commit()
    await _ok(chat, "@chair /join 3-101")
    for index, (name, _area) in enumerate(VOTERS[1:] + ABSENT, start=2):
        await _ok(chat, f"@{name} /join 3-{100 + index}")
        await _ok(chat, f"@chair /approve @{name}")


_CHOICE = {"yes": Choice.YES, "no": Choice.NO, "abstain": Choice.ABSTAIN}


async def _ballot(chat: ConsoleChat, number: int, choices: dict[str, str], secret: bool) -> str:
    """Raise motion `number`, put it (secretly or not), vote as told, close it; the result's text."""
    await _ok(chat, f"@an /motion 议题{number}")
    await _ok(chat, f"@bo /second {number}")
    opened = await _ok(chat, f"@chair /vote {number} 10m" + (" secret" if secret else ""))
    ballot = next(subjects.recognise(r.subject) for r in opened.replies if r.subject)
    assert isinstance(ballot, subjects.BallotMessage)
    for name, choice in choices.items():  # the buttons: a secret ballot takes no typed vote in the group
        data = buttons.encode(buttons.Vote(ballot.ballot_id, _CHOICE[choice]))
        press = Incoming("console", CHAT_ID, name, name, data=data, username=name)
        assert not (await chat.dispatcher.handle(press)).refused, (name, choice)
    closed = await _ok(chat, f"@chair /close {number}")
    return next(r.text for r in closed.replies if r.subject and r.subject.startswith("result:"))


async def test_civil278_figures_are_shown_as_counted_not_reduced(app, clock) -> None:
    """Point 2: 6 of 8 owners is "6/8 人（75.00%）", never "3/4"; 809.75 of 885.95 ㎡ is written so."""
    chat = await _chat(app)
    await _building(app, chat, clock)
    choices = {name: "yes" for name, _ in VOTERS[:5]} | {"er": "no"}
    result = await _ballot(chat, 1, choices, secret=False)
    assert "6/8 人（75.00%）" in result and "809.75/885.95 ㎡（91.40%）" in result, result
    assert "5/6 人（83.33%）" in result and "674.75/809.75 ㎡（83.33%）" in result, result
    assert "3/4" not in result and "16195/17719" not in result
    markdown = (await _export(app, "md", clock=clock)).decode()
    assert "业主人数6/8 人（75.00%），专有面积809.75/885.95 ㎡（91.40%）" in markdown
    assert "占参与人数5/6 人（83.33%），占参与面积674.75/809.75 ㎡（83.33%）" in markdown
    assert "（3/4）" not in markdown and "16195/17719" not in markdown
    rows = json.loads(await _export(app, "json", clock=clock))["rows"]
    ballot = next(r for r in rows if r["record"] == "ballot")
    assert (ballot["participation_heads"], ballot["participation_area"]) == ("6/8", "809.75/885.95")
    assert (ballot["approval_heads"], ballot["approval_area"]) == ("5/6", "674.75/809.75")


async def test_a_small_secret_civil278_ballot_seals_its_count_per_choice(app, clock) -> None:
    """Point 5: 3 against 3 is shown per choice; 4 against 2 (a choice under 3 owners) is sealed everywhere."""
    chat = await _chat(app)
    await _building(app, chat, clock)
    even = {name: ("yes" if i < 3 else "no") for i, (name, _) in enumerate(VOTERS)}
    shown = await _ballot(chat, 1, even, secret=True)
    assert "面积：赞成 405.75㎡，反对 404㎡" in shown and "封存" not in shown, shown
    lopsided = {name: ("yes" if i < 4 else "no") for i, (name, _) in enumerate(VOTERS)}
    sealed = await _ballot(chat, 2, lopsided, secret=True)
    assert "封存" in sealed and "6/8 人（75.00%）" in sealed and "809.75/885.95 ㎡（91.40%）" in sealed, sealed
    assert "赞成 4" not in sealed and "反对 2" not in sealed and "面积：赞成" not in sealed
    assert "270" not in sealed and "539.75" not in sealed  # the NO owners' area (135 + 135), the YES area
    assert "结果：" in sealed  # the verdict stays
    show = await _ok(chat, "@chair /show 2")
    assert "反对 2" not in "\n".join(r.text for r in show.replies)

    council = await _council(app)
    for fmt in ("md", "docx", "pdf", "csv", "json"):
        async with app.dispatcher.uow() as uow:
            filename, content = await minutes_service.export(uow, council.id, fmt, "all", now=clock())
        text = _document_text(filename, content)
        assert "封存" in text or fmt == "json", fmt  # json says so with "sealed": true
        for figure in ("270㎡", '"270"', ",270,", "2700000", "539.75", "5397500"):  # ballot 2's areas per choice
            assert figure not in text, (fmt, figure)
    markdown = (await _export(app, "md", clock=clock)).decode()
    assert "各选项的人数和面积封存" in markdown and "405.75㎡" in markdown  # ballot 1 is shown in full
    document = json.loads(await _export(app, "json", clock=clock))
    second = next(v for m in document["minutes"]["motions"] for v in m["votes"] if v["number"] == 2)
    assert second["sealed"] and (second["yes"], second["no"], second["no_area_cm2"]) == (0, 0, 0)
    assert second["voted"] == 6 and second["voted_area_cm2"] == 8_097_500
    row = next(r for r in document["rows"] if r["record"] == "ballot" and r["number"] == 2)
    assert row["yes"] is None and row["no_area_m2"] is None and row["participation_area"] == "809.75/885.95"
