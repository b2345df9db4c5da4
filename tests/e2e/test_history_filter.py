"""/history filtered by a competence or an indicator, end to end: the real bot (PTB over
HTTP) against the fake Bot API, played as practitioners tapping and typing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import storage
from bot.services.container import Services

from .fake_bot_api import BotMessage, FakeUser
from .players import agree, answer_to, say, tap

START = datetime(2026, 11, 2, 19, 0, tzinfo=UTC)
CONFLICT = "Two young people were fighting; I worked towards the resolution of conflict."


def written(
    bot: Services,
    user_id: int,
    text: str,
    hours: int,
    confirmed: tuple[str, ...] = (),
    rejected: tuple[str, ...] = (),
) -> None:
    """A finished quick note, ``hours`` after START, with these tags (as if tagged earlier)."""
    moment = START + timedelta(hours=hours)
    made = storage.start_reflection(
        bot.db, user_id, kind="note", question_set_id="quick", question_set_version=2, now=moment
    )
    storage.save_answer(bot.db, made.id, "note", text, moment)
    storage.finish_reflection(bot.db, made.id, text, moment, [], "test-model", moment)
    for indicator_id in confirmed:
        storage.set_tag(bot.db, made.id, indicator_id, "confirmed", moment)
    for indicator_id in rejected:
        storage.set_tag(bot.db, made.id, indicator_id, "rejected", moment)


async def ann_and_her_reflections(fake_telegram, bot: Services) -> FakeUser:
    """Ann and Bo agree; Ann's twelve reflections: seven evidencing 2.3 (two of them 2.6
    too), one 2.6 alone, one 3.1, one with 2.3 rejected, two untagged; and Bo's three,
    evidencing 2.3 and 2.6. Returns Ann."""
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await agree(fake_telegram.user(1002, "Bo"))
    for n in range(12):
        confirmed: tuple[str, ...] = ()
        if n in (0, 2, 3, 5, 6, 8, 10):
            confirmed = ("2.3", "2.6") if n in (3, 8) else ("2.3",)
        confirmed = {4: ("2.6",), 7: ("3.1",)}.get(n, confirmed)
        rejected = ("2.3",) if n == 9 else ()
        written(bot, 1001, f"ann note {n}", n, confirmed, rejected)
    for n in range(3):
        written(bot, 1002, f"bo note {n}", 20 + n, ("2.3", "2.6"))
    return ann


def notes_in(message: BotMessage) -> list[str]:
    """Which notes a list shows, in order."""
    return [line for line in message.text.splitlines() if " note " in line]


async def test_filter_by_a_competence_narrow_to_an_indicator_page_and_clear(fake_telegram, bot):
    ann = await ann_and_her_reflections(fake_telegram, bot)
    fake_telegram.user(1002, "Bo")
    await ann.send_command("/history")
    listed = await ann.next_message()
    assert "Your reflections (1–5 of 12)" in listed.text
    assert listed.buttons[-1] == [("🔎 Filter", "hf:0")]

    # Filter → the competences (the same message), then competence 2.
    chooser = await tap(ann, listed, "🔎 Filter")
    assert "Filter your reflections" in chooser.text
    title = bot.framework.competence(2).title
    assert [f"{c.number}. {c.title}" for c in bot.framework.competences] == [
        row[0][0] for row in chooser.buttons[:-1]
    ]
    assert chooser.buttons[-1] == [("✖ All reflections", "hp:0"), ("‹ Back", "hp:0")]
    filtered = await tap(ann, chooser, f"2. {title}")
    assert f"Your reflections evidencing competence 2, {title} (1–5 of 8)" in filtered.text
    assert notes_in(filtered) == [f"ann note {n}" for n in (10, 8, 6, 5, 4)]
    assert "1." in filtered.text and "5." in filtered.text
    assert "bo note" not in filtered.text

    # Older keeps the filter; the numbers go on counting the filtered list.
    older = await tap(ann, filtered, "Older ›")
    assert "evidencing competence 2" in older.text and "(6–8 of 8)" in older.text
    assert notes_in(older) == [f"ann note {n}" for n in (3, 2, 0)]
    assert "6." in older.text and "8." in older.text
    assert [text for text, _ in older.buttons[0]] == ["📖 6", "📖 7", "📖 8"]

    # Narrow to one indicator: each with how many of Ann's reflections evidence it.
    indicators = await tap(ann, older, "🎯 One indicator")
    short_23 = bot.framework.indicator("2.3").short
    short_26 = bot.framework.indicator("2.6").short
    assert f"2.3 {short_23} (7)" in indicators.button_texts  # not the rejected, not Bo's
    assert f"2.6 {short_26} (3)" in indicators.button_texts
    assert f"2.1 {bot.framework.indicator('2.1').short} (0)" in indicators.button_texts
    assert bot.framework.indicator("2.3").text in indicators.text
    narrowed = await tap(ann, indicators, f"2.3 {short_23} (7)")
    assert f"Your reflections evidencing 2.3 {short_23} (1–5 of 7)" in narrowed.text
    assert "ann note 4" not in narrowed.text and "ann note 9" not in narrowed.text
    last = await tap(ann, narrowed, "Older ›")
    assert "(6–7 of 7)" in last.text and notes_in(last) == ["ann note 2", "ann note 0"]

    # 📖 still opens one; its "‹ All reflections" is the whole, unfiltered list.
    await ann.press(last, "📖 7")
    whole = await ann.next_message()
    assert "ann note 0" in whole.text and "Evidence: 2.3" in whole.text
    everything = await tap(ann, whole, "‹ All reflections")
    assert "Your reflections (1–5 of 12)" in everything.text

    back = await tap(ann, last, "‹ Newer")
    assert f"evidencing 2.3 {short_23} (1–5 of 7)" in back.text

    # Clearing the filter: the whole list again.
    cleared = await tap(ann, back, "✖ All reflections")
    assert "Your reflections (1–5 of 12)" in cleared.text
    assert notes_in(cleared) == [f"ann note {n}" for n in (11, 10, 9, 8, 7)]
    assert all(answer.text is None for answer in ann.callback_answers)  # nothing refused


async def test_back_from_the_choosers_returns_to_the_list_as_it_was(fake_telegram, bot):
    ann = await ann_and_her_reflections(fake_telegram, bot)
    await ann.send_command("/history", "2.6")
    listed = await ann.next_message()
    assert "evidencing 2.6" in listed.text and "(1–3 of 3)" in listed.text
    chooser = await tap(ann, listed, "🔎 Filter")
    returned = await tap(ann, chooser, "‹ Back")
    assert returned.text == listed.text
    indicators = await tap(ann, returned, "🎯 One indicator")
    competence = await tap(ann, indicators, "All of competence 2")
    assert "evidencing competence 2" in competence.text and "(1–5 of 8)" in competence.text


async def test_typed_filters(fake_telegram, bot):
    ann = await ann_and_her_reflections(fake_telegram, bot)
    await ann.send_command("/history", "2.3")
    listed = await ann.next_message()
    short = bot.framework.indicator("2.3").short
    assert f"Your reflections evidencing 2.3 {short} (1–5 of 7)" in listed.text
    await ann.press(listed, "Older ›")
    older = await ann.wait_for(lambda m: "(6–7 of 7)" in (m.text or ""))
    assert notes_in(older) == ["ann note 2", "ann note 0"]

    await ann.send_command("/history", "3")
    competence_3 = await ann.next_message()
    assert "evidencing competence 3" in competence_3.text and "(1–1 of 1)" in competence_3.text
    assert notes_in(competence_3) == ["ann note 7"]

    for nonsense in ["foo", "9", "2.99", "0", "2.3 3", "<b>hi</b>"]:
        reply = await say(ann, f"/history {nonsense}")
        assert "type /history and its number (1, 2, 3, 4, 5, 6, 7)" in reply.text, nonsense
        assert "/history 2.3" in reply.text
        assert reply.button_texts == ["🔎 Filter"]
    chooser = await tap(ann, reply, "🔎 Filter")
    assert "Filter your reflections" in chooser.text


async def test_a_filter_with_no_matches_says_so_and_offers_every_reflection(fake_telegram, bot):
    ann = await ann_and_her_reflections(fake_telegram, bot)
    await ann.send_command("/history", "7")
    empty = await ann.next_message()
    assert "None of your reflections evidences competence 7" in empty.text
    assert "✖ All reflections" in empty.button_texts
    everything = await tap(ann, empty, "✖ All reflections")
    assert "Your reflections (1–5 of 12)" in everything.text

    # The same by the buttons: a competence, then an indicator nothing evidences.
    chooser = await tap(ann, everything, "🔎 Filter")
    second = await tap(ann, chooser, f"2. {bot.framework.competence(2).title}")
    indicators = await tap(ann, second, "🎯 One indicator")
    short = bot.framework.indicator("2.1").short
    nothing = await tap(ann, indicators, f"2.1 {short} (0)")
    assert f"None of your reflections evidences 2.1 {short}" in nothing.text
    assert not any(text.startswith("📖") for text in nothing.button_texts)


async def test_a_note_tagged_through_the_bot_shows_under_its_filter(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    offer = await say(ann, CONFLICT)
    saved = await tap(ann, offer, "Save as a reflection")
    [reflection] = storage.recent_reflections(bot.db, 1001, limit=1)
    await ann.press(saved, callback_data=f"tg:{reflection.id}:2.6:c")
    await ann.wait_for(lambda m: m.message_id == saved.message_id and "✅ <b>2.6" in m.source_text)
    await ann.send_command("/history", "2.6")
    listed = await ann.next_message()
    assert "evidencing 2.6" in listed.text and CONFLICT[:40] in listed.text
    await ann.send_command("/history", "2.3")
    assert "None of your reflections evidences 2.3" in (await ann.next_message()).text


async def test_forged_and_stale_filter_buttons_are_refused_and_reveal_nothing(fake_telegram, bot):
    ann = await ann_and_her_reflections(fake_telegram, bot)
    await ann.send_command("/history")
    listed = await ann.next_message()
    for data in ["hp:0:9", "hp:0:2.99", "hp:0:03", "hf:0:8.1", "hn:0:9", "hn:0:2.03"]:
        answer = await answer_to(ann, ann.press_raw(listed.message_id, data))
        assert "expired" in answer.text, data
    assert "Your reflections (1–5 of 12)" in (await ann.wait_for(lambda m: True)).text
    # Old buttons without a filter still page through everything.
    await ann.press_raw(listed.message_id, "hp:2")
    last = await ann.wait_for(lambda m: "(11–12 of 12)" in (m.text or ""))
    assert notes_in(last) == ["ann note 1", "ann note 0"]
    # Bo filtering sees only his own.
    bo = fake_telegram.user(1002, "Bo")
    await bo.send_command("/history", "2")
    his = await bo.next_message()
    assert "(1–3 of 3)" in his.text and "ann note" not in his.text
    indicators = await tap(bo, his, "🎯 One indicator")
    assert f"2.3 {bot.framework.indicator('2.3').short} (3)" in indicators.button_texts
