"""Owners' decisions through the console chat: the register sent as a file, /roster, /ballots, /progress at the
2/3 edge, a secret ballot's progress, /evidence, and `yishi evidence` / `yishi verify-pack` on the pack."""

from __future__ import annotations

import asyncio
import io
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.cli import main as yishi
from bot.main import build_core, console_chat
from deliberation.channels import owner_code, parse_slip_code
from deliberation.evidence import verify_pack

REGISTER = """房号,业主,专有面积
3-101,张三,80
3-102,李四,80
3-201,王五,40
3-202,王五,40
3-301,赵六,80
3-302,钱七,80
3-401,孙八,80
"""
PEOPLE = [("zhang", "3-101"), ("li", "3-102"), ("wu", "3-201"), ("zhao", "3-301"), ("qian", "3-302"), ("sun", "3-401")]


@pytest.fixture
async def chat(tmp_path: Path):
    (tmp_path / "register.csv").write_text(REGISTER, encoding="utf-8")
    core = await build_core(f"sqlite+aiosqlite:///{tmp_path / 'yishi.db'}")
    lines: list[str] = []
    chat = console_chat(core, out=lines.append, files_dir=tmp_path)
    chat.lines = lines  # type: ignore[attr-defined]
    yield chat
    await core.close()


async def said(chat, line: str):
    response = await chat.say(line)
    assert response is not None, line
    return response


async def ok(chat, line: str):
    response = await said(chat, line)
    assert not response.refused, (line, [r.text for r in response.replies])
    return response


async def civil278_building(chat) -> None:
    await ok(chat, "@wang /setup civil278")
    imported = await ok(chat, "@wang /roster < register.csv")
    assert "7 套房，6 位业主，专有面积 480㎡" in imported.replies[0].text
    for name, unit in PEOPLE:
        await ok(chat, f"@{name} /join {unit}")
        await ok(chat, f"@wang /approve @{name}")


def text_of(response) -> str:
    return "\n".join(r.text for r in response.replies)


async def test_the_register_is_shown_owner_by_owner_to_the_chair_and_as_totals_to_others(chat) -> None:
    await civil278_building(chat)
    chair = await ok(chat, "@wang /roster")
    assert chair.replies[0].private and "3. 3-201、3-202　王五　80㎡" in chair.replies[0].text
    member = await ok(chat, "@zhang /roster")
    assert not member.replies[0].private and "王五" not in text_of(member) and "480㎡" in text_of(member)


async def test_a_bad_register_file_is_refused_whole_and_names_its_lines(chat, tmp_path: Path) -> None:
    await ok(chat, "@wang /setup civil278")
    (tmp_path / "bad.csv").write_text("房号,业主,专有面积\n3-101,张三,abc\n3-101,李四,80\n", encoding="utf-8")
    refused = await said(chat, "@wang /roster < bad.csv")
    assert refused.refused and refused.refusal == "roster.refused"
    assert "第 2 行" in text_of(refused) and "第 3 行" in text_of(refused)
    assert "还没有导入物业台账" in text_of(await ok(chat, "@wang /roster"))


async def test_owners_vote_progress_paper_slips_reimport_refused_and_evidence_pack(
    chat, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await civil278_building(chat)
    await ok(chat, "@zhang /motion 加装3号楼电梯，费用按面积分摊")
    await ok(chat, "@li /second 1")
    await ok(chat, "@wang /vote 1 3d major")

    refused = await said(chat, "@wang /roster < register.csv")
    assert refused.refused and refused.refusal == "error.register_frozen" and "#1" in text_of(refused)
    db = f"sqlite+aiosqlite:///{tmp_path / 'yishi.db'}"
    cli = ["--database", db, "roster", "import", str(tmp_path / "register.csv"), "--council", "1"]
    assert await asyncio.to_thread(yishi, cli) == 1  # the command line is refused too
    assert "现在不能重新导入台账" in capsys.readouterr().err

    slips = await ok(chat, "@wang /ballots 1")
    [document] = slips.documents
    pdf = PdfReader(io.BytesIO(document.content))
    assert len(pdf.pages) == 6  # one per owner: 王五's two units on one slip
    third = pdf.pages[2].extract_text()
    assert "3-201、3-202" in third and "加装3号楼电梯" in third and "赞成" in third and "弃权" in third
    code = next(word for word in third.split() if word.startswith("票号"))
    assert parse_slip_code(code.split("：")[1]).owner_code == owner_code("王五")

    for name, _ in PEOPLE[:3]:
        await ok(chat, f"@{name} /yes 1")
    short = await ok(chat, "@sun /progress 1")
    assert "已投票业主：3/6 户（50.00%），需要至少 4 户" in text_of(short)
    assert "还差 1 户、80㎡。" in text_of(short)
    assert "还没投票的 3 套房：3-301、3-302、3-401" in text_of(short)
    [sweep] = short.documents
    listed = PdfReader(io.BytesIO(sweep.content)).pages[0].extract_text()
    assert "3-301" in listed and "钱七" in listed and "3-101" not in listed

    await ok(chat, "@zhao /no 1")
    reached = await ok(chat, "@sun /progress 1")
    assert "已投票业主：4/6 户（66.67%）" in text_of(reached) and "还差" not in text_of(reached)
    assert "都已达到三分之二" in text_of(reached)

    early = await said(chat, "@wang /evidence 1")
    assert early.refused and early.refusal == "error.evidence_open"
    await ok(chat, "@wang /close 1")
    assert (await said(chat, "@zhang /evidence 1")).refusal == "error.role_required"
    pack = (await ok(chat, "@wang /evidence 1")).documents[0].content
    check = verify_pack(pack)
    assert check.ok, check.problems
    names = set(zipfile.ZipFile(io.BytesIO(pack)).namelist())
    assert {"manifest.json", "register/register.json", "votes/votes.csv", "count/count.json"} <= names
    assert any(n.endswith(".pdf") for n in names) and any(n.endswith(".docx") for n in names)
    assert any(n.startswith("minutes/公示_") and n.endswith(".pdf") for n in names)  # the 公示 notice, one A4 page

    # The same pack from the command line; verify-pack accepts it, then names the one file changed by one byte.
    out = tmp_path / "packs"
    made = await asyncio.to_thread(
        yishi, ["--database", db, "evidence", "--council", "1", "--ballot", "1", "--out", str(out)]
    )
    assert made == 0
    [written] = out.glob("*.zip")
    assert await asyncio.to_thread(yishi, ["verify-pack", str(written)]) == 0
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(one_byte_changed(written.read_bytes(), "votes/votes.csv"))
    check = verify_pack(damaged.read_bytes())
    assert [(p.path, p.reason) for p in check.problems] == [("votes/votes.csv", "sha256")]
    assert await asyncio.to_thread(yishi, ["verify-pack", str(damaged)]) == 2
    assert "votes/votes.csv: sha256" in capsys.readouterr().err


def one_byte_changed(pack: bytes, path: str) -> bytes:
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


async def test_a_secret_ballots_progress_shows_counts_only(chat) -> None:
    await civil278_building(chat)
    await ok(chat, "@zhang /motion 更换小区物业公司")
    await ok(chat, "@li /second 1")
    await ok(chat, "@wang /vote 1 3d secret")
    for name in ("zhang", "li"):
        await ok(chat, f"@{name} [赞成]")  # the button: a secret ballot takes no typed vote in the group
    shown = await ok(chat, "@sun /progress 1")
    text = text_of(shown)
    assert "已投票业主：2/6 户" in text and "只公布人数和面积" in text
    assert "3-" not in text and not any(owner in text for owner in ("张三", "李四", "赵六", "孙八"))
    assert shown.documents == []  # no 扫楼名单: it would name who has not voted

    await ok(chat, "@wang /close 1")
    pack = zipfile.ZipFile(io.BytesIO((await ok(chat, "@wang /evidence 1")).documents[0].content))
    assert "votes/votes.csv" not in pack.namelist()
    took_part = pack.read("votes/participation.csv").decode("utf-8-sig").splitlines()
    assert took_part[0] == "owner_no,units,owner,area_cm2" and len(took_part) == 3  # who took part, not how
    chain = pack.read("chain/events.jsonl").decode("utf-8")
    assert '"vote.cast"' not in chain and "赞成" not in pack.read("votes/participation.csv").decode("utf-8-sig")
    assert verify_pack(pack.fp.getvalue()).ok  # type: ignore[union-attr]


async def test_a_less_than_sign_in_a_motion_is_text_and_a_missing_file_is_said(chat) -> None:
    await civil278_building(chat)
    raised = await ok(chat, "@zhang /motion 面积 < 60㎡ 的住户不分摊电梯费用")
    assert "面积 < 60㎡ 的住户不分摊电梯费用" in text_of(raised)
    assert await chat.say("@wang /roster < 没有这个文件.xlsx") is None
    assert "读不到文件" in chat.lines[-1]
