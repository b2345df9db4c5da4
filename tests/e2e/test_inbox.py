"""No update lost, none handled twice: the real `reflectbot run` process killed (SIGKILL)
with a backlog, then started again."""

from __future__ import annotations

import asyncio
import signal

from .players import assert_each_note_stored_once, backlog_note
from .test_run_command import start_bot

PRACTITIONERS = 40


async def wait_until(condition, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.01)


async def test_a_kill_with_a_backlog_loses_no_message_and_repeats_none(fake_telegram, tmp_path):
    users = [fake_telegram.user(2000 + n, f"P{n}") for n in range(PRACTITIONERS)]
    process = await start_bot(fake_telegram.token, fake_telegram.base_url, tmp_path)
    try:
        for user in users:
            await user.send_command("/start")
            welcome = await user.next_message(timeout=60)
            await user.press(welcome, "I agree")
        await fake_telegram.wait_idle(timeout=30)
        for n, user in enumerate(users):  # all at once: a backlog
            await user.send_text(backlog_note(n))
        # Telegram is told they arrived (the next getUpdates confirms them); kill at once.
        await wait_until(lambda: not fake_telegram.pending_updates, timeout=30)
        process.send_signal(signal.SIGKILL)
        await asyncio.wait_for(process.wait(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    process = await start_bot(fake_telegram.token, fake_telegram.base_url, tmp_path)
    try:
        for user in users:
            await user.wait_for(lambda m: m.text == "Save this as a quick reflection?", timeout=60)
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.communicate(), timeout=30)
    assert_each_note_stored_once(tmp_path / "bot.sqlite3", users)
