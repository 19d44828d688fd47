"""A whole deliberation in a Telegram group, under each preset: setup → result, through real PTB."""

from __future__ import annotations

import pytest

from bot.i18n import Translator
from deliberation import usecases
from deliberation.lifecycle import MotionState
from deliberation.roster import RosterUnit, parse_area_cm2
from tests.e2e.conftest import (
    ALICE,
    BOB,
    CAROL,
    CHAIR,
    DAVE,
    MALLORY,
    ballots_of,
    button_data,
    classic_rules,
    council_of,
    motion_of,
    speeches_of,
    votes_of,
)

pytestmark = pytest.mark.timeout(60)

RESIDENTS = [(ALICE, "3-101", "89.5"), (BOB, "3-102", "100"), (CAROL, "3-201", "75.25"), (DAVE, "3-202", "60")]
MAIN = "在3号楼每层楼道安装声控感应灯，费用从公共收益中支出"
AMENDED = "在3号楼每层楼道安装声控感应灯，费用不超过3000元，从公共收益中支出"


@pytest.mark.parametrize(
    ("preset", "lang", "locale"),
    [
        ("nantang", None, "zh_Hans"),
        ("robert", "en", "en"),
        ("resident_meeting", "zh-TW", "zh_Hant"),
        ("civil278", None, "zh_Hans"),
    ],
)
async def test_full_deliberation(harness, preset, lang, locale):
    h, api = harness, harness.api
    group = -4100 - len(preset)
    api.set_chat(group, "group", "3号楼议事群")
    api.set_chat_member(group, CHAIR, "creator")
    civil = preset == "civil278"

    # -- setup: the group admin opens the council (commands arrive as /cmd@bot in groups) --
    step = await h.cmd(group, CHAIR, f"/setup {preset}", mention_bot=True)
    assert len(step.messages) == 1 and "3号楼议事群" in step.text
    council = await council_of(h, group)
    assert council.rules.preset == preset
    if preset == "nantang":  # what this flow does not exercise of 南塘 (tests/integration/test_nantang_chat.py does)
        await classic_rules(h, group, CHAIR)
    if civil:  # a civil278 ballot opens only on the property register: each resident owns the unit they claim
        register = [RosterUnit(unit, user.first_name, parse_area_cm2(area)) for user, unit, area in RESIDENTS]
        async with h.app.dispatcher.uow() as uow:
            await usecases.import_roster(uow, h.app.dispatcher.clock, council, register)
            await uow.commit()
    if lang:
        step = await h.cmd(group, CHAIR, f"/lang {lang}")
        assert step.texts == [Translator(locale)("council.language")]
    t = Translator(locale)

    def recorded(popup: str | None, key: str, choice: str, number: int) -> bool:
        """The vote's pop-up; under civil278 it carries the owner's receipt code on a line of its own."""
        said = t(key, choice=t(f"choice.{choice}"), number=number)
        if not civil:
            return popup == said
        return popup is not None and popup.startswith(said + "\n") and len(popup.splitlines()) == 2

    # -- join: quiet (a reaction), or a request with an Approve button under civil278 --
    pending = []
    for user, unit, area in RESIDENTS:
        step = await h.cmd(group, user, f"/join {unit} {area}" if civil else f"/join {unit}")
        if civil:
            assert not step.reacted
            pending.append(step.posted_with_button("ap:"))
        else:
            assert step.reacted and step.messages == []
    if civil:
        data = button_data(pending[0])[0]
        step = await h.click(group, ALICE, pending[0]["message_id"], data)  # a member may not approve
        assert step.alert and step.messages == []
        step = await h.click(group, CHAIR, pending[0]["message_id"], data)
        assert step.popup == t("popup.approved", name="Alice") and not step.alert
        for user in (BOB, CAROL, DAVE):
            step = await h.cmd(group, CHAIR, f"/approve @{user.username}")
            assert len(step.messages) == 1 and user.first_name in step.text

    # -- motion card with a Second button --
    step = await h.cmd(group, ALICE, f"/motion {MAIN}")
    card = step.posted_with_button("s:")
    assert MAIN in card["text"] and "Alice" in card["text"]
    second = button_data(card)[0]
    step = await h.click(group, MALLORY, card["message_id"], second)  # not a member
    assert step.alert and step.popup and step.messages == []
    step = await h.click(group, ALICE, card["message_id"], second)  # the mover herself
    assert step.alert and step.messages == []
    assert (await motion_of(h, group, 1)).state is MotionState.PROPOSED
    step = await h.click(group, BOB, card["message_id"], second)
    assert step.popup == t("popup.seconded", number=1) and not step.alert
    assert len(step.messages) == 1  # "seconded, debate open" once, for everyone
    assert (await motion_of(h, group, 1)).state is MotionState.SECONDED

    # -- debate: speeches are confirmed by a reaction; the third speech is refused --
    for user, text in (
        (BOB, "/for 1 晚上楼道太黑，老人容易摔倒"),
        (CAROL, "/against 1 先把费用算清楚"),
        (BOB, "/for 1 六层不到2000元，公共收益够用"),
    ):
        step = await h.cmd(group, user, text)
        assert step.reacted and step.messages == [], step.texts
    step = await h.cmd(group, BOB, "/for 1 我再补充一句")
    assert not step.reacted and step.refusal and step.refusal == step.text  # only the reply to Bob
    assert t("error.speech.limit", limit=2, left=0) == step.refusal
    assert sum(1 for s in await speeches_of(h, group, 1) if s.text.startswith(("晚上", "六层", "我再"))) == 2

    # -- amendment: its own card, second and vote; adopted, it replaces the main text --
    step = await h.cmd(group, DAVE, f"/amend 1 {AMENDED}")
    assert AMENDED in step.posted_with_button("s:")["text"]
    step = await h.cmd(group, ALICE, "/second 2")
    assert len(step.messages) == 1
    step = await h.cmd(group, CHAIR, "/vote 2")
    ballot_message = step.posted_with_button("v:")
    for user in (ALICE, BOB, CAROL):
        step = await h.click(group, user, ballot_message["message_id"], button_data(ballot_message)[0])
        assert recorded(step.popup, "popup.vote_recorded", "yes", 2)
        assert step.messages == []  # votes never post to the group
    step = await h.cmd(group, CHAIR, "/close 2")
    assert t("result.passed") in step.text and t("result.failed") not in step.text
    assert (await motion_of(h, group, 1)).text == AMENDED

    # -- the main question: a vote changed while open, a member may not close, the chair does --
    step = await h.cmd(group, CHAIR, "/vote 1")
    ballot_message = step.posted_with_button("v:")
    yes, no, _abstain = button_data(ballot_message)
    mid = ballot_message["message_id"]
    assert recorded((await h.click(group, ALICE, mid, yes)).popup, "popup.vote_recorded", "yes", 1)
    assert recorded((await h.click(group, BOB, mid, no)).popup, "popup.vote_recorded", "no", 1)
    assert recorded((await h.click(group, BOB, mid, yes)).popup, "popup.vote_changed", "yes", 1)
    await h.click(group, CAROL, mid, yes)
    await h.settle()
    assert (
        t("ballot.tally", yes=3, no=0, abstain=0, voted=3, eligible=4 if preset in ("nantang", "civil278") else 5)
        in api.message(group, mid)["text"]
    )
    step = await h.cmd(group, ALICE, "/close 1")
    assert step.refusal and (await ballots_of(h, group, 1))[0].open
    step = await h.cmd(group, CHAIR, "/close 1")
    result = step.text
    assert t("result.counts", yes=3, no=0, abstain=0) in result
    assert t("result.passed") in result and t("result.failed") not in result
    assert AMENDED in result
    if civil:
        assert "%" in result and "/" in result  # area and owner shares, with exact fractions

    ballot = (await ballots_of(h, group, 1))[0]
    assert not ballot.open and ballot.result.passed and ballot.result.yes == 3
    assert len((await votes_of(h, ballot.id))[0]) == 3
    assert (await motion_of(h, group, 1)).state is MotionState.ADOPTED
    await h.settle()
    final = api.message(group, mid)
    assert "reply_markup" not in final  # closed: no more buttons
    assert "reply_markup" not in api.message(group, card["message_id"])
