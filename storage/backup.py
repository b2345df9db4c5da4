"""Copies of the live database and read-only checks of it, safe while the bot writes.

Neither ever creates or migrates a database: the live file is opened read-only, and a
missing one is an error, not an empty database.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from storage.database import FILE_MODE

BUSY_TIMEOUT_SECONDS = 5.0


class DatabaseFileError(Exception):
    """The database file cannot be read, or a copy of it cannot be written; the message
    says why."""


def _open_read_only(path: Path, timeout: float = BUSY_TIMEOUT_SECONDS) -> sqlite3.Connection:
    """The existing database at ``path``, opened read-only (``mode=ro``: never created)."""
    if not path.is_file():
        raise DatabaseFileError(f"there is no database file at {path}")
    try:
        connection = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout
        )
    except sqlite3.Error as error:
        raise DatabaseFileError(f"the database {path} cannot be opened: {error}") from error
    return connection


def _schema_version(connection: sqlite3.Connection) -> int:
    """The number of the last migration applied, 0 if the file has no ReflectBot tables."""
    has_migrations = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'"
    ).fetchone()
    if not has_migrations:
        return 0
    return connection.execute("SELECT MAX(number) FROM _migrations").fetchone()[0] or 0


def check_database(path: str | Path, timeout: float = 2.0) -> int:
    """Check that ``path`` is a ReflectBot database that can be read; return its schema
    version. Read-only: a missing file stays missing and nothing is migrated.

    Raises :class:`DatabaseFileError` saying what is wrong.
    """
    path = Path(path)
    connection = _open_read_only(path, timeout)
    try:
        version = _schema_version(connection)
    except sqlite3.Error as error:
        raise DatabaseFileError(f"the database {path} cannot be read: {error}") from error
    finally:
        connection.close()
    if version == 0:
        raise DatabaseFileError(f"{path} is not a ReflectBot database (it has no tables)")
    return version


def backup_database(source: str | Path, target: str | Path, *, overwrite: bool = False) -> int:
    """Copy the live database ``source`` to ``target`` with SQLite's online backup; return
    the size of the copy in bytes.

    Safe while the bot runs: the copy is one consistent snapshot, taken in a single read
    transaction that never blocks the bot's writes (WAL). The copy is a single file
    (rollback journal, no ``-wal`` beside it), readable by its owner only (0600), written
    under a temporary name and moved into place only when complete and checked, so
    ``target`` is never a half-written copy. An existing ``target`` is kept unless
    ``overwrite``.
    """
    source, target = Path(source), Path(target)
    if target.is_dir():
        raise DatabaseFileError(f"{target} is a folder: give the name of the file to write")
    if target.exists() and not overwrite:
        raise DatabaseFileError(f"{target} already exists: choose another name, or use --force")
    if not target.parent.is_dir():
        raise DatabaseFileError(f"the folder {target.parent} does not exist")
    if target.exists() and source.exists() and target.samefile(source):
        raise DatabaseFileError(f"{target} is the live database itself: choose another name")
    live = _open_read_only(source)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        if _schema_version(live) == 0:
            raise DatabaseFileError(f"{source} is not a ReflectBot database (it has no tables)")
        _copy(live, partial)
        _move_into_place(partial, target, overwrite=overwrite)
    except sqlite3.Error as error:
        raise DatabaseFileError(f"the backup of {source} failed: {error}") from error
    finally:
        live.close()
        for leftover in ("", "-journal", "-wal", "-shm"):
            Path(f"{partial}{leftover}").unlink(missing_ok=True)
    return target.stat().st_size


def _copy(live: sqlite3.Connection, partial: Path) -> None:
    """Back ``live`` up into the new file ``partial`` (exactly 0600) and check the copy."""
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    os.close(descriptor)
    os.chmod(partial, FILE_MODE)  # exactly 0600 whatever the umask: SQLite must write to it
    copy = sqlite3.connect(partial)
    try:
        live.backup(copy)  # all pages in one step: one snapshot, never restarted
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal
        (result,) = copy.execute("PRAGMA quick_check").fetchone()
        if result != "ok":
            raise DatabaseFileError(f"the copy failed SQLite's check: {result}")
    finally:
        copy.close()
    with open(partial, "rb") as written:
        os.fsync(written.fileno())


def _move_into_place(partial: Path, target: Path, *, overwrite: bool) -> None:
    """Give the finished copy its name, replacing an existing file only if ``overwrite``."""
    if overwrite:
        os.replace(partial, target)
        return
    try:
        os.link(partial, target)  # fails, rather than replaces, if target appeared meanwhile
    except FileExistsError:
        raise DatabaseFileError(
            f"{target} already exists: choose another name, or use --force"
        ) from None
    except OSError:  # a file system without hard links: the check above has to do
        if target.exists():
            raise DatabaseFileError(
                f"{target} already exists: choose another name, or use --force"
            ) from None
        os.replace(partial, target)
