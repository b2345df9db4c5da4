from datetime import UTC, datetime, timedelta

import pytest
import sqlite_utils

import storage

NOW = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)


@pytest.fixture
def db(tmp_path):
    database = storage.open_database(tmp_path / "sub" / "test.sqlite3")
    yield database
    database.close()


def test_a_new_file_gets_wal_mode_and_every_migration(tmp_path, db):
    assert (tmp_path / "sub" / "test.sqlite3").exists()
    assert db.journal_mode == "wal"
    assert storage.schema_version(db) == len(storage.MIGRATIONS)
    assert {"users", "reflections", "answers", "suggestions", "tags"} <= set(db.table_names())


def test_migrations_run_once_and_only_new_ones_run(tmp_path):
    calls = []

    def m1(db):
        calls.append(1)
        db.execute("CREATE TABLE a (x)")

    def m2(db):
        calls.append(2)
        db.execute("CREATE TABLE b (x)")

    db = sqlite_utils.Database(tmp_path / "m.db")
    assert storage.apply_migrations(db, [m1]) == 1
    assert storage.apply_migrations(db, [m1]) == 1
    assert storage.apply_migrations(db, [m1, m2]) == 2
    assert calls == [1, 2]


def test_a_failing_migration_leaves_no_trace(tmp_path):
    def broken(db):
        db.execute("CREATE TABLE half (x)")
        raise RuntimeError("boom")

    db = sqlite_utils.Database(tmp_path / "m.db")
    with pytest.raises(RuntimeError):
        storage.apply_migrations(db, [broken])
    assert "half" not in db.table_names()
    assert storage.schema_version(db) == 0


def test_reopening_keeps_data(tmp_path):
    path = tmp_path / "keep.sqlite3"
    db = storage.open_database(path)
    storage.save_consent(db, 7, "Ann", "Europe/London", NOW)
    db.close()
    again = storage.open_database(path)
    assert storage.get_user(again, 7).display_name == "Ann"


def test_consent_is_recorded_once(db):
    first = storage.save_consent(db, 1, "Ann", "Europe/London", NOW)
    second = storage.save_consent(db, 1, "Annie", "Europe/Paris", NOW + timedelta(days=1))
    assert first == second
    assert first.consented_at == NOW
    assert storage.get_user(db, 2) is None


def test_naive_timestamps_are_refused(db):
    with pytest.raises(ValueError, match="timezone-aware"):
        storage.save_consent(db, 1, "Ann", "Europe/London", datetime(2026, 1, 1))
