"""Everything about one practitioner: found from the schema, exported, deleted for good."""

import os
import stat
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

import numpy as np
import pytest

import storage

NOW = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)
MARKER = "ZEBRA-MARKER-7731"


@pytest.fixture
def path(tmp_path):
    return tmp_path / "private" / "reflectbot.sqlite3"


@pytest.fixture
def db(path):
    database = storage.open_database(path)
    yield database
    database.close()


def write_everything(db, user_id: int, marker: str) -> None:
    """One practitioner with a row in every kind of table that can hold their text."""
    storage.save_consent(db, user_id, f"Name {marker}", "Europe/London", NOW)
    done = storage.start_reflection(
        db, user_id, kind="guided", question_set_id="gibbs", question_set_version=1, now=NOW
    )
    answer = storage.save_answer(db, done.id, "description", f"pool night {marker} " * 40, NOW)
    storage.finish_reflection(db, done.id, f"pool night {marker} " * 40, NOW, [], "test-model", NOW)
    storage.save_suggestions(
        db,
        done.id,
        [SimpleNamespace(indicator_id="2.6", score=0.7, rank=1, evidence=f"calmed {marker}")],
        "model",
        NOW,
    )
    storage.set_tag(db, done.id, "2.6", "confirmed", NOW)
    decision = storage.Unencoded(done.id, "2.6", f"calmed {marker}")
    assert storage.save_feedback_vector(db, decision, "model", np.full(8, 0.5), NOW)
    note = storage.start_reflection(
        db,
        user_id,
        kind="note",
        question_set_id="quick",
        question_set_version=1,
        now=NOW,
        status="pending",
    )
    storage.save_answer(db, note.id, "note", f"loose {marker}", NOW, message_id=5)
    storage.hold_text(db, user_id, f"held {marker}", [{"kind": "name"}], NOW)
    storage.start_answer_edit(db, user_id, answer.id, NOW)
    storage.save_transcript(db, user_id, 9, f"heard {marker}", 12.0, "speech", NOW, NOW)
    storage.receive_update(db, user_id * 1000, user_id, f'{{"text": "inbox {marker}"}}', NOW)
    storage.change_nudge_settings(db, user_id, NOW, weekly_day=2)
    club = storage.add_session(db, user_id, f"club {marker}", frozenset({1}), time(19), NOW)
    storage.set_session_skipped(db, club, date(2026, 12, 22), True)
    storage.record_nudge(
        db,
        user_id,
        slot="weekly",
        kind="weekly",
        session_id=None,
        due_at=NOW,
        status="sent",
        now=NOW,
    )
    goal = storage.add_goal(db, user_id, f"goal {marker}", (2,), NOW)
    storage.link_goal(db, done.id, goal.id)
    storage.mark_learning(db, done.id, user_id, "course", 2.5, NOW)
    storage.save_registration(db, storage.Registration(user_id, 35, date(2025, 4, 1)), NOW)
    supervisor = user_id + 100  # their supervisor, a practitioner of their own
    storage.save_consent(db, supervisor, f"Supervisor {supervisor}", "Europe/London", NOW)
    invitation = storage.add_invitation(
        db, user_id, f"hash {marker}", False, NOW, NOW + timedelta(days=7)
    )
    storage.accept_invitation(db, invitation.id, supervisor, NOW)
    storage.set_sharing(db, storage.Sharing(done.id, in_full=True, to_discuss=True), NOW)
    storage.save_supervision_settings(db, storage.SupervisionSettings(user_id, True), NOW)
    storage.add_comment(db, done.id, supervisor, f"comment {marker}", NOW)
    storage.record_digest(db, user_id, "2026-W48", NOW)  # they supervise someone too
    storage.add_verified_review(
        db, user_id, supervisor, "Supervisor", date(2026, 11, 20), f"review {marker}", NOW
    )


def raw_bytes(path) -> bytes:
    data = b""
    for suffix in ("", "-wal"):
        file = f"{path}{suffix}"
        if os.path.exists(file):
            with open(file, "rb") as handle:
                data += handle.read()
    return data


def test_every_table_is_either_personal_or_known_to_hold_nothing_personal(db):
    assert storage.unclassified_tables(db) == set()
    personal = {table.name for table in storage.personal_tables(db)}
    assert {"users", "reflections", "answers", "suggestions", "tags"} <= personal
    assert {"held_texts", "answer_edits", "inbox", "feedback_vectors"} <= personal


def test_rows_about_a_user_cover_every_table_and_no_one_else(db):
    write_everything(db, 1, "ANN")
    write_everything(db, 2, "BO")
    rows = storage.rows_about(db, 1)
    assert set(rows) == {table.name for table in storage.personal_tables(db)}
    assert all(rows[name] for name in rows), "every personal table has a row of Ann's"
    assert "BO" not in repr(rows)
    assert [u["id"] for u in rows["users"]] == [1]


def test_forgetting_deletes_every_row_and_leaves_others_alone(db):
    write_everything(db, 1, "ANN")
    write_everything(db, 2, "BO")
    deleted = storage.forget_user(db, 1)
    assert deleted["users"] == 1 and deleted["answers"] == 2
    assert all(not rows for rows in storage.rows_about(db, 1).values())
    assert storage.get_user(db, 1) is None
    assert all(storage.rows_about(db, 2).values())


def test_forgotten_text_cannot_be_read_back_from_the_file_or_its_wal(path, db):
    write_everything(db, 1, MARKER)
    write_everything(db, 2, "KEEP-ME-4412")
    assert MARKER.encode() in raw_bytes(path)
    storage.forget_user(db, 1)
    assert MARKER.encode() not in raw_bytes(path)
    assert b"KEEP-ME-4412" in raw_bytes(path)
    db.close()
    assert MARKER.encode() not in raw_bytes(path)


def test_without_secure_delete_the_text_would_remain(path, db):
    """The check above is meaningful: SQLite's default keeps deleted text in the file."""
    db.execute("PRAGMA secure_delete = OFF")
    write_everything(db, 1, MARKER)
    storage.forget_user(db, 1)
    assert MARKER.encode() in raw_bytes(path)


def test_a_deleted_reflection_and_a_rewritten_answer_leave_no_trace(path, db):
    write_everything(db, 1, "ANN")
    storage.release_held_text(db, 1)
    storage.end_answer_edit(db, 1)
    old = storage.start_reflection(
        db, 1, kind="note", question_set_id="quick", question_set_version=1, now=NOW
    )
    answer = storage.save_answer(db, old.id, "note", f"first wording {MARKER}", NOW)
    storage.checkpoint(db)
    storage.replace_answer_text(db, answer.id, "second wording", NOW)
    storage.checkpoint(db)
    assert MARKER.encode() not in raw_bytes(path)
    storage.delete_reflection(db, old.id)
    storage.checkpoint(db)
    assert b"second wording" not in raw_bytes(path)


def test_the_database_and_its_folder_are_private(path, db):
    write_everything(db, 1, "ANN")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for suffix in ("-wal", "-shm"):
        file = path.with_name(path.name + suffix)
        if file.exists():
            assert stat.S_IMODE(file.stat().st_mode) & 0o077 == 0, suffix


def test_an_existing_database_left_readable_by_others_is_made_private(tmp_path):
    path = tmp_path / "open.sqlite3"
    storage.open_database(path).close()
    os.chmod(path, 0o644)
    storage.open_database(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_verifier_who_forgets_leaves_the_review_with_the_practitioner(db):
    write_everything(db, 1, "ANN")
    storage.forget_user(db, 101)  # Ann's supervisor and verifier
    [review] = storage.verified_reviews_of(db, 1)
    assert (review.verifier_id, review.verifier_name, review.note) == (
        None,
        "Supervisor",
        "review ANN",
    )
    assert storage.rows_about(db, 101)["verifications"] == []
    assert storage.active_links(db, practitioner_id=1) == []


def test_held_text_and_rewrites_expire(db):
    write_everything(db, 1, "ANN")
    assert storage.expire_waiting(db, NOW) == 0
    assert storage.expire_answer_edits(db, NOW) == 0
    assert storage.expire_waiting(db, NOW + timedelta(seconds=1)) == 1
    assert storage.expire_answer_edits(db, NOW + timedelta(seconds=1)) == 1
    assert storage.held_text_for(db, 1) is None and storage.answer_edit_for(db, 1) is None


def test_answers_remember_their_message_and_their_parts(db):
    storage.save_consent(db, 1, "Ann", "Europe/London", NOW)
    note = storage.start_reflection(
        db, 1, kind="note", question_set_id="quick", question_set_version=1, now=NOW
    )
    storage.save_answer(db, note.id, "note", "a" * 10, NOW, message_id=41)
    storage.append_to_answer(db, note.id, "note", "more", NOW)
    found = storage.answer_for_message(db, 1, 41)
    assert found.parts == 2 and found.text.endswith(" more")
    assert storage.answer_for_message(db, 2, 41) is None  # message ids are per chat


def test_a_group_is_noticed_once(db):
    assert storage.record_group_notice(db, -100123, NOW) is True
    assert storage.record_group_notice(db, -100123, NOW) is False
    assert storage.record_group_notice(db, -100456, NOW) is True
