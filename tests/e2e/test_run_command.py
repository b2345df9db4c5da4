"""`reflectbot run` as a real process: configured from the environment, long polling the
fake Bot API, stopped with Ctrl-C, and neither the token nor any reflection text in its
logs, even at DEBUG; and a token Telegram rejects reported in one line, never printed."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Mapping
from pathlib import Path

from bot.telegram.application import COMMANDS


async def start_bot(
    token: str, base_url: str, folder: Path, *options: str, env: Mapping[str, str] | None = None
) -> asyncio.subprocess.Process:
    """`python -m bot run [options]` against the fake Bot API, logging at DEBUG, output
    captured; ``env`` adds variables to its environment."""
    environment = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": base_url,
        "REFLECTBOT_DB": str(folder / "bot.sqlite3"),
        "REFLECTBOT_CACHE_DIR": str(folder / "cache"),
        "REFLECTBOT_LOG_LEVEL": "DEBUG",
        **(env or {}),
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        *options,
        cwd=folder,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_reflectbot_run_serves_users_and_stops_cleanly(fake_telegram, tmp_path):
    process = await start_bot(fake_telegram.token, fake_telegram.base_url, tmp_path)
    try:
        ann = fake_telegram.user(1001, "Ann")
        await ann.send_command("/start")
        welcome = await ann.next_message(timeout=60)
        assert "Nothing is stored until you agree" in welcome.text
        assert [c["command"] for c in fake_telegram.commands] == list(COMMANDS)
        await ann.press(welcome, "I agree")
        await ann.wait_for(lambda m: "Thank you" in (m.text or ""), timeout=10)
        await ann.send_text("a private reflection about J and his family")
        offer = await ann.next_message(timeout=10)
        assert offer.text == "Save this as a quick reflection?"
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    logs = stderr.decode()
    assert process.returncode == 0, logs
    assert "Application started" in logs
    assert fake_telegram.token not in logs
    assert "private reflection" not in logs
    assert (tmp_path / "bot.sqlite3").exists()


async def test_reflectbot_run_with_a_rejected_token_says_so_and_never_prints_it(
    fake_telegram, tmp_path
):
    token, secret = "987654:WRONG-secret-value", "WRONG-secret-value"
    assert token != fake_telegram.token  # the fake answers 401 Unauthorized
    process = await start_bot(token, fake_telegram.base_url, tmp_path)
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    out, err = stdout.decode(), stderr.decode()
    assert process.returncode == 2, err
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in err and "@BotFather" in err
    assert "Traceback" not in err
    for leak in (token, secret, token.replace(":", "%3A")):
        assert leak not in out and leak not in err
