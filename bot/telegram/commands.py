"""The command menu registered with setMyCommands: Chinese by default, English for English clients."""

from __future__ import annotations

from telegram import BotCommand

from ..desk.commands import COMMAND_NAMES as COMMANDS
from ..i18n import Translator

# In menu order: what a resident needs first, then the chair's, then the rest.
# Only names the command desk knows are shown (feature modules add theirs when present).
MENU = (
    "help",
    "join",
    "motion",
    "second",
    "for",
    "against",
    "speak",
    "amend",
    "yes",
    "no",
    "abstain",
    "status",
    "show",
    "rules",
    "members",
    "setup",
    "vote",
    "close",
    "approve",
    "chair",
    "secretary",
    "unchair",
    "remove",
    "board",
    "community",
    "warn",
    "withdraw",
    "postpone",
    "refer",
    "enddebate",
    "lang",
    "schedule",
    "meetings",
    "cancel",
    "meeting",
    "present",
    "adjourn",
    "assign",
    "report",
    "tasks",
    "rate",
    "minutes",
    "publish",
    "export",
    "verify",
)

# Telegram matches a client's language_code; "" is everyone else (Simplified Chinese, the default).
MENU_LANGUAGES = (("", "zh_Hans"), ("en", "en"))


def bot_commands(locale: str) -> list[BotCommand]:
    t = Translator(locale)
    menu = []
    for name in MENU:
        if name not in COMMANDS:
            continue
        description = t(f"tg.cmd.{name}")
        if description == f"tg.cmd.{name}":  # a command without a menu line yet: keep it out
            continue
        menu.append(BotCommand(name, description[:256]))
    return menu
