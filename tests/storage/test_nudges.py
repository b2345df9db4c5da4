"""Nudge settings, regular sessions and the record of nudges sent (storage/nudges.py)."""

import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils

import storage
from storage import NudgeSettings

NOW = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)
FRIDAY = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)


def record(db, user_id=1, *, slot="weekly", due_at=FRIDAY, status="sent", **extra):
    return storage.record_nudge(
        db,
        user_id,
        slot=slot,
        kind="weekly" if slot == "weekly" else "session",
        session_id=extra.pop("session_id", None),
        due_at=due_at,
        status=status,
        now=NOW,
        **extra,
    )


def finished(db, user_id, at, *, confirmed=(), status="done"):
    reflection = storage.start_reflection(
        db, user_id, kind="note", question_set_id="quick", question_set_version=1, now=at
    )
    storage.save_answer(db, reflection.id, "note", "text", at)
    if status == "done":
        storage.finish_reflection(db, reflection.id, "text", at, [], "test-model", at)
        for indicator_id in confirmed:
            storage.set_tag(db, reflection.id, indicator_id, "confirmed", at)
    return reflection


# -- settings -------------------------------------------------------------------------------


def test_settings_are_the_defaults_until_changed(db):
    assert storage.nudge_settings(db, 1) == NudgeSettings(user_id=1)
    default = storage.nudge_settings(db, 1)
    assert (default.quiet_start, default.quiet_end) == (time(21, 30), time(8, 0))
    assert (default.weekly_day, default.weekly_time) == (4, time(16, 0))
    assert default.sessions_on and default.weekly_on and default.session_delay_minutes == 30
    assert default.after_reflecting == "soften" and default.paused_until is None
    assert db["nudge_settings"].count == 0  # reading stores nothing


def test_changing_some_settings_keeps_the_rest(db):
    changed = storage.change_nudge_settings(
        db, 1, NOW, weekly_day=2, weekly_time=time(9, 15), paused_until=date(2026, 12, 24)
    )
    assert storage.nudge_settings(db, 1) == changed
    assert (changed.weekly_day, changed.weekly_time) == (2, time(9, 15))
    assert changed.quiet_start == time(21, 30) and changed.paused_until == date(2026, 12, 24)
    again = storage.change_nudge_settings(
        db, 1, NOW, quiet_start=None, quiet_end=None, after_reflecting="skip", sessions_on=False
    )
    assert again.weekly_day == 2 and again.paused_until == date(2026, 12, 24)
    assert storage.nudge_settings(db, 1) == again
    assert (again.quiet_start, again.quiet_end, again.sessions_on) == (None, None, False)
    assert storage.nudge_settings(db, 2) == NudgeSettings(user_id=2)  # Bo's are his own
    assert db["nudge_settings"].count == 1


def test_save_replaces_whole_settings(db):
    storage.save_nudge_settings(
        db, NudgeSettings(user_id=1, weekly_on=False, default_set_id="gibbs"), NOW
    )
    storage.save_nudge_settings(db, NudgeSettings(user_id=1, session_delay_minutes=10), NOW)
    assert storage.nudge_settings(db, 1) == NudgeSettings(user_id=1, session_delay_minutes=10)


def test_the_database_refuses_an_unknown_after_reflecting(db):
    with pytest.raises(sqlite3.IntegrityError):
        storage.change_nudge_settings(db, 1, NOW, after_reflecting="nag")


def test_set_timezone(db):
    storage.set_timezone(db, 1, "Asia/Kolkata")
    assert storage.get_user(db, 1).timezone == "Asia/Kolkata"
    assert storage.get_user(db, 2).timezone == "Europe/London"


# -- sessions -------------------------------------------------------------------------------


def test_sessions_are_added_listed_and_removed(db):
    club = storage.add_session(db, 1, "Tuesday youth club", frozenset({1}), time(19, 30), NOW)
    parents = storage.add_session(db, 1, "Parents group", frozenset({2, 0}), time(11, 0), NOW)
    storage.add_session(db, 2, "Bo's club", frozenset({3}), time(20, 0), NOW)
    assert club.name == "Tuesday youth club" and club.weekdays == frozenset({1})
    assert club.end_time == time(19, 30) and club.skipped == frozenset()
    assert club.removed_at is None and club.user_id == 1
    assert parents.weekdays == frozenset({0, 2})
    assert [s.id for s in storage.sessions_of(db, 1)] == [club.id, parents.id]
    storage.remove_session(db, club.id, NOW)
    storage.remove_session(db, club.id, NOW + timedelta(days=1))  # the first time stands
    assert [s.id for s in storage.sessions_of(db, 1)] == [parents.id]
    removed = storage.get_session(db, club.id)  # still there, for reflections that name it
    assert removed.removed_at == NOW and removed.name == "Tuesday youth club"
    assert storage.get_session(db, 9999) is None


@pytest.mark.parametrize("weekdays", [frozenset(), frozenset({7}), frozenset({-1, 2})])
def test_a_session_needs_real_weekdays(db, weekdays):
    with pytest.raises(ValueError, match="weekdays"):
        storage.add_session(db, 1, "club", weekdays, time(19), NOW)
    assert db["sessions"].count == 0


def test_skipped_dates_come_with_the_session(db):
    club = storage.add_session(db, 1, "club", frozenset({1}), time(19, 30), NOW)
    christmas_eve, new_year = date(2026, 12, 24), date(2026, 12, 29)
    storage.set_session_skipped(db, club, christmas_eve, True)
    storage.set_session_skipped(db, club, christmas_eve, True)  # twice: once
    storage.set_session_skipped(db, club, new_year, True)
    assert storage.get_session(db, club.id).skipped == {christmas_eve, new_year}
    assert storage.sessions_of(db, 1)[0].skipped == {christmas_eve, new_year}
    storage.set_session_skipped(db, club, new_year, False)
    storage.set_session_skipped(db, club, new_year, False)
    assert storage.get_session(db, club.id).skipped == {christmas_eve}


# -- nudges ---------------------------------------------------------------------------------


def test_a_nudge_is_recorded_once_per_slot_and_due_time(db):
    nudge = record(db, question_id="c6-alongside")
    assert nudge is not None
    assert (nudge.user_id, nudge.slot, nudge.kind, nudge.due_at) == (1, "weekly", "weekly", FRIDAY)
    assert (nudge.status, nudge.question_id, nudge.message_id, nudge.sent_at) == (
        "sent",
        "c6-alongside",
        None,
        None,
    )
    assert record(db) is None  # the same slot and due time: already recorded
    assert record(db, status="dropped") is None
    assert storage.get_nudge(db, nudge.id) == nudge
    assert record(db, user_id=2) is not None  # Bo's is his own
    assert record(db, slot="session:1") is not None  # another slot
    assert record(db, due_at=FRIDAY + timedelta(days=7)) is not None  # another week
    assert storage.get_nudge(db, 9999) is None


def test_the_same_due_time_written_another_way_is_the_same_nudge(db):
    record(db)
    same_moment = FRIDAY.astimezone(ZoneInfo("Asia/Kolkata"))
    assert record(db, due_at=same_moment) is None


def test_recorded_since(db):
    record(db, due_at=FRIDAY - timedelta(days=7), status="dropped")
    record(db, due_at=FRIDAY)
    record(db, slot="session:3", due_at=FRIDAY + timedelta(hours=1), status="snoozed")
    record(db, user_id=2, due_at=FRIDAY + timedelta(hours=2))
    assert storage.recorded_since(db, 1, FRIDAY) == {
        ("weekly", FRIDAY),
        ("session:3", FRIDAY + timedelta(hours=1)),
    }
    assert storage.recorded_since(db, 1, FRIDAY + timedelta(microseconds=1)) == {
        ("session:3", FRIDAY + timedelta(hours=1))
    }
    assert len(storage.recorded_since(db, 1, FRIDAY - timedelta(days=30))) == 3


def test_status_changes_keep_what_they_do_not_name(db):
    nudge = record(db, status="snoozed")
    sent_at = FRIDAY + timedelta(seconds=2)
    storage.set_nudge_status(db, nudge.id, "sent", sent_at=sent_at)
    storage.set_nudge_status(db, nudge.id, "sent", message_id=77)
    storage.set_nudge_status(db, nudge.id, "answered")
    again = storage.get_nudge(db, nudge.id)
    assert (again.status, again.sent_at, again.message_id) == ("answered", sent_at, 77)


def test_nudges_with_status_are_the_users_earliest_first(db):
    later = record(db, slot="session:1", due_at=FRIDAY + timedelta(days=1))
    earlier = record(db, due_at=FRIDAY)
    record(db, slot="session:2", due_at=FRIDAY, status="dropped")
    record(db, user_id=2, due_at=FRIDAY)
    assert [n.id for n in storage.nudges_with_status(db, 1, "sent")] == [earlier.id, later.id]
    assert [n.slot for n in storage.nudges_with_status(db, 1, "dropped")] == ["session:2"]
    assert storage.nudges_with_status(db, 1, "snoozed") == []


def test_last_nudge_is_the_latest_of_its_kind_that_went_out(db):
    assert storage.last_nudge(db, 1, "weekly") is None
    first = record(db, due_at=FRIDAY)
    storage.set_nudge_status(db, first.id, "sent", sent_at=FRIDAY)
    assert storage.last_nudge(db, 1, "weekly").id == first.id
    record(db, due_at=FRIDAY + timedelta(days=7), status="dropped")  # never sent
    session = record(db, slot="session:1", due_at=FRIDAY + timedelta(days=8))
    storage.set_nudge_status(db, session.id, "sent", sent_at=FRIDAY + timedelta(days=8))
    assert storage.last_nudge(db, 1, "weekly").id == first.id
    assert storage.last_nudge(db, 1, "session").id == session.id
    assert storage.last_nudge(db, 2, "weekly") is None


# -- what nudges are about ------------------------------------------------------------------


def test_practitioner_ids_are_everybody_who_agreed(db):
    storage.save_consent(db, 0, "terminal", "Europe/London", NOW)
    assert storage.practitioner_ids(db) == [0, 1, 2]


def test_last_confirmed_is_the_latest_finished_reflection_per_indicator(db):
    week = timedelta(days=7)
    finished(db, 1, NOW - 5 * week, confirmed=["6.1", "2.6"])
    finished(db, 1, NOW - 2 * week, confirmed=["2.6"])
    rejected = finished(db, 1, NOW - week)
    storage.set_tag(db, rejected.id, "6.2", "rejected", NOW)
    unfinished = finished(db, 1, NOW, status="open")
    storage.set_tag(db, unfinished.id, "3.1", "confirmed", NOW)
    finished(db, 2, NOW, confirmed=["1.1"])
    assert storage.last_confirmed(db, 1) == {"6.1": NOW - 5 * week, "2.6": NOW - 2 * week}
    assert storage.last_confirmed(db, 2) == {"1.1": NOW}


def test_finished_since_counts_finished_reflections_from_a_moment_on(db):
    finished(db, 1, NOW - timedelta(days=8))
    finished(db, 1, NOW)
    finished(db, 1, NOW + timedelta(hours=1))
    finished(db, 1, NOW + timedelta(hours=2), status="open")
    finished(db, 2, NOW)
    assert storage.finished_since(db, 1, NOW) == 2
    assert storage.finished_since(db, 1, NOW + timedelta(seconds=1)) == 1
    assert storage.finished_since(db, 1, NOW + timedelta(days=1)) == 0


def test_a_reflection_remembers_its_session_and_weekly_question(db):
    club = storage.add_session(db, 1, "club", frozenset({1}), time(19, 30), NOW)
    about = storage.start_reflection(
        db,
        1,
        kind="guided",
        question_set_id="gibbs",
        question_set_version=1,
        now=NOW,
        session_id=club.id,
    )
    weekly = storage.start_reflection(
        db,
        2,
        kind="weekly",
        question_set_id="weekly",
        question_set_version=1,
        now=NOW,
        prompt_id="c6-alongside",
    )
    assert storage.get_reflection(db, about.id).session_id == club.id
    assert storage.get_reflection(db, about.id).prompt_id is None
    assert storage.get_reflection(db, weekly.id).prompt_id == "c6-alongside"
    assert storage.get_reflection(db, weekly.id).session_id is None


def test_migration_6_upgrades_a_database_with_reflections(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = sqlite_utils.Database(path)
    storage.apply_migrations(old, storage.MIGRATIONS[:5])
    storage.save_consent(old, 1, "Ann", "Europe/London", NOW)
    old["reflections"].insert(
        {
            "user_id": 1,
            "kind": "note",
            "question_set_id": "quick",
            "question_set_version": 1,
            "status": "open",
            "started_at": NOW.isoformat(),
            "text": "",
        }
    )
    old.close()
    db = storage.open_database(path)
    try:
        assert storage.schema_version(db) == len(storage.MIGRATIONS) >= 6
        [reflection] = [storage.get_reflection(db, row["id"]) for row in db["reflections"].rows]
        assert (reflection.session_id, reflection.prompt_id) == (None, None)
        assert {"nudge_settings", "sessions", "session_skips", "nudges"} <= set(db.table_names())
    finally:
        db.close()


def test_a_nudge_of_an_unknown_kind_is_refused_not_taken_for_a_duplicate(db):
    with pytest.raises(sqlite3.IntegrityError):
        storage.record_nudge(
            db,
            1,
            slot="digest",
            kind="digest",
            session_id=None,
            due_at=FRIDAY,
            status="sent",
            now=NOW,
        )
