"""The real bot (PTB Application over HTTP) against the fake Bot API, played as users."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from dataclasses import replace

import storage
from bot.services.split_messages import SPLIT_MESSAGE_MIN_CHARS
from bot.telegram.application import COMMANDS

from .players import agree, reflect_with, running_bot, say, tap

CONFLICT = "Two young people were fighting; I worked towards the resolution of conflict."
GIBBS_ANSWERS = [
    "Pool night at the youth club in Kirkcaldy, eight young people.",
    "I felt anxious when two of them squared up to each other.",
    "I was slow to understand the underlying dynamics at work within the group.",
    CONFLICT,
    "Setting ground rules with the group at the start would help.",
    "Next week we agree ground rules together and I check in with both lads.",
]


async def test_onboarding_stores_nothing_until_the_practitioner_agrees(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await ann.send_text("hello?")
    assert "Please send /start first" in (await ann.next_message()).text
    await ann.send_command("/start")
    welcome = await ann.next_message()
    assert "What I store" in welcome.text and "Who can see it" in welcome.text
    assert "Nothing is stored until you agree" in welcome.text
    assert welcome.button_texts == ["I agree, let's start", "No thanks"]
    assert bot.users.get(1001) is None
    await ann.press(welcome, "I agree")
    agreed = await ann.wait_for(lambda m: m.message_id == welcome.message_id and m.edited)
    assert "Send /reflect" in agreed.text
    assert agreed.button_texts == ["⏰ Set up reminders"]  # the only button: /settings
    assert bot.users.get(1001).display_name == "Ann"
    await ann.send_command("/start")
    assert "Welcome back, Ann" in (await ann.next_message()).text
    assert ann.callback_answers  # every button press was answered
    assert [c["command"] for c in fake_telegram.commands] == list(COMMANDS)


async def test_declining_stores_nothing(fake_telegram, bot):
    bo = fake_telegram.user(1002, "Bo")
    await bo.send_command("/start")
    welcome = await bo.next_message()
    await bo.press(welcome, "No thanks")
    await bo.wait_for(lambda m: "nothing has been stored" in (m.text or ""))
    assert bot.users.get(1002) is None


async def test_a_full_gibbs_reflection_then_confirming_and_rejecting(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await ann.send_command("/reflect")
    menu = await ann.next_message()
    assert menu.button_texts == [
        "Quick note",
        "What? So what? Now what?",
        "Gibbs' reflective cycle",
        "Critical incident",
        "Through their eyes",
        "In the moment",
        "Before supervision",
        "Professional learning",
    ]
    await ann.press(menu, "Gibbs")
    question = await ann.next_message()
    assert "question 1 of 6" in question.text and "Description" in question.text
    for number, answer in enumerate(GIBBS_ANSWERS[:-1], start=2):
        question = await say(ann, answer)
        assert f"question {number} of 6" in question.text
    saved = await say(ann, GIBBS_ANSWERS[-1])
    assert "Saved." in saved.text and "This may be evidence of" in saved.text
    assert "2.6" in saved.text and "work towards the resolution of conflict" in saved.text
    assert CONFLICT in saved.text  # the supporting sentence is shown

    [reflection] = storage.recent_reflections(bot.db, 1001, limit=5)
    answers = storage.answers_for(bot.db, reflection.id)
    assert [a.text for a in answers] == GIBBS_ANSWERS
    assert (reflection.question_set_id, reflection.question_set_version) == ("gibbs", 2)
    suggestions = storage.suggestions_for(bot.db, reflection.id)
    assert 1 <= len(suggestions) <= 3 and suggestions[0].model_id == "fake-bow-256"

    first, second = suggestions[0].indicator_id, suggestions[1].indicator_id
    await ann.press(saved, callback_data=f"tg:{reflection.id}:{first}:c")
    await ann.wait_for(
        lambda m: m.message_id == saved.message_id and f"✅ <b>{first}" in m.source_text
    )
    # The same tap again, as from a client whose message failed to update: no flip back.
    await ann.press_raw(saved.message_id, f"tg:{reflection.id}:{first}:c")
    await fake_telegram.wait_idle()
    assert storage.confirmed_indicators(bot.db, reflection.id) == [first]
    await ann.press(saved, callback_data=f"tg:{reflection.id}:{second}:r")
    done = await ann.wait_for(
        lambda m: m.message_id == saved.message_id and f"❌ <b>{second}" in m.source_text
    )
    assert storage.confirmed_indicators(bot.db, reflection.id) == [first]
    assert {t.indicator_id: t.status for t in storage.tags_for(bot.db, reflection.id)} == {
        first: "confirmed",
        second: "rejected",
    }
    await ann.press(done, "Done")
    await ann.wait_for(lambda m: m.message_id == saved.message_id and m.buttons == [])


async def test_a_quick_note_then_none_of_these_and_picking_an_indicator(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    offer = await say(ann, CONFLICT)
    assert offer.text == "Save this as a quick reflection?"
    saved = await tap(ann, offer, "Save as a reflection")  # the offer becomes the tags
    [reflection] = storage.recent_reflections(bot.db, 1001, limit=5)
    assert reflection.kind == "note" and reflection.text == CONFLICT

    await ann.press(saved, "None of these")
    await ann.wait_for(lambda m: m.message_id == saved.message_id and "❌ <b>" in m.source_text)
    tags = storage.tags_for(bot.db, reflection.id)
    assert tags and all(t.status == "rejected" for t in tags)

    await ann.press(saved, "Pick an indicator")
    competences = await ann.wait_for(
        lambda m: m.message_id == saved.message_id and "Choose a competence" in m.text
    )
    assert len(competences.buttons) == 8  # seven competences and Back
    await ann.press(competences, "7. Evaluate and inform practice")
    indicators = await ann.wait_for(lambda m: "7.9" in " ".join(m.button_texts))
    await ann.press(indicators, callback_data=f"tg:{reflection.id}:7.9:c:p")
    await ann.wait_for(lambda m: "✅ 7.9" in " ".join(m.button_texts))
    assert "7.9" in storage.confirmed_indicators(bot.db, reflection.id)
    await ann.press(saved, "Back")
    await ann.wait_for(lambda m: m.message_id == saved.message_id and "Choose a" in m.text)
    await ann.press(saved, "Back")
    back = await ann.wait_for(lambda m: "You also tagged" in (m.text or ""))
    assert "7.9" in back.text


async def test_a_note_can_be_dropped_and_old_buttons_are_stale(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    offer = await say(ann, "remember to book the hall")
    drop_data = offer.buttons[0][1][1]
    await ann.press(offer, "Don't save")
    await ann.wait_for(lambda m: m.text == "OK, not saved.")
    assert storage.count_finished_reflections(bot.db, 1001) == 0
    assert bot.db.execute("SELECT COUNT(*) FROM reflections").fetchone()[0] == 0
    # The same button pressed again (e.g. a double tap that arrives late).
    await ann.press_raw(offer.message_id, drop_data)
    await fake_telegram.wait_idle()
    assert "expired" in ann.callback_answers[-1].text


async def test_skip_and_cancel(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await ann.send_command("/skip")
    assert "no question to skip" in (await ann.next_message()).text
    await reflect_with(ann, "What? So what")
    await say(ann, "what happened")
    await ann.send_command("/skip")
    assert (await ann.next_message()).text == "Skipped."
    assert "question 3 of 3" in (await ann.next_message()).text
    await ann.send_command("/cancel")
    confirm = await ann.next_message()
    assert "1 answer(s)" in confirm.text
    await ann.press(confirm, "Oops, carry on")
    assert "question 3 of 3" in (await ann.next_message()).text
    await ann.send_command("/cancel")
    confirm = await ann.next_message()
    assert "Saved." in (await tap(ann, confirm, "Keep what I wrote")).text
    [kept] = storage.recent_reflections(bot.db, 1001, limit=5)
    assert kept.text == "what happened"

    await reflect_with(ann, "Gibbs")
    await say(ann, "a private thing")
    await ann.send_command("/cancel")
    confirm = await ann.next_message()
    await ann.press(confirm, "Delete it")
    await ann.wait_for(lambda m: "Deleted" in (m.text or ""))
    assert storage.open_reflection_for(bot.db, 1001) is None
    assert storage.count_finished_reflections(bot.db, 1001) == 1


async def test_bad_inputs_get_a_friendly_answer_and_lose_nothing(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await reflect_with(ann, "What? So what")
    await say(ann, "what happened")
    for send, what in [
        (ann.send_sticker, "sticker"),
        (ann.send_photo, "photo"),
        (lambda: ann.send_document("notes.pdf", b"%PDF-1.4"), "file"),
        (ann.send_location, "message"),
    ]:
        await send()
        explanation = await ann.next_message()
        assert f"haven't saved that {what}" in explanation.text
        assert "question 2 of 3" in (await ann.next_message()).text  # reminded where we are
    await ann.send_command("/frobnicate")
    assert "I don't know the command /frobnicate" in (await ann.next_message()).text
    for data in ["garbage", "tg:1:2.6", "ta:99999:none", "tg:99999:2.6:c", "hp:abc", "x" * 64]:
        await ann.press_raw(9999, data)
        await fake_telegram.wait_idle()
        assert "expired" in ann.callback_answers[-1].text
    # Nothing was lost: the reflection carries on at question 2.
    step = bot.reflecting.current_step(1001)
    assert step.number == 2
    assert [a.text for a in storage.answers_for(bot.db, step.reflection.id)] == ["what happened"]


async def test_an_edited_message_updates_its_answer_and_is_not_a_new_one(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await reflect_with(ann, "What? So what")
    message_id = await ann.send_text("what happened")
    await ann.next_message()
    await ann.edited_text(message_id, "what really happened")
    assert "Updated your answer to: <b>What?" in (await ann.next_message()).source_text
    step = bot.reflecting.current_step(1001)
    assert step.number == 2
    assert [a.text for a in storage.answers_for(bot.db, step.reflection.id)] == [
        "what really happened"
    ]


async def test_a_long_message_split_by_telegram_is_one_answer(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await reflect_with(ann, "What? So what")
    sentence = "We spent the evening planning the summer trip with the group. "
    parts = [(sentence * 70)[:4096], (sentence * 70)[:4096], "And that was the night."]
    assert len(parts[0]) >= SPLIT_MESSAGE_MIN_CHARS
    await say(ann, parts[0])
    for part in parts[1:]:
        assert "Added that to your previous answer" in (await say(ann, part)).text
    step = bot.reflecting.current_step(1001)
    assert step.number == 2
    [answer] = storage.answers_for(bot.db, step.reflection.id)
    assert answer.text == " ".join(parts)
    # Outgoing messages stay within Telegram's limits even for huge reflections.
    await ann.send_command("/cancel")
    await ann.press(await ann.next_message(), "Keep what I wrote")
    saved = await ann.wait_for(lambda m: "Saved." in (m.text or ""))
    assert len(saved.text) <= 4096
    await ann.send_command("/history")
    assert len((await ann.wait_for(lambda m: "Your reflections" in (m.text or ""))).text) <= 4096


async def test_two_users_at_once_without_cross_talk(fake_telegram, bot):
    ann, bo = fake_telegram.user(1001, "Ann"), fake_telegram.user(1002, "Bo")
    await agree(ann)
    await agree(bo)
    await reflect_with(ann, "Gibbs")
    await reflect_with(bo, "What? So what")
    # Interleaved: both send before either reads.
    await ann.send_text("ann one")
    await bo.send_text("bo one")
    await ann.send_text("ann two")
    assert "question 2 of 6" in (await ann.next_message()).text
    assert "question 3 of 6" in (await ann.next_message()).text
    assert "question 2 of 3" in (await bo.next_message()).text
    ann_step = bot.reflecting.current_step(1001)
    bo_step = bot.reflecting.current_step(1002)
    assert [a.text for a in storage.answers_for(bot.db, ann_step.reflection.id)] == [
        "ann one",
        "ann two",
    ]
    assert [a.text for a in storage.answers_for(bot.db, bo_step.reflection.id)] == ["bo one"]
    assert all("ann" not in (m.text or "") for m in bo.messages)

    # Bo finishes; Ann forges a tap on Bo's suggestion: refused, nothing changes.
    await bo.send_command("/cancel")
    await bo.press(await bo.next_message(), "Keep what I wrote")
    await bo.wait_for(lambda m: "Saved." in (m.text or ""))
    bo_reflection = storage.recent_reflections(bot.db, 1002, limit=1)[0]
    for data in [
        f"tg:{bo_reflection.id}:2.6:c",
        f"ta:{bo_reflection.id}:none",
        f"ht:{bo_reflection.id}",
    ]:
        await ann.press_raw(1, data)
        await fake_telegram.wait_idle()
        assert "expired" in ann.callback_answers[-1].text  # the same answer as a stale button
    await ann.press_raw(1, f"cx:drop:{bo_reflection.id}")
    await ann.press_raw(1, f"nt:save:{bo_reflection.id}")
    await fake_telegram.wait_idle()
    assert storage.tags_for(bot.db, bo_reflection.id) == []
    assert storage.get_reflection(bot.db, bo_reflection.id).status == "done"


async def test_history_pages_and_tags_can_be_changed_later(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await ann.send_command("/history")
    assert "no saved reflections yet" in (await ann.next_message()).text
    for n in range(7):
        offer = await say(ann, f"note {n}: {CONFLICT}")
        await tap(ann, offer, "Save as a reflection")
    await ann.send_command("/history")
    page = await ann.next_message()
    assert "(1–5 of 7)" in page.text and "note 6" in page.text and "note 1" not in page.text
    await ann.press(page, "Older")
    older = await ann.wait_for(lambda m: "(6–7 of 7)" in (m.text or ""))
    assert "note 0" in older.text
    await ann.press(older, "📖 7")
    whole = await ann.next_message()
    assert "note 0" in whole.text
    await ann.press(whole, "🏷 Indicators")
    editor = await ann.next_message()
    assert "Reflection of" in editor.text and "note 0" in editor.text
    oldest = storage.recent_reflections(bot.db, 1001, limit=1, offset=6)[0]
    await ann.press(editor, callback_data=f"tg:{oldest.id}:2.6:c:h")
    tapped = await ann.wait_for(
        lambda m: m.message_id == editor.message_id and "✅ <b>2.6" in m.source_text
    )
    assert "Reflection of" in tapped.text and "note 0" in tapped.text  # its heading stays
    assert storage.confirmed_indicators(bot.db, oldest.id) == ["2.6"]
    await ann.press(older, "Newer")
    await ann.wait_for(lambda m: m.message_id == older.message_id and "(1–5 of 7)" in m.text)


async def test_the_bot_stopped_halfway_through_a_reflection_loses_nothing(
    fake_telegram, bot_settings
):
    ann = fake_telegram.user(1001, "Ann")
    async with running_bot(fake_telegram, bot_settings):
        await agree(ann)
        await reflect_with(ann, "Gibbs")
        for answer in GIBBS_ANSWERS[:3]:
            await say(ann, answer)
    # The bot is down; Ann carries on typing.
    await ann.send_text(GIBBS_ANSWERS[3])
    async with running_bot(fake_telegram, bot_settings) as running:
        services = running.services
        assert "question 5 of 6" in (await ann.next_message()).text
        await say(ann, GIBBS_ANSWERS[4])
        saved = await say(ann, GIBBS_ANSWERS[5])
        assert "Saved." in saved.text
        [reflection] = storage.recent_reflections(services.db, 1001, limit=5)
        assert [a.text for a in storage.answers_for(services.db, reflection.id)] == GIBBS_ANSWERS


async def test_reflect_offers_to_resume_an_unfinished_reflection(fake_telegram, bot_settings):
    ann = fake_telegram.user(1001, "Ann")
    async with running_bot(fake_telegram, bot_settings):
        await agree(ann)
        await reflect_with(ann, "Gibbs")
        await say(ann, GIBBS_ANSWERS[0])
    async with running_bot(fake_telegram, bot_settings) as running:
        services = running.services
        await ann.send_command("/reflect")
        offer = await ann.next_message()
        assert "unfinished" in offer.text
        await ann.press(offer, "Carry on")
        assert "question 2 of 6" in (await ann.next_message()).text
        await ann.send_command("/reflect")
        offer = await ann.next_message()
        await ann.press(offer, "Keep it and start a new one")
        await ann.wait_for(lambda m: "Saved." in (m.text or ""))
        menu = await ann.wait_for(lambda m: m.text == "" or "Which kind" in (m.text or ""))
        assert "Quick note" in menu.button_texts
        assert storage.count_finished_reflections(services.db, 1001) == 1


async def test_a_user_who_blocked_the_bot_does_not_break_it(fake_telegram, bot):
    ann, bo = fake_telegram.user(1001, "Ann"), fake_telegram.user(1002, "Bo")
    await agree(ann)
    ann.block_bot()
    await ann.send_text("a note nobody will see the reply to")
    await fake_telegram.wait_idle()
    await agree(bo)  # the bot still serves everyone else


async def test_the_token_never_reaches_the_logs(fake_telegram, bot_settings, capsys):
    from bot.logs import configure_logging

    configure_logging("DEBUG", [fake_telegram.token])  # logs to this test's stderr
    ann = fake_telegram.user(1001, "Ann")
    async with running_bot(fake_telegram, replace(bot_settings)):
        await agree(ann)
        await say(ann, "a secret reflection about J")
    logs = capsys.readouterr().err
    assert "start-up: deleted 0 unsaved notes" in logs, "the bot's own log lines are here"
    assert fake_telegram.token not in logs
    assert "secret reflection" not in logs


async def test_start_up_repairs_reflections_left_without_suggestions(fake_telegram, bot_settings):
    ann = fake_telegram.user(1001, "Ann")
    async with running_bot(fake_telegram, bot_settings) as running:
        await agree(ann)
        offer = await say(ann, CONFLICT)
        await ann.press(offer, "Save as a reflection")
        await ann.wait_for(lambda m: "This may be evidence of" in (m.text or ""))
        db = running.services.db
        db.execute("DELETE FROM suggestions")  # as if the bot died between the two
        db.execute("UPDATE reflections SET suggested_at = NULL")
    async with running_bot(fake_telegram, bot_settings) as running:
        reflection = storage.recent_reflections(running.services.db, 1001, limit=1)[0]
        for _ in range(50):
            if storage.suggestions_for(running.services.db, reflection.id):
                break
            await asyncio.sleep(0.1)
        assert storage.suggestions_for(running.services.db, reflection.id)[0].indicator_id == "2.6"


async def test_consent_is_stored_even_if_telegram_fails_the_reply(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await ann.send_command("/start")
    welcome = await ann.next_message()
    fake_telegram.fail_next("answerCallbackQuery", error_code=502, description="Bad Gateway")
    await ann.press(welcome, "I agree")
    await fake_telegram.wait_idle()
    assert bot.users.get(1001) is not None


async def test_a_button_is_answered_at_once_before_the_model_runs(fake_telegram, bot, monkeypatch):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    offer = await say(ann, CONFLICT)
    slow_suggest = bot.suggester.suggest

    def slow(*args, **kwargs):
        time.sleep(3.0)  # a slow model, in its worker thread
        return slow_suggest(*args, **kwargs)

    monkeypatch.setattr(bot.suggester, "suggest", slow)
    answered_before = len(ann.callback_answers)
    await ann.press(offer, "Save as a reflection")
    for _ in range(100):
        if len(ann.callback_answers) > answered_before:
            break
        await asyncio.sleep(0.02)
    assert len(ann.callback_answers) > answered_before, "answered within 2 s, not after 3"
    assert "typing" in ann.chat_actions
    assert not any("This may be evidence of" in (m.text or "") for m in ann.messages)
    await ann.wait_for(lambda m: "This may be evidence of" in (m.text or ""), timeout=8)


async def test_a_practitioner_who_blocks_the_bot_is_marked_inactive_until_they_write(
    fake_telegram, bot
):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    ann.block_bot()
    await ann.send_text("a note nobody will see the reply to")
    await fake_telegram.wait_idle()
    assert not bot.users.get(1001).active  # the 403 on the reply told us
    ann.unblock_bot()
    await ann.send_command("/help")
    await ann.wait_for(lambda m: "ReflectBot" in (m.text or ""))
    assert bot.users.get(1001).active
    await ann.block_bot_and_notify()
    await fake_telegram.wait_idle()
    assert not bot.users.get(1001).active
    await ann.unblock_bot_and_notify()
    await fake_telegram.wait_idle()
    assert bot.users.get(1001).active


async def test_one_practitioners_slow_suggestion_does_not_hold_up_another(
    fake_telegram, bot, monkeypatch
):
    ann, bo = fake_telegram.user(1001, "Ann"), fake_telegram.user(1002, "Bo")
    await agree(ann)
    await agree(bo)
    offer = await say(ann, CONFLICT)
    real_suggest = bot.suggester.suggest

    def slow(*args, **kwargs):
        time.sleep(4.0)  # a slow model (a cold cache, a long text) in its worker
        return real_suggest(*args, **kwargs)

    monkeypatch.setattr(bot.suggester, "suggest", slow)
    await ann.press(offer, "Save as a reflection")
    await asyncio.sleep(0.2)  # Ann's suggestion is under way
    started = time.monotonic()
    await bo.send_command("/help")
    await bo.wait_for(lambda m: "/forget – delete everything" in (m.text or ""), timeout=3)
    assert time.monotonic() - started < 2.0  # not after Ann's 4 s
    assert not any("This may be evidence of" in (m.text or "") for m in ann.messages)
    await ann.wait_for(lambda m: "This may be evidence of" in (m.text or ""), timeout=8)


async def test_one_practitioners_quick_answers_are_stored_in_order(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await reflect_with(ann, "Gibbs")
    for answer in GIBBS_ANSWERS:  # sent at once, without waiting for each reply
        await ann.send_text(answer)
    await ann.wait_for(lambda m: "This may be evidence of" in (m.text or ""), timeout=10)
    [reflection] = storage.recent_reflections(bot.db, 1001, limit=5)
    assert [a.text for a in storage.answers_for(bot.db, reflection.id)] == GIBBS_ANSWERS


async def test_a_failed_reply_and_a_resend_store_the_answer_once(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await reflect_with(ann, "What? So what")
    for _ in range(4):  # the first try and every retry
        fake_telegram.fail_next("sendMessage", error_code=502, description="Bad Gateway")
    await ann.send_text("We ran the pool night.")  # stored; the next question is lost
    sorry = await ann.next_message(timeout=10)
    assert "What you sent before this is saved" in sorry.text
    await ann.send_text("We ran the pool night.")  # the practitioner tries again
    assert "saved once" in (await ann.next_message()).text
    assert "question 2 of 3" in (await ann.next_message()).text
    step = bot.reflecting.current_step(1001)
    assert [a.text for a in storage.answers_for(bot.db, step.reflection.id)] == [
        "We ran the pool night."
    ]


async def test_a_moment_of_telegram_trouble_is_retried_unseen(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await reflect_with(ann, "What? So what")
    fake_telegram.fail_next("sendMessage", error_code=502, description="Bad Gateway")
    fake_telegram.fail_next("sendMessage", retry_after=1)
    question = await say(ann, "We ran the pool night.")
    assert "question 2 of 3" in question.text  # the practitioner saw nothing go wrong


async def test_replies_to_many_practitioners_are_not_held_to_a_bulk_pace(fake_telegram, bot):
    """100 practitioners write at once: their replies go out together, not 30 a second
    (the pace Telegram asks of bulk notifications), which would take over 2 s."""
    users = [fake_telegram.user(3000 + n, f"P{n}") for n in range(100)]
    for user in users:
        await user.send_command("/help")
    started = time.monotonic()
    for user in users:
        await user.next_message(timeout=10)
    assert time.monotonic() - started < 1.8


async def test_a_button_whose_answer_fails_still_does_its_work(fake_telegram, bot):
    """Telegram refuses a late answer to a button press ("query is too old"), or fails
    it: the spinner is the only loss; the press still opens the reflection."""
    failures = (
        {"description": "Bad Request: query is too old and response timeout expired"},
        {"error_code": 500, "description": "Internal Server Error"},
    )
    for n, failure in enumerate(failures):
        user = fake_telegram.user(1001 + n, f"P{n}")
        await agree(user)
        await user.send_command("/reflect")
        menu = await user.next_message()
        fake_telegram.fail_next("answerCallbackQuery", **failure)
        await user.press(menu, "Gibbs")
        assert "question 1 of 6" in (await user.next_message(timeout=5)).text


async def test_a_question_set_chosen_again_before_answering_asks_its_first_question(
    fake_telegram, bot
):
    """The press is handled again (a restart after the reflection was opened but before
    its question went out, or a double tap): the first question, not a refusal that a
    late button answer could not even show."""
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await ann.send_command("/reflect")
    menu = await ann.next_message()
    [gibbs] = [data for row in menu.buttons for text, data in row if text.startswith("Gibbs")]
    await ann.press(menu, callback_data=gibbs)
    assert "question 1 of 6" in (await ann.next_message()).text
    await ann.press_raw(menu.message_id, gibbs)
    assert "question 1 of 6" in (await ann.next_message()).text
    await say(ann, GIBBS_ANSWERS[0])
    await ann.press_raw(menu.message_id, gibbs)  # once answered, the menu is spent
    await fake_telegram.wait_idle()
    assert "expired" in ann.callback_answers[-1].text
    assert len(storage.answers_for(bot.db, bot.reflecting.open_reflection(1001).id)) == 1


async def test_an_update_that_cannot_be_written_down_comes_again_and_polling_goes_on(
    fake_telegram, bot, monkeypatch
):
    """A moment when the inbox cannot be written (a full disk, a locked file): Telegram is
    not told the update arrived, polling waits and asks again, and the message is handled
    then; polling does not stop for good while the process lives on."""
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    receive, failures = bot.inbox.receive, []

    def full_disk_once(update_id, user_id, payload):
        if not failures:
            failures.append(update_id)
            raise sqlite3.OperationalError("database or disk is full")
        return receive(update_id, user_id, payload)

    monkeypatch.setattr(bot.inbox, "receive", full_disk_once)
    await ann.send_text("We ran the pool night and it went well.")
    offer = await ann.next_message(timeout=10)
    assert offer.text == "Save this as a quick reflection?" and failures
    assert (await say(ann, "And a second thought, later.")).text  # polling goes on
