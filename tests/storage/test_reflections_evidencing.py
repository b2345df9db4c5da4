"""Finished reflections with a confirmed indicator of a set, and confirmed counts per
indicator: what /history's filters read."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import storage

NOW = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)
ANN, BO = 1, 2


def finished(db, text, *, user_id=ANN, hours=0, confirmed=(), rejected=()):
    """A finished reflection ``hours`` after NOW, with these tags."""
    moment = NOW + timedelta(hours=hours)
    made = storage.start_reflection(
        db,
        user_id,
        kind="note",
        question_set_id="quick",
        question_set_version=1,
        now=moment,
    )
    storage.finish_reflection(db, made.id, text, moment, [], "test-model", moment)
    for indicator_id in confirmed:
        storage.set_tag(db, made.id, indicator_id, "confirmed", moment)
    for indicator_id in rejected:
        storage.set_tag(db, made.id, indicator_id, "rejected", moment)
    return made


def texts(reflections):
    return [r.text for r in reflections]


def test_only_confirmed_tags_of_the_indicators_count_newest_first(db):
    finished(db, "conflict", hours=1, confirmed=["2.6"])
    finished(db, "both", hours=2, confirmed=["2.3", "2.6"])
    finished(db, "rejected only", hours=3, rejected=["2.3"])
    finished(db, "other competence", hours=4, confirmed=["3.1"])
    finished(db, "untagged", hours=5)
    undecided = finished(db, "suggested, never decided", hours=6)
    suggestion = SimpleNamespace(indicator_id="2.3", score=0.7, rank=1, evidence="")
    storage.save_suggestions(db, undecided.id, [suggestion], "test-model", NOW)
    competence_2 = ["2.1", "2.2", "2.3", "2.4", "2.5", "2.6"]

    found = storage.reflections_evidencing(db, ANN, competence_2, limit=10)
    assert texts(found) == ["both", "conflict"]  # a reflection with two counts once
    assert storage.count_reflections_evidencing(db, ANN, competence_2) == 2
    assert texts(storage.reflections_evidencing(db, ANN, {"2.3"}, limit=10)) == ["both"]
    assert storage.count_reflections_evidencing(db, ANN, {"2.3"}) == 1
    assert storage.reflections_evidencing(db, ANN, [], limit=10) == []
    assert storage.count_reflections_evidencing(db, ANN, []) == 0
    assert storage.confirmed_indicator_counts(db, ANN) == {"2.3": 1, "2.6": 2, "3.1": 1}


def test_limit_and_offset_page_through_the_filtered_reflections(db):
    for n in range(7):
        finished(db, f"note {n}", hours=n, confirmed=["2.3"])
    finished(db, "not evidence", hours=10)
    pages = [
        texts(storage.reflections_evidencing(db, ANN, ["2.3"], limit=5, offset=offset))
        for offset in (0, 5)
    ]
    assert pages == [["note 6", "note 5", "note 4", "note 3", "note 2"], ["note 1", "note 0"]]
    assert storage.count_reflections_evidencing(db, ANN, ["2.3"]) == 7


def test_another_practitioners_reflections_never_appear(db):
    finished(db, "Ann's", confirmed=["2.3"])
    finished(db, "Bo's", user_id=BO, hours=1, confirmed=["2.3", "2.6"])
    assert texts(storage.reflections_evidencing(db, ANN, ["2.3", "2.6"], limit=10)) == ["Ann's"]
    assert storage.count_reflections_evidencing(db, ANN, ["2.3", "2.6"]) == 1
    assert storage.confirmed_indicator_counts(db, ANN) == {"2.3": 1}
    assert storage.confirmed_indicator_counts(db, BO) == {"2.3": 1, "2.6": 1}


def test_unfinished_reflections_do_not_count(db):
    made = storage.start_reflection(
        db, ANN, kind="guided", question_set_id="gibbs", question_set_version=1, now=NOW
    )
    storage.set_tag(db, made.id, "2.3", "confirmed", NOW)
    assert storage.reflections_evidencing(db, ANN, ["2.3"], limit=10) == []
    assert storage.count_reflections_evidencing(db, ANN, ["2.3"]) == 0
    assert storage.confirmed_indicator_counts(db, ANN) == {}
