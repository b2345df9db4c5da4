"""Backups of the live database: consistent while another connection writes, private
(0600), never over an existing file unless asked, and restorable; and the read-only check
that `reflectbot health` uses, which never creates or migrates a database."""

from __future__ import annotations

import os
import shutil
import stat
import threading
from datetime import UTC, datetime, timedelta

import pytest

import storage

NOW = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)
FIRST_WRITER_ID = 1_000_000


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def live(tmp_path):
    """A live database with one practitioner and one answered reflection in it."""
    path = tmp_path / "data" / "bot.sqlite3"
    db = storage.open_database(path)
    storage.save_consent(db, 7, "Ann", "Europe/London", NOW)
    reflection = storage.start_reflection(
        db, 7, kind="guided", question_set_id="wsn", question_set_version=1, now=NOW
    )
    storage.save_answer(db, reflection.id, "what", "ran the Tuesday drop-in with K", NOW)
    yield path
    db.close()


class Writer(threading.Thread):
    """Another connection adding practitioners FIRST_WRITER_ID, +1, ... until stopped."""

    def __init__(self, path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.written = 0
        self.started_writing = threading.Event()
        self.stop = threading.Event()

    def run(self) -> None:
        db = storage.open_database(self.path)
        try:
            while not self.stop.is_set() and self.written < 100_000:
                moment = NOW + timedelta(seconds=self.written)
                storage.save_consent(db, FIRST_WRITER_ID + self.written, "W", "UTC", moment)
                self.written += 1
                if self.written == 50:
                    self.started_writing.set()
        finally:
            db.close()


def test_a_backup_taken_while_another_connection_writes_restores_with_the_data(live, tmp_path):
    writer = Writer(live)
    writer.start()
    try:
        assert writer.started_writing.wait(10)
        copy = tmp_path / "backups" / "copy.sqlite3"
        copy.parent.mkdir()
        size = storage.backup_database(live, copy)
        written_before_end = writer.written
    finally:
        writer.stop.set()
        writer.join(10)
    assert size == copy.stat().st_size > 0
    assert mode(copy) == 0o600
    assert not list(copy.parent.glob(".*partial*")), "no temporary file is left behind"

    # Restore as the README says: copy the backup over the database file, no -wal or -shm.
    restored = tmp_path / "restored" / "bot.sqlite3"
    restored.parent.mkdir()
    shutil.copyfile(copy, restored)
    db = storage.open_database(restored)
    try:
        user = storage.get_user(db, 7)
        assert user is not None and user.display_name == "Ann"
        reflection = storage.open_reflection_for(db, 7)
        assert reflection is not None
        (answer,) = storage.answers_for(db, reflection.id)
        assert answer.text == "ran the Tuesday drop-in with K"
        # One snapshot: the writer's practitioners are a gap-free prefix of what it wrote.
        query = "SELECT id FROM users WHERE id >= ? ORDER BY id"
        ids = [row["id"] for row in db.query(query, [FIRST_WRITER_ID])]
        assert 50 <= len(ids) <= written_before_end
        assert ids == list(range(FIRST_WRITER_ID, FIRST_WRITER_ID + len(ids)))
        assert storage.schema_version(db) == len(storage.MIGRATIONS)
    finally:
        db.close()


def test_the_copy_is_one_private_file_whatever_the_umask(live, tmp_path):
    copy = tmp_path / "copy.sqlite3"
    previous = os.umask(0o022)
    try:
        storage.backup_database(live, copy)
    finally:
        os.umask(previous)
    assert mode(copy) == 0o600
    assert not os.path.exists(f"{copy}-wal") and not os.path.exists(f"{copy}-shm")
    assert storage.check_database(copy) == len(storage.MIGRATIONS)


def test_an_existing_file_is_kept_unless_overwrite(live, tmp_path):
    copy = tmp_path / "copy.sqlite3"
    copy.write_text("keep me")
    copy.chmod(0o644)
    with pytest.raises(storage.DatabaseFileError, match="already exists.*--force"):
        storage.backup_database(live, copy)
    assert copy.read_text() == "keep me"
    storage.backup_database(live, copy, overwrite=True)
    assert mode(copy) == 0o600
    assert storage.check_database(copy) == len(storage.MIGRATIONS)


def test_the_live_database_is_never_its_own_backup(live):
    with pytest.raises(storage.DatabaseFileError, match="live database itself"):
        storage.backup_database(live, live, overwrite=True)
    assert storage.check_database(live) == len(storage.MIGRATIONS)


def test_a_missing_database_is_an_error_and_is_not_created(tmp_path):
    missing = tmp_path / "nowhere" / "bot.sqlite3"
    with pytest.raises(storage.DatabaseFileError, match="no database file"):
        storage.backup_database(missing, tmp_path / "copy.sqlite3")
    with pytest.raises(storage.DatabaseFileError, match="no database file"):
        storage.check_database(missing)
    assert not missing.parent.exists()
    assert not (tmp_path / "copy.sqlite3").exists()


def test_a_missing_target_folder_or_a_folder_as_target_is_refused(live, tmp_path):
    with pytest.raises(storage.DatabaseFileError, match="does not exist"):
        storage.backup_database(live, tmp_path / "no-such-folder" / "copy.sqlite3")
    with pytest.raises(storage.DatabaseFileError, match="is a folder"):
        storage.backup_database(live, tmp_path, overwrite=True)


def test_the_check_reads_only(tmp_path):
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    with pytest.raises(storage.DatabaseFileError, match="not a ReflectBot database"):
        storage.check_database(empty)
    assert empty.stat().st_size == 0, "nothing was created or migrated in it"
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"not a database at all" * 100)
    with pytest.raises(storage.DatabaseFileError, match="cannot be read"):
        storage.check_database(garbage)


def test_the_check_does_not_migrate_an_old_database(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = storage.open_database(path)
    db.execute("DELETE FROM _migrations WHERE number > 1")  # as if written by an older bot
    db.conn.commit()
    db.close()
    assert storage.check_database(path) == 1
    assert storage.check_database(path) == 1, "still at version 1: the check migrated nothing"
