"""The hall wired for serving: its sign-in, and an aiohttp application when nothing else serves web pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from ..desk import Desk
from ..wecom.hardening import security_headers
from .live import Changes
from .pages import Hall
from .render import CONTENT_SECURITY_POLICY
from .signin import SignIn
from .wechat import WeChatLogin, WeChatSettings


def make_hall(
    desk: Desk,
    new_uow: Callable[[], Any],
    base_url: str,
    *,
    on_queued: Callable[[], None] | None = None,
    changes: Changes | None = None,
    clock: Callable[[], datetime] | None = None,
    wechat: WeChatSettings | None = None,
) -> Hall:
    signin = SignIn(new_uow, clock or desk.clock, secure=base_url.startswith("https:"))
    wechat = wechat or WeChatSettings()
    login = WeChatLogin(wechat) if wechat.configured else None
    return Hall(desk, signin, on_queued=on_queued, changes=changes, wechat=login, base_url=base_url)


def web_app(hall: Hall, base_url: str) -> web.Application:
    """The hall alone, with the same security headers as every page."""
    from ..community_desk.page import STYLE_SOURCE as DESK_STYLE_SOURCE

    # The community desk (served beside the hall) carries its own inline style: the policy allows it by its hash.
    policy = CONTENT_SECURITY_POLICY.replace("; script-src", f" {DESK_STYLE_SOURCE}; script-src", 1)
    app = web.Application(
        middlewares=[security_headers(content_security_policy=policy, https=base_url.startswith("https:"))]
    )
    app.add_routes(hall.routes())
    return app
