"""WeCom personal ballot links go through the outbox, one row per member: a 502 delays a link, never loses it."""

from __future__ import annotations

import pytest

from tests.e2e.wecom_fakes import Rig, running_rig

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def rig(app, clock):
    async with running_rig(app, clock) as rig:
        yield rig


async def _ballot_open_with_bob_failing(rig: Rig, failures: int) -> None:
    alice, bob, carol = (rig.member(u) for u in ("alice", "bob", "carol"))
    await alice.say("开通")
    for member, unit in ((bob, "3-502"), (carol, "3-601")):
        await member.say(f"加入 {unit}")
    await bob.say("提议 在3号楼每层安装感应灯")
    await carol.say("附议 1")
    rig.fake.failing["bob"] = failures
    await alice.say("表决 1")


def _links(rig: Rig, user: str) -> list[str]:
    return [text for text in rig.fake.texts_to(user) if "http://yishi.example/b/" in text]


async def test_a_ballot_link_answered_502_once_is_retried_and_arrives(rig: Rig, clock):
    await _ballot_open_with_bob_failing(rig, failures=1)
    assert len(_links(rig, "carol")) == 1  # carol's link is not held up by bob's
    assert _links(rig, "bob") == [] and rig.fake.failing["bob"] == 0  # bob's was answered 502

    for _ in range(10):  # the drainer's retries, with the clock moved past each back-off
        if _links(rig, "bob"):
            break
        clock.advance(seconds=2)
        await rig.app.drainer.drain_once()
    assert len(_links(rig, "bob")) == 1
    assert rig.fake.robot_text().count("表决") >= 1 and len(_links(rig, "carol")) == 1  # nothing twice
    assert not rig.wecom.failures


async def test_a_ballot_link_that_never_arrives_is_reported_without_the_link(rig: Rig, clock):
    await _ballot_open_with_bob_failing(rig, failures=10_000)
    for _ in range(40):
        if "致主持人" in rig.fake.robot_text():
            break
        clock.advance(minutes=2)
        await rig.app.drainer.drain_once()
    assert "致主持人" in rig.fake.robot_text()
    notice = rig.fake.robot_text().split("致主持人")[-1]
    assert "李师傅" in notice and "/b/" not in notice  # who did not get it; never the link itself
    assert _links(rig, "bob") == [] and len(_links(rig, "carol")) == 1
