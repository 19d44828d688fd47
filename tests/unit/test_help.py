"""/help names every command of the desk, grouped, in every language (issue 11)."""

from __future__ import annotations

import re

import pytest

from bot.desk.commands import COMMAND_NAMES
from bot.i18n import LOCALES, translate


def named(text: str) -> set[str]:
    """The command names a text mentions (`/yes` -> "yes")."""
    return set(re.findall(r"/([a-z]+)", text))


@pytest.mark.parametrize("locale", LOCALES)
def test_help_names_every_command_of_the_desk_in_groups(locale: str) -> None:
    shown = "\n".join(translate(locale, key) for key in ("help.group", "help.owners", "channels.help"))
    assert COMMAND_NAMES - named(shown) == set()
    headings = {
        "zh_Hans": ("【议事】", "【会议】", "【落实】", "【纪要】", "【议事会】"),
        "zh_Hant": ("【議事】", "【會議】", "【落實】", "【紀要】", "【議事會】"),
        "en": ("Deliberation:", "Meetings:", "Delivery:", "Minutes:", "Council:"),
    }[locale]
    assert all(heading in shown for heading in headings)
