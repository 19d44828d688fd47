"""deliberation.council_moves: when a council follows its chat, and what its chain records."""

from __future__ import annotations

from deliberation.council_moves import (
    COUNCIL_MOVED,
    COUNCIL_RESTORED,
    COUNCIL_RETIRED,
    Standing,
    announces_after_move,
    move,
    restore,
    retire,
)


def test_a_council_moves_to_a_free_chat_and_records_where_from_and_to():
    entry = move("telegram:-1", "telegram:-100", Standing(3, True), new_chat_taken=False)
    assert entry is not None and entry.type == COUNCIL_MOVED
    assert entry.payload == {"from": "telegram:-1", "to": "telegram:-100", "reason": "supergroup"}


def test_nothing_moves_without_a_council_or_onto_another_council():
    assert move("telegram:-1", "telegram:-100", None, new_chat_taken=False) is None
    assert move("telegram:-1", "telegram:-100", Standing(3, True), new_chat_taken=True) is None


def test_a_retired_council_moves_silently():
    assert announces_after_move(Standing(3, True))
    assert not announces_after_move(Standing(3, False))


def test_only_an_active_council_retires_and_only_a_retired_one_is_restored():
    assert retire("telegram:-1", Standing(3, True), "kicked").type == COUNCIL_RETIRED
    assert retire("telegram:-1", Standing(3, False), "kicked") is None
    assert retire("telegram:-1", None, "kicked") is None
    assert restore("telegram:-1", Standing(3, False)).type == COUNCIL_RESTORED
    assert restore("telegram:-1", Standing(3, True)) is None
    assert restore("telegram:-1", None) is None
