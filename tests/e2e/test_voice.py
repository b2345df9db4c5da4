"""Voice notes end to end: the real bot fetches the note from the fake Bot API (getFile and
the download), a fake speech model transcribes it, and the practitioner uses, corrects or
discards what was heard. (The real model is tested in tests/voice.)"""

from __future__ import annotations

import asyncio
import time

import pytest

import storage
from bot.voice import FakeTranscriber

from .fake_bot_api import BotMessage, FakeBotApi, FakeUser
from .players import agree, answer_to, now_of, reflect_with, running_bot, say, tap

HEARD = "We planned the summer trip and the young people chose the activities."
NOTE = b"OggS" + bytes(range(256)) * 8  # what the fake serves; the fake model reads nothing


@pytest.fixture
def speech() -> FakeTranscriber:
    return FakeTranscriber(HEARD, seconds=42)


@pytest.fixture
async def voice_bot(fake_telegram: FakeBotApi, bot_settings, speech):
    async with running_bot(fake_telegram, bot_settings, transcriber=speech) as bot:
        yield bot


def answered(bot, user_id: int = 1001) -> list[str]:
    """The answers of the practitioner's open reflection so far."""
    step = bot.services.reflecting.current_step(user_id)
    return [a.text for a in storage.answers_for(bot.services.db, step.reflection.id)]


async def heard_in_a_reflection(user: FakeUser) -> BotMessage:
    """Agree, start What? So what? Now what?, send a voice note: what the bot heard."""
    await agree(user)
    await reflect_with(user, "What? So what")
    await user.send_voice(content=NOTE)
    return await user.next_message()


def transcripts(bot, user_id: int) -> list[dict]:
    return storage.rows_about(bot.services.db, user_id).get("voice_transcripts", [])


async def test_a_voice_note_answers_the_question_once_the_practitioner_uses_it(
    fake_telegram, voice_bot, speech
):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await reflect_with(ann, "What? So what")
    message_id = await ann.send_voice(duration=42, content=NOTE)
    heard = await ann.next_message()
    assert "Here's what I heard" in heard.text and "(0:42)" in heard.text
    assert HEARD in heard.text and "Use it as your answer to" in heard.text
    assert heard.button_texts == ["✅ Use it", "✏️ Correct it", "🗑 Discard"]
    assert "typing" in ann.chat_actions, "the bot shows it is working"
    # The bot fetched the note's own bytes, and kept nothing of the audio.
    assert [d.status for d in fake_telegram.downloads] == [200]
    assert len(speech.calls) == 1 and not speech.calls[0].exists()
    assert not speech.calls[0].parent.exists()
    assert ann.sent_file(message_id).content == NOTE
    assert answered(voice_bot) == []

    used = await tap(ann, heard, "✅ Use it")
    assert "Used what I heard" in used.text and used.buttons == []
    assert "question 2 of 3" in (await ann.next_message()).text
    assert answered(voice_bot) == [HEARD]
    assert transcripts(voice_bot, 1001) == [], "used: the transcript is gone"


async def test_a_voice_note_as_a_quick_note_gets_suggestions(fake_telegram, voice_bot, speech):
    speech.text = "I ran the group work session and planned it with the young people."
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await ann.send_voice(duration=20, content=NOTE)
    heard = await ann.next_message()
    assert "Use it as a quick note?" in heard.text
    tags = await tap(ann, heard, "✅ Use it")  # one tap: saved, no second question
    assert "✅ Saved." in tags.text and "❌" in " ".join(tags.button_texts), tags.text
    await fake_telegram.wait_idle()
    assert not any("Save this as a quick reflection?" in (m.text or "") for m in ann.messages)
    (saved,) = storage.recent_reflections(voice_bot.services.db, 1001, limit=5)
    assert [a.text for a in storage.answers_for(voice_bot.services.db, saved.id)] == [speech.text]


async def test_correcting_a_transcript_uses_the_next_text_message_instead(
    fake_telegram, voice_bot, speech
):
    speech.text = "We planned the trip with game's mum."
    ann = fake_telegram.user(1001, "Ann")
    heard = await heard_in_a_reflection(ann)
    await ann.press(heard, "✏️ Correct it")
    assert "Send me the corrected text" in (await ann.next_message()).text
    copy = await ann.next_message()
    assert copy.text == speech.text and "<code>" in copy.source_text
    await say(ann, "We planned the trip with the group's parents.")
    assert answered(voice_bot) == ["We planned the trip with the group's parents."]
    assert voice_bot.services.reflecting.current_step(1001).number == 2
    assert transcripts(voice_bot, 1001) == []


async def test_a_command_ends_a_correction_and_the_transcript_waits(fake_telegram, voice_bot):
    ann = fake_telegram.user(1001, "Ann")
    heard = await heard_in_a_reflection(ann)
    await ann.press(heard, "✏️ Correct it")
    await ann.next_message()
    await ann.next_message()
    await ann.send_command("/help")
    await ann.next_message()
    await fake_telegram.wait_idle()
    await say(ann, "typed after all")  # an answer as usual, not a correction
    assert answered(voice_bot) == ["typed after all"]
    assert [t["text"] for t in transcripts(voice_bot, 1001)] == [HEARD]
    await tap(ann, heard, "✅ Use it")  # still usable: the next question's answer
    await ann.next_message()
    assert answered(voice_bot) == ["typed after all", HEARD]


async def test_discarding_keeps_nothing(fake_telegram, voice_bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await ann.send_voice(content=NOTE)
    heard = await ann.next_message()
    gone = await tap(ann, heard, "🗑 Discard")
    assert "nothing from that voice note is kept" in gone.text
    assert transcripts(voice_bot, 1001) == []
    assert storage.rows_about(voice_bot.services.db, 1001).get("reflections", []) == []
    use = heard.buttons[0][0][1]  # its "Use it" button, pressed again from an old screen
    answer = await answer_to(ann, ann.press_raw(heard.message_id, use))
    assert "expired" in answer.text, "a transcript's old button does nothing"


async def test_an_audio_file_is_transcribed_too(fake_telegram, voice_bot, speech):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await ann.send_audio(content=b"ID3 an mp3 recording", duration=65, file_name="session.mp3")
    heard = await ann.next_message()
    assert HEARD in heard.text
    assert len(speech.calls) == 1


async def test_the_identifier_guard_checks_what_was_heard(fake_telegram, voice_bot, speech):
    speech.text = "Jamie Smith led the planning tonight and the others joined in."
    ann = fake_telegram.user(1001, "Ann")
    await tap(ann, await heard_in_a_reflection(ann), "✅ Use it")
    held = await ann.next_message()
    assert "initials" in held.text.lower(), held.text
    assert held.button_texts[0] == "Replace with initials"


async def test_notes_too_long_or_too_big_are_refused_before_any_download(
    fake_telegram, voice_bot, speech
):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await reflect_with(ann, "What? So what")
    await ann.send_voice(duration=301, content=NOTE)
    refused = await ann.next_message()
    assert "5:01 long" in refused.text and "up to 5 minutes" in refused.text
    assert "question 1 of 3" in (await ann.next_message()).text, "the question still waits"
    assert fake_telegram.calls("getFile") == [] and speech.calls == []


async def test_telegram_failing_to_hand_over_the_note_loses_nothing(
    fake_telegram, voice_bot, speech
):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await reflect_with(ann, "What? So what")
    await say(ann, "first answer")
    fake_telegram.fail_next("getFile", error_code=400, description="Bad Request: invalid file_id")
    await ann.send_voice(content=NOTE)
    assert "couldn't fetch that voice note" in (await ann.next_message()).text
    assert "question 2 of 3" in (await ann.next_message()).text, "the question still waits"
    fake_telegram.fail_next_download(500)
    await ann.send_voice(content=NOTE)
    assert "couldn't fetch that voice note" in (await ann.next_message()).text
    assert "question 2 of 3" in (await ann.next_message()).text, "the question still waits"
    assert speech.calls == [] and transcripts(voice_bot, 1001) == []
    await ann.send_voice(content=NOTE)  # sent again: it works
    assert HEARD in (await ann.next_message()).text
    assert answered(voice_bot) == ["first answer"]
    assert voice_bot.services.reflecting.current_step(1001).number == 2


async def test_a_file_the_model_cannot_read_gets_a_clear_answer(fake_telegram, voice_bot, speech):
    from bot.voice import UnreadableAudio

    speech.error = UnreadableAudio("not audio")
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await ann.send_voice(content=b"not audio at all")
    assert "couldn't make out any speech" in (await ann.next_message()).text
    speech.error, speech.text = None, "   "
    await ann.send_voice(content=NOTE)
    assert "couldn't hear any words" in (await ann.next_message()).text
    assert transcripts(voice_bot, 1001) == []


async def test_someone_elses_transcript_buttons_are_refused(fake_telegram, voice_bot):
    ann, bo = fake_telegram.user(1001, "Ann"), fake_telegram.user(1002, "Bo")
    await agree(ann)
    await agree(bo)
    await ann.send_voice(content=NOTE)
    await ann.next_message()
    (row,) = transcripts(voice_bot, 1001)
    for action in ("use", "correct", "discard"):
        answer = await answer_to(bo, bo.press_raw(9999, f"vn:{action}:{row['id']}"))
        assert "expired" in answer.text
    assert [t["text"] for t in transcripts(voice_bot, 1001)] == [HEARD]
    assert HEARD not in bo.transcript()
    assert storage.rows_about(voice_bot.services.db, 1002).get("answers", []) == []


async def test_voice_notes_in_a_group_are_not_fetched(fake_telegram, voice_bot, speech):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    group = fake_telegram.group(-100, "Youth workers")
    await group.add_bot(ann)
    await fake_telegram.wait_idle()
    await group.send_voice(ann, content=NOTE)
    await fake_telegram.wait_idle()
    assert fake_telegram.calls("getFile") == [] and speech.calls == []
    assert transcripts(voice_bot, 1001) == []
    assert ann.messages[-1].text.startswith("Thank you"), "nothing said to Ann in private"


async def test_with_voice_off_the_bot_asks_for_text_and_loses_nothing(fake_telegram, bot_settings):
    async with running_bot(fake_telegram, bot_settings) as bot:  # no speech model
        ann = fake_telegram.user(1001, "Ann")
        await agree(ann)
        await reflect_with(ann, "What? So what")
        await ann.send_voice(content=NOTE)
        assert "Voice notes are turned off" in (await ann.next_message()).text
        assert "question 1 of 3" in (await ann.next_message()).text
        assert fake_telegram.calls("getFile") == []
        assert storage.rows_about(bot.services.db, 1001).get("voice_transcripts", []) == []


async def test_a_long_note_does_not_hold_up_other_practitioners(fake_telegram, bot_settings):
    speech = FakeTranscriber(HEARD, seconds=120, delay=2.0)
    async with running_bot(fake_telegram, bot_settings, transcriber=speech):
        ann, bo = fake_telegram.user(1001, "Ann"), fake_telegram.user(1002, "Bo")
        await agree(ann)
        await agree(bo)
        await ann.send_voice(duration=120, content=NOTE)
        for _ in range(200):  # until the note is with the model
            if speech.calls:
                break
            await asyncio.sleep(0.01)
        started = time.monotonic()
        reply = await say(bo, "/help")
        assert time.monotonic() - started < 1.0, "Bo waited for Ann's note"
        assert reply.text
        assert HEARD in (await ann.next_message(timeout=10)).text


async def test_a_transcript_waits_while_held_text_is_decided(fake_telegram, voice_bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await reflect_with(ann, "What? So what")
    held = await say(ann, "Jamie Smith came early tonight.")
    assert held.button_texts[0] == "Replace with initials"
    await ann.send_voice(content=NOTE)
    heard = await ann.next_message()
    await ann.press(heard, "✅ Use it")
    again = await ann.next_message()
    assert again.button_texts[0] == "Replace with initials", "the held text comes first"
    assert "tap ✅ Use it on it again" in (await ann.next_message()).text
    assert now_of(ann, heard).button_texts[0] == "✅ Use it", "the transcript still waits"
    assert [t["text"] for t in transcripts(voice_bot, 1001)] == [HEARD]
    await ann.press(again, "Replace with initials")
    assert "question 2 of 3" in (await ann.wait_for(lambda m: "question 2" in m.text)).text
    await tap(ann, heard, "✅ Use it")
    await ann.wait_for(lambda m: "question 3 of 3" in (m.text or ""))
    assert answered(voice_bot) == ["J.S. came early tonight.", HEARD]


async def test_a_note_longer_than_telegram_said_is_refused_once_the_model_finds_out(
    fake_telegram, voice_bot, speech
):
    from bot.voice import AudioTooLong

    speech.error = AudioTooLong("more than 5 minutes decoded")
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await ann.send_voice(duration=30, content=NOTE)
    assert "longer than 5 minutes" in (await ann.next_message()).text
    assert transcripts(voice_bot, 1001) == []
