"""Feature modules that register more commands with the command desk (imported by the composition root)."""
from __future__ import annotations

# Each line imports a module whose @command handlers extend bot.dispatch.COMMANDS.
from . import (
    minutes_commands,  # noqa: F401,E402  (/minutes, /publish, /export, /verify)
    scheduling_commands,  # noqa: F401,E402  (meetings, /assign, /report, /rate)
)
