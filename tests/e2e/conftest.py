"""Fixtures for end-to-end tests: a fake Telegram server and a running PTB Application.

Usage::

    async def test_start(fake_telegram):
        application = build_the_bot(token=fake_telegram.token, base_url=fake_telegram.base_url)
        ann = fake_telegram.user(1001)
        async with run_application(application):
            await ann.send_command("/start")
            reply = await ann.next_message()
"""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.config import Secret, Settings
from tests.conftest import FakeClock

from .fake_bot_api import FakeBotApi

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in tests/e2e carries the ``e2e`` marker, even without its own pytestmark."""
    for item in items:
        if _HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeBotApi]:
    """A started fake Bot API on 127.0.0.1, stopped after the test."""
    server = FakeBotApi()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@asynccontextmanager
async def run_application(
    application: Application, allowed_updates: Sequence[str] | None = None
) -> AsyncIterator[Application]:
    """Run ``application`` with long polling (1 s) for the duration of the block.

    Pass the ``allowed_updates`` that production passes to ``run_polling``, if any.

    Mirrors ``Application.run_polling`` without owning the event loop: ``post_init``,
    ``post_stop`` and ``post_shutdown`` run as they would in production (PTB only calls
    them from ``run_polling``/``run_webhook``, never from ``initialize``/``start``).

    On exit the updater stops first: PTB abandons its pending getUpdates at once (the fake
    server cancels the abandoned long poll) and makes one short getUpdates that confirms
    every fetched update, so a later Application never sees them again. Then the
    Application finishes the updates it already has and shuts down.
    """
    try:
        async with application:
            if application.post_init:
                await application.post_init(application)
            await application.start()
            await application.updater.start_polling(
                poll_interval=0.0,
                timeout=1,
                drop_pending_updates=False,
                allowed_updates=allowed_updates,
            )
            try:
                yield application
            finally:
                if application.updater.running:
                    await application.updater.stop()
                if application.running:
                    await application.stop()
                    if application.post_stop:
                        await application.post_stop(application)
    finally:
        if application.post_shutdown:
            await application.post_shutdown(application)


@pytest.fixture
def bot_settings(fake_telegram: FakeBotApi, tmp_path: Path) -> Settings:
    """Settings for a bot talking to ``fake_telegram``, its database in a new folder."""
    return Settings(
        token=Secret(fake_telegram.token),
        api_base_url=fake_telegram.base_url,
        db_path=tmp_path / "data" / "bot.sqlite3",
        cache_dir=tmp_path / "cache",
        voice=False,  # a test that sends voice notes passes its own transcriber
    )


@pytest.fixture
async def running(fake_telegram: FakeBotApi, bot_settings: Settings):
    """The real bot running against ``fake_telegram`` for the test (a ``RunningBot``)."""
    from .players import running_bot

    async with running_bot(fake_telegram, bot_settings) as bot:
        yield bot


@pytest.fixture
def clock_start() -> datetime | None:
    """Where ``bot_and_clock``'s fake clock starts; a module overrides this fixture to
    start elsewhere. None: FakeClock's own start (Monday 23 November 2026, 18:30 UTC)."""
    return None


@pytest.fixture
async def bot_and_clock(fake_telegram: FakeBotApi, bot_settings: Settings, clock_start):
    """The real bot on a fake clock the test moves by hand: (``RunningBot``, FakeClock).
    A module that moves time defines ``running`` as ``bot_and_clock[0]``."""
    from .players import running_bot

    clock = FakeClock(clock_start)
    async with running_bot(fake_telegram, bot_settings, clock) as bot:
        yield bot, clock


@pytest.fixture
def clock(bot_and_clock) -> FakeClock:
    return bot_and_clock[1]


@pytest.fixture
def bot(running):
    """The running bot's services."""
    return running.services
