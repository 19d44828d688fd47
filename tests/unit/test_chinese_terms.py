"""The words of procedure read the same in Simplified and Traditional Chinese, message by message (issue 11)."""

from __future__ import annotations

import pytest

from bot.i18n import _catalogue, translate

# Simplified term -> its Traditional counterpart. 透過 means "by way of"; a motion that passes is 通過.
PROCEDURE_TERMS = {"通过": "通過", "附议": "附議", "表决": "表決", "动议": "動議", "弃权": "棄權"}


def _pairs() -> list[tuple[str, str, str]]:
    simplified, traditional = _catalogue("zh_Hans"), _catalogue("zh_Hant")
    return [(key, simplified[key], traditional[key]) for key in sorted(simplified) if key in traditional]


@pytest.mark.parametrize(("simplified_term", "traditional_term"), sorted(PROCEDURE_TERMS.items()))
def test_each_procedure_term_has_its_traditional_counterpart(simplified_term: str, traditional_term: str) -> None:
    wrong = [
        (key, hans, hant) for key, hans, hant in _pairs() if hant.count(traditional_term) < hans.count(simplified_term)
    ]
    assert wrong == []


def test_passes_is_never_written_by_way_of() -> None:
    wrong = [(key, hant) for key, hans, hant in _pairs() if "通过" in hans and "透過" in hant and "透过" not in hans]
    assert wrong == []


def test_a_traditional_result_says_passed() -> None:
    assert "通過" in translate("zh_Hant", "result.passed")
    assert "透過" not in translate("zh_Hant", "result.passed")
