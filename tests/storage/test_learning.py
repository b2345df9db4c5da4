"""Professional learning in storage: goals, learning marks, registration, the migration
that adds them, and the reflections read back over a period for exports."""

import sqlite3
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlite_utils

import storage
from storage.migrations import MIGRATIONS, apply_migrations

NOW = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)
ANN, BO = 1, 2  # as in tests/storage/conftest.py


def reflection(db, user_id=ANN, *, started=NOW, status="done", kind="note", set_id="quick"):
    """A reflection started at ``started``; finished unless ``status`` says otherwise."""
    made = storage.start_reflection(
        db,
        user_id,
        kind=kind,
        question_set_id=set_id,
        question_set_version=1,
        now=started,
        status="open" if status == "done" else status,
    )
    if status == "done":
        storage.finish_reflection(db, made.id, "text", started, [], "test-model", started)
    return storage.get_reflection(db, made.id)


# -- goals --------------------------------------------------------------------------------


def test_a_goal_is_stored_with_its_competences_sorted_once_each(db):
    goal = storage.add_goal(db, ANN, "Get better at group work", (5, 2, 5), NOW)
    assert goal.competences == (2, 5)
    assert (goal.user_id, goal.text, goal.created_at) == (ANN, "Get better at group work", NOW)
    assert (goal.review, goal.reviewed_at, goal.closed_at, goal.outcome) == ("", None, None, None)
    assert storage.get_goal(db, goal.id) == goal
    assert storage.get_goal(db, goal.id + 100) is None
    assert storage.add_goal(db, ANN, "No competences yet", (), NOW).competences == ()


def test_goals_are_listed_open_first_then_oldest_first(db):
    first = storage.add_goal(db, ANN, "first", (), NOW)
    second = storage.add_goal(db, ANN, "second", (), NOW + timedelta(days=1))
    third = storage.add_goal(db, ANN, "third", (), NOW + timedelta(days=2))
    same_time = storage.add_goal(db, ANN, "fourth, same moment as the third", (), third.created_at)
    storage.add_goal(db, BO, "Bo's goal", (), NOW)
    storage.close_goal(db, first.id, "achieved", NOW + timedelta(days=3))
    assert [g.text for g in storage.goals_of(db, ANN)] == [
        second.text,
        third.text,
        same_time.text,
        first.text,
    ]
    assert [g.text for g in storage.goals_of(db, BO)] == ["Bo's goal"]
    assert storage.goals_of(db, 999) == []


def test_a_goal_is_reviewed_closed_and_reopened(db):
    goal = storage.add_goal(db, ANN, "Learn about trauma-informed practice", (1,), NOW)
    storage.set_goal_competences(db, goal.id, (3, 1, 3))
    storage.review_goal(db, goal.id, "Halfway: did the online course", NOW + timedelta(days=5))
    reviewed = storage.get_goal(db, goal.id)
    assert reviewed.competences == (1, 3)
    assert (reviewed.review, reviewed.reviewed_at) == (
        "Halfway: did the online course",
        NOW + timedelta(days=5),
    )
    storage.close_goal(db, goal.id, "dropped", NOW + timedelta(days=9))
    closed = storage.get_goal(db, goal.id)
    assert (closed.closed_at, closed.outcome) == (NOW + timedelta(days=9), "dropped")
    storage.close_goal(db, goal.id, None, NOW + timedelta(days=10))
    reopened = storage.get_goal(db, goal.id)
    assert (reopened.closed_at, reopened.outcome) == (None, None)
    assert reopened.review == "Halfway: did the online course", "the review note is kept"


def test_a_goal_outcome_is_achieved_or_dropped_only(db):
    goal = storage.add_goal(db, ANN, "goal", (), NOW)
    with pytest.raises(sqlite3.IntegrityError):
        storage.close_goal(db, goal.id, "forgotten", NOW)
    assert storage.get_goal(db, goal.id).outcome is None


def test_a_goal_needs_a_practitioner_who_exists(db):
    with pytest.raises(sqlite3.IntegrityError):
        storage.add_goal(db, 999, "nobody's goal", (), NOW)


def test_reflections_linked_to_goals_are_counted_when_finished(db):
    goal = storage.add_goal(db, ANN, "goal", (), NOW)
    other = storage.add_goal(db, ANN, "other goal", (), NOW)
    done = [reflection(db) for _ in range(3)]
    unfinished = reflection(db, status="open")
    for each in (*done, unfinished):
        storage.link_goal(db, each.id, goal.id)
    storage.link_goal(db, done[2].id, other.id)  # moved to the other goal
    assert storage.get_reflection(db, done[0].id).goal_id == goal.id
    assert storage.goal_reflection_counts(db, ANN) == {goal.id: 2, other.id: 1}
    storage.link_goal(db, done[0].id, None)
    assert storage.get_reflection(db, done[0].id).goal_id is None
    assert storage.goal_reflection_counts(db, ANN) == {goal.id: 1, other.id: 1}
    assert storage.goal_reflection_counts(db, BO) == {}


def test_deleting_a_goal_leaves_its_reflections_unlinked(db):
    goal = storage.add_goal(db, ANN, "goal", (), NOW)
    linked = reflection(db)
    storage.link_goal(db, linked.id, goal.id)
    db.execute("DELETE FROM learning_goals WHERE id = ?", [goal.id])
    assert storage.get_reflection(db, linked.id).goal_id is None
    assert storage.goal_reflection_counts(db, ANN) == {}


def test_a_reflection_cannot_be_linked_to_a_goal_that_does_not_exist(db):
    linked = reflection(db)
    with pytest.raises(sqlite3.IntegrityError):
        storage.link_goal(db, linked.id, 12345)


# -- learning marks ------------------------------------------------------------------------


def test_a_mark_is_inserted_replaced_and_deleted(db):
    marked = reflection(db)
    first = storage.mark_learning(db, marked.id, ANN, "course", 2.5, NOW)
    assert first == storage.LearningMark(marked.id, ANN, "course", 2.5, NOW)
    later = NOW + timedelta(hours=1)
    again = storage.mark_learning(db, marked.id, ANN, "reading", 0.75, later)
    assert again == storage.LearningMark(marked.id, ANN, "reading", 0.75, later)
    assert db["learning_activities"].count == 1
    assert storage.learning_marks(db, ANN) == {marked.id: again}
    storage.unmark_learning(db, marked.id)
    assert storage.learning_mark(db, marked.id) is None
    assert storage.learning_marks(db, ANN) == {}
    storage.unmark_learning(db, marked.id)  # twice: nothing to do


@pytest.mark.parametrize("hours", [0, -1, -0.25])
def test_hours_must_be_more_than_zero(db, hours):
    marked = reflection(db)
    with pytest.raises(sqlite3.IntegrityError):
        storage.mark_learning(db, marked.id, ANN, "course", hours, NOW)
    assert storage.learning_mark(db, marked.id) is None


def test_marks_are_listed_per_practitioner(db):
    ann = reflection(db, ANN)
    bo = reflection(db, BO)
    storage.mark_learning(db, ann.id, ANN, "course", 1, NOW)
    storage.mark_learning(db, bo.id, BO, "reading", 2, NOW)
    assert list(storage.learning_marks(db, ANN)) == [ann.id]
    assert list(storage.learning_marks(db, BO)) == [bo.id]


def test_deleting_a_reflection_removes_its_mark(db):
    marked = reflection(db)
    kept = reflection(db)
    storage.mark_learning(db, marked.id, ANN, "course", 3, NOW)
    storage.mark_learning(db, kept.id, ANN, "course", 1, NOW)
    storage.delete_reflection(db, marked.id)
    assert storage.learning_mark(db, marked.id) is None
    assert list(storage.learning_marks(db, ANN)) == [kept.id]


def test_hours_between_count_finished_reflections_started_in_the_window(db):
    start, end = NOW, NOW + timedelta(days=7)
    on_start = reflection(db, started=start)
    before_end = reflection(db, started=end - timedelta(microseconds=1))
    on_end = reflection(db, started=end)
    before_start = reflection(db, started=start - timedelta(seconds=1))
    unfinished = reflection(db, started=start + timedelta(days=1), status="open")
    bos = reflection(db, BO, started=start + timedelta(days=1))
    for each, hours in [
        (on_start, 1),
        (before_end, 2),
        (on_end, 4),
        (before_start, 8),
        (unfinished, 16),
    ]:
        storage.mark_learning(db, each.id, ANN, "course", hours, NOW)
    storage.mark_learning(db, bos.id, BO, "course", 32, NOW)
    assert storage.learning_hours_between(db, ANN, start, end) == 3.0
    assert storage.learning_hours_between(db, ANN, None, end) == 11.0
    assert storage.learning_hours_between(db, ANN, None, end + timedelta(days=1)) == 15.0
    assert storage.learning_hours_between(db, BO, start, end) == 32.0
    nothing = storage.learning_hours_between(db, ANN, end + timedelta(days=1), end + timedelta(2))
    assert nothing == 0.0 and isinstance(nothing, float)


def test_hours_between_use_when_the_reflection_started_not_when_it_was_marked(db):
    marked = reflection(db, started=NOW - timedelta(days=400))
    storage.mark_learning(db, marked.id, ANN, "course", 5, NOW)
    assert storage.learning_hours_between(db, ANN, NOW - timedelta(days=365), NOW) == 0.0


# -- registration -------------------------------------------------------------------------


def test_registration_defaults_to_nothing_known(db):
    assert storage.registration(db, ANN) == storage.Registration(ANN, None, None)


def test_registration_is_saved_and_replaced(db):
    storage.save_registration(db, storage.Registration(ANN, 35, date(2025, 4, 1)), NOW)
    assert storage.registration(db, ANN) == storage.Registration(ANN, 35.0, date(2025, 4, 1))
    storage.save_registration(db, storage.Registration(ANN, 17.5, None), NOW)
    assert storage.registration(db, ANN) == storage.Registration(ANN, 17.5, None)
    assert db["registration"].count == 1
    assert storage.registration(db, BO) == storage.Registration(BO)


# -- forgetting ---------------------------------------------------------------------------


def test_forgetting_a_practitioner_removes_goals_marks_and_registration(db):
    for user_id in (ANN, BO):
        goal = storage.add_goal(db, user_id, f"goal of {user_id}", (2,), NOW)
        marked = reflection(db, user_id)
        storage.link_goal(db, marked.id, goal.id)
        storage.mark_learning(db, marked.id, user_id, "course", 2, NOW)
        storage.save_registration(db, storage.Registration(user_id, 30, None), NOW)
    storage.forget_user(db, ANN)
    assert storage.goals_of(db, ANN) == [] and storage.learning_marks(db, ANN) == {}
    assert storage.registration(db, ANN) == storage.Registration(ANN)
    for table in ("learning_goals", "learning_activities", "registration"):
        assert db.execute(f"SELECT COUNT(*) FROM {table} WHERE user_id = ?", [ANN]).fetchone() == (
            0,
        )
    assert len(storage.goals_of(db, BO)) == 1 and len(storage.learning_marks(db, BO)) == 1
    assert storage.registration(db, BO).weekly_hours == 30


# -- the migration ------------------------------------------------------------------------


def test_the_migration_keeps_existing_reflections_unlinked(tmp_path):
    db = sqlite_utils.Database(tmp_path / "old.sqlite3")
    db.execute("PRAGMA foreign_keys = ON")
    assert apply_migrations(db, MIGRATIONS[:6]) == 6
    storage.save_consent(db, ANN, "Ann", "Europe/London", NOW)
    db.execute(
        "INSERT INTO reflections (user_id, kind, question_set_id, question_set_version, status,"
        " started_at) VALUES (1, 'note', 'quick', 1, 'done', ?)",
        [NOW.isoformat()],
    )
    assert "learning_goals" not in db.table_names()
    assert apply_migrations(db) == len(MIGRATIONS)
    assert {"learning_goals", "learning_activities", "registration"} <= set(db.table_names())
    assert storage.get_reflection(db, 1).goal_id is None
    goal = storage.add_goal(db, ANN, "goal", (), NOW)
    storage.link_goal(db, 1, goal.id)
    assert storage.goal_reflection_counts(db, ANN) == {goal.id: 1}


# -- reading a period back -----------------------------------------------------------------


@pytest.fixture
def week(db):
    """Ann's reflections around the week [NOW, NOW + 7 days), and one of Bo's inside."""
    start, end = NOW, NOW + timedelta(days=7)
    made = SimpleNamespace(
        start=start,
        end=end,
        before=reflection(db, started=start - timedelta(microseconds=1)),
        first=reflection(db, started=start, kind="guided", set_id="what-so-what"),
        middle=reflection(db, started=start + timedelta(days=3)),
        unfinished=reflection(db, started=start + timedelta(days=1), status="open"),
        pending=reflection(db, started=start + timedelta(days=1), status="pending"),
        last=reflection(db, started=end - timedelta(microseconds=1)),
        after=reflection(db, started=end),
        bos=reflection(db, BO, started=start + timedelta(days=2)),
    )
    for each in vars(made).values():
        if isinstance(each, storage.Reflection):
            storage.save_answer(db, each.id, "note", f"answer of {each.id}", each.started_at)
            storage.set_tag(db, each.id, "2.6", "confirmed", NOW)
    return made


def test_finished_reflections_between_start_included_end_excluded(db, week):
    found = storage.finished_reflections_between(db, ANN, week.start, week.end)
    assert [r.id for r in found] == [week.first.id, week.middle.id, week.last.id]
    everything = storage.finished_reflections_between(db, ANN, None, week.end)
    assert [r.id for r in everything] == [
        week.before.id,
        week.first.id,
        week.middle.id,
        week.last.id,
    ]
    assert [r.id for r in storage.finished_reflections_between(db, BO, None, week.end)] == [
        week.bos.id
    ]


def test_finished_reflections_between_are_oldest_first_whatever_the_id(db):
    newer = reflection(db, started=NOW + timedelta(hours=2))
    older = reflection(db, started=NOW + timedelta(hours=1))
    found = storage.finished_reflections_between(db, ANN, NOW, NOW + timedelta(days=1))
    assert [r.id for r in found] == [older.id, newer.id]


def test_answers_between_are_those_of_the_same_reflections_in_order(db, week):
    storage.save_answer(db, week.first.id, "so_what", "second answer", NOW)
    storage.save_answer(db, week.first.id, "now_what", "", NOW, skipped=True)
    storage.save_answer(db, week.first.id, "note", "first answer, rewritten", NOW)
    found = storage.answers_between(db, ANN, week.start, week.end)
    assert set(found) == {week.first.id, week.middle.id, week.last.id}
    assert [(a.question_id, a.text, a.skipped) for a in found[week.first.id]] == [
        ("note", "first answer, rewritten", False),
        ("so_what", "second answer", False),
        ("now_what", "", True),
    ]
    assert set(storage.answers_between(db, ANN, None, week.end)) == {
        week.before.id,
        week.first.id,
        week.middle.id,
        week.last.id,
    }
    assert set(storage.answers_between(db, BO, week.start, week.end)) == {week.bos.id}


def test_confirmed_between_leave_out_rejected_and_other_peoples_tags(db, week):
    storage.set_tag(db, week.middle.id, "6.9", "confirmed", NOW)
    storage.set_tag(db, week.middle.id, "1.1", "rejected", NOW)
    storage.set_tag(db, week.last.id, "2.6", "rejected", NOW)
    storage.save_suggestions(
        db,
        week.first.id,
        [SimpleNamespace(indicator_id="3.1", score=0.9, rank=1, evidence="suggested only")],
        "model",
        NOW,
    )
    found = storage.confirmed_between(db, ANN, week.start, week.end)
    assert {k: sorted(v) for k, v in found.items()} == {
        week.first.id: ["2.6"],
        week.middle.id: ["2.6", "6.9"],
    }
    assert set(storage.confirmed_between(db, ANN, None, week.end)) == {
        week.before.id,
        week.first.id,
        week.middle.id,
    }
    assert storage.confirmed_between(db, BO, week.start, week.end) == {week.bos.id: ["2.6"]}


def test_nothing_in_an_empty_window(db, week):
    later = week.end + timedelta(days=30)
    assert storage.finished_reflections_between(db, ANN, later, later + timedelta(1)) == []
    assert storage.answers_between(db, ANN, later, later + timedelta(1)) == {}
    assert storage.confirmed_between(db, ANN, later, later + timedelta(1)) == {}


def test_first_reflection_started_counts_finished_ones_only(db):
    assert storage.first_reflection_started(db, ANN) is None
    reflection(db, started=NOW - timedelta(days=10), status="open")
    assert storage.first_reflection_started(db, ANN) is None
    reflection(db, started=NOW)
    reflection(db, started=NOW - timedelta(days=2))
    reflection(db, BO, started=NOW - timedelta(days=100))
    assert storage.first_reflection_started(db, ANN) == NOW - timedelta(days=2)
    assert storage.first_reflection_started(db, ANN).tzinfo is not None
