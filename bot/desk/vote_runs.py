"""Runs of vote presses recorded in one unit of work with one commit (bench/README.md: the vote burst).

Every press gets the answer `Desk.handle` would give it, by the same rules (`usecases.cast_votes`);
the councils are locked in the order of their ids. A run whose ballot closed gets no tally edits:
the closing announcements carry the ballot's final text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from deliberation import errors, usecases
from deliberation.counting import Choice
from deliberation.model import Actor, Council, Member

from ..i18n import Translator
from . import buttons, refusals, subjects
from .commands.ballots import answer_vote
from .context import Ctx, Work
from .messages import Edit, Incoming, Response

if TYPE_CHECKING:
    from .desk import Desk


class VoteRunner:
    """The desk's batched path for vote presses (`Desk.handle_vote_runs`)."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def answer(self, runs: list[list[Incoming]]) -> list[list[Response]]:
        answers: list[list[Response]] = [[] for _ in runs]
        async with self.desk.new_uow() as uow:
            keys = [i.update_key for run in runs for i in run if i.update_key]
            fresh = await uow.unclaimed(keys) if keys else set()
            # What every run needs, read at once: councils, members, ballots and motions, choices so far.
            councils = {c.chat_key: c for c in await uow.councils.by_chats({run[0].chat_key for run in runs})}
            everyone = await uow.members.of_users(
                {c.id for c in councils.values()}, {i.user_key for run in runs for i in run}
            )
            members = {(m.council_id, m.user_key): m for m in everyone}
            ballot_ids = {
                press.ballot_id
                for run in runs
                for i in run
                if isinstance(press := buttons.try_decode(i.data), buttons.Vote)
            }
            await uow.ballots.prefetch(ballot_ids)
            await uow.votes.prefetch_choices(ballot_ids)
            found = []
            for n, run in enumerate(runs):
                council = councils.get(run[0].chat_key)
                t = Translator(self.desk.locale(council, run[0]))
                if council is None:
                    answers[n] = [refusals.as_popup(t, refusals.refuse("error.council_missing")) for _ in run]
                else:
                    found.append((council.id, n, council, t))
            claimed: list[str | None] = []
            final: dict[str, Edit | None] = {}  # the ballot message as it reads after every run; None once closed
            for _, n, council, t in sorted(found, key=lambda item: (item[0], item[1])):
                answers[n] = await self._run(uow, council, t, runs[n], fresh, claimed, final, members)
            if claimed:  # one entry per accepted press (None: a press without an update key)
                await uow.claim_updates([key for key in claimed if key is not None], self.desk.clock())
                await uow.commit()  # the run's only commit; when every press was refused, nothing to keep
        # Every accepted press asks for its ballot as it reads after all the runs: whatever order the
        # answers go out in, the coalesced edit ends on the newest tally, and a closed ballot gets none.
        for responses in answers:
            for response in responses:
                response.edits = [
                    newest for edit in response.edits if (newest := final.get(edit.subject, edit)) is not None
                ]
        return answers

    async def _run(
        self,
        uow: Work,
        council: Council,
        t: Translator,
        incomings: list[Incoming],
        fresh: set[str],
        claimed: list[str | None],
        final: dict[str, Edit | None],
        members: dict[tuple[int, str], Member],
    ) -> list[Response]:
        responses: list[Response | None] = [None] * len(incomings)
        wanted: list[tuple[int, Actor, int, Choice]] = []
        for n, incoming in enumerate(incomings):
            key = incoming.update_key
            if key is not None:
                if key not in fresh:
                    responses[n] = Response(duplicate=True)
                    continue
                fresh.discard(key)  # the same update twice: the second is a re-delivery
            press = buttons.try_decode(incoming.data)
            if not isinstance(press, buttons.Vote):
                responses[n] = refusals.as_popup(t, refusals.refuse("error.bad_button"))
                continue
            actor = Actor(
                incoming.user_key,
                incoming.user_name,
                incoming.username,
                incoming.is_admin,
                members.get((council.id, incoming.user_key)),
            )
            wanted.append((n, actor, press.ballot_id, press.choice))
        results = await usecases.cast_votes(
            uow, self.desk.clock, council, [(actor, ballot_id, choice) for _, actor, ballot_id, choice in wanted]
        )
        for (n, actor, _ballot_id, _choice), recorded in zip(wanted, results, strict=True):
            if isinstance(recorded, errors.DeliberationError):
                responses[n] = refusals.as_popup(t, recorded, council.id)
                continue
            ctx = Ctx(uow, incomings[n], council, actor, "", t, self.desk.clock, self.desk.defaults)
            response = await answer_vote(ctx, recorded)
            ballot_subject = subjects.encode(subjects.BallotMessage(recorded.ballot.id))
            if recorded.closed:
                final[ballot_subject] = None  # its one edit is the outbox's closing edit
            elif final.get(ballot_subject, ...) is not None:
                final[ballot_subject] = response.edits[-1]
            response.locale, response.council_id = t.locale, council.id
            responses[n] = response
            claimed.append(incomings[n].update_key)
        return [r if r is not None else Response() for r in responses]
