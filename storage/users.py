"""Practitioners who have agreed to ReflectBot storing their reflections."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from storage.records import User
from storage.timestamps import from_db, to_db


def _user(row: dict) -> User:
    return User(
        id=row["id"],
        display_name=row["display_name"],
        timezone=row["timezone"],
        consented_at=from_db(row["consented_at"]),
        created_at=from_db(row["created_at"]),
        blocked_at=from_db(row["blocked_at"]),
    )


def get_user(db: sqlite_utils.Database, user_id: int) -> User | None:
    """The user with this id, or None if they have not agreed to anything being stored."""
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    return _user(rows[0]) if rows else None


def save_consent(
    db: sqlite_utils.Database, user_id: int, display_name: str, timezone: str, now: datetime
) -> User:
    """Record that a user agreed to storage. Agreeing again keeps the first consent time."""
    existing = get_user(db, user_id)
    if existing is not None:
        return existing
    stamp = to_db(now)
    db["users"].insert(
        {
            "id": user_id,
            "display_name": display_name,
            "timezone": timezone,
            "consented_at": stamp,
            "created_at": stamp,
        }
    )
    return get_user(db, user_id)  # type: ignore[return-value]


def set_blocked(db: sqlite_utils.Database, user_id: int, moment: datetime | None) -> None:
    """Record that the user blocked the bot (``moment``), or unblocked it (None)."""
    db.execute(
        "UPDATE users SET blocked_at = ? WHERE id = ?",
        [None if moment is None else to_db(moment), user_id],
    )
