"""A bare python-telegram-bot (its defaults: httpx, one update after the other) that answers every button
press and does nothing else: the baseline of the open-loop benchmark, run in its own process.

    BASE=http://127.0.0.1:PORT TOKEN=... python bench/bare_bot.py
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler


async def answer(update: Update, context) -> None:
    await update.callback_query.answer()


def main() -> None:
    base = os.environ["BASE"]
    application = (
        ApplicationBuilder()
        .token(os.environ["TOKEN"])
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .connection_pool_size(64)
        .build()
    )
    application.add_handler(CallbackQueryHandler(answer))
    application.run_polling(timeout=10, drop_pending_updates=False)


if __name__ == "__main__":
    main()
