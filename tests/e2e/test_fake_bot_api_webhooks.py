"""The fake Bot API's webhooks: setWebhook, getWebhookInfo and deleteWebhook as Telegram
answers them, delivery by POST with the secret token, retried until the webhook answers
2xx; and the real PTB Application receiving updates through its own webhook server."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiohttp import web
from telegram.ext import Application

from .fake_bot_api import FakeBotApi
from .test_fake_bot_api import build_application

pytestmark = pytest.mark.e2e

SECRET = "s3cret_TOKEN-1"


def free_port() -> int:
    """A port nothing listens on just now (the kernel's choice, so not one in use)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def call(http: aiohttp.ClientSession, server: FakeBotApi, method: str, **params) -> dict:
    async with http.post(f"{server.base_url}{server.token}/{method}", json=params) as response:
        body = await response.json()
        assert (response.status == 200) == body["ok"], body
        return body


class Receiver:
    """A webhook on 127.0.0.1 that records each POST and answers with the next status of
    ``statuses`` (then 200)."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.posts: list[tuple[dict[str, str], dict]] = []
        self.arrived = asyncio.Event()

    @property
    def update_ids(self) -> list[int]:
        return [body["update_id"] for _, body in self.posts]

    async def handle(self, request: web.Request) -> web.Response:
        self.posts.append((dict(request.headers), await request.json()))
        self.arrived.set()
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)


@asynccontextmanager
async def receiving(receiver: Receiver) -> AsyncIterator[str]:
    """Serve ``receiver`` at a webhook URL, yielded, for the duration of the block."""
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    finally:
        await runner.cleanup()


async def wait_until(condition, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_a_webhook_blocks_get_updates_until_it_is_deleted(fake_telegram: FakeBotApi) -> None:
    ann = fake_telegram.user(7)
    await ann.send_text("while nobody listens")
    url = f"http://127.0.0.1:{free_port()}/hook"  # nothing listens: delivery fails
    async with aiohttp.ClientSession() as http:
        await call(http, fake_telegram, "setWebhook", url=url, secret_token=SECRET)
        refused = await call(http, fake_telegram, "getUpdates", timeout=0)
        assert refused["error_code"] == 409
        assert refused["description"] == (
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first"
        )
        await wait_until(lambda: fake_telegram.webhook.last_error_message is not None)
        info = (await call(http, fake_telegram, "getWebhookInfo"))["result"]
        assert info["url"] == url and info["pending_update_count"] == 1
        assert info["max_connections"] == 40
        assert info["last_error_message"] == "Connection refused"
        assert info["last_error_date"] > 0

        await call(http, fake_telegram, "deleteWebhook")
        info = (await call(http, fake_telegram, "getWebhookInfo"))["result"]
        assert info == {"url": "", "has_custom_certificate": False, "pending_update_count": 1}
        [update] = (await call(http, fake_telegram, "getUpdates", timeout=0))["result"]
    assert update["message"]["text"] == "while nobody listens"
    assert fake_telegram.webhook is None


async def test_updates_are_posted_in_order_with_the_secret_until_answered_2xx(
    fake_telegram: FakeBotApi,
) -> None:
    ann = fake_telegram.user(7)
    receiver = Receiver(statuses=[500, 403])  # the first update fails twice
    for n in range(3):
        await ann.send_text(f"note {n}")
    async with receiving(receiver) as url, aiohttp.ClientSession() as http:
        await call(http, fake_telegram, "setWebhook", url=url, secret_token=SECRET)
        await fake_telegram.wait_idle()  # every update answered 2xx, none pending
    assert receiver.update_ids == [1, 1, 1, 2, 3]
    assert [body["message"]["text"] for _, body in receiver.posts[2:]] == [
        "note 0",
        "note 1",
        "note 2",
    ]
    for headers, _ in receiver.posts:
        assert headers["X-Telegram-Bot-Api-Secret-Token"] == SECRET
        assert headers["Content-Type"] == "application/json"  # PTB wants exactly this
    assert fake_telegram.pending_updates == []
    webhook = fake_telegram.webhook
    assert (webhook.url, webhook.secret_token, webhook.max_connections) == (url, SECRET, 40)
    assert webhook.last_error_message == "Wrong response from the webhook: 403 Forbidden"


async def test_a_new_webhook_is_tried_at_once_and_without_a_secret_sends_no_header(
    fake_telegram: FakeBotApi,
) -> None:
    ann = fake_telegram.user(7)
    receiver = Receiver()
    async with receiving(receiver) as url, aiohttp.ClientSession() as http:
        await call(http, fake_telegram, "setWebhook", url=f"http://127.0.0.1:{free_port()}/x")
        await ann.send_text("to whoever listens")
        await asyncio.sleep(0.8)  # failed four times: the pause is now 0.5 s
        assert fake_telegram.webhook.last_error_message == "Connection refused"
        await call(http, fake_telegram, "setWebhook", url=url, max_connections=1)
        await asyncio.wait_for(receiver.arrived.wait(), timeout=0.3)  # not after the pause
        await fake_telegram.wait_idle()
    [(headers, body)] = receiver.posts
    assert "X-Telegram-Bot-Api-Secret-Token" not in headers
    assert body["message"]["text"] == "to whoever listens"
    assert fake_telegram.webhook.max_connections == 1
    assert fake_telegram.webhook.last_error_message is None  # a new webhook, a clean slate


async def test_set_webhook_ends_a_pending_long_poll(fake_telegram: FakeBotApi) -> None:
    base = f"{fake_telegram.base_url}{fake_telegram.token}"
    async with aiohttp.ClientSession() as http:
        poll = asyncio.create_task(http.post(f"{base}/getUpdates", data={"timeout": 5}))
        await asyncio.sleep(0.1)
        await call(http, fake_telegram, "setWebhook", url="http://localhost:9/hook")
        async with await asyncio.wait_for(poll, timeout=1) as response:
            assert response.status == 409
            body = await response.json()
    assert body["description"] == "Conflict: terminated by setWebhook request"


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"url": "ftp://127.0.0.1/hook"}, "bad webhook: An HTTPS URL must be provided"),
        ({"url": "https://example.org/hook"}, "delivers to loopback addresses only"),
        ({"url": "http://127.0.0.1/h", "secret_token": "has:colon"}, "unallowed characters"),
        ({"url": "http://127.0.0.1/h", "secret_token": "x" * 257}, "unallowed characters"),
        ({"url": "http://127.0.0.1/h", "max_connections": 0}, "max_connections"),
    ],
)
async def test_set_webhook_checks_its_parameters(
    fake_telegram: FakeBotApi, params: dict, description: str
) -> None:
    async with aiohttp.ClientSession() as http:
        body = await call(http, fake_telegram, "setWebhook", **params)
    assert body["error_code"] == 400 and description in body["description"]
    assert fake_telegram.webhook is None


async def test_an_empty_url_or_drop_pending_updates_work_as_telegram_says(
    fake_telegram: FakeBotApi,
) -> None:
    ann = fake_telegram.user(7)
    await ann.send_text("old news")
    async with aiohttp.ClientSession() as http:
        url = f"http://127.0.0.1:{free_port()}/hook"
        await call(http, fake_telegram, "setWebhook", url=url, drop_pending_updates=True)
        assert fake_telegram.pending_updates == []
        await call(http, fake_telegram, "setWebhook", url="")
    assert fake_telegram.webhook is None


async def test_the_ptb_application_receives_updates_through_its_webhook_server(
    fake_telegram: FakeBotApi,
) -> None:
    """PTB's own webhook server, secret token checked, against the fake's delivery."""
    ann = fake_telegram.user(1001, "Ann")
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg/hook"
    application: Application = build_application(fake_telegram)
    async with application:
        await application.updater.start_webhook(
            listen="127.0.0.1", port=port, url_path="tg/hook", webhook_url=url, secret_token=SECRET
        )
        await application.start()
        try:
            await ann.send_command("/start")
            welcome = await ann.next_message()
            await ann.press(welcome, "Yes")
            await ann.wait_for(lambda m: m.text == "You chose ready:yes")
            async with aiohttp.ClientSession() as http:
                forged = {"update_id": 99, "message": {"text": "forged"}}
                for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                    async with http.post(url, json=forged, headers=headers) as response:
                        assert response.status == 403
            await fake_telegram.wait_idle()
        finally:
            await application.updater.stop()
            await application.stop()
    assert [m.text for m in ann.messages] == ["You chose ready:yes"]  # edited in place
    assert fake_telegram.calls("setWebhook")[0]["secret_token"] == SECRET
    assert fake_telegram.calls("deleteWebhook") == []  # PTB leaves the webhook set
    assert fake_telegram.webhook is not None and fake_telegram.webhook.url == url
