"""Shared by the reliability tests: a council with something in every state, and a snapshot of its state."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sqlalchemy import func, select

from bot.desk.messages import Attachment, Incoming, Response
from bot.i18n import LOCALES, translate
from storage.models import VoteRow

CHAT = "main"
CHAT_KEY = f"console:{CHAT}"
_updates = itertools.count(1)


@dataclass(frozen=True)
class Person:
    """Someone in the group chat; `admin` is a platform group administrator."""

    user_id: str
    admin: bool = False


def incoming(
    person: Person,
    text: str = "",
    data: str | None = None,
    *,
    keyed: bool = True,
    chat: str = CHAT,
    attachment: Attachment | None = None,
) -> Incoming:
    return Incoming(
        "console",
        chat,
        person.user_id,
        person.user_id,
        text=text,
        data=data,
        chat_title="3号楼议事群",
        username=person.user_id,
        is_admin=person.admin,
        update_key=f"t:{next(_updates)}" if keyed else None,
        attachment=attachment,
    )


async def say(desk, who: str | Person, text: str, **kw) -> Response:
    person = who if isinstance(who, Person) else Person(who)
    return await desk.handle(incoming(person, text, **kw))


async def press(desk, who: str | Person, data: str, **kw) -> Response:
    person = who if isinstance(who, Person) else Person(who)
    return await desk.handle(incoming(person, data=data, **kw))


async def ok(desk, who: str, text: str, chat: str = CHAT, attachment: Attachment | None = None) -> Response:
    response = await say(desk, who, text, chat=chat, attachment=attachment)
    assert not response.refused, (who, text, [r.text for r in response.replies], response.popup)
    return response


async def council_of(desk, chat: str = CHAT):
    async with desk.uow() as uow:
        return await uow.councils.by_chat(f"console:{chat}")


async def snapshot(desk, chat: str = CHAT):
    """What a refused action must leave untouched: chain head, council, motions, members, votes."""
    council = await council_of(desk, chat)
    if council is None:
        return None
    async with desk.uow() as uow:
        head = await uow.events.head(council.id)
        motions = [(m.number, m.state, m.text, m.seconder_id) for m in await uow.motions.all(council.id)]
        members = [(m.id, m.status, m.roles, m.unit) for m in await uow.members.all(council.id)]
        votes = (await uow.session.execute(select(func.count()).select_from(VoteRow))).scalar_one()
    return head, council.rules, council.locale, motions, members, votes


async def standard_council(desk) -> dict[str, int]:
    """A nantang council: chair; alice, bob, carol active. Motion #1 adopted and assigned to bob, #2 in an
    open ballot, #3 proposed, a meeting scheduled. Returns ids for button data."""
    await ok(desk, "chair", "/setup nantang")
    for name, unit in (("alice", "1-101"), ("bob", "1-102"), ("carol", "1-201")):
        await ok(desk, name, f"/join {unit}")
    await ok(desk, "alice", "/motion 在1号楼安装感应灯")
    await ok(desk, "bob", "/second 1")
    ballot1 = await ok(desk, "chair", "/vote 1 10m")
    for name in ("alice", "bob", "carol"):
        await ok(desk, name, "/yes 1")
    await ok(desk, "chair", "/assign 1 @bob 3d")
    await ok(desk, "bob", "/motion 修理单元门禁")
    await ok(desk, "carol", "/second 2")
    ballot2 = await ok(desk, "chair", "/vote 2 1h")
    await ok(desk, "carol", "/motion 清理楼道杂物")
    await ok(desk, "chair", "/schedule 2026-12-01 19:30 月度议事会")
    ids = {
        "ballot_closed": int(ballot1.replies[0].subject.split(":")[1]),
        "ballot_open": int(ballot2.replies[0].subject.split(":")[1]),
    }
    council = await council_of(desk)
    async with desk.uow() as uow:
        motions = {m.number: m.id for m in await uow.motions.all(council.id)}
        members = {m.user_key.split(":")[1]: m.id for m in await uow.members.all(council.id)}
    ids.update(motion3=motions[3], motion2=motions[2], **{f"member_{k}": v for k, v in members.items()})
    return ids


def catalogue_texts(key: str) -> set[str]:
    return {translate(locale, key) for locale in LOCALES}
