"""The council's rules of procedure, as /setup and /rules show them: every setting, its value and its source."""

from __future__ import annotations

from deliberation.counting import Preset
from deliberation.model import Rules
from deliberation.settings import SETTINGS, Setting, Source

from ...i18n import Translator


def source_text(t: Translator, source: Source) -> str:
    return t(f"source.{source.kind}", ref=source.ref)


def setting_value(t: Translator, setting: Setting, rules: Rules) -> str:
    key, params = setting.value(rules)
    return t(key, **params)


def setting_line(t: Translator, setting: Setting, rules: Rules) -> str:
    return t(
        "rules.line",
        name=t(f"set.name.{setting.name}"),
        value=setting_value(t, setting, rules),
        source=source_text(t, setting.source(rules)),
        rule=setting.name,
    )


def rules_text(t: Translator, rules: Rules) -> str:
    lines = [t(f"preset.{rules.preset}.name"), t(f"preset.{rules.preset}.summary")]
    lines += [setting_line(t, setting, rules) for setting in SETTINGS]
    if rules.weighted:  # civil278: one vote per owner from any channel (deliberation.channels.CONFLICT_RULE)
        lines.append(t("rules.conflict"))
    if rules.preset is Preset.NANTANG:  # how the chat applies each of 南塘十三条
        lines.append(t("rules.nantang_in_chat"))
    lines.append(t("rules.set_hint"))
    return "\n".join(lines)
