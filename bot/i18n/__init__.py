"""The translation catalogue: gettext .po files per locale (read with Babel), one domain per feature."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from string import Formatter

from babel.messages.pofile import read_po

LOCALES = ("zh_Hans", "en", "zh_Hant")
DEFAULT_LOCALE = "zh_Hans"
_DIR = Path(__file__).with_name("locales")

_ALIASES = {
    "zh": "zh_Hans",
    "zh-cn": "zh_Hans",
    "zh_cn": "zh_Hans",
    "zh-hans": "zh_Hans",
    "zh_hans": "zh_Hans",
    "zh-sg": "zh_Hans",
    "cn": "zh_Hans",
    "简体": "zh_Hans",
    "中文": "zh_Hans",
    "zh-tw": "zh_Hant",
    "zh_tw": "zh_Hant",
    "zh-hk": "zh_Hant",
    "zh-hant": "zh_Hant",
    "zh_hant": "zh_Hant",
    "zh-mo": "zh_Hant",
    "tw": "zh_Hant",
    "繁體": "zh_Hant",
    "繁体": "zh_Hant",
    "en": "en",
    "english": "en",
    "英文": "en",
}


def normalise_locale(text: str | None) -> str | None:
    """A user's or client's language tag -> one of LOCALES, or None if we do not speak it."""
    if not text:
        return None
    tag = text.strip().lower()
    if tag in _ALIASES:
        return _ALIASES[tag]
    if tag.startswith("en"):
        return "en"
    if tag.startswith("zh"):
        return "zh_Hant" if any(part in tag for part in ("tw", "hk", "mo", "hant")) else "zh_Hans"
    return None


@cache
def _catalogue(locale: str) -> dict[str, str]:
    messages: dict[str, str] = {}
    for path in sorted((_DIR / locale).glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=None):
                if message.id and message.string:
                    messages[str(message.id)] = str(message.string)
    return messages


class _Lenient(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


_formatter = Formatter()


def translate(locale: str | None, key: str, **params: object) -> str:
    """The message `key` in `locale` (falling back to Simplified Chinese), with params filled in."""
    locale = locale if locale in LOCALES else DEFAULT_LOCALE
    template = _catalogue(locale).get(key) or _catalogue(DEFAULT_LOCALE).get(key) or key
    try:
        return _formatter.vformat(template, (), _Lenient(params))
    except (ValueError, IndexError, AttributeError):
        return template


def has_key(locale: str, key: str) -> bool:
    return key in _catalogue(locale)


def keys(locale: str) -> set[str]:
    return set(_catalogue(locale))


def texts_under(locale: str | None, prefix: str) -> str:
    """Every message whose key starts with `prefix`, run together: the characters a document built from them may
    print (a PDF embeds only the glyphs it is told about)."""
    locale = locale if locale in LOCALES else DEFAULT_LOCALE
    return "".join(text for key, text in _catalogue(locale).items() if key.startswith(prefix))


class Translator:
    """Bound to one locale: `t("motion.seconded", number=3, name="王")`."""

    def __init__(self, locale: str | None) -> None:
        self.locale = locale if locale in LOCALES else DEFAULT_LOCALE

    def __call__(self, key: str, **params: object) -> str:
        return translate(self.locale, key, **params)
