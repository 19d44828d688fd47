"""Hardened edges (issue 12): start-up refusals, the web pages under bad input, shutdown, proxies."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.fake_bot_api import free_port

YISHI = str(Path(sys.executable).with_name("yishi"))
PLATFORM_VARIABLES = ("TELEGRAM_", "WEBHOOK_", "WECOM_", "YISHI_LINK_", "PUBLIC_BASE_URL", "DATABASE_URL")
STRONG = "Zq3-_" * 7  # 35 characters of Telegram's secret_token alphabet


def clean_environment(**extra: str) -> dict[str, str]:
    """The test's environment without any platform setting of the developer's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(PLATFORM_VARIABLES)}
    return {**env, "YISHI_LOG_LEVEL": "WARNING", **extra}


# ---- #1: webhook mode needs a strong secret -------------------------------------------------------------

@pytest.mark.parametrize("command", ["run", "serve"])
@pytest.mark.parametrize("secret", [None, "", "s3cret", "x" * 31, "!" * 40, "a" * 257])
def test_webhook_mode_refuses_to_start_without_a_strong_secret(tmp_path, command, secret):
    # the Bot API "server" is a closed port on loopback: a bot that did not refuse would fail to reach it (1)
    env = clean_environment(TELEGRAM_BOT_TOKEN="123:abc", TELEGRAM_API_BASE=f"http://127.0.0.1:{free_port()}",
                            WEBHOOK_URL="https://bot.example/hook", WEBHOOK_LISTEN=f"127.0.0.1:{free_port()}")
    if secret is not None:
        env["WEBHOOK_SECRET"] = secret
    result = subprocess.run([YISHI, command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "WEBHOOK_SECRET" in result.stderr
    assert 'python -c "import secrets; print(secrets.token_urlsafe(32))"' in result.stderr
    assert not list(tmp_path.glob("*.db"))  # it stopped before opening a database


def test_a_strong_webhook_secret_passes_the_check():
    from bot.settings import WebhookSettings

    assert WebhookSettings(url="https://bot.example/hook", secret=STRONG).problem() is None
    assert WebhookSettings(url=None, secret=None).problem() is None  # polling needs none
    made = subprocess.run([sys.executable, "-c", "import secrets; print(secrets.token_urlsafe(32))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    assert WebhookSettings(url="https://bot.example/hook", secret=made).problem() is None
