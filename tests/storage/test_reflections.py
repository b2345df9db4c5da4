from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

import storage

NOW = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)


def start(db, user_id=1, status="open", now=NOW):
    return storage.start_reflection(
        db,
        user_id,
        kind="guided",
        question_set_id="gibbs",
        question_set_version=1,
        now=now,
        status=status,
    )


def test_answers_are_stored_in_order_and_can_be_replaced(db):
    reflection = start(db)
    storage.save_answer(db, reflection.id, "description", "We played pool.", NOW)
    storage.save_answer(db, reflection.id, "feelings", "", NOW, skipped=True)
    storage.save_answer(db, reflection.id, "description", "We played pool and talked.", NOW)
    answers = storage.answers_for(db, reflection.id)
    assert [(a.question_id, a.text, a.skipped) for a in answers] == [
        ("description", "We played pool and talked.", False),
        ("feelings", "", True),
    ]


def test_append_joins_the_parts_of_a_split_message(db):
    reflection = start(db)
    storage.save_answer(db, reflection.id, "description", "first part", NOW)
    storage.append_to_answer(db, reflection.id, "description", "second part", NOW)
    assert storage.answers_for(db, reflection.id)[0].text == "first part second part"


def test_open_reflection_is_found_per_user_and_status(db):
    open_one = start(db)
    pending = start(db, status="pending")
    assert storage.open_reflection_for(db, 1).id == open_one.id
    assert storage.open_reflection_for(db, 1, "pending").id == pending.id
    assert storage.open_reflection_for(db, 2) is None


def test_finishing_and_history_order(db):
    first = start(db)
    storage.finish_reflection(db, first.id, "older", NOW, [], "test-model", NOW)
    second = start(db)
    storage.finish_reflection(
        db, second.id, "newer", NOW + timedelta(hours=1), [], "test-model", NOW + timedelta(hours=1)
    )
    start(db)  # still open: not in history
    recent = storage.recent_reflections(db, 1, limit=10)
    assert [r.text for r in recent] == ["newer", "older"]
    assert storage.count_finished_reflections(db, 1) == 2
    assert storage.recent_reflections(db, 2, limit=10) == []
    assert [r.text for r in storage.recent_reflections(db, 1, limit=1, offset=1)] == ["older"]


def test_suggestions_and_tags(db):
    reflection = start(db)
    storage.finish_reflection(db, reflection.id, "text", NOW, [], "test-model", NOW)
    suggestions = [
        SimpleNamespace(indicator_id="2.6", score=0.61, rank=1, evidence="We talked it through."),
        SimpleNamespace(indicator_id="2.5", score=0.52, rank=2, evidence=""),
    ]
    stored = storage.save_suggestions(db, reflection.id, suggestions, "model-x", NOW)
    assert [(s.indicator_id, s.rank, s.model_id) for s in stored] == [
        ("2.6", 1, "model-x"),
        ("2.5", 2, "model-x"),
    ]
    storage.set_tag(db, reflection.id, "2.6", "confirmed", NOW)
    storage.set_tag(db, reflection.id, "2.5", "rejected", NOW)
    storage.set_tag(db, reflection.id, "2.5", "confirmed", NOW)
    assert storage.confirmed_indicators(db, reflection.id) == ["2.5", "2.6"]
    storage.clear_tag(db, reflection.id, "2.5")
    assert storage.confirmed_indicators(db, reflection.id) == ["2.6"]
    with pytest.raises(ValueError):
        storage.set_tag(db, reflection.id, "2.6", "maybe", NOW)


def test_delete_removes_everything_of_a_reflection(db):
    reflection = start(db)
    storage.save_answer(db, reflection.id, "description", "x", NOW)
    storage.save_suggestions(
        db,
        reflection.id,
        [SimpleNamespace(indicator_id="1.1", score=1, rank=1, evidence="")],
        "m",
        NOW,
    )
    storage.set_tag(db, reflection.id, "1.1", "confirmed", NOW)
    other = start(db, user_id=2)
    storage.save_answer(db, other.id, "description", "keep me", NOW)
    storage.delete_reflection(db, reflection.id)
    assert storage.get_reflection(db, reflection.id) is None
    for table in ("answers", "suggestions", "tags"):
        assert (
            db.execute(
                f"SELECT COUNT(*) FROM {table} WHERE reflection_id = ?", [reflection.id]
            ).fetchone()[0]
            == 0
        )
    assert storage.answers_for(db, other.id)[0].text == "keep me"


def test_finishing_stores_text_status_and_suggestions_together(db):
    reflection = start(db)
    suggestion = SimpleNamespace(indicator_id="2.6", score=0.6, rank=1, evidence="The fight.")
    done, stored = storage.finish_reflection(
        db, reflection.id, "The fight.", NOW, [suggestion], "m", NOW
    )
    assert done.status == "done" and [s.indicator_id for s in stored] == ["2.6"]
    assert storage.reflections_missing_suggestions(db) == []


def test_a_failure_while_finishing_leaves_the_reflection_unfinished(db):
    reflection = start(db)
    broken = SimpleNamespace(indicator_id="2.6", score="not a number", rank=1, evidence="")
    with pytest.raises(ValueError):
        storage.finish_reflection(db, reflection.id, "text", NOW, [broken], "m", NOW)
    assert storage.get_reflection(db, reflection.id).status == "open"
    assert storage.suggestions_for(db, reflection.id) == []


def test_finished_reflections_without_suggestions_are_found(db):
    reflection = start(db)
    storage.finish_reflection(db, reflection.id, "text", NOW, [], "m", NOW)
    db.execute("UPDATE reflections SET suggested_at = NULL")  # as an older version left it
    assert [r.id for r in storage.reflections_missing_suggestions(db)] == [reflection.id]
