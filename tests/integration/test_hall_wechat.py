"""A WeChat Official Account recognises a returning resident (snsapi_base), against a fake WeChat server."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.hall.app import make_hall, web_app
from bot.hall.wechat import WeChatSettings

from .hall_helpers import BASE, council_with_hall, link_for

WECHAT_UA = {"User-Agent": "Mozilla/5.0 (iPhone) MicroMessenger/8.0.50"}


class FakeWeChat:
    """sns/oauth2/access_token: each code once, for the openid it was made for."""

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}
        self.asked: list[dict[str, str]] = []
        app = web.Application()
        app.add_routes([web.get("/sns/oauth2/access_token", self.token)])
        self.server = TestServer(app, host="127.0.0.1")

    async def token(self, request: web.Request) -> web.Response:
        self.asked.append(dict(request.query))
        openid = self.codes.pop(request.query.get("code", ""), None)
        if request.query.get("secret") != "mp-secret" or openid is None:
            return web.json_response({"errcode": 40029, "errmsg": "invalid code"})
        return web.json_response({"access_token": "t", "expires_in": 7200, "openid": openid, "scope": "snsapi_base"})

    def code_for(self, openid: str) -> str:
        code = f"code-{len(self.codes)}-{openid}"
        self.codes[code] = openid
        return code


async def _phone(app, wechat: FakeWeChat) -> TestClient:
    settings = WeChatSettings(
        appid="wx-app", secret="mp-secret", api_base=str(wechat.server.make_url("")), open_base="https://open.test"
    )
    hall = make_hall(app.dispatcher, app.new_uow, BASE, wechat=settings)
    client = TestClient(TestServer(web_app(hall, BASE)))
    await client.start_server()
    return client


async def _through_wechat(phone: TestClient, slug: str, code: str, *, state: str | None = None):
    """The phone's trip: to WeChat's authorize page and back with a code (WeChat keeps the state)."""
    r = await phone.get(f"/h/{slug}/wx/start", allow_redirects=False, headers=WECHAT_UA)
    assert r.status == 302
    to = urlsplit(r.headers["Location"])
    asked = parse_qs(to.query)
    assert to.netloc == "open.test" and asked["scope"] == ["snsapi_base"] and asked["appid"] == ["wx-app"]
    assert asked["redirect_uri"] == [f"{BASE}/h/{slug}/wx"]
    return await phone.get(
        f"/h/{slug}/wx", params={"code": code, "state": state or asked["state"][0]}, headers=WECHAT_UA
    )


async def test_wechat_recognises_a_member_once_bound_and_nobody_else(app):
    council, slug = await council_with_hall(app)
    wechat = FakeWeChat()
    await wechat.server.start_server()
    first, second, stranger = [await _phone(app, wechat) for _ in range(3)]
    try:
        # unknown to WeChat's binding: refused, and no session
        r = await _through_wechat(second, slug, wechat.code_for("openid-alice"))
        assert r.status == 403 and "微信还不认识您" in await r.text()
        # alice signs in by her link on one phone, then goes through WeChat once: bound
        assert "用微信身份进入" in await (await first.get(f"/h/{slug}", headers=WECHAT_UA)).text()
        assert (await first.post(await link_for(app, council, "alice"), allow_redirects=False)).status == 303
        r = await _through_wechat(first, slug, wechat.code_for("openid-alice"))
        assert "以后在微信里打开议事厅" in await r.text()
        # on another phone WeChat alone now signs her in
        r = await _through_wechat(second, slug, wechat.code_for("openid-alice"))
        assert r.status == 200 and "您好，alice" in await r.text()
        # a forged state, a made-up code, another openid: refused, nobody signed in
        r = await _through_wechat(stranger, slug, wechat.code_for("openid-alice"), state="not-the-phones")
        assert r.status == 403
        r = await _through_wechat(stranger, slug, "made-up-code")
        assert r.status == 403 and "微信没有确认" in await r.text()
        r = await _through_wechat(stranger, slug, wechat.code_for("openid-someone"))
        assert r.status == 403
        assert "您好" not in await (await stranger.get(f"/h/{slug}")).text()
        assert all(q["grant_type"] == "authorization_code" and q["appid"] == "wx-app" for q in wechat.asked)
    finally:
        for phone in (first, second, stranger):
            await phone.close()
        await wechat.server.close()
