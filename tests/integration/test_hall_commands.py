"""/web, /invites and /share through the console; an invite code on the page waits for the chair's approval."""

from __future__ import annotations

import io
import re
from dataclasses import replace

from pypdf import PdfReader

from deliberation.model import MemberStatus

from .desk_helpers import ok, say
from .hall_helpers import BASE, client, council_with_hall, csrf


def _with_address(app) -> None:
    app.dispatcher.defaults = replace(app.dispatcher.defaults, public_base_url=BASE)


async def test_web_sends_a_member_a_private_link_that_signs_the_phone_in_once(app):
    _with_address(app)
    council, slug = await council_with_hall(app)
    response = await ok(app.dispatcher, "alice", "/web")
    assert [r.private for r in response.replies] == [True] and response.quiet
    url = re.search(r"http://\S+", response.replies[0].text).group(0)
    assert url.startswith(f"{BASE}/h/{slug}/in/")
    refused = await say(app.dispatcher, "stranger", "/web")
    assert refused.refused
    c = await client(app)
    try:
        path = url[len(BASE) :]
        assert (await c.get(path)).status == 200  # a link preview's GET signs nobody in
        r = await c.post(path)
        assert r.url.path == f"/h/{slug}" and "alice" in await r.text()
        assert (await c.post(path, allow_redirects=False)).status == 403
    finally:
        await c.close()


async def test_invites_print_codes_and_a_code_on_the_page_waits_for_the_chairs_approval(app):
    _with_address(app)
    council, slug = await council_with_hall(app)
    assert (await say(app.dispatcher, "alice", "/invites 2-201")).refused  # the chair's
    response = await ok(app.dispatcher, "chair", "/invites 2-201 2-202")
    (pdf,) = response.documents
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    codes = re.findall(r"[23456789A-HJKMNP-Z]{8}", text)
    assert "2-201" in text and "2-202" in text and len(codes) == 2
    hall = f"/h/{slug}"
    c = await client(app)
    try:
        wrong = await c.post(f"{hall}/join", data={"unit": "2-202", "code": codes[0], "name": "王阿姨"})
        assert wrong.status == 403  # 2-201's code does not open 2-202
        r = await c.post(f"{hall}/join", data={"unit": "2-201", "code": codes[0].lower(), "name": "王阿姨"})
        assert r.status == 200 and "等主持人批准" in await r.text()
        again = await c.post(f"{hall}/join", data={"unit": "2-201", "code": codes[0], "name": "李"})
        assert again.status == 403
        async with app.dispatcher.uow() as uow:
            wang = next(m for m in await uow.members.all(council.id) if m.name == "王阿姨")
        assert wang.status is MemberStatus.PENDING and wang.user_key.startswith("web:")
        assert 'name="csrf"' not in await (await c.get(hall)).text()  # nothing to do yet but wait
        await ok(app.dispatcher, "chair", f"/approve {wang.name}")
        token = await csrf(c, hall)
        r = await c.post(f"{hall}/do", data={"csrf": token, "act": "move", "text": "修车棚", "back": hall})
        assert "notice refused" not in await r.text() and "修车棚" in await r.text()
    finally:
        await c.close()


async def test_share_gives_the_chair_text_link_and_qr(app):
    _with_address(app)
    council, slug = await council_with_hall(app)
    await ok(app.dispatcher, "alice", "/motion 装感应灯")
    response = await ok(app.dispatcher, "chair", "/share 1")
    assert f"{BASE}/h/{slug}/m/1" in response.replies[0].text and "装感应灯" in response.replies[0].text
    assert response.documents[0].content.startswith(b"\x89PNG")
    assert (await say(app.dispatcher, "alice", "/share 1")).refused


async def test_the_chair_shares_from_the_page_and_a_resident_reads_in_traditional_chinese(app):
    _with_address(app)
    council, slug = await council_with_hall(app)
    await ok(app.dispatcher, "alice", "/motion 装感应灯")
    from .hall_helpers import signed_in

    chair = await signed_in(app, council, "chair")
    alice = await signed_in(app, council, "alice")
    try:
        page = await (await chair.get(f"/h/{slug}/share/1")).text()
        assert f"{BASE}/h/{slug}/m/1" in page and "data:image/png;base64," in page
        assert "notice refused" in await (await alice.get(f"/h/{slug}/share/1")).text()  # the chair's
        r = await alice.get(f"/h/{slug}/lang/zh_Hant")
        assert r.url.path == f"/h/{slug}" and "議事廳" in await r.text()
        assert "议事厅" in await (await chair.get(f"/h/{slug}")).text()  # the council's language for the others
    finally:
        await chair.close()
        await alice.close()
