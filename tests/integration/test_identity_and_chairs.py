"""Issue 12 #5, #6, #7, #11 through the desk: who sets up a council, roles taken back, members who left,
the notice board command, and a non-member told once per few minutes."""

from __future__ import annotations

import pytest

from bot.desk.messages import Incoming
from bot.desk.repeats import REPEAT_WINDOW
from deliberation import events
from deliberation.model import MemberStatus

from .desk_helpers import CHAT, council_of, ok, press, say, snapshot, standard_council

pytestmark = pytest.mark.timeout(120)


async def _event_types(desk, chat: str = CHAT) -> list[str]:
    council = await council_of(desk, chat)
    async with desk.uow() as uow:
        return [e.type for e in await uow.events.all(council.id)]


async def _member(desk, user: str):
    council = await council_of(desk)
    async with desk.uow() as uow:
        return await uow.members.by_user(council.id, f"console:{user}")


# ---- #6 who sets up a council ---------------------------------------------------------------------


@pytest.mark.parametrize("platform", ["telegram", "wecom"])
async def test_only_a_platform_admin_sets_up_a_council(app, platform):
    desk = app.dispatcher
    member = Incoming(platform, "g1", "mallory", "Mallory", text="/setup", chat_title="新群")
    refused = await desk.handle(member)
    assert refused.refused and refused.refusal == "error.admin_required"
    async with desk.uow() as uow:
        assert await uow.councils.by_chat(f"{platform}:g1") is None
    admin = Incoming(platform, "g1", "amy", "Amy", text="/setup", chat_title="新群", is_admin=True)
    assert not (await desk.handle(admin)).refused
    # once set up, the member's /setup is still nobody's takeover: a plain one only shows the rules,
    # a switch of preset is refused
    shown = await desk.handle(member)
    assert not shown.refused
    switch = Incoming(platform, "g1", "mallory", "Mallory", text="/setup robert confirm", chat_title="新群")
    assert (await desk.handle(switch)).refusal == "error.council_exists"
    async with desk.uow() as uow:
        council = await uow.councils.by_chat(f"{platform}:g1")
        assert council is not None and council.rules.preset.value == "nantang"
        assert await uow.members.by_user(council.id, member.user_key) is None


async def test_the_console_operator_sets_up_without_platform_admins(app):
    assert not (await say(app.dispatcher, "chair", "/setup")).refused


# ---- #6 /unchair and /remove -----------------------------------------------------------------------


async def test_a_chair_takes_the_chair_back_but_never_from_the_last_chair(app):
    desk = app.dispatcher
    await standard_council(desk)
    await ok(desk, "chair", "/chair @alice")
    refused = await say(desk, "bob", "/unchair @alice")
    assert refused.refusal == "error.role_required"
    await ok(desk, "alice", "/unchair @chair")
    assert not (await _member(desk, "chair")).roles
    last = await say(desk, "alice", "/unchair @alice")
    assert last.refusal == "error.last_chair"
    assert (await say(desk, "alice", "/unchair @bob")).refusal == "error.not_chair"
    assert (await say(desk, "chair", "/vote 3 10m")).refusal == "error.role_required"  # no longer chairs
    assert events.ROLE_REVOKED in await _event_types(desk)


async def test_a_removed_member_takes_no_part_until_a_chair_approves_them_again(app):
    desk = app.dispatcher
    ids = await standard_council(desk)
    assert (await say(desk, "alice", "/remove @bob")).refusal == "error.role_required"
    assert (await say(desk, "chair", "/remove @chair")).refusal == "error.last_chair"
    await ok(desk, "chair", "/remove @bob")
    assert (await _member(desk, "bob")).status is MemberStatus.REMOVED
    assert events.MEMBER_REMOVED in await _event_types(desk)
    vote = await press(desk, "bob", f"v:{ids['ballot_open']}:y")
    assert vote.refused and vote.refusal == "error.member_removed"
    assert (await say(desk, "bob", "/join 1-102")).refusal == "error.member_removed"
    await ok(desk, "chair", "/approve @bob")
    assert not (await press(desk, "bob", f"v:{ids['ballot_open']}:y")).refused


# ---- #5 a member who left the group -----------------------------------------------------------------


async def test_a_member_who_left_the_group_can_no_longer_vote_or_act(app):
    desk = app.dispatcher
    ids = await standard_council(desk)
    assert await desk.member_left("console:main", "console:bob", banned=True)
    assert not await desk.member_left("console:main", "console:bob", banned=True)  # a re-delivery: nothing new
    assert not await desk.member_left("console:main", "console:stranger")  # never a member
    before = await snapshot(desk)
    vote = await press(desk, "bob", f"v:{ids['ballot_open']}:y")
    assert vote.refused and vote.refusal == "error.member_left"
    assert (await say(desk, "bob", "/yes 2")).refusal == "error.member_left"
    assert await snapshot(desk) == before
    assert (await _event_types(desk)).count(events.MEMBER_LEFT) == 1
    # back in the group, they join again like anyone
    await ok(desk, "bob", "/join 1-102")
    assert not (await press(desk, "bob", f"v:{ids['ballot_open']}:y")).refused


async def test_a_chair_who_left_chairs_no_more(app):
    desk = app.dispatcher
    await standard_council(desk)
    await ok(desk, "chair", "/chair @alice")
    await desk.member_left("console:main", "console:alice")
    assert (await say(desk, "alice", "/vote 3 10m")).refusal == "error.role_required"


# ---- #11 a non-member told once per few minutes ----------------------------------------------------


async def test_a_non_member_hears_why_once_per_window_and_per_chat(app):
    desk = app.dispatcher
    await standard_council(desk)
    answers = [await say(desk, "stranger", "/motion 装电梯") for _ in range(30)]
    assert all(a.refused and a.refusal == "error.not_member" and a.personal for a in answers)
    assert [a.repeated for a in answers] == [False] + [True] * 29
    assert answers[0].replies and answers[0].replies[0].private
    # someone else is told too; a button press is always answered (its pop-up is the asker's alone)
    assert not (await say(desk, "dave", "/second 3")).repeated
    assert not (await press(desk, "stranger", "s:1")).repeated
    desk.repeats.clock = lambda: 1e9  # the window passed: told once more
    assert not (await say(desk, "stranger", "/motion 装电梯")).repeated
    assert (await say(desk, "stranger", "/motion 装电梯")).repeated
    assert REPEAT_WINDOW <= 600  # "a few minutes"


# ---- #7 /board ----------------------------------------------------------------------------------------


async def test_the_chair_turns_the_notice_board_on_and_off(app):
    desk = app.dispatcher
    desk.defaults = type(desk.defaults)(public_base_url="https://yishi.example")
    await standard_council(desk)
    assert (await say(desk, "alice", "/board on")).refusal == "error.role_required"
    assert (await say(desk, "alice", "/board")).refusal == "error.role_required"
    council = await council_of(desk)
    async with desk.uow() as uow:
        board = await uow.notice_boards.of_council(council.id)
    assert not board.published
    assert board.slug not in (await ok(desk, "chair", "/board")).replies[0].text  # off: no address given
    on = await ok(desk, "chair", "/board on")
    assert f"https://yishi.example/p/{board.slug}" in on.replies[0].text
    async with desk.uow() as uow:
        assert (await uow.notice_boards.of_council(council.id)).published
    assert f"/p/{board.slug}" in (await ok(desk, "chair", "/board")).replies[0].text
    off = await ok(desk, "chair", "/board off")
    assert board.slug not in off.replies[0].text
    async with desk.uow() as uow:
        assert not (await uow.notice_boards.of_council(council.id)).published
    assert (await say(desk, "chair", "/board maybe")).refusal == "error.board_usage"
