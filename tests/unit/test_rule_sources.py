"""Issue 11, point 18: messages cite the right source (RONR rules are not 南塘's, and 南塘's carry their number)."""

from __future__ import annotations

import pytest

from bot.i18n import LOCALES, translate

RONR = {"zh_Hans": "罗伯特议事规则", "zh_Hant": "羅伯特議事規則", "en": "Robert's Rules"}
NANTANG = {"zh_Hans": "南塘规则第{n}条", "zh_Hant": "南塘規則第{n}條", "en": "Nantang rule {n}"}

# What the spec (§4, 南塘十三条 in a chat) attributes to whom.
RONR_KEYS = ("error.amendment_pending", "error.speech.too_soon", "error.amendment_already_pending")
NANTANG_KEYS = {
    "error.speech.chair": 1,
    "nantang.error.question": 2,
    "error.speech.limit": 5,
    "nantang.error.alternate": 8,
    "error.speech.side": 9,
    "nantang.error.chair_last": 11,
    "nantang.question_called": 11,
    "nantang.error.abstain": 12,
}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("key", RONR_KEYS)
def test_amendment_order_and_the_second_speech_wait_are_cited_as_ronr(locale: str, key: str) -> None:
    text = translate(locale, key)
    assert RONR[locale] in text
    assert "南塘" not in text and "Nantang" not in text


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("key", "rule"), NANTANG_KEYS.items())
def test_nantang_rules_are_cited_with_their_number(locale: str, key: str, rule: int) -> None:
    assert NANTANG[locale].format(n=rule) in translate(locale, key)
