"""The web edge's armour: security headers on every answer, and an access log that never shows a ballot token."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.typedefs import Middleware

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# A ballot link's path is a bearer credential: whoever reads it in a log can vote as that member.
_TOKEN_PATH = re.compile(r"^/b/[^/]*")
# So is a hall's personal link (`/h/<slug>/in/<token>`) until it is first used.
_HALL_LINK = re.compile(r"^(/h/[^/]*/in/)[^/]*")
# So is a community secretary's personal desk link: /c/<slug>/k/<token>.
_DESK_TOKEN_PATH = re.compile(r"^(/c/[^/]+/k/)[^/?]*")


def security_headers(*, content_security_policy: str, https: bool) -> Middleware:
    """One middleware for every page, error pages too: no framing, no sniffing, no referrer, only our own style
    (unless the page sets its own Content-Security-Policy);
    Strict-Transport-Security when the pages are served over TLS (PUBLIC_BASE_URL is https)."""
    headers = {
        "Content-Security-Policy": content_security_policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }
    if https:
        headers["Strict-Transport-Security"] = "max-age=31536000"

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as error:  # 404s from the router, 400s raised by handlers
            error.headers.update(headers)
            raise
        for name, value in headers.items():  # a page with its own policy (the hall's script) keeps it
            response.headers.setdefault(name, value)
        return response

    return middleware


def redact(path: str) -> str:
    """The path as the access log may show it: `/b/<token>` becomes `/b/…`, `/h/<slug>/in/<token>` `/h/<slug>/in/…`,
    `/c/<slug>/k/<token>` `/c/<slug>/k/…`."""
    return _DESK_TOKEN_PATH.sub(r"\1…", _HALL_LINK.sub(r"\1…", _TOKEN_PATH.sub("/b/…", path)))


class RedactingAccessLogger(AbstractAccessLogger):
    """aiohttp's access log without ballot tokens (and without query strings: WeCom's carry signatures)."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %s %s %.3fs',
            request.remote,
            request.method,
            redact(request.path),
            response.status,
            response.body_length,
            time,
        )

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)
