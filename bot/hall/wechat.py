"""Recognising a returning resident by a WeChat Official Account's web authorisation (网页授权, snsapi_base).

Inside WeChat's browser the page sends the phone to WeChat's authorize address; WeChat sends it back with a
one-time code, which the server exchanges for the person's openid under the account (silently: snsapi_base asks
nothing of them). The hall keeps which openid is which member once a signed-in member has gone through it once.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from .signin import GONE

log = logging.getLogger(__name__)

WX_STATE = "yishi_wx_state"  # the OAuth state: only this phone's own trip to WeChat comes back signed in


class WeChatSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True)

    appid: str = Field("", validation_alias="WECHAT_MP_APPID")
    secret: SecretStr = Field(SecretStr(""), validation_alias="WECHAT_MP_SECRET")
    api_base: str = Field("https://api.weixin.qq.com", validation_alias="WECHAT_MP_API_BASE")
    open_base: str = Field("https://open.weixin.qq.com", validation_alias="WECHAT_MP_OPEN_BASE")

    @property
    def configured(self) -> bool:
        return bool(self.appid and self.secret.get_secret_value())


class WeChatLogin:
    """The two steps of snsapi_base: where to send the phone, and the code's openid."""

    def __init__(self, settings: WeChatSettings) -> None:
        self.settings = settings

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        query = urlencode(
            {
                "appid": self.settings.appid,
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "scope": "snsapi_base",
                "state": state,
            }
        )
        return f"{self.settings.open_base.rstrip('/')}/connect/oauth2/authorize?{query}#wechat_redirect"

    async def openid(self, code: str) -> str | None:
        """The openid behind a code; None when WeChat refuses it (used, expired, made up) or cannot be reached."""
        params = {
            "appid": self.settings.appid,
            "secret": self.settings.secret.get_secret_value(),
            "code": code,
            "grant_type": "authorization_code",
        }
        url = f"{self.settings.api_base.rstrip('/')}/sns/oauth2/access_token"
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http,
                http.get(url, params=params) as response,
            ):
                data = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as failure:
            log.warning("WeChat web authorisation failed: %s", type(failure).__name__)
            return None
        openid = data.get("openid") if isinstance(data, dict) else None
        if not isinstance(openid, str) or not openid or len(openid) > 64:
            log.info("WeChat refused an authorisation code (errcode %s)", data.get("errcode") if data else None)
            return None
        return openid


class WeChatPages:
    """The hall's two steps through WeChat: `/h/<slug>/wx/start` (off to WeChat), `/h/<slug>/wx` (back)."""

    def __init__(self, hall: Any, login: WeChatLogin) -> None:  # bot.hall.pages.Hall (which imports this module)
        self.hall = hall
        self.login = login

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/h/{slug}/wx/start", self.wechat_start), web.get("/h/{slug}/wx", self.wechat_back)]

    async def wechat_start(self, request: web.Request) -> web.Response:
        await self.hall._council(request)
        base = self.hall._base(request)
        state = secrets.token_urlsafe(16)
        redirect = web.HTTPFound(self.login.authorize_url(f"{self.hall.base_url}{base}/wx", state))
        redirect.set_cookie(WX_STATE, state, max_age=600, path=base, httponly=True, samesite="Lax")
        raise redirect

    async def wechat_back(self, request: web.Request) -> web.Response:
        council = await self.hall._council(request)
        t, base = self.hall._t(request, council), self.hall._base(request)
        state, sent = request.cookies.get(WX_STATE, ""), request.query.get("state", "")
        code = request.query.get("code", "")[:128]
        if not state or not hmac.compare_digest(state.encode(), sent.encode()) or not code:
            return await self.hall._refuse(t, "hall.refused.forged")
        openid = await self.login.openid(code)
        if openid is None:
            return await self.hall._refuse(t, "hall.wechat.refused")
        visitor = await self.hall.signin.visitor(request, council)
        redirect = web.HTTPSeeOther(base)
        redirect.del_cookie(WX_STATE, path=base)
        async with self.hall.desk.uow() as uow:
            if visitor is not None:  # a signed-in member: WeChat recognises them from now on
                await uow.hall.bind_wechat(council.id, openid, visitor.member.id, self.hall.desk.clock())
                await uow.hall.set_flash(visitor.session_hash, t("hall.wechat.bound"))
            else:
                member_id = await uow.hall.wechat_member(council.id, openid)
                member = await uow.members.get(member_id) if member_id is not None else None
                if member is None or member.council_id != council.id or member.status in GONE:
                    return await self.hall._refuse(t, "hall.wechat.unknown")
                await self.hall.signin.start(uow, redirect, council.id, member.id, base)
            await uow.commit()
        raise redirect
