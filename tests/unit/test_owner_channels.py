"""Issue 14 on the in-memory unit of work: the conflict rule, slip and receipt codes, tellers, paper slips, proxies.

Each refusal leaves the store exactly as it was (`uow.snapshot()`), and each rule is tried at its edge.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from deliberation import channels, errors
from deliberation.channels import Attempt, Channel
from deliberation.counting import Choice, Preset
from deliberation.model import Role, Unit
from deliberation.usecases import cast_vote, close_ballot, put_question, raise_motion, second_motion
from deliberation.usecases.ledger import counted_receipts
from deliberation.usecases.paper import appoint_teller, enter_slip, tellers_of
from deliberation.usecases.proxies import Attachment, grant_proxy
from tests.fakes.fake_uow import FakeUnitOfWork

from .usecase_helpers import START, Clock

NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "ji", "jian"]  # units 101 … 108


async def _open(uow: FakeUnitOfWork, clock: Clock, *, secret: bool = False):
    motion = await raise_motion(uow, clock, uow.council, uow.actor("alice"), "加装电梯")
    await second_motion(uow, clock, uow.council, uow.actor("bob"), motion.number)
    _, ballot = await put_question(uow, clock, uow.council, uow.actor("chair"), motion.number, secret=secret)
    await appoint_teller(uow, clock, uow.council, uow.actor("chair"), "@ji", "计票人")
    await appoint_teller(uow, clock, uow.council, uow.actor("chair"), "@jian", "监票人")
    return motion.number, ballot


def _council() -> tuple[FakeUnitOfWork, Clock]:
    uow = FakeUnitOfWork.with_council(members=NAMES, preset=Preset.CIVIL278)
    # two owners not in the chat, reached only by paper
    for unit, owner in (("201", "老陈"), ("202", "老王")):
        uow.state.units[uow.council.id][unit] = (Unit(unit, owner, 80 * 10_000), True)
    uow._committed = uow.snapshot()
    return uow, Clock()


def _attempt(channel: Channel, minute: int, n: int = 0) -> Attempt:
    return Attempt(1, "陈", channel, START + timedelta(minutes=minute), Choice.YES, "x", id=n)


def test_the_conflict_rule_paper_over_own_over_proxy_and_the_latest_within() -> None:
    proxy, own, paper = _attempt(Channel.PROXY, 5, 3), _attempt(Channel.BUTTON, 1, 1), _attempt(Channel.PAPER, 0, 0)
    assert channels.counted_attempt([proxy, own]) is own  # an earlier own vote beats a later proxy's
    assert channels.counted_attempt([proxy, own, paper]) is paper  # the earliest slip beats them all
    later = _attempt(Channel.TYPED, 2, 2)
    assert channels.counted_attempt([own, later]) is later
    assert set(channels.conflicts([proxy, own])) == {"陈"}
    assert channels.conflicts([own, later]) == {}  # button then typed: the same rank, no conflict


def test_a_slip_code_reads_back_and_a_misread_character_is_refused() -> None:
    code = channels.slip_code(12, "老陈")
    assert channels.parse_slip_code(code.lower()) == channels.SlipCode(12, channels.owner_code("老陈"))
    wrong = code[:-2] + ("A" if code[-2] != "A" else "B") + code[-1]
    with pytest.raises(errors.BadSlipCode):
        channels.parse_slip_code(wrong)
    receipt = channels.receipt_code(12, START, "老陈")
    assert len(receipt) == 9 and receipt == channels.receipt_code(12, START, "老陈") != channels.receipt_code(
        13, START, "老陈"
    )


async def test_a_slip_counts_when_both_tellers_agree_and_a_mismatch_counts_for_nothing_until_re_entered() -> None:
    uow, clock = _council()
    number, ballot = await _open(uow, clock)
    first = await enter_slip(uow, clock, uow.council, uow.actor("ji"), number, "201", "赞成")
    assert first.counted is None and not first.state.mismatch
    before = uow.snapshot()
    with pytest.raises(errors.SlipEnteredTwice):
        await enter_slip(uow, clock, uow.council, uow.actor("ji"), number, "201", "反对")
    assert uow.snapshot() == before
    mismatch = await enter_slip(uow, clock, uow.council, uow.actor("jian"), number, "201", "反对")
    assert mismatch.state.mismatch and mismatch.counted is None and mismatch.other is not None
    assert await uow.ballot_attempts.for_ballot(ballot.id) == []
    resolved = await enter_slip(uow, clock, uow.council, uow.actor("ji"), number, "201", "反对")
    assert resolved.counted is not None and resolved.counted.attempt.choice is Choice.NO
    assert resolved.counted.receipt == channels.receipt_code(ballot.id, ballot.opened_at, "老陈")
    assert await uow.votes.choices(ballot.id) == {"o:老陈": Choice.NO}
    assert [t.role for t in await tellers_of(uow, ballot)] == [
        channels.TellerRole.COUNTER,
        channels.TellerRole.SCRUTINEER,
    ]


@pytest.mark.parametrize(
    ("who", "slip", "refusal"),
    [
        ("ji", "999", errors.UnitNotInRoster),  # a unit not in the register
        ("ji", "107", errors.TellerIsOwner),  # the teller's own household
        ("alice", "201", errors.TellerRequired),  # not a teller
        ("ji", "YS-999-ABCDEF0", errors.BadSlipCode),  # a misread code
    ],
)
async def test_bad_slips_are_refused_and_change_nothing(who: str, slip: str, refusal: type) -> None:
    uow, clock = _council()
    number, _ = await _open(uow, clock)
    before = uow.snapshot()
    with pytest.raises(refusal):
        await enter_slip(uow, clock, uow.council, uow.actor(who), number, slip, "赞成")
    assert uow.snapshot() == before


async def test_a_slip_code_of_another_ballot_and_a_slip_after_close_are_refused() -> None:
    uow, clock = _council()
    number, ballot = await _open(uow, clock)
    with pytest.raises(errors.SlipCodeOtherBallot):
        await enter_slip(
            uow, clock, uow.council, uow.actor("ji"), number, channels.slip_code(ballot.id + 1, "老陈"), "赞成"
        )
    by_code = await enter_slip(
        uow, clock, uow.council, uow.actor("ji"), number, channels.slip_code(ballot.id, "老陈"), "赞成"
    )
    assert by_code.unit == "201"
    clock.now = ballot.closes_at  # the deadline itself: closed
    with pytest.raises(errors.BallotNotOpen):
        await enter_slip(uow, clock, uow.council, uow.actor("jian"), number, "201", "赞成")
    clock.now = ballot.closes_at - timedelta(minutes=1)
    assert (await enter_slip(uow, clock, uow.council, uow.actor("jian"), number, "201", "赞成")).counted is not None


async def test_paper_prevails_over_a_button_vote_and_a_later_button_vote_is_refused() -> None:
    uow, clock = _council()
    number, ballot = await _open(uow, clock)
    await cast_vote(uow, clock, uow.council, uow.actor("alice"), ballot.id, Choice.YES)
    clock.tick(minutes=1)
    await enter_slip(uow, clock, uow.council, uow.actor("ji"), number, "101", "反对")
    entered = await enter_slip(uow, clock, uow.council, uow.actor("jian"), number, "101", "反对")
    assert entered.counted is not None and entered.counted.conflict is not None
    assert await uow.votes.choices(ballot.id) == {"o:alice": Choice.NO}
    before = uow.snapshot()
    with pytest.raises(errors.PaperPrevails):
        await cast_vote(uow, clock, uow.council, uow.actor("alice"), ballot.id, Choice.YES)
    assert uow.snapshot() == before


async def test_a_proxy_votes_until_the_owner_votes_and_the_cap_is_three() -> None:
    uow, clock = _council()
    _, ballot = await _open(uow, clock)
    for owner in ("bob", "carol", "dave"):
        await grant_proxy(uow, clock, uow.council, uow.actor(owner), owner_unit(uow, owner), "@alice")
    await grant_proxy(uow, clock, uow.council, uow.actor("bob"), "102", "@alice")  # renewing one: still 3
    before = uow.snapshot()
    with pytest.raises(errors.ProxyCapReached):
        await grant_proxy(uow, clock, uow.council, uow.actor("erin"), "105", "@alice")
    assert uow.snapshot() == before
    recorded = await cast_vote(uow, clock, uow.council, uow.actor("alice"), ballot.id, Choice.YES, unit="102")
    assert recorded.proxy and recorded.owner == "bob" and recorded.receipt
    with pytest.raises(errors.NoProxy):
        await cast_vote(uow, clock, uow.council, uow.actor("alice"), ballot.id, Choice.YES, unit="105")
    own = await cast_vote(uow, clock, uow.council, uow.actor("bob"), ballot.id, Choice.NO)
    assert own.replaced is not None and own.replaced.channel is Channel.PROXY
    with pytest.raises(errors.OwnerVotedHimself):
        await cast_vote(uow, clock, uow.council, uow.actor("alice"), ballot.id, Choice.YES, unit="102")
    with pytest.raises(errors.ProxyOwnerVoted):  # bob voted on an open ballot: no proxy now
        await grant_proxy(uow, clock, uow.council, uow.actor("bob"), "102", "@erin")


async def test_a_proxy_ends_at_its_time_one_minute_either_side() -> None:
    uow, clock = _council()
    _, ballot = await _open(uow, clock)
    until = clock() + timedelta(hours=1)
    await grant_proxy(uow, clock, uow.council, uow.actor("bob"), "102", "@alice", until)
    clock.now = until - timedelta(minutes=1)
    assert (await cast_vote(uow, clock, uow.council, uow.actor("alice"), ballot.id, Choice.YES, unit="102")).proxy
    clock.now = until
    with pytest.raises(errors.NoProxy):
        await cast_vote(uow, clock, uow.council, uow.actor("alice"), ballot.id, Choice.NO, unit="102")


async def test_the_secretary_records_a_proxy_only_from_the_signed_paper() -> None:
    uow, clock = _council()
    secretary = replace(uow.member("erin"), roles=frozenset({Role.SECRETARY}))
    uow.state.members[secretary.id] = secretary
    actor = uow.actor("erin")
    with pytest.raises(errors.ProxyNotAllowed):
        await grant_proxy(uow, clock, uow.council, actor, "201", "@frank")
    photo = Attachment("tg-file-1", "ab" * 32, b"jpeg")
    recorded = await grant_proxy(uow, clock, uow.council, actor, "201", "@frank", attachment=photo)
    assert recorded.proxy.via == "secretary" and recorded.proxy.file_sha256 == "ab" * 32
    assert await uow.proxies.attachment(recorded.proxy.id) == b"jpeg"


async def test_receipts_of_a_secret_ballot_are_codes_only_and_its_attempts_lose_their_choices() -> None:
    uow, clock = _council()
    number, ballot = await _open(uow, clock, secret=True)
    await cast_vote(uow, clock, uow.council, uow.actor("alice"), ballot.id, Choice.YES)
    await enter_slip(uow, clock, uow.council, uow.actor("ji"), number, "201", "反对")
    await enter_slip(uow, clock, uow.council, uow.actor("jian"), number, "201", "反对")
    closed = await close_ballot(uow, clock, uow.council, ballot.id, uow.actor("chair"))
    assert closed is not None
    assert all(a.choice is None for a in await uow.ballot_attempts.for_ballot(ballot.id))
    assert all(e.choice is None for e in await uow.paper_entries.for_ballot(ballot.id))
    lines = await counted_receipts(uow, closed.ballot)
    assert len(lines) == 2 and all(line.units is None and line.choice is None for line in lines)


def owner_unit(uow: FakeUnitOfWork, name: str) -> str:
    unit = uow.member(name).unit
    assert unit is not None
    return unit


async def test_a_removed_teller_enters_no_more_slips_and_still_served_the_ballot_it_worked_on() -> None:
    uow, clock = _council()
    number, ballot = await _open(uow, clock)
    await enter_slip(uow, clock, uow.council, uow.actor("ji"), number, "201", "赞成")
    clock.tick(minutes=1)
    removed = await appoint_teller(uow, clock, uow.council, uow.actor("chair"), "@ji", "撤销")
    assert removed.removed_at == clock()
    with pytest.raises(errors.TellerRequired):
        await enter_slip(uow, clock, uow.council, uow.actor("ji"), number, "202", "赞成")
    with pytest.raises(errors.TellerRequired):  # nobody to remove twice
        await appoint_teller(uow, clock, uow.council, uow.actor("chair"), "@ji", "撤销")
    assert {t.name for t in await tellers_of(uow, ballot)} == {"ji", "jian"}
