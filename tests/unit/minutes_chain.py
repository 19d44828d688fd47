"""The scripted deliberation as an in-memory event chain, written as the use cases record it (no database)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from deliberation import counting
from deliberation.chain import GENESIS, Event, seal
from deliberation.channels import receipt_code
from deliberation.counting import CastVote, Choice, Electorate, Outcome, Threshold
from deliberation.electorate import register_digest, unit_sort_key
from deliberation.minutes import Minutes, build_minutes
from deliberation.model import Rules, Unit
from deliberation.roster import parse_area_cm2

START = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # 18:00 in Shanghai
COUNCIL_ID = 1
COUNCIL = "阳光小区3号楼议事会"
CHAIR = "王主任"  # member 1: the founder, who never sends a join event

RAIN_SHELTER = "在3号楼单元门口加装雨棚，费用从公共收益中列支"
RAIN_SHELTER_AMENDED = "在3号楼单元门口加装透明雨棚，不遮挡一楼采光，费用从公共收益中列支"
CHARGERS = "在小区东侧车棚增设电动车充电桩，按电表计费"
NOTICE_BOARD = "更换楼道公告栏"
BENCHES = "在花园增设长椅"
FOR_SHELTER = "赞成，雨天老人进出常常滑倒，雨棚很有必要，早装早安心，大家出行都方便"
AGAINST_SHELTER = "反对原方案，担心遮挡一楼住户采光"

RESIDENTS = (  # user key, name, unit, area in m²; members 2 to 6 in this order
    ("tg:11", "张三", "3-501", "89.5"),
    ("tg:12", "李四", "3-502", "120"),
    ("tg:13", "王五", "3-601", "89.5"),
    ("tg:14", "赵六", "3-602", "100"),
    ("tg:15", "孙七", "3-701", "95"),
)


class ScriptedChain:
    """A council's hash chain written one event at a time, with the clock the scripted run keeps:
    one minute per action, so each event lands where the same action through the use cases would."""

    def __init__(self, preset: str) -> None:
        self.preset = preset
        self.rules = Rules.for_preset(preset)
        self.now = START
        self.events: list[Event] = []
        self.member = {name: number for number, (_, name, _, _) in enumerate(RESIDENTS, start=2)}
        self.unit = {name: (unit, parse_area_cm2(area)) for _, name, unit, area in RESIDENTS}
        self.motions = 0
        self.ballots: dict[int, dict[str, Any]] = {}  # ballot id -> its opening payload and cast votes

    def tick(self, **delta: float) -> None:
        self.now += timedelta(**delta) if delta else timedelta(minutes=1)

    def record(self, type: str, /, **payload: Any) -> Event:
        prev = self.events[-1].hash if self.events else GENESIS
        event = seal(
            Event(COUNCIL_ID, len(self.events) + 1, type, self.now.isoformat(timespec="seconds"), payload, prev)
        )
        self.events.append(event)
        return event

    # ---- the actions of the script, each as its use case records it -----------------------------------

    def raise_motion(self, mover: str, text: str, *, kind: str = "main", parent: int | None = None) -> int:
        self.tick()
        self.motions += 1
        self.record(
            "motion.raised",
            number=self.motions,
            kind=kind,
            text=text,
            mover=self.member[mover],
            mover_name=mover,
            parent=parent,
            postponed_until=None,
            referred_to=None,
            second_deadline=(self.now + self.rules.second_deadline).isoformat(timespec="seconds"),
        )
        return self.motions

    def second(self, seconder: str, number: int) -> None:
        self.tick()
        self.record("motion.seconded", number=number, seconder=self.member[seconder], seconder_name=seconder)

    def speak(self, speaker: str, number: int, side: str, text: str) -> None:
        self.tick()
        self.record("speech.recorded", number=number, member=self.member[speaker], name=speaker, side=side, text=text)

    def put_question(self, number: int, *, secret: bool = False) -> int:
        self.tick()
        ballot = len(self.ballots) + 1
        electorate = self.electorate()
        # A civil278 ballot freezes the register it counts on; the chain keeps its fingerprint.
        frozen = [Unit(code, name, area) for name, (code, area) in self.unit.items()]
        register = {"register_sha256": register_digest(frozen)} if self.rules.weighted else {}
        payload = self.record(
            "ballot.opened",
            number=number,
            ballot=ballot,
            secret=secret,
            threshold=Threshold.ORDINARY.value,
            closes_at=(self.now + self.rules.ballot_duration).isoformat(timespec="seconds"),
            eligible=electorate.members,
            members=electorate.members,
            total_area_cm2=electorate.total_area_cm2,
            total_owners=electorate.total_owners,
            present=None,
            by=CHAIR,
            **register,
        ).payload
        self.ballots[ballot] = {"opened": payload, "votes": {}, "at": self.now}
        return ballot

    def vote(self, ballot: int, name: str, choice: Choice) -> None:
        self.tick()
        opened = self.ballots[ballot]["opened"]
        unit, area = self.unit[name]
        voter = f"o:{name}" if self.rules.weighted else f"m{self.member[name]}"
        area = area if self.rules.weighted else 0
        self.ballots[ballot]["votes"][voter] = CastVote(voter, choice, area)  # a changed mind replaces the vote
        if opened["secret"]:
            return  # a secret ballot's single votes leave nothing in the chain: its close carries the counts
        payload: dict[str, Any] = {"number": opened["number"], "ballot": ballot, "name": name}
        payload.update(choice=choice.value, voter=voter, area_cm2=area)
        if self.rules.weighted:  # civil278: the attempts ledger names the channel and the owner
            payload.update(channel="button", owner=name)
        self.record("vote.cast", **payload)

    def close(self, ballot: int, *, amends: int | None = None) -> str:
        """The chair closes the ballot; an adopted amendment rewrites the motion it amends (`amends`)."""
        self.tick()
        opened, votes = self.ballots[ballot]["opened"], self.ballots[ballot]["votes"]
        outcome = counting.decide(
            self.preset, list(votes.values()), self.electorate(), Threshold.ORDINARY, self.rules.quorum
        )
        state = "failed_quorum" if not outcome.quorum_met else "adopted" if outcome.passed else "rejected"
        self.record(
            "ballot.closed",
            number=opened["number"],
            ballot=ballot,
            state=state,
            early=False,
            secret=opened["secret"],
            **_outcome_payload(outcome),
            **self.receipts(ballot),
        )
        if amends is not None and state == "adopted":
            amendment = next(
                e.payload for e in self.events if e.type == "motion.raised" and e.payload["number"] == opened["number"]
            )
            self.record("motion.amended", number=amends, amendment=opened["number"], text=amendment["text"])
        return state

    def receipts(self, ballot: int) -> dict[str, Any]:
        """civil278: the receipts counted, as `ballot.closed` carries them for the 公示 (a secret ballot: codes)."""
        if not self.rules.weighted or not self.ballots[ballot]["votes"]:
            return {}
        at, votes = self.ballots[ballot]["at"], self.ballots[ballot]["votes"].values()
        owners = [(v.voter[2:], v.choice) for v in votes]
        if self.ballots[ballot]["opened"]["secret"]:
            return {"receipts": sorted(receipt_code(ballot, at, owner) for owner, _ in owners)}
        lines = sorted(owners, key=lambda o: unit_sort_key(self.unit[o[0]][0]))
        return {
            "receipts": [
                {"receipt": receipt_code(ballot, at, owner), "units": self.unit[owner][0], "choice": choice.value}
                for owner, choice in lines
            ]
        }

    def electorate(self) -> Electorate:
        """Who may vote: the owners by area under civil278, else the active members (and the chair
        where the chair votes)."""
        if self.rules.weighted:
            return Electorate(
                members=len(RESIDENTS),
                total_area_cm2=sum(area for _, area in self.unit.values()),
                total_owners=len(RESIDENTS),
            )
        return Electorate(members=len(RESIDENTS) + (1 if self.rules.chair_votes else 0))


def _outcome_payload(outcome: Outcome) -> dict[str, Any]:
    """The result keys of `ballot.closed`, with shares as exact fractions "a/b"."""
    t = outcome.tally
    fractions = {
        "approval_heads": outcome.approval_heads,
        "approval_area": outcome.approval_area,
        "participation_heads": outcome.participation_heads,
        "participation_area": outcome.participation_area,
    }
    return {
        "passed": outcome.passed,
        "quorum_met": outcome.quorum_met,
        "rule": outcome.rule,
        "preset": str(outcome.preset),
        "threshold": str(outcome.threshold),
        "yes": t.yes,
        "no": t.no,
        "abstain": t.abstain,
        "yes_area_cm2": t.yes_area_cm2,
        "no_area_cm2": t.no_area_cm2,
        "abstain_area_cm2": t.abstain_area_cm2,
        **{k: (None if v is None else f"{v.numerator}/{v.denominator}") for k, v in fractions.items()},
    }


def scripted_chain(preset: str) -> list[Event]:
    """A small deliberation that touches every part of the minutes:

    #1 张三 moves a rain shelter, 李四 seconds; 李四 speaks for, 王五 against;
    #2 王五 amends it (透明雨棚), 赵六 seconds, adopted unanimously by open vote;
    #1 as amended: open vote 3 yes (张三 李四 王五), 1 no (赵六);
    #3 赵六 moves chargers, 张三 seconds; secret ballot: 张三 yes, 李四 no, 王五 abstain, 赵六 yes;
    #4 李四 moves and withdraws; #5 王五 moves, nobody seconds, it lapses.
    """
    chain = ScriptedChain(preset)
    chain.record("council.setup", title=COUNCIL, preset=preset, chair=CHAIR)
    if chain.rules.weighted:  # a civil278 ballot opens only on the property register: each resident owns a unit
        areas = [area for _, area in chain.unit.values()]
        chain.record("roster.imported", units=len(areas), owners=len(areas), total_area_cm2=sum(areas))
    status = "pending" if chain.rules.approval_required else "active"
    for _, name, unit, _ in RESIDENTS:
        chain.tick()
        chain.record("member.joined", member=chain.member[name], name=name, unit=unit, status=status)
    if chain.rules.approval_required:
        for _, name, _, _ in RESIDENTS:
            chain.record("member.approved", member=chain.member[name], name=name, by=CHAIR)
    chain.record("role.assigned", member=chain.member["孙七"], name="孙七", role="secretary", by=CHAIR)

    shelter = chain.raise_motion("张三", RAIN_SHELTER)
    chain.second("李四", shelter)
    chain.speak("李四", shelter, "for", FOR_SHELTER)
    chain.speak("王五", shelter, "against", AGAINST_SHELTER)
    amendment = chain.raise_motion("王五", RAIN_SHELTER_AMENDED, kind="amendment", parent=shelter)
    chain.second("赵六", amendment)
    ballot = chain.put_question(amendment)
    for name in ("张三", "李四", "王五", "赵六"):
        chain.vote(ballot, name, Choice.YES)
    chain.close(ballot, amends=shelter)
    ballot = chain.put_question(shelter)
    for name, choice in (("张三", Choice.NO), ("李四", Choice.YES), ("王五", Choice.YES), ("赵六", Choice.NO)):
        chain.vote(ballot, name, choice)
    chain.vote(ballot, "张三", Choice.YES)  # changes their mind while the ballot is open
    chain.close(ballot)

    chargers = chain.raise_motion("赵六", CHARGERS)
    chain.second("张三", chargers)
    ballot = chain.put_question(chargers, secret=True)
    for name, choice in (("张三", Choice.YES), ("李四", Choice.NO), ("王五", Choice.ABSTAIN), ("赵六", Choice.YES)):
        chain.vote(ballot, name, choice)
    chain.close(ballot)

    board = chain.raise_motion("李四", NOTICE_BOARD)
    chain.tick()
    chain.record("motion.withdrawn", number=board, by="李四")
    benches = chain.raise_motion("王五", BENCHES)
    chain.tick(hours=25)  # the second deadline passes
    chain.record("motion.lapsed", number=benches)
    return chain.events


def sealed(events: list[Event], extra: Iterable[tuple[str, dict[str, Any]]], at: datetime) -> list[Event]:
    """The chain followed by `extra` events, one minute apart from `at`."""
    chain = list(events)
    for offset, (kind, payload) in enumerate(extra, start=1):
        last = chain[-1]
        chain.append(
            seal(
                Event(
                    last.council_id,
                    last.seq + 1,
                    kind,
                    (at + timedelta(minutes=offset)).isoformat(timespec="seconds"),
                    payload,
                    last.hash,
                )
            )
        )
    return chain


def minutes_of(events: list[Event], seq: int, head: str, **scope: Any) -> Minutes:
    """The minutes of the scripted council for a scope, generated two days after it started."""
    return build_minutes(
        events,
        council_name=COUNCIL,
        place=f"线上群聊「{COUNCIL}」",
        chain_head=head,
        chain_seq=seq,
        generated_at=START + timedelta(days=2),
        **scope,
    )
