"""python-telegram-bot's HTTP requests over aiohttp instead of httpx (`TELEGRAM_HTTP_CLIENT=aiohttp`).

Measured in bench/bench_vote_burst.py: a burst of callback answers costs noticeably less CPU per
request through aiohttp's connection pool than through httpx/httpcore/anyio, and many requests
waiting for a connection do not slow each other down. Same timeouts and errors as `HTTPXRequest`.
Where Telegram is blocked it goes through a proxy (`proxy_for`: TELEGRAM_PROXY, HTTPS_PROXY, ALL_PROXY).
"""

from __future__ import annotations

import urllib.request
from urllib.parse import urlsplit

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


def proxy_for(api_base: str, explicit: str | None = None) -> str | None:
    """The proxy the Bot API is reached through: `explicit` (TELEGRAM_PROXY), else the environment's proxy
    for the API's scheme (HTTPS_PROXY, HTTP_PROXY), else ALL_PROXY; none for hosts NO_PROXY lists.

    aiohttp's own `trust_env` reads only HTTP(S)_PROXY, so the environment is read here, once, for both
    request backends.
    """
    if explicit and explicit.strip():
        return explicit.strip()
    parts = urlsplit(api_base)
    proxies = urllib.request.getproxies()
    if parts.hostname and proxies.get("no") and urllib.request.proxy_bypass(parts.hostname):
        return None
    return proxies.get(parts.scheme) or proxies.get("all") or None


class AiohttpRequest(BaseRequest):
    def __init__(
        self,
        connection_pool_size: int = 64,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        proxy: str | None = None,
    ) -> None:
        if proxy and urlsplit(proxy).scheme not in ("http", "https"):
            raise ValueError(
                f"the Telegram proxy must be an http:// or https:// URL (aiohttp speaks no SOCKS); "
                f"for SOCKS set TELEGRAM_HTTP_CLIENT=httpx and install httpx[socks]: {proxy!r}"
            )
        self._proxy = proxy
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout=BaseRequest.DEFAULT_NONE,
        write_timeout=BaseRequest.DEFAULT_NONE,
        connect_timeout=BaseRequest.DEFAULT_NONE,
        pool_timeout=BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data and request_data.contains_files else None
        read = self._read_timeout if read_timeout is BaseRequest.DEFAULT_NONE else read_timeout
        write = self._write_timeout if write_timeout is BaseRequest.DEFAULT_NONE else write_timeout
        if files and write_timeout is BaseRequest.DEFAULT_NONE:
            write = self._media_write_timeout
        connect = self._connect_timeout if connect_timeout is BaseRequest.DEFAULT_NONE else connect_timeout
        pool = self._pool_timeout if pool_timeout is BaseRequest.DEFAULT_NONE else pool_timeout
        # aiohttp has no separate write timeout: the request is bounded by read + write
        total = None if read is None or write is None else read + write + (pool or 0) + (connect or 0)
        timeout = aiohttp.ClientTimeout(
            total=total, connect=pool if pool is not None else None, sock_connect=connect, sock_read=read
        )
        body: aiohttp.FormData | bytes | None = None
        headers = None
        if request_data is not None and not files:  # JSON: no form encoding of every field
            body, headers = request_data.json_payload, {"Content-Type": "application/json"}
        if files:
            # quote_fields=False: aiohttp would otherwise percent-encode a file name ("%E8%AE%AE…docx") and
            # Telegram shows the name as it arrives; unquoted, the UTF-8 name goes out as browsers send it.
            body = aiohttp.FormData(quote_fields=False)
            for name, value in (request_data.json_parameters if request_data else {}).items():
                body.add_field(name, value)
            for name, part in files.items():
                if isinstance(part, tuple):
                    filename, content, *rest = part
                    body.add_field(name, content, filename=filename, content_type=rest[0] if rest else None)
                else:
                    body.add_field(name, part)
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout, proxy=self._proxy
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
