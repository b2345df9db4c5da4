"""Opening the SQLite file: private file modes, WAL, secure delete, migrations."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import sqlite_utils

from storage.migrations import SECURE_DELETE_SINCE, apply_migrations, schema_version

log = logging.getLogger(__name__)

FILE_MODE = 0o600  # the database holds reflections about young people: owner only
FOLDER_MODE = 0o700


def open_database(path: str | Path | None = None) -> sqlite_utils.Database:
    """Open (creating if needed) the database at ``path`` and bring its schema up to date.

    ``None`` opens a private in-memory database, which tests use. A new file is created
    readable by its owner only (0600) in a folder created 0700; WAL mode is switched on so
    a reader never blocks the bot; ``secure_delete`` makes SQLite overwrite deleted text
    with zeros, so what a practitioner deletes cannot be read back from the file.
    """
    if path is None:
        db = sqlite_utils.Database(memory=True)
    else:
        path = Path(path)
        _create_privately(path)
        db = sqlite_utils.Database(path)
        db.enable_wal()
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 5000")
    db.execute("PRAGMA secure_delete = ON")
    before = schema_version(db)
    apply_migrations(db)
    if 0 < before < SECURE_DELETE_SINCE and path is not None:
        # Text deleted before secure_delete was on may linger in free pages: rebuild once.
        db.execute("VACUUM")
        checkpoint(db)
    return db


def _create_privately(path: Path) -> None:
    """Create the folder (0700) and the file (0600) if missing; tighten a file left open."""
    missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=FOLDER_MODE)
        os.chmod(folder, FOLDER_MODE)  # mkdir's mode is filtered by the umask
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    os.close(descriptor)
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if file.exists() and stat.S_IMODE(file.stat().st_mode) & 0o077:
            log.warning("%s was readable by others: making it private (0600)", file)
            os.chmod(file, FILE_MODE)


def checkpoint(db: sqlite_utils.Database) -> bool:
    """Copy the write-ahead log into the database file and empty it.

    After a deletion, this is what makes deleted text unrecoverable from the ``-wal`` file
    too. False if a reader kept the log from being emptied (the next checkpoint retries).
    """
    row = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    busy = bool(row and row[0])
    if busy:
        log.warning("the write-ahead log could not be emptied yet (a reader is active)")
    return not busy
