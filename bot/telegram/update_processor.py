"""Each practitioner's updates in order; different practitioners never wait for each other.

PTB hands every update to the processor as its own task, in the order they arrived. A
lock per practitioner makes one practitioner's updates run one at a time, in that order
(asyncio's locks are first come, first served), while another practitioner's run beside
them: one person's slow suggestion no longer holds up everyone's /help.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# How many updates may be in hand at once (most of them waiting their turn behind the same
# practitioner's earlier ones). Generous, so that one practitioner flooding the bot
# cannot take every slot; the flood gate refuses their excess quickly.
MAX_CONCURRENT_UPDATES = 1024


class PerPractitionerUpdateProcessor(BaseUpdateProcessor):
    def __init__(
        self,
        max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
        on_handled: Callable[[object], None] | None = None,
    ) -> None:
        """``on_handled(update)`` is called once each update has been dealt with."""
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._on_handled = on_handled

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await coroutine  # PTB's own: errors go to the error handler, not here
                if self._on_handled is not None:
                    self._on_handled(update)
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # nobody else queued behind: forget the lock
                del self._waiting[key]
                del self._locks[key]


def _key(update: object) -> int:
    """Whose turn an update waits for: its sender, else its chat (0 if it has neither)."""
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return 0
