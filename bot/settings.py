"""Configuration from the environment (and a .env file), one settings class per concern."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class _Base(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")


# The embedded default: a SQLite file in the working folder (the adapters read settings, so no storage import here).
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///yishi.db"


class DatabaseSettings(_Base):
    url: str = Field(DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL")


class YishiSettings(_Base):
    timezone: str = Field("Asia/Shanghai", validation_alias="YISHI_TIMEZONE")
    locale: str = Field("zh_Hans", validation_alias="YISHI_LOCALE")
    log_level: str = Field("INFO", validation_alias="YISHI_LOG_LEVEL")
    # Where the web pages are reached (the notice board's address that /board gives); "" when none are served.
    public_base_url: str = Field("", validation_alias="PUBLIC_BASE_URL")
    # A 街道's own Word form for the minutes (.docx with Jinja tags, docs/docx-template.md); none: the usual form.
    docx_template: Path | None = Field(None, validation_alias="YISHI_DOCX_TEMPLATE")
    # Where `yishi serve` serves the web pages (the hall, ballot pages, the WeCom callback): host:port.
    web_listen: str = Field("", validation_alias="YISHI_WEB_LISTEN")


class TelegramSettings(_Base):
    model_config = SettingsConfigDict(env_prefix="TELEGRAM_", env_file=".env", extra="ignore")

    bot_token: SecretStr | None = None
    api_base: str = "https://api.telegram.org"
    rate_overall_per_second: float = 30.0
    rate_group_per_minute: float = 20.0
    max_retries: int = 5
    edit_interval_seconds: float = 3.0
    http_client: Literal["httpx", "aiohttp"] = "aiohttp"  # python-telegram-bot's request backend (bench/README.md)
    # Where Telegram is blocked: an http(s):// proxy for every Bot API call; it wins over HTTPS_PROXY and ALL_PROXY.
    proxy: str | None = None


class WebhookSettings(_Base):
    model_config = SettingsConfigDict(env_prefix="WEBHOOK_", env_file=".env", extra="ignore")

    url: str | None = None
    listen: str = "127.0.0.1:8443"
    secret: SecretStr | None = None

    def problem(self) -> str | None:
        """Why webhook mode must not start (None: polling, or a strong secret).

        Without the secret anyone who finds the URL can post forged updates: votes in other members' names,
        /close as the chair, a forged group migration (issue 12).
        """
        if not self.url:
            return None
        secret = self.secret.get_secret_value() if self.secret else ""
        if STRONG_SECRET.fullmatch(secret):
            return None
        return (
            f"WEBHOOK_URL is set but WEBHOOK_SECRET is {'weak' if secret else 'missing'}: it must be at least "
            f"{MIN_SECRET_LENGTH} characters of A-Z a-z 0-9 _ - (Telegram allows at most 256). Make one with: "
            f"{MAKE_SECRET}"
        )


# Telegram's secret_token alphabet; 32 characters of it carry about 190 bits.
MIN_SECRET_LENGTH = 32
STRONG_SECRET = re.compile(rf"[A-Za-z0-9_-]{{{MIN_SECRET_LENGTH},256}}")
MAKE_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'
