"""Whoever must not act is refused — politely, to them only — and nothing changes; forged buttons too."""

from __future__ import annotations

import pytest

from bot.i18n import Translator
from deliberation.lifecycle import MotionState
from tests.e2e.conftest import (
    ALICE,
    BOB,
    CAROL,
    CHAIR,
    DAVE,
    MALLORY,
    Harness,
    ballots_of,
    button_data,
    council_of,
    events_of,
    motion_of,
    votes_of,
)

pytestmark = pytest.mark.timeout(60)
t = Translator("zh_Hans")
A, B = -5001, -5002


async def open_ballot(h: Harness, group: int, title: str) -> tuple[dict, dict]:
    """A nantang council with Alice, Bob and Carol, motion #1 seconded, on the ballot. -> (card, ballot message)"""
    h.api.set_chat(group, "group", title)
    h.api.set_chat_member(group, CHAIR, "administrator")
    await h.cmd(group, CHAIR, "/setup")
    for user, unit in ((ALICE, "1-101"), (BOB, "1-102"), (CAROL, "1-201")):
        await h.cmd(group, user, f"/join {unit}")
    card = (await h.cmd(group, ALICE, "/motion 修好单元门禁")).posted_with_button("s:")
    await h.cmd(group, BOB, "/second 1")
    ballot = (await h.cmd(group, CHAIR, "/vote 1 2h")).posted_with_button("v:")
    await h.settle()  # the card's "being voted on" edit is out of the way
    return card, ballot


async def test_roles_that_must_not_act_are_refused_and_nothing_changes(harness):
    h = harness
    card, ballot = await open_ballot(h, A, "1号楼")
    await h.click(A, ALICE, ballot["message_id"], button_data(ballot)[0])  # one real vote
    before = len(await events_of(h, A))

    refused_commands = [
        (MALLORY, "/second 1"),  # not a member
        (MALLORY, "/for 1 我也说两句"),  # not a member
        (MALLORY, "/yes 1"),  # not a member
        (BOB, "/vote 1"),  # a member, not the chair
        (BOB, "/close 1"),  # a member, not the chair
        (BOB, "/warn @alice 1 跑题"),  # only the chair warns
        (BOB, "/withdraw 1"),  # only the mover withdraws
        (BOB, "/approve @carol"),  # only the chair approves
        (BOB, "/setup robert"),  # only the chair changes the rules
        (BOB, "/lang en"),  # only the chair changes the language
        (CHAIR, "/yes 1"),  # nantang: the chair does not vote
        (CHAIR, "/against 1 我反对"),  # nantang: the chair does not debate
        (ALICE, "/frobnicate"),  # no such command
    ]
    told = False
    for user, text in refused_commands:
        step = await h.cmd(A, user, text)
        if user is MALLORY and told:  # a non-member hears why once per few minutes (issue 12 #11)
            assert step.texts == [] and not step.reacted, text
            continue
        told = told or user is MALLORY
        assert step.refusal, (text, step.texts)
        assert step.texts == [step.refusal], text  # nothing else was posted
        assert not step.reacted, text
    for user, data in (
        (MALLORY, button_data(ballot)[0]),
        (CHAIR, button_data(ballot)[1]),
        (MALLORY, button_data(card)[0]),
    ):
        step = await h.click(A, user, ballot["message_id"], data)
        assert step.alert and step.popup and step.messages == [], (user, data)

    assert len(await events_of(h, A)) == before  # not one event appended by any of them
    votes, voted = await votes_of(h, (await ballots_of(h, A, 1))[0].id)
    assert voted == 1 and [v[2].value for v in votes] == ["yes"]
    assert (await motion_of(h, A, 1)).state is MotionState.VOTING
    assert (await council_of(h, A)).rules.preset == "nantang" and (await council_of(h, A)).locale == "zh_Hans"


async def test_forged_callback_data_is_refused_with_a_popup(harness):
    h = harness
    _, ballot_a = await open_ballot(h, A, "1号楼")
    card_b, ballot_b = await open_ballot(h, B, "2号楼")
    ballot_a_id = int(button_data(ballot_a)[0].split(":")[1])
    before_a, before_b = len(await events_of(h, A)), len(await events_of(h, B))
    motion_b_id = int(button_data(card_b)[0].split(":")[1])

    forged = [
        (B, ballot_b, f"v:{ballot_a_id}:y"),  # another council's ballot, pressed in group B
        (B, ballot_b, "v:999999:y"),  # no such ballot
        (B, ballot_b, f"v:{ballot_a_id}:maybe"),  # no such choice
        (B, ballot_b, "v:1"),  # truncated
        (B, ballot_b, "v:1:y:extra"),
        (B, ballot_b, "v:-1:y"),
        (B, ballot_b, "v:１:y"),  # a full-width digit
        (B, ballot_b, "s:999999"),  # no such motion
        (A, ballot_a, f"s:{motion_b_id}"),  # group B's motion, seconded from group A
        (B, ballot_b, "ap:999999"),  # no such member
        (B, ballot_b, "garbage"),
        (B, ballot_b, ""),
        (B, ballot_b, "x" * 64),
        (B, ballot_b, "v:" + "9" * 60 + ":y"),
    ]
    for group, message, data in forged:
        step = await h.click(group, CAROL, message["message_id"], data)
        assert step.answer is not None and step.popup and step.alert, data
        assert step.messages == [] and step.of("editMessageText") == [], data

    # a button on a chat without a council, and in a private chat
    h.api.set_chat(-5003, "group", "没有议事会的群")
    step = await h.click(
        -5003,
        CAROL,
        1,
        f"v:{ballot_a_id}:y",
        message={"message_id": 1, "date": 0, "chat": {"id": -5003, "type": "group", "title": "x"}},
    )
    assert step.alert and step.popup == t("error.council_missing")
    step = await h.click(DAVE.id, DAVE, 1, f"v:{ballot_a_id}:y", inaccessible=True)
    assert step.alert and step.popup

    assert len(await events_of(h, A)) == before_a and len(await events_of(h, B)) == before_b
    for group in (A, B):
        assert (await votes_of(h, (await ballots_of(h, group, 1))[0].id))[1] == 0


async def test_pending_member_and_private_chat(harness):
    h = harness
    h.api.set_chat(A, "group", "5号楼")
    h.api.set_chat_member(A, CHAIR, "creator")
    await h.cmd(A, CHAIR, "/setup civil278")
    request = (await h.cmd(A, ALICE, "/join 5-101 90")).posted_with_button("ap:")
    step = await h.cmd(A, ALICE, "/motion 加装电梯")
    assert step.refusal == t("error.pending_approval", unit="5-101")
    step = await h.click(A, CHAIR, request["message_id"], button_data(request)[0])
    assert not step.alert
    assert "reply_markup" not in h.api.message(A, request["message_id"])  # one-shot: the button is gone
    step = await h.click(A, CHAIR, request["message_id"], button_data(request)[0])  # a stale second press
    assert step.alert and step.messages == []

    # in a private chat the council commands explain themselves
    step = await h.cmd(BOB.id, BOB, "/motion 加装电梯", chat_type="private")
    assert step.refusal == t("error.private_chat")
