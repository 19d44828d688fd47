"""The polling intake's low-water mark: what getUpdates may confirm while chats are handled concurrently."""

from __future__ import annotations

from bot.telegram.intake import Polling


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def polling(clock: Clock | None = None) -> Polling:
    return Polling(application=None, allowed_updates=[], hold_limit=30, clock=clock or Clock())  # type: ignore[arg-type]


def test_the_offset_is_the_lowest_update_still_handled():
    intake = polling()
    assert intake.offset() is None  # nothing seen: Telegram starts at its oldest unconfirmed update
    assert [intake._take(i, None) for i in (10, 11, 12)] == [True, True, True]
    assert intake.offset() == 10 and intake.unconfirmed() == 3
    intake._finished_with(12)  # another chat's update finished first
    intake._finished_with(11)
    assert intake.offset() == 10 and intake.unconfirmed() == 3  # 11 and 12 come back until 10 is done
    intake._finished_with(10)
    assert intake.offset() == 13 and intake.unconfirmed() == 0


def test_updates_sent_again_are_not_taken_twice():
    intake = polling()
    for i in (10, 11, 12):
        intake._take(i, None)
    intake._finished_with(11)
    # the next call (offset 10) brings 10, 11, 12 again and 13 new: only 13 is taken
    assert [intake._take(i, 10) for i in (10, 11, 12, 13)] == [False, False, False, True]
    # 10 and 12 finish while a call with offset 10 is under way: its answer still carries them
    intake._finished_with(10)
    intake._finished_with(12)
    assert intake.offset() == 13
    assert [intake._take(i, 10) for i in (10, 11, 12, 13, 14)] == [False, False, False, False, True]


def test_an_update_below_the_offset_asked_with_is_a_redelivery_and_handled():
    intake = polling()
    intake._take(10, None)
    intake._finished_with(10)
    intake._sent = 11
    assert intake._take(5, 11)  # Telegram would not send it; a re-delivery does: the claims decide
    assert intake.offset() == 11  # never below what was confirmed already


def test_an_update_handled_too_long_stops_holding_the_others_back():
    clock = Clock()
    intake = polling(clock)
    for i in (10, 11, 12):
        intake._take(i, None)
    intake._finished_with(11)
    intake._finished_with(12)
    clock.now += 29
    assert intake.offset() == 10
    clock.now += 2
    assert intake.offset() == 13 and intake.unconfirmed() == 0
    assert not intake._take(10, 13)  # still running here: not taken again
    intake._finished_with(10)
    assert intake.offset() == 13
