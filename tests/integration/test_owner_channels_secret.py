"""Issue 14: a secret civil278 ballot keeps its channels sealed, and after close no row ties an owner to a choice."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import pytest
from sqlalchemy import select

from deliberation import usecases
from deliberation.channels import receipt_code
from deliberation.evidence import verify_pack
from deliberation.roster import RosterUnit
from storage.models import BallotAttemptRow, BallotKeyRow, PaperEntryRow

from .desk_helpers import Person, incoming, ok, say

pytestmark = pytest.mark.asyncio


async def _secret_ballot(app, clock) -> int:
    desk = app.dispatcher
    await ok(desk, "chair", "/setup civil278")
    async with desk.uow() as uow:
        council = await uow.councils.by_chat("console:main")
        register = [RosterUnit(f"1-{n:02d}", f"业主{n}", 900_000) for n in range(1, 7)]
        await usecases.import_roster(uow, clock, council, register)
        await uow.commit()
    for name, unit in (("a", "1-01"), ("b", "1-02"), ("ji", "1-05"), ("jian", "1-06")):
        await ok(desk, name, f"/join {unit}")
        await ok(desk, "chair", f"/approve @{name}")
    await ok(desk, "chair", "/teller @ji 计票人")
    await ok(desk, "chair", "/teller @jian 监票人")
    await ok(desk, "a", "/motion 更换楼顶防水层")
    await ok(desk, "b", "/second 1")
    opened = await ok(desk, "chair", "/vote 1 7d secret")
    return int(opened.replies[0].subject.split(":")[1])


async def test_a_secret_ballots_attempts_and_slips_are_sealed_and_lose_their_choices_at_close(app, clock):
    desk = app.dispatcher
    ballot_id = await _secret_ballot(app, clock)
    typed = await desk.handle(replace(incoming(Person("a"), "/yes 1"), chat_is_group=False))  # one to one
    assert not typed.refused
    pressed = await desk.handle(incoming(Person("b"), data=f"v:{ballot_id}:n"))
    assert not pressed.refused and pressed.popup and "回执码" in pressed.popup
    in_group = await say(desk, "ji", "/paper 1 1-03 赞成")
    assert in_group.refusal == "error.secret_vote_typed" and in_group.withdraw  # a slip is entered privately
    for teller in ("ji", "jian"):  # where the platform talks one to one (the WeCom app): no group reads it
        private = replace(incoming(Person(teller), "/paper 1 1-03 赞成"), chat_is_group=False)
        response = await desk.handle(private)
        assert not response.refused, response.replies[0].text
        assert all("赞成" not in r.text for r in response.replies)  # a secret slip's choice is never echoed
    async with desk.uow() as uow:
        attempts = (await uow.session.execute(select(BallotAttemptRow.choice, BallotAttemptRow.sealed))).all()
        entries = (await uow.session.execute(select(PaperEntryRow.choice, PaperEntryRow.sealed))).all()
    assert len(attempts) == 3 and all(choice is None and sealed for choice, sealed in attempts)
    assert len(entries) == 2 and all(choice is None and sealed for choice, sealed in entries)
    await ok(desk, "chair", "/close 1")
    async with desk.uow() as uow:
        attempts = (await uow.session.execute(select(BallotAttemptRow.choice, BallotAttemptRow.sealed))).all()
        entries = (await uow.session.execute(select(PaperEntryRow.choice, PaperEntryRow.sealed))).all()
        keys = (await uow.session.execute(select(BallotKeyRow))).all()
        ledger = await uow.ballot_attempts.for_ballot(ballot_id)
    assert attempts and all(row == (None, None) for row in attempts)
    assert entries and all(row == (None, None) for row in entries)
    assert keys == [] and {a.channel.value for a in ledger} == {"typed", "button", "paper"}
    shown = await ok(desk, "b", "/receipts 1")
    lines = shown.replies[0].text.splitlines()
    assert len(lines) == 3 and all("1-0" not in line and "赞成" not in line for line in lines)


async def test_a_secret_ballots_minutes_and_evidence_pack_hold_the_codes_alone(app, clock):
    desk = app.dispatcher
    ballot_id = await _secret_ballot(app, clock)
    await desk.handle(replace(incoming(Person("a"), "/yes 1"), chat_is_group=False))
    await desk.handle(incoming(Person("b"), data=f"v:{ballot_id}:n"))
    for teller in ("ji", "jian"):
        await desk.handle(replace(incoming(Person(teller), "/paper 1 1-03 赞成"), chat_is_group=False))
    await ok(desk, "chair", "/close 1")
    async with desk.uow() as uow:
        council = await uow.councils.by_chat("console:main")
        ballot = await uow.ballots.get(ballot_id)
    codes = sorted(receipt_code(ballot_id, ballot.opened_at, f"业主{n}") for n in (1, 2, 3))

    await ok(desk, "chair", "/publish all")
    async with desk.uow() as uow:
        [version] = [v for v in await uow.minutes.versions(council.id) if v.published]
    shown = version.markdown
    assert f"- {'　'.join(codes)}".replace("　", " ") in shown  # the codes alone, sorted, on one line
    assert "1-01" not in shown.split("已计入的投票回执码")[1]

    pack = zipfile.ZipFile(io.BytesIO((await ok(desk, "chair", "/evidence 1")).documents[0].content))
    attempts = pack.read("attempts/attempts.csv").decode("utf-8-sig").splitlines()
    assert attempts[0] == "owner_no,units,owner,channel,at,by,counted" and len(attempts) == 4
    entries = pack.read("tellers/entries.csv").decode("utf-8-sig").splitlines()
    assert entries[0] == "owner_no,units,owner,teller,role,at,mismatch,re_entered" and len(entries) == 3
    assert pack.read("receipts/receipts.csv").decode("utf-8-sig").split() == ["receipt", *codes]
    for path in ("attempts/attempts.csv", "tellers/entries.csv", "receipts/receipts.csv"):
        text = pack.read(path).decode("utf-8-sig")
        assert not any(word in text for word in (",yes", ",no", ",abstain", "赞成", "反对"))
    assert verify_pack(pack.fp.getvalue()).ok  # type: ignore[union-attr]
