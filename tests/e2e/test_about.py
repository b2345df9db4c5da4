"""What a reflection is about, end to end: typed once, then one tap; a regular session in
one tap, dated the day it was last held; a date chosen or typed; cleared; buttons of
someone else refused; and a tag editor with every indicator tagged still fits a message.

The fake clock starts on Monday 23 November 2026, 18:30 (UK time)."""

from __future__ import annotations

from datetime import date, time

import pytest

import storage
from bot.telegram.views import MESSAGE_CHARS, shown_units
from prompts import t

from .fake_bot_api import BotMessage, FakeUser
from .players import agree, answer_to, now_of, say, tap

NOTE = "Two young people were fighting; I worked towards the resolution of conflict."


@pytest.fixture
def running(bot_and_clock):
    return bot_and_clock[0]


async def saved_note(ann: FakeUser, text: str = NOTE) -> BotMessage:
    offer = await say(ann, text)
    return await tap(ann, offer, t("note.save_button"))


def latest(bot, user_id: int = 1001) -> storage.Reflection:
    return storage.recent_reflections(bot.db, user_id, limit=1)[0]


async def test_a_name_typed_once_is_then_one_tap(fake_telegram, bot, clock):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    saved = await saved_note(ann)
    assert "📍" not in saved.text  # nothing recorded: no line about it
    chooser = await tap(ann, saved, t("about.ask_button"))
    assert "What was this reflection about?" in chooser.text
    assert {"Mon 23", "Sun 22", "Tue 17"} <= set(chooser.button_texts)
    asked = await tap(ann, chooser, t("about.type_name_button"))
    assert "Send me the name" in asked.text and not asked.buttons

    editor = await say(ann, "  Tuesday   youth club ")
    assert "📍 Tuesday youth club · session of Mon 23 Nov 2026" in editor.text
    assert "Reflection of" in editor.text  # a new message: it names the reflection
    first = latest(bot)
    assert (first.about, first.session_date) == ("Tuesday youth club", date(2026, 11, 23))

    clock.advance(days=1)
    second = await saved_note(ann)
    assert "📍 Tuesday youth club" in second.button_texts  # one tap from now on
    chosen = await tap(ann, second, "📍 Tuesday youth club")
    assert "📍 Tuesday youth club · session of Tue 24 Nov 2026" in chosen.text
    assert chosen.button_texts.count(t("about.change_button")) == 1
    assert (latest(bot).about, latest(bot).session_date) == (
        "Tuesday youth club",
        date(2026, 11, 24),
    )

    # The session was yesterday: the chooser, then one day.
    chooser = await tap(ann, chosen, t("about.change_button"))
    assert "✅ Tue 24" in chooser.button_texts and "✅ Tuesday youth club" in chooser.button_texts
    dated = await tap(ann, chooser, "Mon 23")
    assert "session of Mon 23 Nov 2026" in dated.text
    assert latest(bot).session_date == date(2026, 11, 23)

    # Not about one session after all: nothing recorded, and nothing said about it.
    chooser = await tap(ann, dated, t("about.change_button"))
    cleared = await tap(ann, chooser, t("about.clear_button"))
    assert "📍" not in cleared.text.split("\n\n", 1)[1].split("Tap an indicator")[0]
    assert (latest(bot).about, latest(bot).session_date) == (None, None)
    assert storage.get_reflection(bot.db, first.id).about == "Tuesday youth club"  # untouched


async def test_a_regular_session_is_one_tap_dated_the_day_it_was_last_held(
    fake_telegram, bot, clock
):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    bot.nudge_settings.add_session(1001, "Thursday ESOL", frozenset({3}), time(20, 0))
    bot.nudge_settings.add_session(1001, "Monday drop-in", frozenset({0}), time(19, 30))
    saved = await saved_note(ann)
    # Monday's ends within the hour: it comes first, then Thursday's.
    about_row = next(row for row in saved.buttons if any("📍" in text for text, _ in row))
    assert [text for text, _ in about_row] == [
        "📍 Monday drop-in",
        "📍 Thursday ESOL",
        t("about.more_button"),
    ]
    chosen = await tap(ann, saved, "📍 Thursday ESOL")
    assert "📍 Thursday ESOL · session of Thu 19 Nov 2026" in chosen.text
    note = latest(bot)
    assert (note.about, note.session_date) == ("Thursday ESOL", date(2026, 11, 19))
    assert note.session_id is not None  # linked to the regular session, not just its name


async def test_a_date_can_be_typed_within_three_months(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    saved = await saved_note(ann)
    chooser = await tap(ann, saved, t("about.ask_button"))
    asked = await tap(ann, chooser, t("about.type_date_button"))
    assert "Mon 23 Nov 2026" in asked.text
    refused = await say(ann, "5 Dec")  # last 5 December: a year ago
    assert refused.text == t("about.date_out_of_range")
    unreadable = await say(ann, "the other week")
    assert unreadable.source_text == t("settings.date_invalid", typed="the other week")
    editor = await say(ann, "2 Nov")
    assert "📍 Session of Mon 2 Nov 2026" in editor.text
    assert latest(bot).session_date == date(2026, 11, 2) and latest(bot).about is None


async def test_someone_elses_reflection_or_name_is_refused(fake_telegram, bot):
    ann, bob = fake_telegram.user(1001, "Ann"), fake_telegram.user(1002, "Bob")
    await agree(ann)
    await agree(bob)
    await saved_note(ann)
    anns = latest(bot, 1001)
    bot.about.name(1001, anns.id, "Ann's private group")
    bobs_saved = await saved_note(bob)
    bobs = latest(bot, 1002)
    for data in (f"ab:{anns.id}:o", f"ab:{anns.id}:x", f"ab:{bobs.id}:r{anns.id}"):
        answer = await answer_to(bob, bob.press_raw(bobs_saved.message_id, data))
        assert answer.show_alert and answer.text == t("errors.stale_button"), data
    assert latest(bot, 1001).about == "Ann's private group"
    assert latest(bot, 1002).about is None
    assert "Ann's private group" not in bob.transcript()
    assert now_of(bob, bobs_saved).text == bobs_saved.text


async def test_every_indicator_tagged_still_fits_one_message(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await saved_note(ann)
    note = latest(bot)
    for indicator in bot.framework.indicator_ids:
        bot.tagging.choose(1001, note.id, indicator, "confirm")
    bot.about.name(1001, note.id, "A" * 60)
    await ann.send_command("/history")
    listing = await ann.next_message()
    await ann.press(listing, "📖 1")
    whole = await ann.next_message()
    await ann.press(whole, "🏷 Indicators")
    editor = await ann.next_message()
    assert shown_units(editor.source_text) <= MESSAGE_CHARS
    for indicator in bot.framework.indicator_ids:
        assert f"<b>{indicator}</b>" in editor.source_text
    assert "Reflection of" in editor.text
    done = await tap(ann, editor, t("saved.done_button"))
    assert t("saved.done") in done.text and shown_units(done.source_text) <= MESSAGE_CHARS


async def test_a_name_that_could_identify_someone_is_refused(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    saved = await saved_note(ann)
    chooser = await tap(ann, saved, t("about.ask_button"))
    await tap(ann, chooser, t("about.type_name_button"))
    refused = await say(ann, "Jamie Smith's mentoring")
    assert "could identify someone" in refused.text
    assert latest(bot).about is None
    editor = await say(ann, "JS mentoring")  # still waiting for the name: initials are fine
    assert "📍 JS mentoring" in editor.text and latest(bot).about == "JS mentoring"
