"""The hall: members act through the desk from the web page; every bad way in is refused and changes nothing."""

from __future__ import annotations

from datetime import timedelta

from .desk_helpers import ok, snapshot
from .hall_helpers import client, council_with_hall, csrf, link_for, signed_in


async def test_a_member_moves_seconds_and_speaks_from_the_hall_and_the_group_hears_it(app):
    council, slug = await council_with_hall(app)
    alice = await signed_in(app, council, "alice")
    bob = await signed_in(app, council, "bob")
    try:
        hall = f"/h/{slug}"
        token = await csrf(alice, hall)
        r = await alice.post(f"{hall}/do", data={"csrf": token, "act": "move", "text": "在3号楼装感应灯", "back": hall})
        assert r.status == 200 and "在3号楼装感应灯" in await r.text()
        token = await csrf(bob, f"{hall}/m/1")
        r = await bob.post(f"{hall}/do", data={"csrf": token, "act": "second", "n": "1", "back": f"{hall}/m/1"})
        page = await r.text()
        assert r.url.path == f"{hall}/m/1" and 'class="notice' in page
        token_a = await csrf(alice, f"{hall}/m/1")
        # nantang: two speeches each, never twice in a row; bob's third is refused with the rule
        turns = [(bob, token, "for"), (alice, token_a, "against")] * 2 + [(bob, token, "for")]
        for n, (who, key, act) in enumerate(turns):
            r = await who.post(
                f"{hall}/do", data={"csrf": key, "act": act, "n": "1", "text": f"第{n}次", "back": f"{hall}/m/1"}
            )
        page = await r.text()
        assert "notice refused" in page
        assert "第3次" in page and "第4次" not in page, page[page.find("notice") :][:400]
        async with app.dispatcher.uow() as uow:
            motion = (await uow.motions.all(council.id))[0]
            assert motion.text == "在3号楼装感应灯" and motion.seconder_id is not None
            queued = await uow.outbox.pending(10) if hasattr(uow.outbox, "pending") else None
        assert queued is None or queued
    finally:
        await alice.close()
        await bob.close()


async def test_forged_expired_revoked_and_foreign_links_and_posts_without_a_token_change_nothing(app, clock):
    council, slug = await council_with_hall(app)
    desk = app.dispatcher
    await ok(desk, "alice", "/motion 修车棚")
    hall = f"/h/{slug}"
    c = await client(app)
    try:
        before = await snapshot(desk)
        good = await link_for(app, council, "bob")
        forged = good[:-3] + ("aaa" if not good.endswith("aaa") else "bbb")
        assert (await c.post(forged, allow_redirects=False)).status == 403
        old = await link_for(app, council, "bob", at=clock() - timedelta(days=7))  # its 7 days are just over
        assert (await c.post(old, allow_redirects=False)).status == 410
        nearly = await link_for(app, council, "carol", at=clock() - timedelta(days=7) + timedelta(minutes=1))
        revoked = await link_for(app, council, "bob")
        async with desk.uow() as uow:
            bob = await uow.members.by_user(council.id, "console:bob")
            await uow.hall.revoke_member(council.id, bob.id, clock())
            await uow.commit()
        assert (await c.post(revoked, allow_redirects=False)).status == 403
        # another council's link, opened under this council's address
        await ok(desk, "chair", "/setup", chat="other")
        await ok(desk, "dave", "/join 9-901", chat="other")
        async with desk.uow() as uow:
            other = await uow.councils.by_chat("console:other")
            await uow.hall.slug_of(other.id)
            await uow.commit()
        from bot.hall import passes

        from .hall_helpers import BASE

        async with desk.uow() as uow:
            dave = await uow.members.by_user(other.id, "console:dave")
            url = await passes.personal_link(uow, BASE, other.id, dave.id, clock())
            await uow.commit()
        token = url.rsplit("/", 1)[1]
        assert (await c.post(f"{hall}/in/{token}", allow_redirects=False)).status == 403
        # a stranger's POST, and a member's POST without (or with a wrong) CSRF token
        form = {"act": "second", "n": "1", "back": hall}
        assert (await c.post(f"{hall}/do", data=form)).status == 403
        carol = await signed_in(app, council, "carol")
        try:
            assert (await carol.post(f"{hall}/do", data=form)).status == 403
            assert (await carol.post(f"{hall}/do", data={**form, "csrf": "x" * 32})).status == 403
            assert await snapshot(desk) == before
            # the link a minute short of its 7 days still works; the same link twice does not
            assert (await c.post(nearly, allow_redirects=False)).status == 303
            assert (await c.post(nearly, allow_redirects=False)).status == 403
            token = await csrf(carol, hall)
            assert (await carol.post(f"{hall}/do", data={**form, "csrf": token})).status == 200
            assert await snapshot(desk) != before
        finally:
            await carol.close()
    finally:
        await c.close()


async def test_a_session_the_chair_revokes_or_of_a_removed_member_acts_no_more(app):
    from .desk_helpers import say

    council, slug = await council_with_hall(app)
    desk = app.dispatcher
    await ok(desk, "alice", "/motion 修车棚")
    hall = f"/h/{slug}"
    bob = await signed_in(app, council, "bob")
    carol = await signed_in(app, council, "carol")
    try:
        bob_token, carol_token = await csrf(bob, hall), await csrf(carol, hall)
        assert (await say(desk, "alice", "/web off @bob")).refused  # the chair's
        await ok(desk, "chair", "/web off @bob")
        await ok(desk, "chair", "/remove @carol")
        before = await snapshot(desk)
        form = {"act": "second", "n": "1", "back": hall}
        assert (await bob.post(f"{hall}/do", data={**form, "csrf": bob_token})).status == 403
        assert (await carol.post(f"{hall}/do", data={**form, "csrf": carol_token})).status == 403
        assert await snapshot(desk) == before
    finally:
        await bob.close()
        await carol.close()


async def test_the_same_form_sent_twice_moves_once(app):
    import re

    council, slug = await council_with_hall(app)
    alice = await signed_in(app, council, "alice")
    try:
        hall = f"/h/{slug}"
        page = await (await alice.get(hall)).text()
        once = re.search(r'name="act" value="move">', page) and re.findall(r'name="once" value="([^"]+)"', page)[0]
        token = await csrf(alice, hall)
        form = {"csrf": token, "once": once, "act": "move", "text": "修车棚", "back": hall}
        for _ in range(2):  # a double tap
            assert (await alice.post(f"{hall}/do", data=form)).status == 200
        async with app.dispatcher.uow() as uow:
            assert [m.text for m in await uow.motions.all(council.id)] == ["修车棚"]
        form["once"] = "another-form-nonce"
        await alice.post(f"{hall}/do", data=form)
        async with app.dispatcher.uow() as uow:
            assert len(await uow.motions.all(council.id)) == 2
    finally:
        await alice.close()
