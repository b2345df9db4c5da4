"""How the conversation reads on a phone: suggestion buttons that show their state, one
confirmation per action, greetings, and "typing…" while the model works."""

from __future__ import annotations

import re
import time

import storage
from prompts import t

from .fake_bot_api import BotMessage, FakeUser
from .players import agree, answer_to, now_of, reflect_with, say, tap

CONFLICT = "Two young people were fighting; I worked towards the resolution of conflict."
NOTHING_TO_SUGGEST = "booked a minibus"
# A half-width button on a phone shows about this many characters before cutting.
HALF_BUTTON_CHARS = 12


async def saved_note(ann: FakeUser, text: str = CONFLICT) -> BotMessage:
    """A quick note, saved: the offer, edited into the suggestions."""
    offer = await say(ann, text)
    return await tap(ann, offer, t("note.save_button"))


async def to_the_last_question(ann: FakeUser) -> None:
    """/reflect "What? So what? Now what?" and answer every question but the last."""
    question = await reflect_with(ann, "What? So what")
    while (match := re.search(r"question (\d+) of (\d+)", question.text)) and (
        match[1] != match[2]
    ):
        question = await say(ann, f"answer {match[1]}: we ran the pool night.")


def labels(message: BotMessage) -> dict[str, str]:
    """Each button's callback data -> its text."""
    return {data: text for row in message.buttons for text, data in row}


async def test_a_suggestion_button_shows_its_state_and_toggles(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    saved = await saved_note(ann)
    [note] = storage.recent_reflections(bot.db, 1001, limit=1)
    first = storage.suggestions_for(bot.db, note.id)[0].indicator_id
    short = bot.framework.indicator(first).short
    rid = f"tg:{note.id}:{first}"

    # Undecided: the indicator on a row of its own, unmarked; its ❌ among the rejects.
    assert labels(saved)[f"{rid}:c"] == f"▫️ {first} {short}"
    assert labels(saved)[f"{rid}:r"] == f"❌ {first}"
    assert [saved.buttons[0]] == [[(f"▫️ {first} {short}", f"{rid}:c")]]
    [rejects] = [row for row in saved.buttons if all(data.endswith(":r") for _, data in row)]
    assert all(len(text) <= HALF_BUTTON_CHARS for text, _ in rejects), rejects
    assert all(len(row) == 1 for row in saved.buttons[: len(rejects)]), "full width"

    confirmed = await tap(ann, saved, f"▫️ {first}")
    assert labels(confirmed)[f"{rid}:x"] == f"✅ {first} {short}"  # tap again: undo
    assert labels(confirmed)[f"{rid}:r"] == f"❌ {first}"
    assert storage.confirmed_indicators(bot.db, note.id) == [first]
    undone = await tap(ann, saved, f"✅ {first}")
    assert labels(undone)[f"{rid}:c"] == f"▫️ {first} {short}"
    assert storage.tags_for(bot.db, note.id) == []

    rejected = await tap(ann, saved, f"❌ {first}")
    assert labels(rejected)[f"{rid}:c"] == f"❌ {first} {short}"  # tap: confirm instead
    assert labels(rejected)[f"{rid}:x"] == f"↩️ {first}"  # undo the rejection
    assert f"❌ <b>{first}</b>" in rejected.source_text
    assert [(t.indicator_id, t.status) for t in storage.tags_for(bot.db, note.id)] == [
        (first, "rejected")
    ]
    cleared = await tap(ann, saved, f"↩️ {first}")
    assert labels(cleared)[f"{rid}:c"] == f"▫️ {first} {short}"
    assert storage.tags_for(bot.db, note.id) == []

    # A button from before this layout ("✅ 2.6 …" that confirmed) still works.
    await ann.press_raw(saved.message_id, f"{rid}:c")
    await ann.wait_for(
        lambda m: m.message_id == saved.message_id and f"✅ {first}" in str(m.buttons)
    )
    assert storage.confirmed_indicators(bot.db, note.id) == [first]


async def test_a_saved_note_is_confirmed_once_in_place_of_the_offer(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    offer = await say(ann, CONFLICT)
    saved = await tap(ann, offer, t("note.save_button"))
    await fake_telegram.wait_idle()
    assert saved.message_id == offer.message_id
    assert saved.source_text.startswith(t("saved.heading"))
    assert "This may be evidence of" in saved.text
    after_offer = [m for m in ann.messages if m.message_id >= offer.message_id]
    assert [m.message_id for m in after_offer] == [offer.message_id], ann.transcript()
    assert t("note.saved") not in ann.transcript()


async def test_keeping_a_stopped_reflection_is_confirmed_once(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await reflect_with(ann, "What? So what")
    await say(ann, CONFLICT)
    await ann.send_command("/cancel")
    confirm = await ann.next_message()
    saved = await tap(ann, confirm, t("cancel.keep_button"))
    await fake_telegram.wait_idle()
    assert saved.source_text.startswith(t("saved.heading"))
    assert ann.last_message.message_id == confirm.message_id, "no second message"
    assert t("cancel.kept") not in ann.transcript()


async def test_keeping_an_open_reflection_to_start_another_is_confirmed_once(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await reflect_with(ann, "What? So what")
    await say(ann, CONFLICT)
    await ann.send_command("/reflect")
    choice = await ann.next_message()
    saved = await tap(ann, choice, t("reflect.restart_button"))
    assert saved.source_text.startswith(t("saved.heading"))
    menu = await ann.next_message()
    assert menu.text.startswith(t("reflect.choose"))
    assert t("cancel.kept") not in ann.transcript()


async def test_a_guided_reflection_finished_is_confirmed_once_and_done_once(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await to_the_last_question(ann)
    saved = await say(ann, CONFLICT)
    await fake_telegram.wait_idle()
    assert ann.last_message.message_id == saved.message_id, "one message: saved, and tags"
    assert saved.source_text.count("Saved") == 1
    answer = await answer_to(ann, ann.press(saved, t("saved.done_button")))
    assert not answer.text, "the message says it; no toast saying it again"
    done = await ann.wait_for(lambda m: m.message_id == saved.message_id and not m.buttons)
    assert done.text.endswith(t("saved.done")) and done.text.count(t("saved.done")) == 1
    assert t("saved.instructions") not in done.text


async def test_no_suggestions_means_no_line_about_tapping_them(fake_telegram, bot):
    assert bot.suggester.suggest(NOTHING_TO_SUGGEST) == []
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    saved = await saved_note(ann, NOTHING_TO_SUGGEST)
    assert t("saved.none_found") in saved.text
    assert "Tap" not in saved.text and "✅ to" not in saved.text
    assert t("saved.instructions_none") in saved.text
    assert saved.button_texts == [
        t("saved.pick_button"),
        t("about.ask_button"),
        t("saved.done_button"),
    ]
    with_suggestions = await saved_note(ann)
    assert t("saved.instructions") in with_suggestions.text


async def test_start_again_welcomes_back_and_says_what_to_do(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await ann.send_command("/start")
    first = await ann.next_message()
    assert "Nothing is stored until you agree" in first.text and first.buttons
    await ann.press(first, t("welcome.agree_button"))
    await ann.wait_for(lambda m: m.message_id == first.message_id and m.edited)
    await ann.send_command("/start")
    again = await ann.next_message()
    assert again.text.startswith("Welcome back, Ann!")
    for what in ["/reflect", "quick note", "/history", "/progress", "/settings", "/help"]:
        assert what in again.text, what
    assert "What I store" not in again.text and not again.buttons
    assert len(again.text) < 400, "short"


async def slow_suggestions(bot, monkeypatch, seconds: float = 1.5) -> None:
    """Make the model take ``seconds`` per suggestion, in its worker thread."""
    suggest = bot.suggester.suggest

    def slow(*args, **kwargs):
        time.sleep(seconds)
        return suggest(*args, **kwargs)

    monkeypatch.setattr(bot.suggester, "suggest", slow)


async def test_typing_shows_while_the_last_answer_is_tagged(fake_telegram, bot, monkeypatch):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await slow_suggestions(bot, monkeypatch)
    await to_the_last_question(ann)
    assert ann.chat_actions == [], "quick answers: no chat action"
    saved = await say(ann, CONFLICT)
    assert "This may be evidence of" in saved.text
    assert "typing" in ann.chat_actions


async def test_typing_shows_while_a_skipped_last_question_is_tagged(
    fake_telegram, bot, monkeypatch
):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await to_the_last_question(ann)
    await slow_suggestions(bot, monkeypatch)
    await ann.send_command("/skip")
    await ann.wait_for(lambda m: t("saved.heading") in (m.source_text or ""))
    assert "typing" in ann.chat_actions


async def test_typing_shows_while_an_edited_saved_answer_is_tagged_again(
    fake_telegram, bot, monkeypatch
):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await to_the_last_question(ann)
    last = await ann.send_text(CONFLICT)
    await ann.wait_for(lambda m: "This may be evidence of" in (m.text or ""))
    await slow_suggestions(bot, monkeypatch)
    await ann.edited_text(last, CONFLICT + " Both lads shook hands.")
    await ann.wait_for(lambda m: (m.text or "") == t("edit.updated_saved"))
    assert "typing" in ann.chat_actions


async def test_the_tags_of_a_saved_note_keep_their_message_when_tapped(fake_telegram, bot):
    """Every tap edits the one message: nothing new is sent while deciding."""
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    saved = await saved_note(ann)
    count = len(ann.messages)
    await tap(ann, saved, t("saved.none_button"))
    assert len(ann.messages) == count
    assert "❌ <b>" in now_of(ann, saved).source_text
