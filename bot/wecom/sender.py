"""WeCom's outbox Sender: what a council hears goes through its group robot, else to each member by message/send.

The outbox drainer calls it for rows queued with the change that caused them (results, notices, reminders,
motion cards, ballots), so a failure here is retried, not lost: the robot's rate limit and network or 5xx
failures raise `TemporaryFailure`. When a ballot message goes out, every member who may vote also gets a
personal signed link to the H5 ballot page.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from deliberation import usecases
from deliberation.counting import Choice
from deliberation.model import Council, Member, MemberStatus

from ..adapters import WECOM_APP, WECOM_ROBOT, fit_reply, motion_numbers, split_text
from ..desk import buttons, subjects
from ..desk.messages import Reply
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

    def __init__(self, new_uow: Callable[[], Any], api: Any, links: Any,
                 robots: Mapping[str, WeComRobot] | None = None) -> None:
        self.new_uow = new_uow  # a unit-of-work factory (members, motion numbers)
        self.api = api          # bot.wecom.app.WeComApi: message/send
        self.links = links      # bot.wecom.web.BallotLinks
        self.robots = dict(robots or {})

    async def send(self, chat_key: str, reply: Reply) -> str | None:
        async with self.new_uow() as uow:
            council = await uow.councils.by_chat(chat_key)
            if council is None:
                raise PermanentFailure(f"wecom: no council for {chat_key}")
            numbers = await motion_numbers(uow, [reply])
            members = [m for m in await uow.members.all(council.id)
                       if m.status is MemberStatus.ACTIVE and m.user_key.startswith(PLATFORM + ":")]
        fitted = fit_reply(reply, WECOM_ROBOT, locale=council.locale, numbers=numbers)
        robot = self.robots.get(chat_key)
        if robot is not None:
            for part in fitted:
                await robot.send(chat_key, part)
        else:
            text = "\n\n".join(render_markdown(part).replace("**", "") for part in fitted)
            await self._to_members([m.user_key.split(":", 1)[1] for m in members], text)
        await self._ballot_links(council, members, reply, numbers)
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

    async def _ballot_links(self, council: Council, members: list[Member], reply: Reply,
                            numbers: dict[str, int]) -> None:
        """A ballot just posted: each member who may vote gets a personal link (a member can ask again: 选票 N)."""
        opened = sorted({press.ballot_id for row in reply.buttons for b in row
                         if isinstance(press := buttons.try_decode(b.data), buttons.Vote)})
        if not opened or subjects.recognise(reply.subject or "") != subjects.BallotMessage(opened[0]):
            return  # reminders carry vote buttons too; the link went out with the ballot
        t = Translator(council.locale)
        for ballot_id in opened:
            number = next((n for d, n in numbers.items()
                           if buttons.try_decode(d) in {buttons.Vote(ballot_id, choice) for choice in Choice}), "")
            for member in members:
                if not may_vote(council, member):
                    continue
                text = t("wecom.app.ballot_opened", number=number, url=self.links.url(ballot_id, member.id))
                try:
                    await self.api.send_text(member.user_key.split(":", 1)[1], text)
                except Exception as failure:  # noqa: BLE001 - one member's link must not hold up the rest
                    log.warning("ballot link to %s failed: %s", member.user_key, failure)
