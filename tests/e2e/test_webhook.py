"""`reflectbot run --webhook-url` as a real process: the fake Bot API POSTs each update to
the bot's own HTTP server on 127.0.0.1, with the secret token. A practitioner reflects
through it; a POST without the secret is refused and nothing is handled; a kill with a
backlog loses no message and repeats none; the webhook outlives a clean stop, and
Telegram's hold on updates meanwhile loses nothing either."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp

import storage

from .fake_bot_api import FakeBotApi
from .players import agree, assert_each_note_stored_once, backlog_note
from .test_health_and_startup import run_command
from .test_run_command import start_bot

SECRET = "webhook-SECRET_0123456789"
STARTUP_TIMEOUT = 60.0
CONFLICT = "Two young people were fighting; I worked towards the resolution of conflict."


def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on just now (the kernel's choice)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def start_webhook_bot(
    server: FakeBotApi, folder: Path, *, secret: str | None = SECRET
) -> tuple[asyncio.subprocess.Process, str]:
    """`reflectbot run --webhook-url ... --listen 127.0.0.1 --port N` on a free port, once
    its server listens; ``secret=None`` leaves REFLECTBOT_WEBHOOK_SECRET unset. Another
    port is tried if the chosen one was taken between choosing and listening."""
    for _ in range(3):
        port = free_port()
        url = f"http://127.0.0.1:{port}/telegram/updates"
        process = await start_bot(
            server.token,
            server.base_url,
            folder,
            *("--webhook-url", url, "--listen", "127.0.0.1", "--port", str(port)),
            env={"REFLECTBOT_WEBHOOK_SECRET": secret or ""},
        )
        if await _listening(process, port):
            return process, url
        _, stderr = await process.communicate()
        if "cannot listen on" not in stderr.decode():
            raise AssertionError(f"reflectbot run exited {process.returncode}:\n{stderr.decode()}")
    raise AssertionError("three ports in a row were taken")


async def _listening(process: asyncio.subprocess.Process, port: int) -> bool:
    """Wait until the bot accepts connections on ``port`` (True) or exits (False)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STARTUP_TIMEOUT
    while process.returncode is None:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if loop.time() > deadline:
                process.kill()
                raise AssertionError(
                    f"no bot listening on {port} after {STARTUP_TIMEOUT}s"
                ) from None
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return True
    return False


async def stop(process: asyncio.subprocess.Process) -> str:
    """Ctrl-C, then the process's log (stderr); it must have exited 0."""
    if process.returncode is None:
        process.send_signal(signal.SIGINT)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    logs = stderr.decode()
    assert process.returncode == 0, logs
    return logs


async def kill(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGKILL)
    await asyncio.wait_for(process.wait(), timeout=30)


async def test_a_practitioner_reflects_through_the_webhook_and_forgeries_are_refused(
    fake_telegram: FakeBotApi, tmp_path: Path
) -> None:
    ann = fake_telegram.user(1001, "Ann")
    db_path = tmp_path / "bot.sqlite3"
    process, url = await start_webhook_bot(fake_telegram, tmp_path)
    try:
        await agree(ann, timeout=STARTUP_TIMEOUT)
        await ann.send_text(CONFLICT)
        offer = await ann.next_message(timeout=10)
        assert offer.text == "Save this as a quick reflection?"
        await ann.press(offer, "Save as a reflection")
        saved = await ann.wait_for(lambda m: "Saved." in (m.text or ""), timeout=STARTUP_TIMEOUT)
        assert "2.6" in saved.text  # the real model, as with polling

        code, out, err = await run_command(
            "health", token=fake_telegram.token, base_url=fake_telegram.base_url, db=db_path
        )
        assert code == 0 and out.startswith("healthy:"), err

        await fake_telegram.wait_idle()
        sent = len(ann.messages)
        forged = {
            "update_id": 9999,
            "message": {
                "message_id": 999,
                "from": ann.to_api(),
                "chat": ann.chat_json(),
                "date": 0,
                "text": "forged: not from Telegram",
            },
        }
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guessed"}):
                async with http.post(url, json=forged, headers=headers) as response:
                    assert response.status == 403
        await fake_telegram.wait_idle(quiet=0.5)
        assert len(ann.messages) == sent  # nothing handled, nothing said
    finally:
        logs = await stop(process)

    [set_webhook] = fake_telegram.calls("setWebhook")
    assert set_webhook["url"] == url and set_webhook["secret_token"] == SECRET
    assert "message" in set_webhook["allowed_updates"]  # all types, as with polling
    assert fake_telegram.calls("getUpdates") == []
    assert "webhook mode: Telegram delivers updates to" in logs
    for leak in (SECRET, fake_telegram.token, "resolution of conflict", "forged"):
        assert leak not in logs
    db = storage.open_database(tmp_path / "bot.sqlite3")
    try:
        [reflection] = storage.recent_reflections(db, ann.id, limit=5)
        assert reflection.text == CONFLICT
        assert 9999 not in [row["update_id"] for row in db["inbox"].rows]
    finally:
        db.close()

    # A clean stop leaves the webhook set: what arrives meanwhile waits at Telegram.
    assert fake_telegram.calls("deleteWebhook") == []
    assert fake_telegram.webhook is not None and fake_telegram.webhook.url == url
    await ann.send_text("written while the bot was stopped")
    async with asyncio.timeout(5):
        while fake_telegram.webhook.last_error_message is None:
            await asyncio.sleep(0.01)
    assert fake_telegram.webhook.last_error_message == "Connection refused"
    assert len(fake_telegram.pending_updates) == 1
    process, _ = await start_webhook_bot(fake_telegram, tmp_path)
    try:
        await ann.wait_for(
            lambda m: m.message_id > saved.message_id and m.text == offer.text,
            timeout=STARTUP_TIMEOUT,
        )
    finally:
        await stop(process)


async def test_a_kill_with_a_backlog_loses_no_message_and_repeats_none(
    fake_telegram: FakeBotApi, tmp_path: Path
) -> None:
    """As tests/e2e/test_inbox.py, through the webhook: PTB answers 200 only once the
    update is in the inbox, so an update Telegram counts delivered is never lost."""
    users = [fake_telegram.user(2000 + n, f"P{n}") for n in range(40)]
    process, _ = await start_webhook_bot(fake_telegram, tmp_path, secret=None)
    try:
        for user in users:
            await agree(user, timeout=STARTUP_TIMEOUT)
        await fake_telegram.wait_idle(timeout=30)
        for n, user in enumerate(users):  # all at once: a backlog
            await user.send_text(backlog_note(n))
        # Every update answered 200, so Telegram has forgotten them all: kill at once.
        async with asyncio.timeout(30):
            while fake_telegram.pending_updates:
                await asyncio.sleep(0.005)
    finally:
        await kill(process)
    db = storage.open_database(tmp_path / "bot.sqlite3")
    try:
        in_hand = len(storage.unhandled_updates(db))
    finally:
        db.close()
    assert in_hand, "nothing was in hand at the kill: the test proved nothing"

    process, _ = await start_webhook_bot(fake_telegram, tmp_path, secret=None)
    try:
        # Each is replied to. One offered just before the kill, but not yet marked handled,
        # is offered again, as with polling; its answer is still stored once.
        for user in users:
            await user.wait_for(lambda m: m.text == "Save this as a quick reflection?", timeout=60)
        await fake_telegram.wait_idle(quiet=0.5, timeout=30)
    finally:
        await stop(process)
    assert_each_note_stored_once(tmp_path / "bot.sqlite3", users)
    # A new random secret at each start, as Telegram allows.
    secrets = [call["secret_token"] for call in fake_telegram.calls("setWebhook")]
    assert len(secrets) == 2 and secrets[0] != secrets[1]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret) for secret in secrets)


async def test_a_port_in_use_or_a_webhook_telegram_refuses_stops_run_with_a_reason(
    fake_telegram: FakeBotApi, tmp_path: Path
) -> None:
    environment = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": fake_telegram.token,
        "TELEGRAM_API_BASE_URL": fake_telegram.base_url,
    }

    async def run(folder: Path, *args: str) -> tuple[int | None, str]:
        folder.mkdir()
        env = {**environment, "REFLECTBOT_DB": str(folder / "bot.sqlite3")}
        env["REFLECTBOT_CACHE_DIR"] = str(folder / "cache")
        process = await asyncio.create_subprocess_exec(
            *args, cwd=folder, env=env, stderr=asyncio.subprocess.PIPE
        )
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=STARTUP_TIMEOUT)
        return process.returncode, stderr.decode()

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        url = f"http://127.0.0.1:{port}/hook"
        webhook = ("run", "--webhook-url", url, "--port", str(port))
        started = time.monotonic()
        code, err = await run(tmp_path / "in-use", sys.executable, "-m", "bot", *webhook)
        assert code == 1, err
        assert err == (
            f"cannot listen on 127.0.0.1:{port} (Address already in use): choose another"
            " --port or --listen address, or stop what is using it\n"
        )
        assert time.monotonic() - started < 10  # at once, before any call to Telegram
        assert fake_telegram.requests == []

    # A webhook the fake refuses (unlike Telegram, it refuses any address but loopback
    # ones). Without retries: PTB retries a refused setWebhook as it does a network error,
    # for minutes. (This process takes seconds to exit: the models it began loading at
    # start-up finish first.)
    once = "import sys, bot.cli as c; c.BOOTSTRAP_RETRIES = 0; sys.exit(c.main(sys.argv[1:]))"
    refused, refused_err = await run(
        tmp_path / "refused", sys.executable, "-c", once, "run", "--webhook-url", "http://x.org/"
    )
    assert refused == 2, refused_err
    [said] = [line for line in refused_err.splitlines() if line.startswith("Telegram refused")]
    assert said.startswith("Telegram refused the webhook (Bad webhook: ")
    assert said.endswith("): check --webhook-url")
    assert "Task was destroyed" not in refused_err  # start-up work stopped, not abandoned
