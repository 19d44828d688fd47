"""The Telegram adapter: python-telegram-bot updates in, the command desk's answers out."""
