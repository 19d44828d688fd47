"""Reliability: two `yishi run` webhook workers on one PostgreSQL database.

The fake server delivers updates to both alternately (webhook POSTs, many at once, some to both):
tallies are exact, one council's changes are serialized (motion numbers, the one seconder), every
reminder fires once and every result is announced once.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from telegram import Bot

from bot.i18n import Translator
from bot.telegram.chats import TelegramChats
from storage.database import make_engine, make_sessions
from storage.uow import SqlUnitOfWork, uow_factory
from tests.conftest import create_pg_database, drop_pg_database, postgres_available
from tests.e2e.reliability import CHAIR, Yishi, ballot_state, seed_council, until, wait_until_listening, yishi_env
from tests.fakes.fake_bot_api import FakeBotApi, free_port

pytestmark = pytest.mark.timeout(150)
t = Translator("zh_Hans")
G = -1_009_901
VOTERS = 300
SECRET = "scale-out-secret-0123456789abcdefghij"


async def test_two_webhook_workers_on_one_postgres_database(tmp_path):
    if not await postgres_available():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    url = await create_pg_database()
    workers: list[Yishi] = []
    try:
        members = await seed_council(
            url, G, VOTERS + 1, first_user=600_000, title="双进程群", ballot_closes_in=timedelta(seconds=30)
        )
        voters = members[:VOTERS]  # one member does not vote: the alarm closes the ballot
        ballot, _, _ = await ballot_state(url, G)
        async with FakeBotApi() as api:
            api.set_chat(G, "supergroup", "双进程群")
            api.set_chat_member(G, CHAIR, "creator")
            # The ballot message, posted as the bot, and remembered where the workers look for it.
            async with Bot(**api.bot_kwargs()) as bot:
                posted = await bot.send_message(G, "表决 #1")
            engine = make_engine(url)
            chats = TelegramChats(uow_factory(make_sessions(engine)))
            await chats.record_post(G, f"ballot:{ballot.id}", posted.message_id)
            await engine.dispose()

            hooks = []
            for name in ("a", "b"):
                port = free_port()
                hook = f"http://127.0.0.1:{port}/hook-{name}"
                env = yishi_env(
                    api, url, tmp_path, WEBHOOK_URL=hook, WEBHOOK_LISTEN=f"127.0.0.1:{port}", WEBHOOK_SECRET=SECRET
                )
                workers.append(await Yishi.start(env, tmp_path, f"worker-{name}"))
                await wait_until_listening(port)
                hooks.append(hook)

            sent = Counter()

            async def deliver(update: dict, *to: int) -> None:
                for n in to:
                    assert await api.deliver_webhook(hooks[n], update, secret_token=SECRET) == 200
                    sent[n] += 1

            # 1. Votes: alternately to each worker, 32 at a time; every 10th also to the other worker.
            codes = ("y", "n", "a")
            want = {v.id: codes[i % 3] for i, v in enumerate(voters)}
            presses = [api.make_callback(G, v, posted.message_id, f"v:{ballot.id}:{want[v.id]}") for v in voters]
            for i, p in enumerate(presses):
                p["update_id"] = 800_000_000 + i
            gate = asyncio.Semaphore(32)

            async def press(i: int, update: dict) -> None:
                async with gate:
                    await deliver(update, *((i % 2, 1 - i % 2) if i % 10 == 0 else (i % 2,)))

            # 2. Meanwhile, twenty motions raised at once through both workers: numbers 2..21, none twice.
            raisers = voters[:20]
            motions = [api.make_command(G, v, f"/motion 议题{n}") for n, v in enumerate(raisers)]

            async def motion(i: int, update: dict) -> None:
                async with gate:
                    await deliver(update, i % 2)

            await asyncio.gather(
                *(press(i, p) for i, p in enumerate(presses)), *(motion(i, m) for i, m in enumerate(motions))
            )
            assert sent[0] > 100 and sent[1] > 100

            async def all_counted() -> bool:
                return (await ballot_state(url, G))[2] == VOTERS

            await until(all_counted, 60, "every vote to be counted")
            await until(
                lambda: len({a["callback_query_id"] for a in api.callback_answers()}) >= VOTERS,
                20,
                "every press to be answered",
            )
            assert not [a for a in api.callback_answers() if a.get("show_alert")]  # no refusal, no error

            # 3. Two members second motion 2 at the same moment, one through each worker: one seconder.
            await until(lambda: len([m for m in api.sent_messages(G) if "议题" in m["text"]]) >= 20, 30, "the cards")
            since = len(api.calls())
            await asyncio.gather(
                deliver(api.make_command(G, voters[30], "/second 2"), 0),
                deliver(api.make_command(G, voters[31], "/second 2"), 1),
            )
            await api.wait_for(
                method="sendMessage",
                since=since,
                timeout=20,
                params={"chat_id": G},
                predicate=lambda c: c.ok and "reply_to_message" in c.result,
            )  # the refusal

            # 4. The alarm (one leader of the two) closes the ballot on time and announces it once.
            expected = Counter(want.values())
            counts = t("result.counts", yes=expected["y"], no=expected["n"], abstain=expected["a"])
            await api.wait_for(
                method="sendMessage",
                params={"chat_id": G},
                timeout=60,
                predicate=lambda c: c.ok and counts in c.result["text"],
            )
            await asyncio.sleep(3.0)  # time for a second announcement, if there were one

            texts = [m["text"] for m in api.sent_messages(G)]
            assert sum(counts in x for x in texts) == 1, [x[:50] for x in texts if counts in x]
            reminders = [m for m in api.sent_messages(G) if m["text"].startswith("提醒：#1 的表决")]
            assert len(reminders) == 1, [m["text"][:40] for m in reminders]
            await until(
                lambda: "v:" not in str(api.message(G, reminders[0]["message_id"]).get("reply_markup")),
                10,
                "the reminder of the closed ballot to lose its buttons",
            )
            seconded = [x for x in texts if x.startswith("#2 已由")]
            assert len(seconded) == 1, seconded
            closed, rows, count = await ballot_state(url, G)
            assert count == VOTERS and closed.result.yes == expected["y"] and closed.result.no == expected["n"]
            assert closed.result.abstain == expected["a"]
            assert "v:" not in str(api.message(G, posted.message_id).get("reply_markup"))  # closed: no buttons

            app_engine = make_engine(url)
            try:
                async with SqlUnitOfWork(make_sessions(app_engine)) as uow:
                    council = await uow.councils.by_chat(f"telegram:{G}")
                    motions_now = await uow.motions.all(council.id)
                    numbers = sorted(m.number for m in motions_now)
                    texts_of = {m.text for m in motions_now}
                    events = list(await uow.events.all(council.id))
            finally:
                await app_engine.dispose()
            assert numbers == list(range(1, 22)), numbers
            # The council's event chain: one gap-free sequence, one vote.cast per vote (none from a re-delivery).
            assert [e.seq for e in events] == list(range(1, len(events) + 1))
            assert sum(e.type == "vote.cast" for e in events) == VOTERS
            assert sum(e.type == "ballot.closed" for e in events) == 1
            assert {f"议题{n}" for n in range(20)} <= texts_of

            for worker in workers:
                assert await worker.stop() == 0, worker.output()[-3000:]
            for worker in workers:
                assert "Traceback" not in worker.output(), worker.output()[-3000:]
    finally:
        for worker in workers:
            worker.kill()
            await worker.process.wait()
        await drop_pg_database(url)
