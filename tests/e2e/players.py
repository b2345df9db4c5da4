"""Shared moves for end-to-end tests: run the real bot against the fake Bot API, and
play a practitioner through the usual first steps."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from telegram.ext import Application

import storage
from bot.config import Settings
from bot.identifiers import FakeIdentifierDetector
from bot.services.container import Services, build_services
from bot.telegram.application import build_application
from bot.voice import Transcriber
from framework import Suggester
from tests.conftest import FakeClock, fake_suggester

from .conftest import run_application
from .fake_bot_api import BotMessage, CallbackAnswer, FakeBotApi, FakeUser


@dataclass
class RunningBot:
    services: Services
    application: Application


@asynccontextmanager
async def running_bot(
    server: FakeBotApi,
    settings: Settings,
    clock: FakeClock | None = None,
    *,
    suggester: Suggester | None = None,
    transcriber: Transcriber | None = None,
    **options,
) -> AsyncIterator[RunningBot]:
    """Build the services (fake encoder and identifier detector, optionally a fake clock)
    and the real Application, and run it against the fake server; ``options`` go to
    ``build_application``. ``suggester``: another suggester than the fake one (e.g. the
    real model, built once by the test module); ``transcriber``: a speech model for voice
    notes (voice notes are off without one)."""
    services = build_services(
        settings,
        suggester=suggester if suggester is not None else fake_suggester(),
        detector=FakeIdentifierDetector(),
        transcriber=transcriber,
        **({"clock": clock} if clock else {}),
    )
    application = build_application(services, **options)
    try:
        async with run_application(application):
            yield RunningBot(services, application)
    finally:
        services.close()


def now_of(user: FakeUser, message: BotMessage) -> BotMessage:
    """A bot message as it is now (edits included)."""
    return next(m for m in user.messages if m.message_id == message.message_id)


async def tap(user: FakeUser, message: BotMessage, button_text: str) -> BotMessage:
    """Press a button on a message the bot then edits; returns it once edited."""
    edits = len(now_of(user, message).history)
    await user.press(message, button_text)
    return await user.wait_for(
        lambda m: m.message_id == message.message_id and len(m.history) > edits
    )


async def answer_to(user: FakeUser, press: Awaitable[object]) -> CallbackAnswer:
    """Do ``press`` (a coroutine pressing a button); the bot's answer to it."""
    answered = len(user.callback_answers)
    await press
    for _ in range(500):
        if len(user.callback_answers) > answered:
            return user.callback_answers[answered]
        await asyncio.sleep(0.01)
    raise AssertionError("the press was not answered\n" + user.transcript())


async def say(user: FakeUser, text: str) -> BotMessage:
    """Send a text and return the bot's next message."""
    await user.send_text(text)
    return await user.next_message()


async def agree(user: FakeUser, timeout: float = 5.0) -> None:
    """/start and tap "I agree" (``timeout``: for the welcome, e.g. while a bot starts)."""
    await user.send_command("/start")
    welcome = await user.next_message(timeout=timeout)
    await user.press(welcome, "I agree")
    await user.wait_for(lambda m: m.message_id == welcome.message_id and "Thank you" in m.text)


async def reflect_with(user: FakeUser, set_name: str) -> BotMessage:
    """/reflect, choose a set; returns the first question."""
    await user.send_command("/reflect")
    menu = await user.next_message()
    await user.press(menu, set_name)
    return await user.next_message()


def backlog_note(n: int) -> str:
    """What practitioner ``n`` sends in a backlog test: a different text each."""
    return f"note from practitioner {n}: we ran the pool night"


def assert_each_note_stored_once(db_path: Path, users: list[FakeUser]) -> None:
    """After a kill with a backlog: each practitioner's note is stored, exactly once."""
    db = storage.open_database(db_path)
    try:
        for n, user in enumerate(users):
            texts = [a["text"] for a in storage.rows_about(db, user.id)["answers"]]
            assert texts == [backlog_note(n)], n
    finally:
        db.close()
