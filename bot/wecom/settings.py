"""WeCom and H5 page configuration from the environment (and .env)."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# Characters in YISHI_LINK_SECRET: the HMAC key of every ballot link must not be guessable offline.
MIN_LINK_SECRET = 32


class WeComSettings(BaseSettings):
    """The self-built app (自建应用), the group robot (群机器人) and the public web pages."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True)

    corp_id: str = Field("", validation_alias="WECOM_CORP_ID")
    agent_id: int = Field(0, validation_alias="WECOM_AGENT_ID")
    secret: SecretStr = Field(SecretStr(""), validation_alias="WECOM_SECRET")
    token: str = Field("", validation_alias="WECOM_TOKEN")  # callback Token
    aes_key: str = Field("", validation_alias="WECOM_AES_KEY")  # callback EncodingAESKey (43 chars)
    robot_url: str | None = Field(None, validation_alias="WECOM_ROBOT_URL")  # group robot webhook
    api_base: str = Field("https://qyapi.weixin.qq.com", validation_alias="WECOM_API_BASE")
    # The council the app's members deliberate in: its chat key is "wecom:<this>".
    council_chat: str = Field("council", validation_alias="WECOM_COUNCIL_CHAT")
    council_title: str = Field("议事会", validation_alias="WECOM_COUNCIL_TITLE")
    # Members of other councils: "userid=chat,userid=chat" (user ids not listed use WECOM_COUNCIL_CHAT).
    council_links: str = Field("", validation_alias="WECOM_COUNCIL_LINKS")
    # Who may set up a council (开通) and chairs every WeCom council, like a Telegram group's admins:
    # user ids, "zhangsan,lisi". Nobody when empty: the first user to say 开通 must not chair for good.
    admins: str = Field("", validation_alias="WECOM_ADMINS")
    listen: str = Field("127.0.0.1:8080", validation_alias="WECOM_LISTEN")
    callback_window_seconds: int = Field(300, validation_alias="WECOM_CALLBACK_WINDOW_SECONDS")

    @property
    def admin_ids(self) -> frozenset[str]:
        return frozenset(part for part in re.split(r"[,，;\s]+", self.admins) if part)


class LinkSettings(BaseSettings):
    """Signed ballot links: where the pages are served, the HMAC secret, how long a link lasts."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True)

    public_base_url: str = Field("http://127.0.0.1:8080", validation_alias="PUBLIC_BASE_URL")
    secret: SecretStr = Field(SecretStr(""), validation_alias="YISHI_LINK_SECRET")
    ttl_hours: int = Field(72, validation_alias="YISHI_LINK_TTL_HOURS")
