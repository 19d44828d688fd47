"""Issue 7: one scripted deliberation, run through the console, Telegram (the real python-telegram-bot against
the fake Bot API, voting with the real buttons) and the WeCom app (encrypted callbacks), gives the same motions,
the same votes and the same minutes on all three."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from bot.console import ConsoleChat
from bot.desk import minutes as minutes_service
from bot.main import build_core
from tests.conftest import FakeClock
from tests.e2e.conftest import Harness, button_data, running_bot
from tests.e2e.test_wecom_app import Rig, rig  # noqa: F401  (the WeCom rig fixture, reused)
from tests.fakes.fake_bot_api import FakeBotApi, FakeUser

pytestmark = pytest.mark.timeout(60)

TITLE = "3号楼议事会"  # the console title, the WeCom council title and the Telegram group title alike
# The same display name everywhere: the console speaker, the WeCom user id (its directory lookup falls back to
# the id) and the Telegram first name.
PEOPLE = {
    name: FakeUser(id=5000 + i, first_name=name, username=name) for i, name in enumerate(("amy", "ben", "cat", "dan"))
}
GROUP = -4700
MAIN = "在3号楼每层楼道安装声控感应灯"
AMENDED = "在3号楼每层楼道安装声控感应灯，费用不超过3000元"

# (speaker, command). amy opens the council and chairs it (under the 南塘 rules the chair does not vote);
# ben, cat and dan are the voters.
SCRIPT = [
    ("amy", "/setup"),
    ("amy", "/set quiet 0"),  # the question is put right after the speeches (南塘 11 is tested elsewhere)
    ("ben", "/join 3-502"),
    ("cat", "/join 3-601"),
    ("dan", "/join 3-702"),
    ("ben", f"/motion {MAIN}"),
    ("cat", "/second 1"),
    ("ben", "/speak 1 赞成：晚上楼道太黑，老人容易摔倒"),
    ("dan", "/speak 1 反对：电费要分摊"),
    ("dan", f"/amend 1 {AMENDED}"),
    ("ben", "/second 2"),
    ("amy", "/vote 2"),
    ("ben", "/yes 2"),
    ("cat", "/yes 2"),
    ("amy", "/close 2"),
    ("amy", "/vote 1"),
    ("ben", "/yes 1"),
    ("cat", "/no 1"),
    ("cat", "/yes 1"),  # a changed vote
    ("dan", "/no 1"),  # the last voter: the ballot closes and the result is announced
]

# WeCom members type the Chinese command words
WECOM_WORDS = {
    "setup": "开通",
    "set": "设置",
    "join": "加入",
    "motion": "提议",
    "second": "附议",
    "speak": "发言",
    "amend": "修正",
    "vote": "表决",
    "yes": "赞成",
    "no": "反对",
    "close": "结束表决",
}
CHOICE_BUTTON = {"yes": 0, "no": 1, "abstain": 2}


def _wecom_words(command: str) -> str:
    name, _, rest = command[1:].partition(" ")
    return f"{WECOM_WORDS[name]} {rest}".strip()


# ---- the three runs ------------------------------------------------------------------------------


async def run_console(tmp_path, start: datetime):
    app = await build_core(f"sqlite+aiosqlite:///{tmp_path / 'console.db'}", clock=FakeClock(start))
    chat = ConsoleChat(app.dispatcher, title=TITLE, out=lambda _line: None)
    for user, command in SCRIPT:
        response = await chat.say(f"@{user} {command}")
        assert response is not None and not response.refused, (user, command, [r.text for r in response.replies])
    return app


async def run_telegram(h: Harness) -> None:
    """Commands are typed in the group; seconding the main motion and every vote press the real buttons."""
    api = h.api
    api.set_chat(GROUP, "group", TITLE)
    api.set_chat_member(GROUP, PEOPLE["amy"], "creator")
    cards: dict[int, dict] = {}  # motion number -> its card (with the Second button)
    ballots: dict[int, dict] = {}  # motion number -> the ballot message (with the vote buttons)
    for user, command in SCRIPT:
        person = PEOPLE[user]
        name, _, rest = command[1:].partition(" ")
        first = rest.split()[0] if rest else ""
        number = int(first) if first.isdigit() else None
        if name in CHOICE_BUTTON:
            message = ballots[number]
            step = await h.click(GROUP, person, message["message_id"], button_data(message)[CHOICE_BUTTON[name]])
            assert step.answer is not None and not step.alert, (user, command, step.popup)
            continue
        if name == "second" and number == 1:
            card = cards[1]
            step = await h.click(GROUP, person, card["message_id"], button_data(card)[0])
            assert step.answer is not None and not step.alert, (user, command, step.popup)
            continue
        step = await h.cmd(GROUP, person, command, mention_bot=name == "setup")
        assert not step.refusal, (user, command, step.refusal)
        if name in ("motion", "amend"):
            cards[len(cards) + 1] = step.posted_with_button("s:")
        if name == "vote":
            ballots[number] = step.posted_with_button("v:")
    await h.settle()


async def run_wecom(rig: Rig) -> None:  # noqa: F811
    for user, command in SCRIPT:
        reply = await rig.member(user).say(_wecom_words(command))
        assert reply, (user, command)
    assert not rig.wecom.failures


# ---- what is compared ----------------------------------------------------------------------------


async def outcome(app, chat_key: str) -> dict:
    """Every motion (state, text, kind, parent, mover, seconder), its speeches, every ballot's counts and who
    voted what, the event types in order; member ids and user keys replaced by display names."""
    async with app.dispatcher.uow() as uow:
        council = await uow.councils.by_chat(chat_key)
        assert council is not None, chat_key
        members = {m.id: m for m in await uow.members.all(council.id)}
        name = {m_id: m.name for m_id, m in members.items()}
        motions = list(await uow.motions.all(council.id))
        number_of = {m.id: m.number for m in motions}
        found = {}
        for motion in sorted(motions, key=lambda m: m.number):
            ballots = []
            for ballot in await uow.ballots.for_motion(motion.id):
                votes = {
                    name[member_id]: str(choice) for _voter, member_id, choice, _area in await uow.votes.all(ballot.id)
                }
                ballots.append(
                    {"open": ballot.open, "eligible": ballot.eligible_voters, "result": ballot.result, "votes": votes}
                )
            found[motion.number] = {
                "state": str(motion.state),
                "text": motion.text,
                "original": motion.original_text,
                "kind": str(motion.kind),
                "parent": number_of.get(motion.parent_id),
                "mover": name[motion.mover_id],
                "seconder": name.get(motion.seconder_id),
                "speeches": [
                    (name[s.member_id], str(s.side), s.text) for s in await uow.speeches.for_motion(motion.id)
                ],
                "ballots": ballots,
            }
        roster = sorted((m.name, m.unit, str(m.status), sorted(map(str, m.roles))) for m in members.values())
        events = [e.type for e in await uow.events.all(council.id)]
    return {
        "council": (council.title, council.rules.preset, council.locale),
        "members": roster,
        "motions": found,
        "events": events,
    }


_HEX = re.compile(r"\b[0-9a-f]{16,64}\b")
_TIME = re.compile(
    r"\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)?(?:[+-]\d{2}:?\d{2}|Z)?"
    r"|\b\d{1,2}:\d{2}(?::\d{2})?\b"
)


def normalise(text: str, chat_key: str) -> str:
    """Blank what may legitimately differ between platforms: the chain head hash, the chat key, and times.
    (With the shared frozen clock and the same names, none of these differ today; even the chain heads match,
    as the event payloads carry member ids and names, not platform user keys.)"""
    text = _HEX.sub("<head>", text)
    text = text.replace(chat_key, "<chat>")
    return _TIME.sub("<time>", text)


async def minutes_of(app, chat_key: str) -> tuple[str, str]:
    now = app.dispatcher.clock()
    async with app.dispatcher.uow() as uow:
        drafted = (await minutes_service.draft(uow, chat_key, now=now)).text
        _name, markdown = await minutes_service.export(uow, chat_key, "md", now=now)
    return normalise(drafted, chat_key), normalise(markdown.decode(), chat_key)


# ---- the test ------------------------------------------------------------------------------------


async def test_one_script_gives_the_same_motions_votes_and_minutes_on_console_telegram_and_wecom(rig: Rig, tmp_path):  # noqa: F811
    start = rig.clock()

    console_app = await run_console(tmp_path, start)
    try:
        on_console = await outcome(console_app, "console:main")
        console_minutes = await minutes_of(console_app, "console:main")
    finally:
        await console_app.close()

    (tmp_path / "telegram").mkdir()
    async with FakeBotApi() as api, running_bot(tmp_path / "telegram", api, clock=FakeClock(start)) as h:
        await run_telegram(h)
        on_telegram = await outcome(h.app, f"telegram:{GROUP}")
        telegram_minutes = await minutes_of(h.app, f"telegram:{GROUP}")

    await run_wecom(rig)
    on_wecom = await outcome(rig.app, "wecom:b3")
    wecom_minutes = await minutes_of(rig.app, "wecom:b3")

    # the script did what it says, on the console at least ...
    amendment, main = on_console["motions"][2], on_console["motions"][1]
    assert amendment["state"] == "adopted" and amendment["parent"] == 1
    assert amendment["ballots"][0]["votes"] == {"ben": "yes", "cat": "yes"}
    assert main["state"] == "adopted" and main["text"] == AMENDED and main["original"] == MAIN
    assert main["ballots"][0]["votes"] == {"ben": "yes", "cat": "yes", "dan": "no"}  # cat's changed vote counts
    assert (main["ballots"][0]["result"].yes, main["ballots"][0]["result"].no) == (2, 1)
    assert not main["ballots"][0]["open"]
    # ... and the minutes record it (so a different vote anywhere changes them)
    for text in console_minutes:
        assert AMENDED in text and "ben" in text and "dan" in text

    # ... and every platform did exactly the same
    for platform, found, minutes in (("telegram", on_telegram, telegram_minutes), ("wecom", on_wecom, wecom_minutes)):
        for number, motion in on_console["motions"].items():
            assert found["motions"].get(number) == motion, (platform, f"motion {number}")
        for key in ("motions", "members", "council", "events"):
            assert found[key] == on_console[key], (platform, key)
        assert minutes[0] == console_minutes[0], (platform, "minutes draft")
        assert minutes[1] == console_minutes[1], (platform, "minutes export md")
