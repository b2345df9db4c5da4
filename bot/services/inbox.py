"""The inbox of updates: written down before Telegram is told they arrived, handled from
there, each once. Updates travel as JSON here; ``bot/telegram/inbox.py`` turns them into
Telegram objects and back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import sqlite_utils

import storage

# Handled updates are remembered this long, to recognise one Telegram sends again.
REMEMBER_HANDLED = timedelta(days=2)


class InboxService:
    def __init__(self, db: sqlite_utils.Database, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._clock = clock

    def receive(self, update_id: int, user_id: int | None, payload: str) -> bool:
        """Write an update down; False if it arrived before (do not handle it again)."""
        return storage.receive_update(self._db, update_id, user_id, payload, self._clock())

    def handled(self, *update_ids: int) -> None:
        """The bot has dealt with these updates: keep their ids only."""
        storage.mark_handled(self._db, list(update_ids), self._clock())

    def unhandled(self) -> list[str]:
        """Updates written down but not handled when the bot stopped, oldest first."""
        return storage.unhandled_updates(self._db)

    def prune(self) -> int:
        """Forget handled updates Telegram will no longer send again."""
        return storage.prune_inbox(self._db, self._clock() - REMEMBER_HANDLED)
