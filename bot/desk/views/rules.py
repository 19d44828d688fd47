"""The council's rules of procedure, as /setup and /rules show them."""

from __future__ import annotations

from deliberation.model import Rules

from ...i18n import Translator


def rules_text(t: Translator, rules: Rules) -> str:
    hours = int(rules.second_deadline.total_seconds() // 3600)
    return "\n".join(
        [
            t(f"preset.{rules.preset}.name"),
            t(f"preset.{rules.preset}.summary"),
            t("rules.speeches", count=rules.speeches_per_member, chars=rules.speech_max_chars),
            t("rules.second_deadline", hours=hours),
            t("rules.chair_votes" if rules.chair_votes else "rules.chair_no_vote"),
            t("rules.approval" if rules.approval_required else "rules.no_approval"),
            *(
                # civil278: one vote per owner from any channel (deliberation.channels.CONFLICT_RULE), proxies
                [t("rules.conflict"), t("rules.proxy_cap", cap=rules.proxy_cap)] if rules.weighted else []
            ),
        ]
    )
