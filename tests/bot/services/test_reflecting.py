"""The reflection flow, driven through the services with a fake encoder and clock."""

import pytest

import storage
from bot.identifiers import FakeIdentifierDetector
from bot.services import Finished, NotAllowed, NoteOffer, NotFound, QuestionStep
from bot.services.container import build_services
from tests.conftest import fake_suggester

ANN, BO = 101, 202
CONFLICT = "Two young people were fighting; I worked towards the resolution of conflict."


@pytest.fixture
def reflecting(services):
    services.users.agree(ANN, "Ann")
    services.users.agree(BO, "Bo")
    return services.reflecting


async def answer_all(reflecting, user, texts):
    result = None
    for text in texts:
        result = await reflecting.receive_text(user, text)
    return result


async def test_a_guided_reflection_asks_each_question_in_turn_and_stores_each_answer(
    services, reflecting
):
    step = reflecting.start(ANN, "what-so-what")
    assert (step.number, step.total, step.question.id) == (1, 3, "what")
    step = await reflecting.receive_text(ANN, "We ran the pool night.")
    assert isinstance(step, QuestionStep) and step.question.id == "so_what"
    # Written the moment it arrived, before the reflection is finished.
    stored = storage.answers_for(services.db, step.reflection.id)
    assert [(a.question_id, a.text) for a in stored] == [("what", "We ran the pool night.")]
    step = await reflecting.receive_text(ANN, CONFLICT)
    finished = await reflecting.receive_text(ANN, "I'll agree ground rules with them.")
    assert isinstance(finished, Finished)
    assert finished.reflection.status == "done"
    assert "resolution of conflict" in finished.reflection.text
    assert reflecting.open_reflection(ANN) is None


async def test_finishing_stores_suggestions_with_the_model_id(services, reflecting):
    reflecting.start(ANN, "quick")
    finished = await reflecting.receive_text(ANN, CONFLICT)
    assert finished.suggestions, "the fake encoder matches the indicator's own words"
    assert finished.suggestions[0].indicator_id == "2.6"
    assert {s.model_id for s in finished.suggestions} == {services.suggester.model_id}
    assert [s.rank for s in finished.suggestions] == list(range(1, len(finished.suggestions) + 1))
    assert len(finished.suggestions) <= 3
    assert storage.suggestions_for(services.db, finished.reflection.id) == finished.suggestions


async def test_skip_moves_on_and_skipping_everything_saves_nothing(services, reflecting):
    step = reflecting.start(ANN, "what-so-what")
    step = await reflecting.skip(ANN)
    assert step.question.id == "so_what"
    await reflecting.skip(ANN)
    assert await reflecting.skip(ANN) is None
    assert storage.get_reflection(services.db, step.reflection.id) is None
    assert await reflecting.skip(ANN) is None  # nothing open any more


async def test_skipped_questions_are_left_out_of_the_text(reflecting):
    reflecting.start(ANN, "what-so-what")
    await reflecting.skip(ANN)
    finished = await answer_all(reflecting, ANN, ["It mattered.", "Next time, earlier."])
    assert finished.reflection.text == "It mattered.\n\nNext time, earlier."


async def test_cancel_keep_saves_what_was_written(reflecting):
    step = reflecting.start(ANN, "gibbs")
    await reflecting.receive_text(ANN, CONFLICT)
    assert reflecting.answered_count(step.reflection.id) == 1
    finished = await reflecting.keep(ANN, step.reflection.id)
    assert finished.reflection.text == CONFLICT
    with pytest.raises(NotFound):  # keeping twice: the button is stale
        await reflecting.keep(ANN, step.reflection.id)


async def test_cancel_discard_deletes_and_other_users_cannot(services, reflecting):
    step = reflecting.start(ANN, "gibbs")
    await reflecting.receive_text(ANN, "private words")
    with pytest.raises(NotAllowed):
        reflecting.discard(BO, step.reflection.id)
    with pytest.raises(NotAllowed):
        await reflecting.keep(BO, step.reflection.id)
    reflecting.discard(ANN, step.reflection.id)
    assert storage.get_reflection(services.db, step.reflection.id) is None


async def test_one_reflection_open_at_a_time(reflecting):
    reflecting.start(ANN, "gibbs")
    with pytest.raises(NotAllowed):
        reflecting.start(ANN, "quick")
    reflecting.start(BO, "quick")  # others are unaffected
    with pytest.raises(NotFound):
        reflecting.start(BO, "no-such-set")


async def test_the_same_choice_again_before_any_answer_gives_the_same_first_question(
    services, reflecting
):
    """A press handled again after a restart (it was stored, its reply never sent), or a
    double tap: the practitioner gets the first question, not a refusal."""
    first = reflecting.start(ANN, "gibbs")
    again = reflecting.start(ANN, "gibbs")
    assert again.reflection.id == first.reflection.id and again.number == 1
    assert services.db["reflections"].count_where("user_id = ?", [ANN]) == 1
    await reflecting.receive_text(ANN, "We ran the pool night.")
    with pytest.raises(NotAllowed):  # once answered, the choice is spent
        reflecting.start(ANN, "gibbs")


async def test_plain_text_outside_a_reflection_is_offered_as_a_note(services, reflecting):
    offer = await reflecting.receive_text(ANN, CONFLICT)
    assert isinstance(offer, NoteOffer) and not offer.extended
    assert offer.reflection.status == "pending"
    with pytest.raises(NotAllowed):
        await reflecting.save_note(BO, offer.reflection.id)
    finished = await reflecting.save_note(ANN, offer.reflection.id)
    assert finished.reflection.kind == "note"
    assert finished.reflection.text == CONFLICT
    with pytest.raises(NotFound):  # the save button tapped again
        await reflecting.save_note(ANN, offer.reflection.id)


async def test_a_discarded_note_is_gone(services, reflecting):
    offer = await reflecting.receive_text(ANN, "just a thought")
    reflecting.discard(ANN, offer.reflection.id)
    assert storage.get_reflection(services.db, offer.reflection.id) is None


async def test_short_messages_are_never_merged(clock, reflecting):
    offer = await reflecting.receive_text(ANN, "one")
    second = await reflecting.receive_text(ANN, "two")
    assert isinstance(second, NoteOffer) and second.reflection.id != offer.reflection.id


async def test_a_restart_loses_nothing(settings, clock, services, reflecting):
    reflecting.start(ANN, "gibbs")
    await answer_all(reflecting, ANN, ["description", "feelings"])
    services.close()
    restarted = build_services(
        settings, suggester=fake_suggester(), detector=FakeIdentifierDetector(), clock=clock
    )
    step = restarted.reflecting.current_step(ANN)
    assert (step.question.id, step.number) == ("evaluation", 3)
    result = await answer_all(restarted.reflecting, ANN, ["e", "a", "c", "ap"])
    assert isinstance(result, Finished)
    assert result.reflection.text.startswith("description\n\nfeelings\n\ne")
    restarted.close()


async def test_an_open_reflection_with_every_answer_is_finished_before_new_text(
    services, reflecting, clock
):
    step = reflecting.start(ANN, "quick")
    # Simulate a crash between saving the last answer and finishing.
    storage.save_answer(services.db, step.reflection.id, "note", "saved before crash", clock())
    offer = await reflecting.receive_text(ANN, "a new thought")
    assert isinstance(offer, NoteOffer)
    assert storage.get_reflection(services.db, step.reflection.id).status == "done"


async def test_a_confirmed_indicator_shapes_the_next_similar_reflection(services, reflecting):
    """Ann confirms an indicator the suggester did not think of; her next similar note
    gets it first. Bo, on the same installation, benefits too."""
    text = "Sorted the pool rota after the lads fell out."
    reflecting.start(ANN, "quick")
    first = await reflecting.receive_text(ANN, text)
    assert "2.8" not in [s.indicator_id for s in first.suggestions]
    services.tagging.choose(ANN, first.reflection.id, "2.8", "confirm")
    await services.feedback.settled()  # encoded once, in the background, after the tap
    reflecting.start(ANN, "quick")
    again = await reflecting.receive_text(
        ANN, "Sorted the pool rota again after the lads fell out."
    )
    assert again.suggestions[0].indicator_id == "2.8"
    reflecting.start(BO, "quick")
    for_bo = await reflecting.receive_text(BO, "Sorted the pool rota after the lads fell out.")
    assert "2.8" in [s.indicator_id for s in for_bo.suggestions]


async def test_start_up_repairs_a_reflection_left_finished_without_suggestions(
    services, reflecting
):
    reflecting.start(ANN, "quick")
    finished = await reflecting.receive_text(ANN, CONFLICT)
    storage.save_suggestions(
        services.db, finished.reflection.id, [], "m", finished.reflection.started_at
    )
    services.db.execute("UPDATE reflections SET suggested_at = NULL")  # a crash, long ago
    assert await reflecting.repair_unsuggested() == 1
    repaired = storage.suggestions_for(services.db, finished.reflection.id)
    assert repaired and repaired[0].indicator_id == "2.6"
    assert await reflecting.repair_unsuggested() == 0


async def test_a_crash_while_suggesting_leaves_the_reflection_open_to_finish_later(
    services, reflecting, monkeypatch
):
    step = reflecting.start(ANN, "quick")

    def crash(*args, **kwargs):
        raise RuntimeError("killed while the model ran")

    monkeypatch.setattr(services.suggester, "suggest", crash)
    with pytest.raises(RuntimeError):
        await reflecting.receive_text(ANN, CONFLICT)
    assert storage.get_reflection(services.db, step.reflection.id).status == "open"
    monkeypatch.undo()
    offer = await reflecting.receive_text(ANN, "a new thought")  # finishes the old one first
    assert isinstance(offer, NoteOffer)
    assert storage.suggestions_for(services.db, step.reflection.id)[0].indicator_id == "2.6"


async def test_the_last_answer_handled_again_shows_the_reflection_saved(services, reflecting):
    """After a kill, the message that finished a reflection is handled again: the
    practitioner gets the saved reflection with its suggestions (the reply that never
    went out), whether the bot stopped before or after finishing it."""
    step = reflecting.start(ANN, "quick")
    finished = await reflecting.receive_text(ANN, CONFLICT, message_id=40)
    assert isinstance(finished, Finished) and finished.suggestions
    again = await reflecting.receive_text(ANN, CONFLICT, message_id=40)
    assert isinstance(again, Finished)
    assert again.reflection.id == step.reflection.id
    assert [s.indicator_id for s in again.suggestions] == [
        s.indicator_id for s in finished.suggestions
    ]
    # Stopped between storing the answer and finishing: finished when handled again.
    step = reflecting.start(BO, "quick")
    storage.save_answer(
        services.db,
        step.reflection.id,
        "note",
        CONFLICT,
        step.reflection.started_at,
        message_id=41,
    )
    late = await reflecting.receive_text(BO, CONFLICT, message_id=41)
    assert isinstance(late, Finished) and late.reflection.status == "done"
    assert [a.text for a in storage.answers_for(services.db, step.reflection.id)] == [CONFLICT]
