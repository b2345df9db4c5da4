"""The inbox: each update is written here before Telegram is told it arrived, and marked
handled once the bot has dealt with it, so a crash loses none and repeats none.

Only the update's id and owner are kept after handling (to recognise a redelivery); its
content is emptied at once (``secure_delete`` zeroes it in the file).
"""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from storage.timestamps import to_db


def receive_update(
    db: sqlite_utils.Database, update_id: int, user_id: int | None, payload: str, now: datetime
) -> bool:
    """Write an update down; False if it was already here (Telegram sent it again)."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO inbox (update_id, user_id, payload, received_at)"
        " VALUES (?, ?, ?, ?)",
        [update_id, user_id, payload, to_db(now)],
    )
    return cursor.rowcount == 1


def mark_handled(db: sqlite_utils.Database, update_ids: list[int], now: datetime) -> None:
    """The bot has dealt with these updates: empty their content, keep their ids."""
    with db.atomic():
        db.conn.executemany(
            "UPDATE inbox SET payload = NULL, handled_at = ? WHERE update_id = ?",
            [(to_db(now), update_id) for update_id in update_ids],
        )


def unhandled_updates(db: sqlite_utils.Database) -> list[str]:
    """Updates written down but never handled (the bot stopped), oldest first, as JSON."""
    return [
        row["payload"]
        for row in db.query("SELECT payload FROM inbox WHERE handled_at IS NULL ORDER BY update_id")
    ]


def prune_inbox(db: sqlite_utils.Database, before: datetime) -> int:
    """Forget handled updates older than ``before`` (Telegram no longer resends them)."""
    return db.execute(
        "DELETE FROM inbox WHERE handled_at IS NOT NULL AND handled_at < ?", [to_db(before)]
    ).rowcount
