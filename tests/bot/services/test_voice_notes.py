"""Voice notes: transcribed one at a time, the audio deleted, what was heard kept until the
practitioner decides, and forgotten like any unsaved text."""

from __future__ import annotations

import asyncio
import stat
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import storage
from bot.services import NotAllowed, NotFound
from bot.services.container import Services
from bot.services.voice_notes import (
    MAX_BYTES,
    MAX_SECONDS,
    Busy,
    Heard,
    NothingHeard,
    TooBig,
    TooLong,
    Unreadable,
    VoiceNotesService,
    VoiceOff,
)
from bot.voice import AudioTooLong, FakeTranscriber, VoiceUnavailable
from tests.conftest import FakeClock

from .conftest import ANN, BO

SENT = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


@pytest.fixture
def speech() -> FakeTranscriber:
    return FakeTranscriber("We planned the trip together.", seconds=12.0)


@pytest.fixture
def voice(services: Services, clock: FakeClock, speech: FakeTranscriber, tmp_path: Path):
    services.users.agree(ANN, "Ann")
    services.users.agree(BO, "Bo")
    pool = ThreadPoolExecutor(max_workers=1)
    folder = tmp_path / "notes"
    folder.mkdir()
    yield VoiceNotesService(services.db, speech, clock, pool, folder=folder, max_waiting=3)
    pool.shutdown(wait=True)


async def hear(
    voice: VoiceNotesService, user_id: int = ANN, message_id: int = 7, content: bytes = b"OggS"
):
    """Write a note where the service receives notes, and transcribe it."""
    with voice.receiving() as path:
        path.write_bytes(content)
        outcome = await voice.transcribe(user_id, path, message_id, SENT)
        assert not path.exists(), "the audio is deleted as soon as it is transcribed"
    return outcome


async def test_what_was_heard_is_kept_and_the_audio_is_not(voice, speech, tmp_path, services):
    outcome = await hear(voice, content=b"OggS the note")
    assert isinstance(outcome, Heard)
    t = outcome.transcript
    assert (t.user_id, t.message_id, t.text) == (ANN, 7, "We planned the trip together.")
    assert (t.seconds, t.model_id, t.arrived_at, t.editing) == (
        12.0,
        "fake-transcriber",
        SENT,
        False,
    )
    assert len(speech.calls) == 1
    assert list((tmp_path / "notes").iterdir()) == [], "nothing of the note is left on disk"
    rows = storage.rows_about(services.db, ANN)["voice_transcripts"]
    assert [r["text"] for r in rows] == ["We planned the trip together."]


async def test_the_folder_a_note_is_written_to_is_private_and_always_removed(voice, tmp_path):
    with pytest.raises(RuntimeError), voice.receiving() as path:
        path.write_bytes(b"OggS")
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        raise RuntimeError("the download failed half way")
    assert list((tmp_path / "notes").iterdir()) == []


async def test_the_same_note_heard_again_keeps_the_first_transcript(voice, speech):
    first = await hear(voice)
    speech.text = "something else"
    again = await hear(voice)
    assert again.transcript.id == first.transcript.id
    assert again.transcript.text == "We planned the trip together."
    assert voice.heard_before(ANN, 7).id == first.transcript.id
    assert voice.heard_before(BO, 7) is None


@pytest.mark.parametrize("text", ["", "   ", "\u200b\n"])
async def test_silence_is_nothing_heard_and_nothing_kept(voice, speech, services, text):
    speech.text = text
    assert isinstance(await hear(voice), NothingHeard)
    assert storage.rows_about(services.db, ANN)["voice_transcripts"] == []


async def test_a_file_the_model_cannot_read_is_refused_kindly(voice, speech, services, caplog):
    speech.error = ValueError("Invalid data found when processing input: secret words")
    assert isinstance(await hear(voice), Unreadable)
    assert storage.rows_about(services.db, ANN)["voice_transcripts"] == []
    assert "secret words" not in caplog.text, "nothing from the file reaches the log"


async def test_a_note_longer_than_telegram_said_is_refused_after_all(voice, speech):
    speech.seconds = 400
    assert await hear(voice) == TooLong(None, 300)
    speech.seconds, speech.error = 12.0, AudioTooLong("stopped reading at 5 minutes")
    assert await hear(voice) == TooLong(None, 300)


async def test_a_model_that_cannot_run_turns_voice_off_and_says_why_in_the_log(
    voice, speech, caplog
):
    speech.error = VoiceUnavailable("no room for the model in /cache")
    assert await hear(voice) == VoiceOff()
    assert "no room for the model" in caplog.text


def test_refusals_before_the_download(voice, services, clock):
    assert voice.refusal(300, 1_000) is None
    assert voice.refusal(None, None) is None
    assert voice.refusal(301, 1_000) == TooLong(301, 300)
    assert voice.refusal(60, MAX_BYTES + 1) == TooBig()
    off = VoiceNotesService(services.db, None, clock, None)
    assert off.refusal(10, 10) == VoiceOff()
    assert not off.available and voice.available


async def test_notes_are_transcribed_one_at_a_time_and_the_event_loop_stays_free(voice, speech):
    speech.delay = 0.2
    ticks = 0

    async def ticking() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(ticking())
    started = time.monotonic()
    outcomes = await asyncio.gather(hear(voice, ANN, 1), hear(voice, BO, 2))
    ticker.cancel()
    assert all(isinstance(o, Heard) for o in outcomes)
    assert time.monotonic() - started >= 0.4, "one after the other, not side by side"
    assert ticks >= 20, "others were served while the notes were transcribed"


async def test_beyond_the_waiting_limit_a_note_is_turned_away(voice, speech, tmp_path):
    speech.delay = 0.3
    outcomes = await asyncio.gather(*(hear(voice, ANN, n) for n in range(5)))
    assert sum(isinstance(o, Heard) for o in outcomes) == 3
    assert sum(isinstance(o, Busy) for o in outcomes) == 2
    assert voice.refusal(10, 10) is None, "the count goes back down"
    assert list((tmp_path / "notes").iterdir()) == []


async def test_only_its_owner_can_decide_about_a_transcript(voice):
    heard = (await hear(voice)).transcript
    with pytest.raises(NotAllowed):
        voice.owned(BO, heard.id)
    with pytest.raises(NotAllowed):
        voice.discard(BO, heard.id)
    with pytest.raises(NotAllowed):
        voice.start_correction(BO, heard.id)
    with pytest.raises(NotFound):
        voice.owned(ANN, heard.id + 100)
    assert voice.owned(ANN, heard.id) == heard
    voice.discard(ANN, heard.id)
    with pytest.raises(NotFound):
        voice.owned(ANN, heard.id)


async def test_one_transcript_at_a_time_is_being_corrected(voice):
    first = (await hear(voice, ANN, 1)).transcript
    second = (await hear(voice, ANN, 2)).transcript
    assert voice.being_corrected(ANN) is None
    voice.start_correction(ANN, first.id)
    assert voice.being_corrected(ANN).id == first.id
    voice.start_correction(ANN, second.id)
    assert voice.being_corrected(ANN).id == second.id
    assert voice.being_corrected(BO) is None
    voice.stop_correction(ANN)
    assert voice.being_corrected(ANN) is None
    assert voice.owned(ANN, second.id).text, "stopping a correction keeps the transcript"
    voice.used(second)
    with pytest.raises(NotFound):
        voice.owned(ANN, second.id)


async def test_unused_transcripts_go_after_a_day_like_other_unsaved_text(voice, services, clock):
    await hear(voice)
    assert services.privacy.summary(ANN).unfinished == 1
    clock.now = SENT + timedelta(hours=23)
    assert services.privacy.purge_expired().waiting == 0
    clock.now = SENT + timedelta(hours=24, minutes=1)
    assert services.privacy.purge_expired().waiting == 1
    assert storage.rows_about(services.db, ANN)["voice_transcripts"] == []


async def test_mydata_shows_and_forget_deletes_transcripts(voice, services):
    import json

    await hear(voice)
    await hear(voice, BO, 8)
    document = json.loads(services.privacy.export(ANN).content)
    assert [r["text"] for r in document["tables"]["voice_transcripts"]] == [
        "We planned the trip together."
    ]
    assert "voice_transcripts" in document["about"]
    services.privacy.forget(ANN)
    assert storage.rows_about(services.db, ANN).get("voice_transcripts", []) == []
    assert len(storage.rows_about(services.db, BO)["voice_transcripts"]) == 1


async def test_audio_a_killed_process_left_behind_is_deleted_at_start_up(voice, tmp_path):
    folder = tmp_path / "notes"
    left = folder / "voice-note-x1"
    left.mkdir()
    (left / "note").write_bytes(b"OggS half a note")
    (folder / "unrelated.txt").write_text("not ours")
    assert voice.delete_leftovers() == 1
    assert [p.name for p in folder.iterdir()] == ["unrelated.txt"]
    assert voice.delete_leftovers() == 0


def test_the_configured_transcriber_or_none_when_voice_is_off_or_not_installed(
    settings, monkeypatch, caplog
):
    from dataclasses import replace

    import bot.voice
    from bot.services.container import build_transcriber
    from bot.voice import WhisperTranscriber

    assert build_transcriber(replace(settings, voice=False)) is None
    on = replace(settings, voice=True)
    built = build_transcriber(on)
    assert isinstance(built, WhisperTranscriber)
    assert built.max_seconds == MAX_SECONDS + 1, "the model stops reading past the limit"
    assert built.cache_dir == settings.embedding_cache_dir
    monkeypatch.setattr(bot.voice, "voice_available", lambda: "faster-whisper is missing")
    assert build_transcriber(on) is None
    assert "voice notes are off: faster-whisper is missing" in caplog.text
