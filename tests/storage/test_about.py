"""What a reflection is about: the name and the session's date, names given before, and
the migration that names reflections a session's nudge began."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import sqlite_utils

import storage
from storage.migrations import MIGRATIONS, apply_migrations

NOW = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)


def finished(db, user_id: int, text: str = "note") -> storage.Reflection:
    made = storage.start_reflection(
        db, user_id, kind="note", question_set_id="quick", question_set_version=1, now=NOW
    )
    storage.finish_reflection(db, made.id, text, NOW, [], "test-model", NOW)
    return storage.get_reflection(db, made.id)


def test_a_name_and_a_date_are_kept_and_cleared(db):
    note = finished(db, 1)
    assert (note.about, note.session_date) == (None, None)
    storage.set_about(db, note.id, "Tuesday youth club", date(2026, 11, 22), session_id=None)
    kept = storage.get_reflection(db, note.id)
    assert (kept.about, kept.session_date) == ("Tuesday youth club", date(2026, 11, 22))
    storage.set_about(db, note.id, None, None, session_id=None)
    cleared = storage.get_reflection(db, note.id)
    assert (cleared.about, cleared.session_date) == (None, None)


def test_names_given_are_each_once_newest_first_and_only_the_practitioners(db):
    for name in ["ESOL Thursday", "Tuesday youth club", "esol thursday", "Parents' group"]:
        storage.set_about(db, finished(db, 1).id, name, None, session_id=None)
    storage.set_about(db, finished(db, 2).id, "Bo's group", None, session_id=None)
    open_one = storage.start_reflection(
        db, 1, kind="note", question_set_id="quick", question_set_version=1, now=NOW
    )
    storage.set_about(db, open_one.id, "Not finished", None, session_id=None)
    given = storage.names_given(db, 1, limit=10)
    assert [g.name for g in given] == ["Parents' group", "esol thursday", "Tuesday youth club"]
    assert all(storage.get_reflection(db, g.reflection_id).user_id == 1 for g in given)
    assert [g.name for g in storage.names_given(db, 1, limit=1)] == ["Parents' group"]


def test_migration_11_names_the_reflections_of_a_regular_session(tmp_path):
    db = sqlite_utils.Database(tmp_path / "old.sqlite3")
    db.execute("PRAGMA foreign_keys = ON")
    assert apply_migrations(db, MIGRATIONS[:10]) == 10
    storage.save_consent(db, 1, "Ann", "Europe/London", NOW)
    club = storage.add_session(db, 1, "Tuesday youth club", frozenset({1}), time(21), NOW)
    for session_id in (club.id, None):
        db.execute(
            "INSERT INTO reflections (user_id, kind, question_set_id, question_set_version,"
            " status, started_at, session_id) VALUES (1, 'note', 'quick', 1, 'done', ?, ?)",
            [NOW.isoformat(), session_id],
        )
    assert apply_migrations(db) == len(MIGRATIONS)
    about_club, about_nothing = (storage.get_reflection(db, rid) for rid in (1, 2))
    assert (about_club.about, about_club.session_date) == ("Tuesday youth club", None)
    assert (about_nothing.about, about_nothing.session_date) == (None, None)
