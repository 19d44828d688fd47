"""The desk's routes on the `yishi serve` web server: /c/<slug> for the community's secretaries, its charts
and the ledger in one click; /c/<slug>/k/<token> signs a secretary in from a personal link."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from aiohttp import web

from deliberation import community
from deliberation.community import Community
from deliberation.errors import DeliberationError
from deliberation.ledger import Month

from . import page
from .answer import tell_council
from .commands import ledger_filename
from .ledger import build_ledger
from .signin import COOKIE, Resolver, holder_of, pass_resolver
from .view import desk_view
from .xlsx import words

CHART_CACHE_SECONDS = 60


class CommunityDesk:
    def __init__(
        self,
        new_uow: Callable[[], Any],
        clock: Callable[[], datetime],
        *,
        base_url: str = "",
        resolver: Resolver | None = None,
        locale: str | None = None,
    ) -> None:
        self.new_uow, self.clock, self.base_url = new_uow, clock, base_url
        self.resolver = resolver or pass_resolver(new_uow)
        self.words = words(locale)
        self._charts: dict[tuple[int, str], tuple[datetime, bytes]] = {}

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/c/{slug}", self.desk),
            web.get("/c/{slug}/k/{token}", self.sign_in),
            web.get("/c/{slug}/chart/{name}.svg", self.chart),
            web.get("/c/{slug}/ledger.{fmt}", self.ledger),
            web.post("/c/{slug}/requests/{council}", self.decide),
        ]

    async def _allowed(self, request: web.Request) -> Community:
        return (await self._secretary(request))[0]

    async def _secretary(self, request: web.Request) -> tuple[Community, str]:
        """The community of the address and the signed-in person, when that person is one of its secretaries."""
        async with self.new_uow() as uow:
            found = await uow.communities.find(request.match_info["slug"])
        if found is None or found.slug != request.match_info["slug"]:
            raise web.HTTPNotFound()
        person = await self.resolver(request, found.id)
        if person is not None:
            async with self.new_uow() as uow:
                if await uow.communities.is_secretary(found.id, person):
                    return found, person
        raise web.HTTPForbidden(text=page.refusal(self.words), content_type="text/html")

    async def sign_in(self, request: web.Request) -> web.StreamResponse:
        slug, token = request.match_info["slug"], request.match_info["token"]
        holder = await holder_of(self.new_uow, token)
        async with self.new_uow() as uow:
            found = await uow.communities.find(slug)
        if holder is None or found is None or found.slug != slug or holder[0] != found.id:
            raise web.HTTPForbidden(text=page.refusal(self.words), content_type="text/html")
        response = web.HTTPSeeOther(f"/c/{quote(slug)}")
        response.set_cookie(
            COOKIE,
            token,
            path=f"/c/{slug}",
            httponly=True,
            samesite="Lax",
            secure=self.base_url.startswith("https:"),
            max_age=60 * 60 * 24 * 90,
        )
        raise response

    def _month(self, request: web.Request, timezone: str) -> Month:
        text = request.query.get("month")
        if text:
            try:
                return Month.parse(text)
            except ValueError:
                raise web.HTTPBadRequest(text="month: YYYY-MM") from None
        local = self.clock().astimezone(ZoneInfo(timezone))
        return Month(local.year, local.month)

    async def decide(self, request: web.Request) -> web.StreamResponse:
        """A secretary approves or refuses a council's request to join (a form on the desk; the cookie is
        SameSite=Lax, so another site cannot post it)."""
        found, person = await self._secretary(request)
        form = await request.post()
        try:
            council_id = int(request.match_info["council"])
        except ValueError:
            raise web.HTTPNotFound() from None
        async with self.new_uow() as uow:
            try:
                decided = await community.decide(
                    uow.communities,
                    found,
                    council_id,
                    approve=form.get("decision") == "approve",
                    by=person,
                    now=self.clock(),
                )
            except DeliberationError as refused:
                raise web.HTTPConflict(text=self.words(refused.key, **refused.params)) from None
            await tell_council(uow, found, decided, self.clock())
            await uow.commit()
        raise web.HTTPSeeOther(f"/c/{quote(found.slug)}")

    async def desk(self, request: web.Request) -> web.Response:
        found = await self._allowed(request)
        async with self.new_uow() as uow:
            view = await desk_view(uow, found, self.clock())
        month = self._month(request, view.timezone)
        html = page.render(view, self.words, month=month.text)
        return web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-store"})

    async def chart(self, request: web.Request) -> web.Response:
        found = await self._allowed(request)
        name, now = request.match_info["name"], self.clock()
        cached = self._charts.get((found.id, name))
        if cached is None or (now - cached[0]).total_seconds() > CHART_CACHE_SECONDS:
            async with self.new_uow() as uow:
                view = await desk_view(uow, found, now)
            chart = next((c for c in view.charts(self.words) if c.key == name), None)
            if chart is None:
                raise web.HTTPNotFound()
            svg = await asyncio.to_thread(chart.render, "svg", height=_height(chart))
            cached = self._charts[(found.id, name)] = (now, svg)
        return web.Response(body=cached[1], content_type="image/svg+xml", headers={"Cache-Control": "private"})

    async def ledger(self, request: web.Request) -> web.Response:
        found = await self._allowed(request)
        fmt = request.match_info["fmt"]
        if fmt not in ("xlsx", "pdf"):
            raise web.HTTPNotFound()
        month = self._month(request, "Asia/Shanghai")
        async with self.new_uow() as uow:
            ledger = await build_ledger(uow, found, month, self.clock())
        if fmt == "pdf":
            from .pdf import to_pdf

            body = await asyncio.to_thread(to_pdf, ledger)
            kind = "application/pdf"
        else:
            from .xlsx import to_xlsx

            body = await asyncio.to_thread(to_xlsx, ledger)
            kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        filename = quote(ledger_filename(found.name, month, fmt))
        return web.Response(
            body=body,
            content_type=kind,
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}", "Cache-Control": "no-store"},
        )


def _height(chart: Any) -> float:
    from .charts import height_for

    return height_for(chart)


def add_desk_routes(
    app: web.Application,
    new_uow: Callable[[], Any],
    clock: Callable[[], datetime],
    *,
    base_url: str = "",
    resolver: Resolver | None = None,
) -> CommunityDesk:
    """Register the community desk on an aiohttp application (`yishi serve` calls this)."""
    desk = CommunityDesk(new_uow, clock, base_url=base_url, resolver=resolver)
    app.add_routes(desk.routes())
    return desk
