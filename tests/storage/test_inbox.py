"""The inbox of updates: written once, emptied when handled, replayed in order."""

from datetime import UTC, datetime, timedelta

import pytest

import storage

NOW = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)


@pytest.fixture
def db(tmp_path):
    database = storage.open_database(tmp_path / "inbox.sqlite3")
    yield database
    database.close()


def test_an_update_is_written_once_and_emptied_when_handled(db):
    assert storage.receive_update(db, 7, 1001, '{"text": "first"}', NOW) is True
    assert storage.receive_update(db, 7, 1001, '{"text": "again"}', NOW) is False
    assert storage.receive_update(db, 5, 1001, '{"text": "earlier"}', NOW) is True
    assert storage.unhandled_updates(db) == ['{"text": "earlier"}', '{"text": "first"}']
    storage.mark_handled(db, [5], NOW)
    assert storage.unhandled_updates(db) == ['{"text": "first"}']
    [row] = [r for r in storage.rows_about(db, 1001)["inbox"] if r["update_id"] == 5]
    assert row["payload"] is None and row["handled_at"]


def test_handled_updates_are_forgotten_after_a_while(db):
    storage.receive_update(db, 1, 1001, "{}", NOW)
    storage.receive_update(db, 2, 1001, "{}", NOW)
    storage.mark_handled(db, [1], NOW)
    assert storage.prune_inbox(db, NOW + timedelta(days=3)) == 1
    assert storage.unhandled_updates(db) == ["{}"]  # never drops what is not handled
