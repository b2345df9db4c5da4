"""Groups the bot was added to: only their numeric id, so each is told just once."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from storage.timestamps import to_db


def record_group_notice(db: sqlite_utils.Database, chat_id: int, now: datetime) -> bool:
    """Remember that a group was told; True if it had not been told before."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO group_notices (chat_id, noticed_at) VALUES (?, ?)",
        [chat_id, to_db(now)],
    )
    return cursor.rowcount == 1
