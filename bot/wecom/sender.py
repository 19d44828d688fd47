"""WeCom's outbox Sender: what a council hears goes through its group robot, else to each member by message/send.

The outbox drainer calls it for rows queued with the change that caused them (results, notices, reminders,
motion cards, ballots), so a failure here is retried, not lost: the robot's rate limit and network or 5xx
failures raise `TemporaryFailure`. When a ballot message goes out, every member who may vote also gets a
personal signed link to the H5 ballot page: each link is an outbox row of its own, to the member's own chat
(a private reply to their user key, "wecom:<userid>"), so a link that fails is retried like everything else.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from deliberation import usecases
from deliberation.counting import Choice
from deliberation.model import Council, Member, MemberStatus

from ..capabilities import WECOM_APP, WECOM_ROBOT, fit_reply, motion_numbers, split_text
from ..desk import buttons, subjects
from ..desk.messages import Reply
from ..desk.outbox_rows import reply_to_json
from ..i18n import Translator
from ..outbox import PermanentFailure, TemporaryFailure
from .robot import WeComRobot, render_markdown

log = logging.getLogger(__name__)

PLATFORM = "wecom"


def may_vote(council: Council, member: Member) -> bool:
    """Only voters get ballot links (the chair does not vote under some rules; the page would refuse)."""
    return usecases.may_vote(council.rules, member)


class WeComSender:
    """Posts a council's announcements; `robots` maps a council chat key to the robot in its group."""

    def __init__(
        self,
        new_uow: Callable[[], Any],
        api: Any,
        links: Any,
        robots: Mapping[str, WeComRobot] | None = None,
        deliver: Callable[[list[int]], Awaitable[object]] | None = None,
    ) -> None:
        self.new_uow = new_uow  # a unit-of-work factory (members, motion numbers, the ballot links' rows)
        self.api = api  # bot.wecom.app.WeComApi: message/send
        self.links = links  # bot.wecom.web.BallotLinks
        self.robots = dict(robots or {})
        self.deliver = deliver  # OutboxDrainer.deliver: the links queued go out at once (else the drainer's loop)

    async def send(self, chat_key: str, reply: Reply) -> str | None:
        if reply.private:  # to one member's own chat: the chat key is their user key
            await self._to_member(chat_key, reply)
            return None
        async with self.new_uow() as uow:
            council = await uow.councils.by_chat(chat_key)
            if council is None:
                raise PermanentFailure(f"wecom: no council for {chat_key}")
            numbers = await motion_numbers(uow, [reply])
            members = [
                m
                for m in await uow.members.all(council.id)
                if m.status is MemberStatus.ACTIVE and m.user_key.startswith(PLATFORM + ":")
            ]
        # Queued (committed) before the ballot is posted: a failure after the post cannot lose them.
        link_rows = await self._queue_ballot_links(council, members, reply, numbers)
        fitted = fit_reply(reply, WECOM_ROBOT, locale=council.locale, numbers=numbers)
        robot = self.robots.get(chat_key)
        if robot is not None:
            for part in fitted:
                await robot.send(chat_key, part)
        else:
            text = "\n\n".join(render_markdown(part).replace("**", "") for part in fitted)
            await self._to_members([m.user_key.split(":", 1)[1] for m in members], text)
        if link_rows and self.deliver is not None:
            try:
                await self.deliver(link_rows)
            except Exception:  # the ballot is posted: the links stay queued for the drainer's loop
                log.exception("ballot links %s left to the outbox loop", link_rows)
        return None  # neither robot posts nor app messages can be edited: nothing to refer to

    async def edit(self, chat_key: str, reply: Reply) -> str | None:
        """WeCom cannot edit a post: the closed ballot's result, announced next, says what changed."""
        return None

    async def _to_members(self, user_ids: list[str], text: str) -> None:
        """Every member gets the text; retried only when nobody could be reached (else some would get it twice)."""
        reached, failed = 0, []
        for user_id in user_ids:
            try:
                for piece in split_text(text, WECOM_APP.max_text_bytes):
                    await self.api.send_text(user_id, piece)
                reached += 1
            except TemporaryFailure as failure:
                failed.append(failure)
            except Exception as failure:  # WeComApiError, PermanentFailure: this member cannot be reached
                log.warning("message/send to %s failed: %s", user_id, failure)
        if failed and not reached:
            raise failed[0]
        for temporary in failed:
            log.warning("message/send failed for one member, not retried: %s", temporary)

    async def _to_member(self, user_key: str, reply: Reply) -> None:
        """A private message to one member (a ballot link): a failure of it is the outbox's to retry."""
        user_id = user_key.split(":", 1)[1]
        try:
            for piece in split_text(reply.text, WECOM_APP.max_text_bytes):
                await self.api.send_text(user_id, piece)
        except (TemporaryFailure, PermanentFailure):
            raise
        except Exception as refused:  # WeComApiError: no such user, outside the app's visible range
            raise PermanentFailure(str(refused)) from refused

    async def _queue_ballot_links(
        self, council: Council, members: list[Member], reply: Reply, numbers: dict[str, int]
    ) -> list[int]:
        """A ballot just posted: each member who may vote gets a personal link (a member can ask again: 选票 N),
        as an outbox row to their own chat. Returns the rows queued now (none when queued by an earlier try)."""
        opened = sorted(
            {
                press.ballot_id
                for row in reply.buttons
                for b in row
                if isinstance(press := buttons.try_decode(b.data), buttons.Vote)
            }
        )
        if not opened or subjects.recognise(reply.subject or "") != subjects.BallotMessage(opened[0]):
            return []  # reminders carry vote buttons too; the link went out with the ballot
        t = Translator(council.locale)
        queued = []
        async with self.new_uow() as uow:
            for ballot_id in opened:
                number = next(
                    (
                        n
                        for d, n in numbers.items()
                        if buttons.try_decode(d) in {buttons.Vote(ballot_id, c) for c in Choice}
                    ),
                    "",
                )
                for member in members:
                    if not may_vote(council, member):
                        continue
                    text = t("wecom.app.ballot_opened", number=number, url=self.links.url(ballot_id, member.id))
                    row_id = await uow.outbox.add(
                        chat_key=member.user_key,
                        payload=reply_to_json(Reply(text, private=True)),
                        at=self.links.clock(),
                        council_id=council.id,
                        dedupe_key=f"wecom:ballot-link:{ballot_id}:{member.id}",
                    )
                    if row_id is not None:
                        queued.append(row_id)
            await uow.commit()
        return queued
