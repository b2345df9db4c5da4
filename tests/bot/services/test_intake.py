"""Where a message goes: refused, held by the identifier guard, joined, or passed on."""

from datetime import timedelta

import pytest

import storage
from bot.services import Finished, NoteOffer, NotFound, QuestionStep
from bot.services.editing import AnswerEdited, EditNotPossible
from bot.services.intake import EmptyText, Held, RewriteInvited
from bot.services.privacy import UNSAVED_TEXT_LIFETIME
from bot.services.reflecting import AlreadySaved, Continuation
from bot.services.split_messages import SPLIT_MESSAGE_MIN_CHARS

ANN, BO = 101, 202
CONFLICT = "Two young people were fighting; I worked towards the resolution of conflict."
NAMED = "Jamie Fraser lost his temper at the pool table and I calmed things down."


@pytest.fixture
def intake(services):
    services.users.agree(ANN, "Ann")
    services.users.agree(BO, "Bo")
    return services.intake


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\u200b\u200b", "\u200f\u200e", "\x00\x00", "\u2060\ufeff\u00ad", "\u0301", None],
)
async def test_content_free_text_is_refused_and_nothing_is_stored(services, intake, text):
    assert isinstance(await intake.receive_text(ANN, text), EmptyText)
    assert storage.rows_about(services.db, ANN)["reflections"] == []


async def test_stray_control_characters_are_removed_but_real_text_kept(services, intake):
    offer = await intake.receive_text(ANN, "\x00met the\x07 group \u200fمرحبا\u200f\x00")
    assert isinstance(offer, NoteOffer)
    [answer] = storage.answers_for(services.db, offer.reflection.id)
    assert answer.text == "met the group \u200fمرحبا\u200f"


async def test_a_name_is_held_before_anything_is_saved(services, intake):
    held = await intake.receive_text(ANN, NAMED, message_id=7)
    assert isinstance(held, Held)
    assert [(f.kind, f.text) for f in held.findings] == [("name", "Jamie Fraser")]
    assert held.preview.startswith("J.F. lost his temper")
    assert storage.rows_about(services.db, ANN)["reflections"] == []
    assert intake.waiting(ANN) is not None


async def test_replacing_with_initials_saves_the_initials_only(services, intake):
    services.reflecting.start(ANN, "quick")
    await intake.receive_text(ANN, NAMED)
    finished = await intake.resolve(ANN, "initials")
    assert isinstance(finished, Finished)
    assert finished.reflection.text.startswith("J.F. lost his temper")
    assert "Jamie" not in repr(storage.rows_about(services.db, ANN))


async def test_keeping_as_written_saves_it_as_written(services, intake):
    services.reflecting.start(ANN, "what-so-what")
    await intake.receive_text(ANN, NAMED, message_id=9)
    step = await intake.resolve(ANN, "keep")
    assert isinstance(step, QuestionStep) and step.question.id == "so_what"
    answer = storage.answer_for_message(services.db, ANN, 9)
    assert answer.text == NAMED


async def test_rewriting_keeps_nothing_and_asks_the_same_question_again(services, intake):
    services.reflecting.start(ANN, "what-so-what")
    await intake.receive_text(ANN, NAMED)
    invited = await intake.resolve(ANN, "rewrite")
    assert isinstance(invited, RewriteInvited) and invited.step.question.id == "what"
    assert "Jamie" not in repr(storage.rows_about(services.db, ANN))
    step = await intake.receive_text(ANN, "J lost his temper at the pool table.")
    assert step.question.id == "so_what"
    with pytest.raises(NotFound):
        await intake.resolve(ANN, "keep")  # nothing is held any more


async def test_a_new_message_while_one_is_held_is_not_taken(services, intake):
    await intake.receive_text(ANN, NAMED)
    again = await intake.receive_text(ANN, "something else entirely")
    assert isinstance(again, Held) and again.again
    assert storage.held_text_for(services.db, ANN).text == NAMED


async def test_editing_the_held_message_checks_the_new_wording(services, intake):
    services.reflecting.start(ANN, "what-so-what")
    await intake.receive_text(ANN, NAMED, message_id=11)
    step = await intake.receive_edit(ANN, 11, "J lost his temper at the pool table.")
    assert isinstance(step, QuestionStep) and step.question.id == "so_what"
    assert intake.waiting(ANN) is None


async def test_structured_identifiers_are_held_too(intake):
    held = await intake.receive_text(ANN, "Mum asked me to ring her on 07700 900123 tonight")
    assert [f.kind for f in held.findings] == ["phone"]
    assert "[phone number]" in held.preview


async def test_the_practitioners_own_name_is_not_flagged(intake):
    offer = await intake.receive_text(
        ANN, "Jamie Fraser here: ran the pool night.", own_names=["Jamie", "Fraser"]
    )
    assert isinstance(offer, NoteOffer)


async def test_editing_a_message_updates_the_answer_of_an_open_reflection(services, intake):
    services.reflecting.start(ANN, "what-so-what")
    await intake.receive_text(ANN, "we ran the pool nite", message_id=21)
    edited = await intake.receive_edit(ANN, 21, "We ran the pool night.")
    assert isinstance(edited, AnswerEdited) and edited.question.startswith("What")
    assert storage.answer_for_message(services.db, ANN, 21).text == "We ran the pool night."
    assert services.reflecting.current_step(ANN).question.id == "so_what"


async def test_an_edit_that_adds_a_name_is_held(services, intake):
    services.reflecting.start(ANN, "what-so-what")
    await intake.receive_text(ANN, "J lost his temper", message_id=21)
    held = await intake.receive_edit(ANN, 21, NAMED)
    assert isinstance(held, Held)
    assert storage.answer_for_message(services.db, ANN, 21).text == "J lost his temper"
    await intake.resolve(ANN, "initials")
    assert storage.answer_for_message(services.db, ANN, 21).text.startswith("J.F. lost")


async def test_editing_a_saved_reflection_refreshes_its_suggestions(services, intake):
    services.reflecting.start(ANN, "quick")
    finished = await intake.receive_text(ANN, "We played pool and had snacks.", message_id=5)
    assert "2.6" not in [s.indicator_id for s in finished.suggestions]
    edited = await intake.receive_edit(ANN, 5, CONFLICT)
    assert isinstance(edited, AnswerEdited) and edited.reflection.text == CONFLICT
    suggestions = storage.suggestions_for(services.db, finished.reflection.id)
    assert suggestions[0].indicator_id == "2.6"
    assert all("snacks" not in s.evidence for s in suggestions)


async def test_edits_of_messages_never_stored_or_of_another_user_change_nothing(intake):
    await intake.receive_text(ANN, "a thought", message_id=3)
    assert await intake.receive_edit(ANN, 99, "new") == EditNotPossible("not_stored")
    assert await intake.receive_edit(BO, 3, "new") == EditNotPossible("not_stored")
    assert isinstance(await intake.receive_edit(ANN, 3, "\u200b"), EmptyText)


async def test_the_parts_of_a_long_message_become_one_answer(clock, services, intake):
    first_part = "word " * (SPLIT_MESSAGE_MIN_CHARS // 5 + 10)
    services.reflecting.start(ANN, "what-so-what")
    step = await intake.receive_text(ANN, first_part, message_id=1)
    assert step.question.id == "so_what"
    clock.advance(seconds=2)
    continued = await intake.receive_text(ANN, "the end of the story.", message_id=2)
    assert isinstance(continued, Continuation) and continued.step.question.id == "so_what"
    answers = storage.answers_for(services.db, step.reflection.id)
    assert len(answers) == 1 and answers[0].text.endswith("the end of the story.")
    # One edit cannot rebuild a joined answer: say so rather than lose a part.
    assert await intake.receive_edit(ANN, 1, "short") == EditNotPossible("joined")
    # A message after the window is an answer to the next question again.
    clock.advance(minutes=5)
    step = await intake.receive_text(ANN, "so what: it mattered")
    assert step.question.id == "now_what"


async def test_a_long_held_message_and_its_next_part_are_decided_together(clock, services, intake):
    first_part = NAMED + " word" * (SPLIT_MESSAGE_MIN_CHARS // 5 + 10)
    await intake.receive_text(ANN, first_part)
    clock.advance(seconds=1)
    held = await intake.receive_text(ANN, "and that was the end of it.")
    assert isinstance(held, Held) and not held.again
    offer = await intake.resolve(ANN, "initials")
    assert isinstance(offer, NoteOffer)
    text = services.reflecting.note_text(offer.reflection.id)
    assert text.startswith("J.F. lost") and text.endswith("the end of it.")


async def test_a_long_last_answer_that_continues_updates_the_saved_reflection(
    clock, services, intake
):
    services.reflecting.start(ANN, "quick")
    long_part = "We talked about the pool table and snacks. " * (SPLIT_MESSAGE_MIN_CHARS // 40)
    finished = await intake.receive_text(ANN, long_part)
    clock.advance(seconds=1)
    continued = await intake.receive_text(ANN, CONFLICT)
    assert isinstance(continued, Continuation)
    assert continued.finished.reflection.id == finished.reflection.id
    assert continued.finished.reflection.text.endswith(CONFLICT)
    ranking = services.suggester.rank(continued.finished.reflection.text)
    assert ranking[0][0] == "2.6"


async def test_held_text_expires_with_unsaved_notes(clock, services, intake):
    await intake.receive_text(ANN, NAMED)
    clock.advance(seconds=UNSAVED_TEXT_LIFETIME.total_seconds() + 1)
    purged = services.privacy.purge_expired()
    assert purged.waiting == 1 and intake.waiting(ANN) is None


async def test_after_one_long_answer_the_next_answers_go_to_the_next_questions(
    clock, services, intake
):
    """Only a long message is continued: quick short answers after it are answers."""
    services.reflecting.start(ANN, "what-so-what")
    await intake.receive_text(ANN, "word " * 820)  # 4,100 characters, split by Telegram
    clock.advance(seconds=1)
    continued = await intake.receive_text(ANN, "end of the evening.")
    assert isinstance(continued, Continuation)
    clock.advance(seconds=5)
    step = await intake.receive_text(ANN, "so what: it mattered")
    assert isinstance(step, QuestionStep) and step.question.id == "now_what"
    clock.advance(seconds=5)
    finished = await intake.receive_text(ANN, "now what: ground rules")
    assert isinstance(finished, Finished)
    answers = {a.question_id: a for a in storage.answers_for(services.db, finished.reflection.id)}
    assert answers["what"].parts == 2 and answers["so_what"].text == "so what: it mattered"


async def test_a_name_cut_in_two_by_telegram_is_still_found(clock, services, intake):
    first = "word " * 818 + "Jamie"
    offer = await intake.receive_text(ANN, first)
    assert isinstance(offer, NoteOffer)
    clock.advance(seconds=1)
    held = await intake.receive_text(ANN, "Fraser said he would come back next week.")
    assert isinstance(held, Held) and [f.text for f in held.findings] == ["Jamie Fraser"]
    assert "Fraser" not in services.reflecting.note_text(offer.reflection.id)
    extended = await intake.resolve(ANN, "initials")
    assert isinstance(extended, NoteOffer) and extended.extended
    text = services.reflecting.note_text(offer.reflection.id)
    assert text.endswith("J.F. said he would come back next week.")
    [answer] = storage.answers_for(services.db, offer.reflection.id)
    assert answer.parts == 2


async def test_a_held_answer_goes_to_the_question_it_was_written_for(services, intake):
    services.reflecting.start(ANN, "what-so-what")
    await intake.receive_text(ANN, NAMED)
    await services.reflecting.skip(ANN)  # the terminal allows it; Telegram asks to choose
    step = await intake.resolve(ANN, "initials")
    answers = {a.question_id: a for a in storage.answers_for(services.db, step.reflection.id)}
    assert answers["what"].text.startswith("J.F. lost") and not answers["what"].skipped
    assert step.question.id == "so_what"


async def test_a_button_for_other_held_text_decides_nothing(services, intake):
    first = await intake.receive_text(ANN, NAMED)
    await intake.resolve(ANN, "rewrite", first.token)
    second = await intake.receive_text(ANN, "Karen Doyle phoned from 07700 900123")
    assert second.token != first.token
    with pytest.raises(NotFound):
        await intake.resolve(ANN, "keep", first.token)
    assert intake.waiting(ANN) is not None
    assert "Karen" not in repr(storage.rows_about(services.db, ANN)["answers"])


async def test_held_text_kept_late_still_expires_24_hours_after_it_arrived(clock, services, intake):
    await intake.receive_text(ANN, NAMED)
    clock.advance(hours=23, minutes=50)
    offer = await intake.resolve(ANN, "keep")
    assert isinstance(offer, NoteOffer)
    clock.advance(minutes=11)
    assert services.privacy.purge_expired().notes == 1
    assert storage.get_reflection(services.db, offer.reflection.id) is None


@pytest.mark.parametrize("text", ["\u3164", "\u2800\u2800", "\u115f\u1160", "\uffa0 \u3164"])
async def test_blank_looking_letters_are_content_free(services, intake, text):
    assert isinstance(await intake.receive_text(ANN, text), EmptyText)


async def test_a_rewrite_not_sent_within_half_an_hour_lapses(clock, services, intake):
    services.reflecting.start(ANN, "quick")
    finished = await intake.receive_text(ANN, CONFLICT)
    answer_id = services.history.detail(ANN, finished.reflection.id).items[0].answer.id
    services.editing.start_edit(ANN, finished.reflection.id, answer_id)
    clock.advance(minutes=31)
    offer = await intake.receive_text(ANN, "a new thought, not a rewrite")
    assert isinstance(offer, NoteOffer)
    assert storage.get_answer(services.db, answer_id).text == CONFLICT


async def test_after_a_long_reflection_is_deleted_the_next_message_is_new(clock, services, intake):
    offer = await intake.receive_text(ANN, "word " * 810)
    finished = await services.reflecting.save_note(ANN, offer.reflection.id)
    services.editing.delete(ANN, finished.reflection.id)
    clock.advance(seconds=5)
    again = await intake.receive_text(ANN, "the right text this time")
    assert isinstance(again, NoteOffer) and not again.extended


async def test_a_long_rewrite_split_by_telegram_keeps_its_second_part(clock, services, intake):
    finished = await saved(services, intake, "We played pool.")
    answer_id = services.history.detail(ANN, finished.reflection.id).items[0].answer.id
    services.editing.start_edit(ANN, finished.reflection.id, answer_id)
    await intake.receive_text(ANN, "word " * 810 + "Jamie", message_id=30)
    clock.advance(seconds=1)
    held = await intake.receive_text(ANN, "Fraser came back.", message_id=31)
    assert isinstance(held, Held) and [f.text for f in held.findings] == ["Jamie Fraser"]
    assert "J.F. came back." in held.preview and held.preview.startswith("…")
    continued = await intake.resolve(ANN, "initials")
    assert isinstance(continued, Continuation)
    answer = storage.get_answer(services.db, answer_id)
    assert answer.text.endswith("word J.F. came back.") and answer.parts == 2
    assert answer.message_id == 30  # the rewrite's own message now stands for the answer


async def test_held_loose_text_stays_a_note_even_if_a_reflection_was_started(services, intake):
    await intake.receive_text(ANN, NAMED)
    services.reflecting.start(ANN, "what-so-what")  # e.g. from an older menu's button
    offer = await intake.resolve(ANN, "initials")
    assert isinstance(offer, NoteOffer)
    assert services.reflecting.current_step(ANN).question.id == "what"


async def test_while_text_is_held_other_edits_wait(services, intake):
    services.reflecting.start(ANN, "what-so-what")
    await intake.receive_text(ANN, "we ran the pool night", message_id=1)
    await intake.receive_text(ANN, NAMED, message_id=2)
    again = await intake.receive_edit(ANN, 1, "We ran the pool night, 8 came")
    assert isinstance(again, Held) and again.again
    assert storage.answer_for_message(services.db, ANN, 1).text == "we ran the pool night"


async def test_editing_the_held_next_part_checks_the_new_wording(clock, services, intake):
    offer = await intake.receive_text(ANN, "word " * 818 + "Jamie", message_id=1)
    clock.advance(seconds=1)
    await intake.receive_text(ANN, "Fraser said hello.", message_id=2)
    extended = await intake.receive_edit(ANN, 2, "said hello.")
    assert isinstance(extended, NoteOffer) and extended.extended
    assert services.reflecting.note_text(offer.reflection.id).endswith("Jamie said hello.")


async def test_rewriting_a_held_next_part_still_continues_the_answer(clock, services, intake):
    offer = await intake.receive_text(ANN, "word " * 818 + "Jamie", message_id=1)
    clock.advance(seconds=1)
    await intake.receive_text(ANN, "Fraser said hello.", message_id=2)
    clock.advance(seconds=120)
    assert isinstance(await intake.resolve(ANN, "rewrite"), RewriteInvited)
    clock.advance(minutes=5)  # retyping takes a while
    extended = await intake.receive_text(ANN, "said hello.", message_id=3)
    assert isinstance(extended, NoteOffer) and extended.extended
    assert services.reflecting.note_text(offer.reflection.id).endswith("Jamie said hello.")


async def test_after_a_rewrite_editing_the_old_message_changes_nothing(services, intake):
    finished = await saved(services, intake, "FIRST-WORDING", message_id=10)
    answer_id = services.history.detail(ANN, finished.reflection.id).items[0].answer.id
    services.editing.start_edit(ANN, finished.reflection.id, answer_id)
    await intake.receive_text(ANN, "SECOND-WORDING", message_id=11)
    assert await intake.receive_edit(ANN, 10, "FIRST-WORDING (typo)") == EditNotPossible(
        "not_stored"
    )
    await intake.receive_edit(ANN, 11, "SECOND-WORDING, fixed")
    assert storage.get_answer(services.db, answer_id).text == "SECOND-WORDING, fixed"


async def saved(services, intake, text, message_id=None):
    services.reflecting.start(ANN, "quick")
    return await intake.receive_text(ANN, text, message_id=message_id)


async def test_parts_are_judged_by_when_they_were_sent_not_when_they_were_handled(
    clock, services, intake
):
    services.reflecting.start(ANN, "what-so-what")
    sent = clock()
    await intake.receive_text(ANN, "word " * 820, sent_at=sent)
    clock.advance(seconds=60)  # a busy bot handles the second part a minute later
    continued = await intake.receive_text(ANN, "the end.", sent_at=sent + timedelta(seconds=1))
    assert isinstance(continued, Continuation)


async def test_a_quick_answer_to_the_next_question_is_not_glued_to_a_long_one(
    clock, services, intake
):
    services.reflecting.start(ANN, "what-so-what")
    sent = clock()
    await intake.receive_text(ANN, "word " * 820, sent_at=sent)
    clock.advance(seconds=1)  # handled at once...
    step = await intake.receive_text(  # ...but typed 20 s later: an answer of its own
        ANN, "so what: it mattered", sent_at=sent + timedelta(seconds=20)
    )
    assert isinstance(step, QuestionStep) and step.question.id == "now_what"


async def test_the_same_answer_sent_again_is_stored_once(clock, services, intake):
    services.reflecting.start(ANN, "what-so-what")
    await intake.receive_text(ANN, "We ran the pool night.")
    clock.advance(seconds=30)  # the reply failed; the practitioner sends it again
    again = await intake.receive_text(ANN, "We ran the pool night.")
    assert isinstance(again, AlreadySaved) and again.step.question.id == "so_what"
    answers = storage.answers_for(services.db, again.step.reflection.id)
    assert [a.text for a in answers] == ["We ran the pool night."]
    clock.advance(minutes=10)  # much later, the same words are a new answer
    step = await intake.receive_text(ANN, "We ran the pool night.")
    assert isinstance(step, QuestionStep) and step.question.id == "now_what"


async def test_short_answers_may_repeat(services, intake):
    services.reflecting.start(ANN, "what-so-what")
    await intake.receive_text(ANN, "n/a")
    step = await intake.receive_text(ANN, "n/a")
    assert isinstance(step, QuestionStep) and step.question.id == "now_what"


async def test_a_message_handled_twice_is_stored_once(services, intake):
    """After a crash between storing an answer and marking its update handled, the
    update is handled again at start-up: its message id shows it was stored."""
    services.reflecting.start(ANN, "what-so-what")
    await intake.receive_text(ANN, "ok", message_id=40)
    again = await intake.receive_text(ANN, "ok", message_id=40)
    assert isinstance(again, AlreadySaved) and again.step.question.id == "so_what"


async def test_a_note_handled_twice_is_offered_again_not_stored_again(services, intake):
    first = await intake.receive_text(ANN, "a loose thought", message_id=41)
    again = await intake.receive_text(ANN, "a loose thought", message_id=41)
    assert isinstance(again, NoteOffer) and again.reflection.id == first.reflection.id
    assert len(storage.answers_for(services.db, first.reflection.id)) == 1
