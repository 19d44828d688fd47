"""Issue 14 end to end through the console: a 30-unit building votes by button, paper slip and proxy (civil278).

12 owners vote by button; 8 paper slips are entered twice by the 计票人 and the 监票人 (one mismatch, resolved by a
re-entry; one slip for an owner who had voted by button, so paper prevails); proxies: one holder at the cap of 3,
a fourth refused, one proxy's vote overridden by its owner, one counted. 20 of 30 owners take part, exactly 2/3
of owners and of area, and 15 of 20 approve, exactly 3/4: the major matter passes. A second ballot missing by
one owner fails. The receipts of the 公示 are checked against `receipt_code`, in the chat and in the published
minutes; the evidence pack holds every attempt, the tellers' entries and the proxies (one with the photo of its
委托书), and `yishi verify-pack` accepts it and names the one file changed by one byte.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import zipfile
from fractions import Fraction

import pytest
from pypdf import PdfReader

from bot.cli import main as yishi
from bot.console import CHAT_ID
from bot.desk.messages import Incoming
from bot.main import console_chat
from deliberation import channels, usecases
from deliberation.lifecycle import MotionState
from deliberation.roster import RosterUnit

pytestmark = pytest.mark.asyncio

AREA = 953_700  # 95.37 ㎡ each: 20 of 30 units hold exactly 2/3 of the area, 15 of 20 exactly 3/4
UNITS = [f"{floor}-{room:02d}" for floor in range(1, 11) for room in (1, 2, 3)]  # 30 units, 1-01 … 10-03
OWNER = {unit: f"业主{n:02d}" for n, unit in enumerate(UNITS, start=1)}
BUTTON = UNITS[:12]  # o01 … o12 vote by button; o12 also holds the proxies
PAPER = UNITS[12:19] + [UNITS[0]]  # 7 owners not in the chat, and 1-01 who voted by button: paper prevails
PROXIED = UNITS[19]  # 7-02: its owner is represented by o12, who votes for it
OVERRIDDEN = UNITS[1]  # 1-02: o12 votes for it as proxy, then its owner votes himself
HOLDER = "o12"
COUNTER, SCRUTINEER = "ji", "jian"  # owners of 10-02 and 10-03: they do not vote
SECRETARY = "p24"  # records a proxy from the photo of its signed 委托书: 9-01 to p23, never used
PHOTO = b"\xff\xd8\xff\xe0" + b"the signed proxy form, as photographed" + b"\xff\xd9"


def member(unit: str) -> str:
    return f"o{UNITS.index(unit) + 1:02d}"


class Transcript:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, line: str) -> None:
        self.lines.append(line)

    def text(self) -> str:
        return "\n".join(self.lines)


async def _building(app, clock, chat) -> int:
    await ok(chat, "@chair /setup civil278")
    async with app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat("console:main")
        await usecases.import_roster(uow, clock, council, [RosterUnit(u, OWNER[u], AREA) for u in UNITS])
        await uow.commit()
    joiners = [(member(u), u) for u in BUTTON] + [("p20", PROXIED), ("p22", UNITS[21]), ("p23", UNITS[22])]
    joiners += [("p24", UNITS[23]), (COUNTER, UNITS[28]), (SCRUTINEER, UNITS[29])]
    for name, unit in joiners:
        await ok(chat, f"@{name} /join {unit}")
        await ok(chat, f"@chair /approve @{name}")
    await ok(chat, f"@chair /teller @{COUNTER} 计票人")
    await ok(chat, f"@chair /teller @{SCRUTINEER} 监票人")
    return council.id


async def ok(chat, line: str):
    response = await chat.say(line)
    assert response is not None and not response.refused, (line, [r.text for r in response.replies], response.popup)
    return response


async def refused(chat, line: str, key: str):
    response = await chat.say(line)
    assert response is not None and response.refusal == key, (line, response and response.refusal)
    return response


async def _ballot(app, number: int):
    async with app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat("console:main")
        motion = await uow.motions.by_number(council.id, number)
        [ballot] = await uow.ballots.for_motion(motion.id)
        return motion, ballot, await uow.ballot_attempts.for_ballot(ballot.id)


async def _photo_proxy(app, chat) -> None:
    """The secretary replies `/proxy 9-01 @p23` to the photo of the signed 委托书 (kept as its attachment)."""
    await ok(chat, f"@chair /secretary @{SECRETARY}")
    line = f"/proxy {UNITS[24]} @p23"
    replied = Incoming(
        "console", CHAT_ID, SECRETARY, SECRETARY, text=line, username=SECRETARY, reply_file_id="p1", reply_file=PHOTO
    )
    response = await app.dispatcher.handle(replied)
    assert not response.refused, [r.text for r in response.replies]


def _csv(pack: zipfile.ZipFile, path: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(pack.read(path).decode("utf-8-sig"))))


def _one_byte_changed(pack: bytes, path: str) -> bytes:
    """The pack rewritten with one byte of one file changed (the manifest left as it was)."""
    source = zipfile.ZipFile(io.BytesIO(pack))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == path:
                content = content[:-3] + bytes([content[-3] ^ 1]) + content[-2:]
            target.writestr(info, content)
    return out.getvalue()


async def test_a_30_unit_building_votes_by_button_paper_and_proxy(app, clock, tmp_path, capsys):
    out = Transcript()
    chat = console_chat(app, out=out)
    council_id = await _building(app, clock, chat)
    await ok(chat, "@o01 /motion 加装电梯，费用按面积分摊")
    await ok(chat, "@o02 /second 1")
    await ok(chat, "@chair /vote 1 7d major")
    motion, ballot, _ = await _ballot(app, 1)
    assert ballot.eligible_voters == 30  # every owner of the register can vote: paper reaches those not in the chat

    # proxies: o12 holds three; a fourth is refused over the cap; an owner who already voted cannot give one
    for owner_member, unit in (("o02", OVERRIDDEN), ("p20", PROXIED), ("p22", UNITS[21])):
        await ok(chat, f"@{owner_member} /proxy {unit} @{HOLDER}")
    assert "(私信给 o02 / to o02 only)" not in out.text()  # the owner who typed it reads the group's message
    await refused(chat, f"@p23 /proxy {UNITS[22]} @{HOLDER}", "channels.error.proxy_cap")
    await ok(chat, f"@{HOLDER} /yes 1 {PROXIED}")  # counted: its owner never votes himself
    assert "(私信给 p20 / to p20 only)" in out.text()  # the owner is told privately that the proxy was used
    await ok(chat, f"@{HOLDER} /no 1 {OVERRIDDEN}")  # then overridden by its owner's own vote below
    await refused(chat, f"@{HOLDER} /yes 1 {UNITS[23]}", "channels.error.no_proxy")

    # 12 owners by button: 9 yes, 3 no (among them the owner of 1-02, overriding the proxy's vote)
    receipts = {}
    for unit in BUTTON:
        choice = "反对" if unit in (OVERRIDDEN, UNITS[2], UNITS[3]) else "赞成"
        response = await ok(chat, f"@{member(unit)} [{choice}]")
        receipts[unit] = response.popup
    assert channels.receipt_code(ballot.id, ballot.opened_at, OWNER[UNITS[4]]) in receipts[UNITS[4]]
    await refused(chat, f"@{HOLDER} /yes 1 {OVERRIDDEN}", "channels.error.owner_voted")
    await refused(chat, f"@p24 /proxy {UNITS[23]} @{HOLDER}", "channels.error.proxy_cap")
    await refused(chat, f"@o03 /proxy {UNITS[2]} @p24", "channels.error.proxy_owner_voted")
    await _photo_proxy(app, chat)
    # progress: 13 owners counted (12 by button, 1 through a proxy) of the 20 that make 2/3 of 30
    short = (await ok(chat, "@o05 /progress 1")).replies[0].text
    assert "还差 7 户、667.59㎡" in short, short  # 2/3 of 30 × 95.37 ㎡ is 1,907.40 ㎡; 13 units hold 1,239.81 ㎡

    # 8 paper slips, each entered by both tellers: 1-01's slip says 反对 and prevails over its button 赞成
    slips = dict.fromkeys(UNITS[12:19], "赞成") | {UNITS[0]: "反对", UNITS[18]: "弃权"}
    for n, (unit, choice) in enumerate(slips.items()):
        await ok(chat, f"@{COUNTER} /paper 1 {unit} {choice}")
        if n == 1:
            await refused(chat, f"@{COUNTER} /paper 1 {unit} {choice}", "channels.error.entered_twice")
        if n == 2:  # a mismatch: both are told, the slip counts for nothing until one of them enters it again
            mismatch = await ok(chat, f"@{SCRUTINEER} /paper 1 {unit} 反对")
            assert "不一致" in mismatch.replies[0].text and f"(私信给 {COUNTER} / to {COUNTER} only)" in out.text()
            assert all(a.owner != OWNER[unit] for a in (await _ballot(app, 1))[2])
            await ok(chat, f"@{SCRUTINEER} /paper 1 {unit} {choice}")  # the re-entry resolves it
        else:
            code = channels.slip_code(ballot.id, OWNER[unit])  # the QR code stands for the unit
            await ok(chat, f"@{SCRUTINEER} /paper 1 {code if n == 4 else unit} {choice}")
    await refused(chat, f"@{COUNTER} /paper 1 {UNITS[28]} 赞成", "channels.error.own_household")
    await refused(chat, f"@{COUNTER} /paper 1 {UNITS[12]} 赞成", "channels.error.slip_counted")
    await refused(chat, "@o01 [赞成]", "channels.error.paper_prevails")

    _, _, attempts = await _ballot(app, 1)
    counted = {a.owner: a for a in attempts if a.counted}
    assert len(counted) == 20
    assert counted[OWNER[UNITS[0]]].channel is channels.Channel.PAPER
    assert counted[OWNER[OVERRIDDEN]].channel is channels.Channel.BUTTON
    assert counted[OWNER[PROXIED]].channel is channels.Channel.PROXY
    conflicts = await ok(chat, f"@{COUNTER} /conflicts 1")
    assert UNITS[0] in conflicts.replies[0].text and OVERRIDDEN in conflicts.replies[0].text
    assert PROXIED not in conflicts.replies[0].text

    reached = (await ok(chat, "@o05 /progress 1")).replies[0].text
    assert "都已达到三分之二" in reached and "还差" not in reached, reached  # exactly 20 of 30: the bound counts

    await ok(chat, "@chair /close 1")
    motion, ballot, _ = await _ballot(app, 1)
    result = ballot.result
    assert result is not None and motion.state is MotionState.ADOPTED
    assert (result.yes, result.no, result.abstain) == (15, 4, 1)
    assert result.participation_heads == result.participation_area == Fraction(2, 3)
    assert result.approval_heads == result.approval_area == Fraction(3, 4)
    assert "【#1 已计入的投票回执码（共 20 户）】" in out.text()  # the 公示 of the result lists them
    shown = await ok(chat, "@o05 /receipts 1")
    lines = shown.replies[0].text.splitlines()
    assert len(lines) == 20
    assert f"{channels.receipt_code(ballot.id, ballot.opened_at, OWNER[UNITS[0]])}  {UNITS[0]}  反对" in lines
    await refused(chat, f"@{COUNTER} /paper 1 {UNITS[20]} 赞成", "error.ballot_not_open")  # a slip after close
    codes = {unit: channels.receipt_code(ballot.id, ballot.opened_at, OWNER[unit]) for unit in UNITS}
    await _published_receipts(app, chat, council_id, codes)
    await _evidence(chat, codes, tmp_path, capsys)

    # a second ballot, one owner short of 2/3: 19 of 30 take part, all for it, and it fails
    await ok(chat, "@o01 /motion 更换单元门禁")
    await ok(chat, "@o02 /second 2")
    await ok(chat, "@chair /vote 2 7d")
    _, second, _ = await _ballot(app, 2)
    old_code = channels.slip_code(ballot.id, OWNER[UNITS[13]])
    await refused(chat, f"@{COUNTER} /paper 2 {old_code} 赞成", "channels.error.code_other_ballot")
    for unit in BUTTON:
        await ok(chat, f"@{member(unit)} [赞成]")
    for unit in UNITS[12:19]:
        await ok(chat, f"@{COUNTER} /paper 2 {unit} 赞成")
        await ok(chat, f"@{SCRUTINEER} /paper 2 {unit} 赞成")
    await ok(chat, "@chair /close 2")
    motion2, second, attempts2 = await _ballot(app, 2)
    assert len([a for a in attempts2 if a.counted]) == 19
    assert second.result is not None and not second.result.quorum_met
    assert motion2.state is MotionState.FAILED_QUORUM


async def _published_receipts(app, chat, council_id: int, codes: dict[str, str]) -> None:
    """The minutes published (公示) list the 20 receipt codes counted with unit and choice (an open ballot);
    the A4 notice tells owners to look for theirs."""
    published = await ok(chat, "@chair /publish all")
    async with app.dispatcher.uow() as uow:
        [version] = [v for v in await uow.minutes.versions(council_id) if v.published]
    text = version.markdown  # Markdown folds the wide spaces between code, unit and choice
    assert "第1号表决已计入的投票回执码（共20户）" in text
    assert f"- {codes[UNITS[0]]} 1-01 反对" in text and f"- {codes[PROXIED]} 7-02 赞成" in text
    counted = [u for u in UNITS if codes[u] in text]
    assert counted == BUTTON + UNITS[12:20]  # the 20 who took part, and no one else
    notice = next(d for d in published.documents if d.content.startswith(b"%PDF") and "公示" in d.filename)
    page = PdfReader(io.BytesIO(notice.content)).pages[0].extract_text()
    assert "回执码" in page and "已计入" in page


async def _evidence(chat, codes: dict[str, str], tmp_path, capsys) -> None:
    """`/evidence 1`: the attempts with their channels, the tellers' entries with the mismatch and its re-entry,
    the proxies with the 委托书 photo, the receipts; `yishi verify-pack` accepts it, then names a changed file."""
    [document] = (await ok(chat, "@chair /evidence 1")).documents
    data = document.content
    pack = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(pack.read("manifest.json"))
    for path in ("attempts/attempts.csv", "tellers/entries.csv", "proxies/proxies.csv", "receipts/receipts.csv"):
        assert manifest["files"][path]["sha256"] == hashlib.sha256(pack.read(path)).hexdigest()

    attempts = _csv(pack, "attempts/attempts.csv")
    assert len(attempts) == 22  # 12 buttons, 8 slips, 2 proxy votes
    assert {a["channel"] for a in attempts} == {"button", "paper", "proxy"}
    assert sum(a["counted"] == "true" for a in attempts) == 20
    first = [(a["channel"], a["counted"], a["choice"]) for a in attempts if a["units"] == UNITS[0]]
    assert first == [("button", "false", "yes"), ("paper", "true", "no")]  # the slip prevailed
    overridden = [(a["channel"], a["by"], a["counted"]) for a in attempts if a["units"] == OVERRIDDEN]
    assert overridden == [("proxy", HOLDER, "false"), ("button", "o02", "true")]
    assert all(a["at"].endswith("+00:00") for a in attempts)

    entries = _csv(pack, "tellers/entries.csv")
    assert len(entries) == 17  # 8 slips by two tellers, and the mismatched entry re-entered
    slip = [(e["teller"], e["choice"], e["mismatch"], e["re_entered"]) for e in entries if e["units"] == UNITS[14]]
    mismatched, resolved = (SCRUTINEER, "no", "true", "true"), (SCRUTINEER, "yes", "false", "false")
    assert slip == [(COUNTER, "yes", "false", "false"), mismatched, resolved]
    tellers = _csv(pack, "tellers/tellers.csv")
    assert {(t["teller"], t["role"]) for t in tellers} == {(COUNTER, "counter"), (SCRUTINEER, "scrutineer")}

    proxies = _csv(pack, "proxies/proxies.csv")
    assert sorted((p["unit"], p["holder"], p["via"]) for p in proxies) == [
        (OVERRIDDEN, HOLDER, "owner"),
        (PROXIED, HOLDER, "owner"),
        (UNITS[21], HOLDER, "owner"),
        (UNITS[24], "p23", "secretary"),
    ]
    [photo] = [p for p in proxies if p["attachment"]]
    assert pack.read(photo["attachment"]) == PHOTO and photo["attachment"].endswith(".jpg")
    assert photo["attachment_sha256"] == photo["file_sha256_recorded"] == hashlib.sha256(PHOTO).hexdigest()
    assert photo["attachment"] in manifest["files"]

    receipts = _csv(pack, "receipts/receipts.csv")
    assert {r["receipt"] for r in receipts} == {codes[u] for u in BUTTON + UNITS[12:20]}

    written = tmp_path / document.filename
    written.write_bytes(data)
    assert await asyncio.to_thread(yishi, ["verify-pack", str(written)]) == 0
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(_one_byte_changed(data, "tellers/entries.csv"))
    capsys.readouterr()
    assert await asyncio.to_thread(yishi, ["verify-pack", str(damaged)]) == 2
    assert "tellers/entries.csv: sha256" in capsys.readouterr().err
