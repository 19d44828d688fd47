"""The catalogue: every locale has every message, and every key the code names exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.i18n import LOCALES, Translator, keys, normalise_locale

ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize("locale", LOCALES[1:])
def test_every_locale_has_every_message(locale):
    assert keys(locale) == keys("zh_Hans")


def test_every_literal_key_in_the_code_is_in_the_catalogue():
    used = set()
    for path in list((ROOT / "bot").rglob("*.py")) + list((ROOT / "deliberation").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'\bt\("([a-z_]+\.[a-z_.]+)"', source))
        used |= set(re.findall(r'\bkey = "([a-z_]+\.[a-z_.]+)"', source))
        used |= set(re.findall(r'_refuse\("([a-z_]+\.[a-z_.]+)"', source))
    missing = sorted(used - keys("zh_Hans"))
    assert missing == []


@pytest.mark.parametrize(
    ("tag", "locale"),
    [
        ("zh", "zh_Hans"),
        ("zh-CN", "zh_Hans"),
        ("zh-TW", "zh_Hant"),
        ("zh-hk", "zh_Hant"),
        ("en", "en"),
        ("en-GB", "en"),
        ("klingon", None),
        ("", None),
    ],
)
def test_language_tags(tag, locale):
    assert normalise_locale(tag) == locale


def test_missing_parameters_do_not_crash_and_specials_pass_through():
    t = Translator("en")
    text = t("member.joined", name="<b>&amp;", unit="{unit}")
    assert "<b>&amp;" in text
    assert t("no.such.key") == "no.such.key"
    assert "{unit}" in t("member.joined", name="x")
