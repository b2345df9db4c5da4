"""Decision vectors stored next to their tags: what each is about, kept in step with the
tag and the text, and never stored for a text that changed meanwhile."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import numpy as np

import storage

NOW = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)
MODEL = "test-model"


def finished(db, user_id=1, text="Whole text. The fight sentence.", evidence="The fight."):
    reflection = storage.start_reflection(
        db, user_id, kind="guided", question_set_id="gibbs", question_set_version=1, now=NOW
    )
    suggestion = SimpleNamespace(indicator_id="2.6", score=0.6, rank=1, evidence=evidence)
    storage.finish_reflection(db, reflection.id, text, NOW, [suggestion], MODEL, NOW)
    return reflection.id


def vector(value: float) -> np.ndarray:
    return np.full(4, value, dtype=np.float32)


def test_a_decision_is_about_the_evidence_sentence_or_the_whole_text(db):
    rid = finished(db)
    storage.set_tag(db, rid, "2.6", "confirmed", NOW)
    storage.set_tag(db, rid, "7.9", "rejected", NOW + timedelta(seconds=1), source="picked")
    still_open = storage.start_reflection(
        db, 2, kind="guided", question_set_id="gibbs", question_set_version=1, now=NOW
    )
    storage.set_tag(db, still_open.id, "1.1", "confirmed", NOW)  # not finished: ignored
    todo = storage.unencoded_decisions(db, MODEL)
    assert [(d.reflection_id, d.indicator_id, d.text) for d in todo] == [
        (rid, "2.6", "The fight."),
        (rid, "7.9", "Whole text. The fight sentence."),
    ]
    decisions = storage.decisions_for(db, rid, MODEL)
    assert [(d.indicator_id, d.user_id, d.confirmed, d.vector) for d in decisions] == [
        ("2.6", 1, True, None),
        ("7.9", 1, False, None),
    ]


def test_a_stored_vector_comes_back_and_is_not_asked_for_again(db):
    rid = finished(db)
    storage.set_tag(db, rid, "2.6", "confirmed", NOW)
    (todo,) = storage.unencoded_decisions(db, MODEL)
    assert storage.save_feedback_vector(db, todo, MODEL, vector(0.5), NOW)
    assert storage.unencoded_decisions(db, MODEL) == []
    (decision,) = storage.decisions_for(db, rid, MODEL)
    assert np.array_equal(decision.vector, vector(0.5))
    assert [[d.indicator_id for d in batch] for batch in storage.encoded_decisions(db, MODEL)] == [
        ["2.6"]
    ]
    # Another model's vector does not count: the decision is encoded again for this one.
    assert [d.indicator_id for d in storage.unencoded_decisions(db, "other-model")] == ["2.6"]
    assert storage.decisions_for(db, rid, "other-model")[0].vector is None


def test_changing_a_decision_keeps_its_vector_and_clearing_it_deletes_it(db):
    rid = finished(db)
    storage.set_tag(db, rid, "2.6", "confirmed", NOW)
    (todo,) = storage.unencoded_decisions(db, MODEL)
    storage.save_feedback_vector(db, todo, MODEL, vector(0.5), NOW)
    storage.set_tag(db, rid, "2.6", "rejected", NOW)  # same text: same vector
    (decision,) = storage.decisions_for(db, rid, MODEL)
    assert not decision.confirmed and decision.vector is not None
    storage.clear_tag(db, rid, "2.6")
    assert db["feedback_vectors"].count == 0


def test_finishing_again_drops_the_vectors_and_a_late_one_for_the_old_text_is_refused(db):
    rid = finished(db)
    storage.set_tag(db, rid, "2.6", "confirmed", NOW)
    (old,) = storage.unencoded_decisions(db, MODEL)
    storage.save_feedback_vector(db, old, MODEL, vector(0.5), NOW)
    # An answer is rewritten: finishing again quotes new evidence.
    suggestion = SimpleNamespace(indicator_id="2.6", score=0.6, rank=1, evidence="Calmer now.")
    storage.finish_reflection(db, rid, "Calmer now.", NOW, [suggestion], MODEL, NOW)
    assert db["feedback_vectors"].count == 0
    (todo,) = storage.unencoded_decisions(db, MODEL)
    assert todo.text == "Calmer now."
    # An encode of the old text that finishes only now must not be stored for the new one.
    assert not storage.save_feedback_vector(db, old, MODEL, vector(0.5), NOW)
    assert storage.save_feedback_vector(db, todo, MODEL, vector(0.25), NOW)


def test_deleting_the_reflection_deletes_its_vectors(db):
    rid = finished(db)
    storage.set_tag(db, rid, "2.6", "confirmed", NOW)
    (todo,) = storage.unencoded_decisions(db, MODEL)
    storage.save_feedback_vector(db, todo, MODEL, vector(0.5), NOW)
    storage.delete_reflection(db, rid)
    assert db["feedback_vectors"].count == 0
    assert not storage.save_feedback_vector(db, todo, MODEL, vector(0.5), NOW)


def test_encoded_decisions_come_in_batches_and_unencoded_ones_after_a_key(db):
    ids = [finished(db, user_id=1 + n % 2) for n in range(5)]
    for rid in ids:
        storage.set_tag(db, rid, "2.6", "confirmed", NOW)
    first_two = storage.unencoded_decisions(db, MODEL, limit=2)
    assert [d.reflection_id for d in first_two] == ids[:2]
    rest = storage.unencoded_decisions(db, MODEL, after=(ids[1], "2.6"))
    assert [d.reflection_id for d in rest] == ids[2:]
    for todo in first_two + rest:
        storage.save_feedback_vector(db, todo, MODEL, vector(0.5), NOW)
    batches = list(storage.encoded_decisions(db, MODEL, batch=2))
    assert [len(b) for b in batches] == [2, 2, 1]
    assert [d.user_id for b in batches for d in b] == [1, 2, 1, 2, 1]
