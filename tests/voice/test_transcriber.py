"""Reading audio, loading the model once, and what Whisper hears (the last ones are slow:
they run the real model on tests/data/voice/reflection.ogg)."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import threading
import time
import wave
from pathlib import Path

import numpy as np
import pytest

import bot.voice.transcriber as transcriber_module
from bot.voice import (
    MAX_SECONDS,
    MODEL_ID,
    AudioTooLong,
    Transcriber,
    Transcript,
    UnreadableAudio,
    VoiceUnavailable,
    WhisperTranscriber,
    audio_seconds,
    voice_available,
)
from bot.voice.transcriber import DEFAULT_CPU_THREADS, decode
from tests.voice.conftest import SAMPLE, understated, write_opus

# A 1x1 PNG: a file PyAV opens (as an image) that holds no audio.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
SAMPLE_SECONDS = 12.94
CONTENT_WORDS = ("youth", "summer", "trip", "activities")


def test_audio_seconds_reads_the_length_of_a_voice_note():
    assert audio_seconds(SAMPLE) == pytest.approx(SAMPLE_SECONDS, abs=0.05)


def test_audio_seconds_of_a_note_made_at_run_time(tmp_path):
    note = write_opus(tmp_path / "three.ogg", np.zeros(3 * 48_000))

    assert audio_seconds(note) == pytest.approx(3.0, abs=0.05)


@pytest.mark.parametrize(
    "content",
    [b"this is a text file, not a recording\n" * 20, bytes(range(256)) * 40, b""],
    ids=["text", "junk", "empty"],
)
def test_what_is_not_audio_is_unreadable_audio_naming_the_file(tmp_path, content):
    path = tmp_path / "note.ogg"  # as Telegram names them; FFmpeg's reason varies with it
    path.write_bytes(content)

    with pytest.raises(UnreadableAudio, match=f"^cannot read {re.escape(str(path))} as audio: "):
        audio_seconds(path)
    with pytest.raises(UnreadableAudio, match=f"^cannot read {re.escape(str(path))} as audio: "):
        decode(path)


def test_a_file_with_no_audio_stream_says_so(tmp_path):
    image = tmp_path / "photo.png"
    image.write_bytes(PNG)

    with pytest.raises(UnreadableAudio, match=f"^{re.escape(str(image))} holds no audio$"):
        audio_seconds(image)


def test_a_missing_file_is_unreadable_audio(tmp_path):
    with pytest.raises(UnreadableAudio, match="no such file"):
        audio_seconds(tmp_path / "gone.ogg")


def test_unreadable_audio_is_a_value_error():
    assert issubclass(UnreadableAudio, ValueError)


def test_decode_gives_16_khz_mono_float_samples():
    audio = decode(SAMPLE)

    assert audio.dtype == np.float32 and audio.ndim == 1
    assert len(audio) / 16_000 == pytest.approx(SAMPLE_SECONDS, abs=0.05)
    assert 0.05 < np.abs(audio).max() <= 1.0


def test_decode_hears_exactly_what_faster_whisper_would():
    from faster_whisper.audio import decode_audio

    assert np.array_equal(decode(SAMPLE), decode_audio(str(SAMPLE)))


def test_decoding_stops_past_max_seconds():
    assert len(decode(SAMPLE, max_seconds=13)) / 16_000 == pytest.approx(SAMPLE_SECONDS, abs=0.05)
    with pytest.raises(AudioTooLong, match="lasts more than 0.2 minutes"):
        decode(SAMPLE, max_seconds=12)


def test_a_header_that_understates_the_length_does_not_get_past_the_limit(tmp_path):
    lying = tmp_path / "lying.ogg"
    lying.write_bytes(understated(SAMPLE.read_bytes(), 2 * 48_000))

    assert audio_seconds(lying) == pytest.approx(2.0)  # what the header says
    assert len(decode(lying)) / 16_000 > 10  # what is there
    with pytest.raises(AudioTooLong):
        decode(lying, max_seconds=5)


def test_a_cut_off_note_gives_what_came_before_the_cut(tmp_path):
    cut = tmp_path / "cut.ogg"
    content = SAMPLE.read_bytes()
    cut.write_bytes(content[: len(content) * 7 // 10])

    assert 8 < len(decode(cut)) / 16_000 < SAMPLE_SECONDS - 2


class FakeWhisperModel:
    """Stands in for faster_whisper.WhisperModel: counts loads, answers fixed segments."""

    loads = 0
    load_seconds = 0.0
    texts = (" Tonight's youth group ", " planned\n the   summer trip. ", "  ")

    def __init__(self, path: str, **options: object) -> None:
        time.sleep(self.load_seconds)
        type(self).loads += 1
        self.path, self.options = path, options
        self.calls: list[dict] = []

    def transcribe(self, audio: np.ndarray, **options: object):
        self.calls.append({"samples": len(audio), **options})
        segments = (type("Segment", (), {"text": text})() for text in self.texts)
        return segments, None


@pytest.fixture
def fake_whisper(monkeypatch, tmp_path):
    """faster-whisper's model class replaced by FakeWhisperModel, and no model join."""
    import faster_whisper

    FakeWhisperModel.loads = 0
    monkeypatch.setattr(faster_whisper, "WhisperModel", FakeWhisperModel)
    monkeypatch.setattr(transcriber_module, "model_dir", lambda cache: cache / "whisper-base")
    return FakeWhisperModel


def test_segments_are_joined_with_single_spaces(tmp_path, fake_whisper):
    transcript = WhisperTranscriber(tmp_path).transcribe(SAMPLE)

    assert transcript == Transcript(
        "Tonight's youth group planned the summer trip.", pytest.approx(SAMPLE_SECONDS, abs=0.05)
    )


def test_the_model_runs_as_specified(tmp_path, fake_whisper):
    transcriber = WhisperTranscriber(tmp_path, cpu_threads=2)
    transcriber.transcribe(SAMPLE)

    model = transcriber._model
    assert model.path == str(tmp_path / "whisper-base")
    assert model.options["compute_type"] == "int8" and model.options["device"] == "cpu"
    assert model.options["cpu_threads"] == 2
    [call] = model.calls
    assert call["language"] == "en" and call["beam_size"] == 1 and call["vad_filter"] is True
    assert call["samples"] == pytest.approx(SAMPLE_SECONDS * 16_000, abs=800)


def test_the_model_loads_once_however_many_threads_ask(tmp_path, fake_whisper):
    fake_whisper.load_seconds = 0.05
    transcriber = WhisperTranscriber(tmp_path)
    threads = [threading.Thread(target=transcriber.warm) for _ in range(4)]
    threads += [threading.Thread(target=transcriber.transcribe, args=(SAMPLE,)) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        fake_whisper.load_seconds = 0.0

    assert fake_whisper.loads == 1
    assert len(transcriber._model.calls) == 2


def test_a_bad_file_fails_before_the_model_loads(tmp_path, fake_whisper):
    junk = tmp_path / "junk.ogg"
    junk.write_bytes(b"not audio")

    with pytest.raises(UnreadableAudio):
        WhisperTranscriber(tmp_path).transcribe(junk)
    assert fake_whisper.loads == 0


def test_a_note_longer_than_the_limit_is_refused_without_the_model(tmp_path, fake_whisper):
    lying = tmp_path / "lying.ogg"
    lying.write_bytes(understated(SAMPLE.read_bytes(), 2 * 48_000))

    with pytest.raises(AudioTooLong):
        WhisperTranscriber(tmp_path, max_seconds=5).transcribe(lying)
    assert fake_whisper.loads == 0
    assert WhisperTranscriber(tmp_path).max_seconds == MAX_SECONDS == 30 * 60


def test_a_note_with_no_sound_at_all_is_empty_text_without_the_model(tmp_path, fake_whisper):
    empty = tmp_path / "empty.wav"
    with wave.open(str(empty), "wb") as writer:  # a header and no samples
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(16_000)

    assert WhisperTranscriber(tmp_path).transcribe(empty) == Transcript("", 0.0)
    assert fake_whisper.loads == 0


def test_a_model_that_does_not_load_is_voice_unavailable(tmp_path, monkeypatch):
    monkeypatch.setattr(transcriber_module, "model_dir", lambda cache: cache)  # no model here

    with pytest.raises(VoiceUnavailable, match="does not load.*delete that folder"):
        WhisperTranscriber(tmp_path).warm()


def test_missing_model_packages_are_voice_unavailable(tmp_path, monkeypatch):
    def no_packages() -> None:
        raise VoiceUnavailable("the speech model package X is not installed")

    monkeypatch.setattr("bot.voice.model.installed_source", no_packages)

    with pytest.raises(VoiceUnavailable, match="not installed"):
        WhisperTranscriber(tmp_path).transcribe(SAMPLE)
    assert voice_available() == "the speech model package X is not installed"


def test_voice_is_available_here():
    assert voice_available() is None


def test_without_faster_whisper_voice_is_unavailable_and_says_what_to_install(
    tmp_path, monkeypatch
):
    monkeypatch.setitem(sys.modules, "faster_whisper", None)  # import fails

    assert "pip install faster-whisper==1.2.1" in voice_available()
    with pytest.raises(VoiceUnavailable, match="faster-whisper"):
        WhisperTranscriber(tmp_path).warm()


def test_importing_bot_voice_loads_no_speech_library_and_works_without_them():
    code = (
        "import sys\n"
        "for name in ('faster_whisper', 'ctranslate2', 'av', 'onnxruntime'):\n"
        "    sys.modules[name] = None\n"
        "import bot.voice\n"
        "print(bot.voice.voice_available())\n"
    )
    absent = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert absent.returncode == 0, absent.stderr
    assert "faster-whisper cannot be imported" in absent.stdout

    code = "import sys, bot.voice; print(sorted({'faster_whisper', 'av'} & set(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert loaded.stdout.strip() == "[]"


def test_the_real_transcriber_has_the_interface_and_its_model_id():
    transcriber = WhisperTranscriber(Path("unused"))

    assert isinstance(transcriber, Transcriber)
    assert transcriber.model_id == MODEL_ID == "faster-whisper/base-int8"
    assert transcriber.cpu_threads == DEFAULT_CPU_THREADS == 1


@pytest.mark.slow
def test_the_real_model_hears_the_reflection(real_model_cache):
    transcript = WhisperTranscriber(real_model_cache).transcribe(SAMPLE)

    words = transcript.text.lower()
    heard = [word for word in CONTENT_WORDS if word in words]
    assert len(heard) >= 3, transcript.text
    assert transcript.text == transcript.text.strip() and "  " not in transcript.text
    assert transcript.seconds == pytest.approx(SAMPLE_SECONDS, abs=0.05)


@pytest.mark.slow
def test_the_real_model_hears_nothing_in_near_silence(real_model_cache, quiet_note):
    transcriber = WhisperTranscriber(real_model_cache)
    transcriber.warm()

    transcript = transcriber.transcribe(quiet_note)

    assert transcript.text == ""
    assert transcript.seconds == pytest.approx(2.0, abs=0.05)
