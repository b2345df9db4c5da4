"""Opening the SQLite file: WAL mode, foreign keys, migrations."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from storage.migrations import apply_migrations


def open_database(path: str | Path | None = None) -> sqlite_utils.Database:
    """Open (creating if needed) the database at ``path`` and bring its schema up to date.

    ``None`` opens a private in-memory database, which tests use. The file's folder is
    created, WAL mode is switched on so a reader never blocks the bot, and numbered
    migrations are applied before anything else touches the data.
    """
    if path is None:
        db = sqlite_utils.Database(memory=True)
    else:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(path)
        db.enable_wal()
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 5000")
    apply_migrations(db)
    return db
