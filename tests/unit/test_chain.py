"""The hash chain: canonical, verifiable, and it names the first broken event."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from deliberation.chain import GENESIS, Event, canonical_json, link, seal, verify


def chain(payloads: list[dict]) -> list[Event]:
    events, prev = [], GENESIS
    for seq, payload in enumerate(payloads, start=1):
        event = seal(Event(1, seq, "motion.raised", "2026-11-22T02:00:00+00:00", payload, prev))
        events.append(event)
        prev = event.hash
    return events


def test_canonical_json_sorts_keys_and_keeps_chinese():
    assert canonical_json({"b": 1, "a": "灯"}) == '{"a":"灯","b":1}'


def test_hash_is_sha256_of_previous_hash_and_canonical_body():
    import hashlib

    event = chain([{"text": "装灯"}])[0]
    expected = hashlib.sha256((GENESIS + canonical_json(event.body())).encode()).hexdigest()
    assert event.hash == expected == link(GENESIS, event.body())


payloads = st.lists(
    st.dictionaries(st.text(max_size=5), st.one_of(st.integers(), st.text(max_size=10)), max_size=3),
    min_size=1,
    max_size=12,
)


@given(payloads)
def test_an_untouched_chain_verifies(items):
    events = chain(items)
    verdict = verify(events)
    assert verdict.ok and verdict.head == events[-1].hash and verdict.count == len(events)


@given(payloads, st.data())
def test_altering_any_event_names_it(items, data):
    events = chain(items)
    index = data.draw(st.integers(0, len(events) - 1))
    events[index] = dataclasses.replace(events[index], payload={**events[index].payload, "altered": True})
    verdict = verify(events)
    assert not verdict.ok and verdict.broken_seq == index + 1 and verdict.reason == "hash"


def test_a_removed_event_is_a_gap():
    events = chain([{"n": 1}, {"n": 2}, {"n": 3}])
    verdict = verify([events[0], events[2]])
    assert (verdict.ok, verdict.broken_seq, verdict.reason) == (False, 3, "gap")


def test_a_resealed_event_breaks_the_link_after_it():
    events = chain([{"n": 1}, {"n": 2}, {"n": 3}])
    forged = seal(dataclasses.replace(events[1], payload={"n": 20}))
    verdict = verify([events[0], forged, events[2]])
    assert (verdict.ok, verdict.broken_seq, verdict.reason) == (False, 3, "link")
