"""Reliability: `yishi run` is killed (-9) in the middle of a 1,000-vote burst and started again.

Every vote whose button was answered is counted, none twice; the presses the dead process took
but never answered were not confirmed to Telegram, so they are re-delivered and answered by the
restarted process; the tally ends exact and the alarm still closes the ballot on time and announces
it once. (tests/e2e/test_reliability_crash_intake.py kills it several times, polling and webhook.)
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bot.i18n import Translator
from deliberation.counting import Choice
from tests.e2e.reliability import Yishi, ballot_state, seed_council, until, yishi_env
from tests.fakes.fake_bot_api import FakeBotApi

pytestmark = pytest.mark.timeout(150)
t = Translator("zh_Hans")
G = -1_009_801
VOTERS = 1000
CODES = ("y", "n", "a")
CLOSES_IN = timedelta(seconds=40)


async def test_kill_9_in_a_vote_burst_loses_no_answered_vote_and_the_ballot_closes_on_time(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'yishi.db'}"
    members = await seed_council(url, G, VOTERS + 1, first_user=500_000, title="崩溃演练群", ballot_closes_in=CLOSES_IN)
    voters = members[:VOTERS]  # one member does not vote: the clock, not the last vote, must close the ballot
    ballot, _, _ = await ballot_state(url, G)
    assert ballot.eligible_voters == VOTERS + 1

    async with FakeBotApi() as api:
        api.set_chat(G, "supergroup", "崩溃演练群")
        env = yishi_env(api, url, tmp_path)
        message = {
            "message_id": 1,
            "date": int(time.time()),
            "chat": api.set_chat(G),
            "text": "表决",
            "from": api.bot_user,
        }
        want = {v.id: CODES[i % 3] for i, v in enumerate(voters)}
        presses = [api.make_callback(G, v, 1, f"v:{ballot.id}:{want[v.id]}", message=message) for v in voters]
        user_of = {p["callback_query"]["id"]: p["callback_query"]["from"]["id"] for p in presses}

        first = await Yishi.start(env, tmp_path, "first")
        second = None
        try:
            await api.wait_for_polling(timeout=40)
            api.push_batch(presses)
            await until(
                lambda: len(api.callback_answers()) >= 150 or first.process.returncode is not None,
                60,
                "the burst to be under way",
                every=0.002,
            )
            first.kill()
            await first.process.wait()
            answered_before = {user_of[a["callback_query_id"]] for a in api.callback_answers()}
            assert 150 <= len(answered_before) < VOTERS, len(answered_before)  # killed in the middle

            since = len(api.calls())
            second = await Yishi.start(env, tmp_path, "second")
            await api.wait_for_polling(since=since, timeout=40)

            async def quiet() -> bool:  # the re-delivered batch is worked off, nothing new for a while
                _, _, count = await ballot_state(url, G)
                calls = len(api.calls("answerCallbackQuery"))
                await asyncio.sleep(1.0)
                return count == (await ballot_state(url, G))[2] and calls == len(api.calls("answerCallbackQuery"))

            await until(quiet, 60, "the restarted bot to settle")
            answered = {a["callback_query_id"] for a in api.callback_answers()}
            assert answered == set(user_of), f"{len(set(user_of) - answered)} presses never answered"
            _, rows, count = await ballot_state(url, G)
            counted = {int(voter[1:]) for voter, *_ in rows}  # "m<member id>"
            # Every vote answered before the crash is counted (members are ids 2.. in seed order).
            member_id = {v.id: i + 2 for i, v in enumerate(voters)}
            missing = [u for u in answered_before if member_id[u] not in counted]
            assert not missing, f"{len(missing)} answered votes lost, e.g. {missing[:5]}"
            assert count == len(rows) == len(counted) <= VOTERS  # one row per voter
            lost = [v for v in voters if member_id[v.id] not in counted]

            print(
                f"crash figures: answered before kill -9: {len(answered_before)}; counted after restart: "
                f"{len(counted)}; taken by the dead process and lost: {len(lost)}"
            )
            assert not lost  # re-delivered: nobody has to press again
            closes_at = ballot.closes_at if ballot.closes_at.tzinfo else ballot.closes_at.replace(tzinfo=UTC)
            assert datetime.now(UTC) < closes_at, "the burst outlasted the ballot: make CLOSES_IN longer"

            # The alarm of the restarted process closes the ballot at its deadline and announces it once.
            expected = Counter(want.values())
            counts = t("result.counts", yes=expected["y"], no=expected["n"], abstain=expected["a"])
            call = await api.wait_for(
                method="sendMessage",
                params={"chat_id": G},
                timeout=60,
                predicate=lambda c: c.ok and counts in c.result["text"],
            )
            announced_at = datetime.now(UTC)
            assert closes_at - timedelta(seconds=1) <= announced_at <= closes_at + timedelta(seconds=10)
            closed, rows, count = await ballot_state(url, G)
            closed_at = closed.closed_at if closed.closed_at.tzinfo else closed.closed_at.replace(tzinfo=UTC)
            assert closes_at <= closed_at <= closes_at + timedelta(seconds=8)
            assert count == VOTERS and closed.result.yes == expected["y"] and closed.result.no == expected["n"]
            assert Counter(c.value for _, _, c, _ in rows) == Counter(
                {Choice.YES.value: expected["y"], Choice.NO.value: expected["n"], Choice.ABSTAIN.value: expected["a"]}
            )
            await asyncio.sleep(1.0)
            results = [m for m in api.sent_messages(G) if counts in m["text"]]
            assert len(results) == 1 and results[0]["message_id"] == call.result["message_id"]
            assert await second.stop() == 0, second.output()[-3000:]
        finally:
            first.kill()
            if second is not None:
                second.kill()
