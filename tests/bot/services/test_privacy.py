"""The practitioner's own data: /forget, /mydata, unsaved text that expires."""

import base64
import json
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

import storage
from bot.services import NotAllowed, NotFound
from bot.services.editing import AnswerEdited
from bot.services.privacy import EXPORT_FORMAT, UNSAVED_TEXT_LIFETIME

ANN, BO = 101, 202
CONFLICT = "Two young people were fighting; I worked towards the resolution of conflict."


@pytest.fixture
def agreed(services):
    services.users.agree(ANN, "Ann")
    services.users.agree(BO, "Bo")
    return services


async def saved_note(services, user, text):
    services.reflecting.start(user, "quick")
    return await services.intake.receive_text(user, text)


async def test_forget_deletes_everything_and_makes_a_stranger(agreed):
    services = agreed
    finished = await saved_note(services, ANN, CONFLICT)
    services.tagging.choose(ANN, finished.reflection.id, "2.6", "confirm")
    await services.intake.receive_text(ANN, "a loose thought")  # pending note
    await saved_note(services, BO, "Bo's own note about the pool night")
    summary = services.privacy.summary(ANN)
    assert (summary.reflections, summary.unfinished, summary.confirmed_tags) == (1, 1, 1)
    services.privacy.forget(ANN)
    assert services.users.get(ANN) is None
    assert all(not rows for rows in storage.rows_about(services.db, ANN).values())
    assert not services.privacy.summary(ANN).anything
    assert services.users.get(BO) is not None and storage.rows_about(services.db, BO)["answers"]


async def test_forget_drops_the_decisions_from_memory_and_the_file(agreed):
    services = agreed
    finished = await saved_note(services, ANN, CONFLICT)
    services.tagging.choose(ANN, finished.reflection.id, "2.6", "confirm")
    other = await saved_note(services, BO, "another fight, resolution of conflict again")
    services.tagging.choose(BO, other.reflection.id, "2.6", "confirm")
    await services.feedback.settled()
    assert services.db["feedback_vectors"].count == 2
    assert services.feedback.matrix.keys(finished.reflection.id) == {"2.6"}
    assert len(services.feedback.selection(BO)) == 2
    services.privacy.forget(ANN)
    assert services.feedback.matrix.keys(finished.reflection.id) == set()
    assert len(services.feedback.selection(BO)) == 1
    assert services.db["feedback_vectors"].count == 1


async def test_forget_runs_hooks_for_in_memory_state(agreed):
    seen = []
    agreed.privacy.on_forget(seen.append)
    agreed.privacy.forget(ANN)
    assert seen == [ANN]


async def test_my_data_is_complete_and_readable_without_the_bot(agreed, clock):
    services = agreed
    finished = await saved_note(services, ANN, CONFLICT)
    services.tagging.choose(ANN, finished.reflection.id, "2.6", "confirm")
    await services.intake.receive_text(ANN, "Jamie Fraser was upset")  # held by the guard
    await saved_note(services, BO, "Bo's private note")
    export = services.privacy.export(ANN)
    assert export.filename == f"reflectbot-my-data-{clock():%Y-%m-%d}.json"
    document = json.loads(export.content)
    assert document["format"] == EXPORT_FORMAT
    assert set(document["tables"]) == {t.name for t in storage.personal_tables(services.db)}
    assert document["tables"]["users"][0]["id"] == ANN
    assert document["tables"]["answers"][0]["text"] == CONFLICT
    assert document["tables"]["held_texts"][0]["findings"][0]["kind"] == "name"
    assert document["indicators"]["2.6"]["text"] == "work towards the resolution of conflict"
    assert document["questions"]["quick/note"]
    assert "Bo's private note" not in export.content.decode()


async def test_my_data_includes_the_vectors_of_decisions_as_base64(agreed):
    services = agreed
    finished = await saved_note(services, ANN, CONFLICT)
    services.tagging.choose(ANN, finished.reflection.id, "2.6", "confirm")
    await services.feedback.settled()
    document = json.loads(services.privacy.export(ANN).content)
    (row,) = document["tables"]["feedback_vectors"]
    vector = np.frombuffer(base64.b64decode(row["vector"]), dtype="<f4")
    stored = services.feedback.selection(ANN).vectors[0]
    assert np.array_equal(vector, stored)
    assert "feedback_vectors" in document["about"]


async def test_unsaved_notes_are_deleted_after_24_hours_and_saved_ones_kept(agreed, clock):
    services = agreed
    offer = await services.intake.receive_text(ANN, "an unsaved thought")
    kept = await saved_note(services, ANN, CONFLICT)
    clock.advance(seconds=UNSAVED_TEXT_LIFETIME.total_seconds() - 60)
    assert services.privacy.purge_expired().notes == 0
    clock.advance(seconds=120)
    assert services.privacy.purge_expired().notes == 1
    assert storage.get_reflection(services.db, offer.reflection.id) is None
    assert storage.get_reflection(services.db, kept.reflection.id) is not None


async def test_a_group_is_told_once(agreed):
    assert agreed.privacy.first_group_notice(-1001) is True
    assert agreed.privacy.first_group_notice(-1001) is False


async def test_a_whole_reflection_in_order_with_its_questions(agreed):
    services = agreed
    services.reflecting.start(ANN, "what-so-what")
    for text in ("We ran the pool night.", CONFLICT, "Ground rules next week."):
        result = await services.intake.receive_text(ANN, text)
    detail = services.history.detail(ANN, result.reflection.id)
    assert [i.answer.text for i in detail.items] == [
        "We ran the pool night.",
        CONFLICT,
        "Ground rules next week.",
    ]
    assert detail.items[0].question.startswith("What")
    with pytest.raises(NotAllowed):
        services.history.detail(BO, result.reflection.id)


async def test_rewriting_an_answer_from_history(agreed, clock):
    services = agreed
    finished = await saved_note(services, ANN, "We played pool and had snacks.")
    detail = services.history.detail(ANN, finished.reflection.id)
    item = services.editing.start_edit(ANN, finished.reflection.id, detail.items[0].answer.id)
    assert services.editing.pending_edit(ANN) == item.answer.id
    edited = await services.intake.receive_text(ANN, CONFLICT)
    assert isinstance(edited, AnswerEdited)
    assert services.editing.pending_edit(ANN) is None
    assert services.history.detail(ANN, finished.reflection.id).reflection.text == CONFLICT
    # The next message is a new note again.
    assert (await services.intake.receive_text(ANN, "later thought")).reflection.status == "pending"


async def test_a_rewrite_can_be_cancelled_and_others_cannot_start_one(agreed):
    services = agreed
    finished = await saved_note(services, ANN, CONFLICT)
    answer_id = services.history.detail(ANN, finished.reflection.id).items[0].answer.id
    with pytest.raises(NotAllowed):
        services.editing.start_edit(BO, finished.reflection.id, answer_id)
    with pytest.raises(NotFound):
        services.editing.start_edit(ANN, finished.reflection.id, answer_id + 999)
    services.editing.start_edit(ANN, finished.reflection.id, answer_id)
    assert services.editing.cancel_edit(ANN) is True
    assert services.editing.cancel_edit(ANN) is False


async def test_deleting_a_reflection(agreed):
    services = agreed
    finished = await saved_note(services, ANN, CONFLICT)
    with pytest.raises(NotAllowed):
        services.editing.delete(BO, finished.reflection.id)
    services.editing.delete(ANN, finished.reflection.id)
    assert storage.get_reflection(services.db, finished.reflection.id) is None
    with pytest.raises(NotFound):
        services.editing.delete(ANN, finished.reflection.id)


def raw_database(path) -> bytes:
    files = [Path(f"{path}{suffix}") for suffix in ("", "-wal")]
    return b"".join(file.read_bytes() for file in files if file.exists())


async def test_text_is_gone_from_the_file_as_soon_as_it_is_dropped(agreed, settings):
    """Don't save, delete an open reflection, drop or edit held text: each is out of the
    database file and its write-ahead log when the service returns."""
    services = agreed
    offer = await services.intake.receive_text(ANN, "MARKER-ONE unsaved")
    services.reflecting.discard(ANN, offer.reflection.id)
    services.reflecting.start(ANN, "what-so-what")
    await services.intake.receive_text(ANN, "MARKER-TWO first answer")
    open_one = services.reflecting.open_reflection(ANN)
    services.reflecting.discard(ANN, open_one.id)
    await services.intake.receive_text(ANN, "Jamie Fraser MARKER-THREE", message_id=4)
    await services.intake.receive_edit(ANN, 4, "J.F. and nothing else")
    await services.intake.receive_text(ANN, "Karen Doyle MARKER-FOUR")
    await services.intake.resolve(ANN, "rewrite")
    # The next part of a long message, held for a name cut in two, saved with initials:
    # the first part's wording with the full name leaves the file at once.
    offer = await services.intake.receive_text(ANN, "word " * 810 + "MARKER-FIVE Jamie")
    await services.intake.receive_text(ANN, "Fraser came back.")
    await services.intake.resolve(ANN, "initials")
    assert "MARKER-FIVE J.F." in services.reflecting.note_text(offer.reflection.id)
    data = raw_database(settings.db_path)
    for marker in (b"MARKER-ONE", b"MARKER-TWO", b"MARKER-THREE", b"MARKER-FOUR"):
        assert marker not in data, marker
    assert b"MARKER-FIVE Jamie" not in data


async def test_forget_checks_nothing_was_written_after_the_confirmation(agreed, clock):
    services = agreed
    shown = services.privacy.summary(ANN).as_of
    assert services.privacy.unchanged_since(ANN, shown)
    clock.advance(seconds=5)
    await saved_note(services, ANN, CONFLICT)
    assert not services.privacy.unchanged_since(ANN, shown)
    fresh = services.privacy.summary(ANN).as_of
    assert services.privacy.unchanged_since(ANN, fresh)
    clock.advance(hours=2)
    assert not services.privacy.unchanged_since(ANN, fresh)  # too old to act on


async def test_a_lapsed_rewrite_is_not_cancelled_twice(agreed, clock):
    services = agreed
    finished = await saved_note(services, ANN, CONFLICT)
    answer_id = services.history.detail(ANN, finished.reflection.id).items[0].answer.id
    services.editing.start_edit(ANN, finished.reflection.id, answer_id)
    clock.advance(minutes=31)
    assert services.editing.cancel_edit(ANN) is False  # /cancel then goes on as usual


async def test_the_update_that_confirms_forget_does_not_count_as_new_writing(agreed, clock):
    """Every update is written to the inbox as it arrives, the tap on "Delete everything"
    too: that is not something written since the confirmation was shown."""
    services = agreed
    shown = services.privacy.summary(ANN).as_of
    clock.advance(seconds=20)  # the practitioner reads, then taps
    services.inbox.receive(77, ANN, '{"callback_query": "fg:yes"}')
    assert services.privacy.unchanged_since(ANN, shown)


async def test_rewriting_a_saved_reflection_leaves_no_old_evidence_in_the_file(agreed, settings):
    """The old wording was also quoted as evidence and stored as the reflection's text."""
    services = agreed
    services.reflecting.start(ANN, "quick")
    text = "MARKER-SIX fight. Two young people were fighting; resolution of conflict."
    finished = await services.intake.receive_text(ANN, text, message_id=60)
    assert "MARKER-SIX" in finished.reflection.text
    await services.intake.receive_edit(ANN, 60, CONFLICT)
    assert b"MARKER-SIX" not in raw_database(settings.db_path)


def test_an_invitation_or_a_snoozed_nudge_does_not_make_forget_stale(agreed, clock):
    """Their expiry and due times lie in the future; they are not writes after the
    confirmation, and must not stop /forget for a week."""
    services = agreed
    services.supervision.invite(ANN)
    storage.record_nudge(
        services.db,
        ANN,
        slot="weekly",
        kind="weekly",
        session_id=None,
        due_at=clock() + timedelta(hours=1),
        status="snoozed",
        now=clock(),
    )
    clock.advance(seconds=5)
    shown = services.privacy.summary(ANN).as_of
    assert services.privacy.unchanged_since(ANN, shown)
