"""The hall's minutes page: the secretary reviews, publishes (through the desk) and downloads every export;
anyone else gets the published minutes only, and a refused download makes nothing. /share of a 公示 and a result."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace
from urllib.parse import unquote

from bot.hall.actions import command_for
from deliberation.minutes import publishing

from .desk_helpers import council_of, ok, say, snapshot, standard_council
from .hall_helpers import BASE, client, csrf, signed_in

CONTENT_TYPES = {
    "md": "text/markdown",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "json": "application/json",
    "notice": "application/pdf",
}


async def _council(app):
    """standard_council (motion 1 adopted) with carol as secretary and the hall's address set."""
    desk = app.dispatcher
    desk.defaults = replace(desk.defaults, public_base_url=BASE)
    await standard_council(desk)
    await ok(desk, "chair", "/secretary @carol")
    council = await council_of(desk)
    async with desk.uow() as uow:
        slug = await uow.hall.slug_of(council.id)
        await uow.commit()
    return council, f"/h/{slug}"


def _file_name(disposition: str) -> str:
    assert disposition.startswith('attachment; filename="') and "filename*=UTF-8''" in disposition, disposition
    return unquote(disposition.split("filename*=UTF-8''", 1)[1])


async def test_the_secretary_downloads_every_export_and_the_notice_with_its_type_and_name(app):
    council, hall = await _council(app)
    carol = await signed_in(app, council, "carol")
    try:
        page = await (await carol.get(f"{hall}/minutes")).text()
        assert "在1号楼安装感应灯" in page and 'name="scope"' in page  # the draft, rendered, and the publish form
        for fmt, media in CONTENT_TYPES.items():
            assert f'href="{hall}/minutes/file/{fmt}"' in page
            r = await carol.get(f"{hall}/minutes/file/{fmt}")
            body = await r.read()
            assert r.status == 200 and r.headers["Content-Type"].startswith(media), (fmt, r.status)
            name = _file_name(r.headers["Content-Disposition"])
            assert name.endswith(".pdf" if fmt == "notice" else f".{fmt}") and body, (fmt, name)
            assert name.startswith("公示_" if fmt == "notice" else "议事记录_"), name
            if fmt in ("pdf", "notice"):
                assert body.startswith(b"%PDF")
            elif fmt in ("docx", "xlsx"):
                inside = zipfile.ZipFile(io.BytesIO(body)).namelist()
                assert ("word/document.xml" if fmt == "docx" else "xl/workbook.xml") in inside
            elif fmt == "json":
                assert "在1号楼安装感应灯" in json.dumps(json.loads(body), ensure_ascii=False)
            else:
                assert "在1号楼安装感应灯" in body.decode("utf-8")
        r = await carol.get(f"{hall}/minutes/file/exe")
        assert r.status == 404
        r = await carol.get(f"{hall}/minutes/file/md?scope=1;drop")
        assert r.status == 400
    finally:
        await carol.close()


async def test_a_member_and_a_stranger_get_403_and_nothing_is_made(app, monkeypatch):
    council, hall = await _council(app)
    desk = app.dispatcher
    alice = await signed_in(app, council, "alice")
    chair = await signed_in(app, council, "chair")
    stranger = await client(app)
    asked: list[str] = []
    handle = desk.handle

    async def counted(incoming):
        asked.append(incoming.text)
        return await handle(incoming)

    monkeypatch.setattr(desk, "handle", counted)
    try:
        before = await snapshot(desk)
        page = await (await alice.get(f"{hall}/minutes")).text()
        assert "/minutes/file/" not in page and 'name="scope"' not in page  # the public page only
        for who in (alice, stranger):
            for fmt in CONTENT_TYPES:
                r = await who.get(f"{hall}/minutes/file/{fmt}")
                assert r.status == 403 and "Content-Disposition" not in r.headers, fmt
        assert asked == [] and await snapshot(desk) == before  # the desk was never asked; nothing changed
        r = await chair.get(f"{hall}/minutes/file/pdf")  # the chair may, as in the chat
        assert r.status == 200 and (await r.read()).startswith(b"%PDF") and asked == ["/export pdf"]
    finally:
        for c in (alice, chair, stranger):
            await c.close()


async def test_publishing_from_the_page_stores_a_new_version_through_the_desk(app, clock):
    council, hall = await _council(app)
    desk = app.dispatcher
    carol = await signed_in(app, council, "carol")
    alice = await signed_in(app, council, "alice")
    try:
        token = await csrf(carol, f"{hall}/minutes")
        form = {"csrf": token, "act": "publish", "scope": "", "back": f"{hall}/minutes"}
        r = await carol.post(f"{hall}/do", data=form)
        page = await r.text()
        assert r.url.path == f"{hall}/minutes" and "notice refused" not in page
        assert "在1号楼安装感应灯" in page.split('class="minutes"')[-1]  # the published version, shown
        month = clock().strftime("%Y-%m")
        r = await carol.post(f"{hall}/do", data={**form, "scope": month})
        assert "notice refused" not in await r.text()
        before = await snapshot(desk)
        r = await carol.post(f"{hall}/do", data={**form, "scope": "1; /setup"})  # not a scope: nothing asked
        assert "notice refused" in await r.text() and await snapshot(desk) == before
        token_a = await csrf(alice, hall)
        r = await alice.post(f"{hall}/do", data={**form, "csrf": token_a})  # a member: the desk refuses
        assert "notice refused" in await r.text()
        async with desk.uow() as uow:
            stored = await publishing.versions(uow, council.id, now=clock())
            verdict = await publishing.verify_chain(uow, council.id)
        assert len(stored) == 2 and all(v.published for v in stored) and verdict.ok
        assert {v.minutes.scope for v in stored} >= {"period"}
    finally:
        await carol.close()
        await alice.close()


def test_the_page_forms_are_the_chat_commands():
    assert command_for({"act": "publish", "scope": ""}) == ("/publish", None)
    assert command_for({"act": "publish", "scope": "meeting 2"}) == ("/publish meeting 2", None)
    assert command_for({"act": "publish", "scope": "2026-13"}) is None
    corrected = command_for({"act": "approve_minutes", "text": "第2项 改为 3票"})
    assert corrected == ("/minutes approve 第2项 改为 3票", None)
    assert command_for({"act": "approve_minutes", "text": ""}) == ("/minutes approve", None)


async def test_share_of_a_published_notice_and_of_a_result(app):
    council, hall = await _council(app)
    desk = app.dispatcher
    refused = await say(desk, "carol", "/share 公示")
    assert refused.refused  # nothing published yet
    await ok(desk, "carol", "/publish")
    shared = await ok(desk, "carol", "/share 公示")
    text = shared.replies[0].text
    assert f"{BASE}{hall}/minutes" in text and "第 1 版" in text and "公示" in text, text
    assert shared.documents[0].content.startswith(b"\x89PNG") and shared.replies[0].private
    assert (await say(desk, "alice", "/share minutes")).refused  # the secretary's or the chair's
    result = (await ok(desk, "chair", "/share 1")).replies[0].text
    assert result.startswith("表决结果") and f"{BASE}{hall}/m/1" in result, result
    carol = await signed_in(app, council, "carol")
    try:
        assert f'href="{hall}/share/minutes"' in await (await carol.get(f"{hall}/minutes")).text()
        page = await (await carol.get(f"{hall}/share/minutes")).text()
        assert f"{BASE}{hall}/minutes" in page and "data:image/png;base64," in page
    finally:
        await carol.close()


async def test_at_a_meeting_the_secretary_approves_the_last_minutes_with_corrections_and_publishes_one(app, clock):
    council, hall = await _council(app)
    desk = app.dispatcher
    carol = await signed_in(app, council, "carol")
    try:
        page = await (await carol.get(f"{hall}/minutes")).text()
        assert 'value="approve_minutes"' not in page  # no meeting open: the chat would refuse it too
        await ok(desk, "chair", "/meeting 第一次")  # meeting 2 (standard_council scheduled meeting 1)
        await ok(desk, "chair", "/adjourn")
        clock.advance(days=1)
        await ok(desk, "chair", "/meeting 第二次")
        page = await (await carol.get(f"{hall}/minutes")).text()
        assert 'value="approve_minutes"' in page and '<option value="meeting 2">' in page, page[:3000]
        token = await csrf(carol, f"{hall}/minutes")
        back = f"{hall}/minutes"
        form = {"csrf": token, "act": "approve_minutes", "text": "出席人员漏记王五", "back": back}
        shown = await (await carol.post(f"{hall}/do", data=form)).text()
        assert "notice refused" not in shown and "出席人员漏记王五" in shown, shown[shown.find("notice") :][:300]
        again = await (await carol.post(f"{hall}/do", data=form)).text()
        assert "notice refused" in again  # approved once, as in the chat
        form = {"csrf": token, "act": "publish", "scope": "meeting 2", "back": back}
        assert "notice refused" not in await (await carol.post(f"{hall}/do", data=form)).text()
        async with desk.uow() as uow:
            stored = await publishing.versions(uow, council.id, now=clock())
            assert (await publishing.verify_chain(uow, council.id)).ok
        assert [(v.minutes.scope, v.minutes.meeting) for v in stored] == [("meeting", 2)]
    finally:
        await carol.close()
