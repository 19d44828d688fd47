"""The scheduling catalogue: the same keys and placeholders in every language, none clashing with core, none missing."""

from __future__ import annotations

import re
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LOCALES
from deliberation import delivery

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "bot" / "i18n" / "locales"
SOURCES = [
    "bot/alarm.py",
    "bot/reminder_actions.py",
    "bot/desk/views/reminders.py",
    "bot/desk/commands/meetings.py",
    "bot/desk/commands/follow_up.py",
    "bot/desk/views/notices.py",
    "bot/desk/views/ratings.py",
    "bot/desk/parsing.py",
    "deliberation/delivery.py",
]


def catalogue(locale: str, domain: str) -> dict[str, str]:
    with (LOCALE_DIR / locale / f"{domain}.po").open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle) if m.id}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_language_has_every_key_with_the_same_placeholders(locale):
    reference = catalogue("zh_Hans", "scheduling")
    messages = catalogue(locale, "scheduling")
    assert set(messages) == set(reference)
    for key, text in messages.items():
        assert text, key
        assert fields(text) == fields(reference[key]), (locale, key)


@pytest.mark.parametrize("locale", LOCALES)
def test_no_key_clashes_with_the_core_catalogue(locale):
    assert not set(catalogue(locale, "scheduling")) & set(catalogue(locale, "core"))


def test_every_key_the_code_uses_is_in_the_catalogue():
    known = set(catalogue("zh_Hans", "scheduling")) | set(catalogue("zh_Hans", "core"))
    used = set()
    for source in SOURCES:
        text = (ROOT / source).read_text(encoding="utf-8")
        used |= set(re.findall(r'"((?:sched|delivery)\.[a-z0-9_.]+)"', text))
    used |= {
        cls.key
        for cls in vars(delivery).values()
        if isinstance(cls, type) and issubclass(cls, delivery.errors.DeliberationError)
    }
    used |= {f"delivery.rating.choice.{r.value}" for r in delivery.Rating}
    used |= {f"delivery.state.{s.value}" for s in delivery.AssignmentState}
    assert sorted(k for k in used if not k.endswith(".") and k not in known) == []
