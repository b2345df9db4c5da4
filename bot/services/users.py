"""Consent: nothing is stored for a person until they agree."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlite_utils

import storage
from storage import User


class UserService:
    def __init__(
        self, db: sqlite_utils.Database, clock: Callable[[], datetime], default_timezone: str
    ) -> None:
        self._db = db
        self._clock = clock
        self._default_timezone = default_timezone

    def get(self, user_id: int) -> User | None:
        """The user if they have agreed to storage, else None."""
        return storage.get_user(self._db, user_id)

    def agree(self, user_id: int, display_name: str) -> User:
        """Record consent (idempotent: agreeing twice keeps the first time)."""
        return storage.save_consent(
            self._db, user_id, display_name or "there", self._default_timezone, self._clock()
        )

    def blocked(self, user_id: int) -> None:
        """They blocked the bot (Telegram answered 403): send them nothing until they write."""
        if self.get(user_id) is not None:
            storage.set_blocked(self._db, user_id, self._clock())

    def wrote(self, user: User) -> User:
        """They wrote to the bot: if they had blocked it, they are active again."""
        if user.active:
            return user
        storage.set_blocked(self._db, user.id, None)
        return self.get(user.id)  # type: ignore[return-value]
