"""FakeTranscriber: the deterministic stand-in other modules' tests use."""

from __future__ import annotations

import time

import pytest

from bot.voice import FakeTranscriber, Transcriber, Transcript, UnreadableAudio, VoiceUnavailable
from bot.voice.fake import FAKE_TEXT


@pytest.fixture
def note(tmp_path):
    path = tmp_path / "note.ogg"
    path.write_bytes(b"any bytes: the fake never reads them")
    return path


def test_it_answers_its_text_and_seconds_and_records_the_call(note):
    fake = FakeTranscriber("I ran the drop-in tonight.", seconds=12.0)

    assert fake.transcribe(note) == Transcript("I ran the drop-in tonight.", 12.0)
    assert fake.calls == [note]


def test_by_default_it_hears_a_short_reflection(note):
    assert FakeTranscriber().transcribe(note).text == FAKE_TEXT != ""


def test_texts_are_chosen_by_file_name(tmp_path, note):
    other = tmp_path / "silence.ogg"
    other.write_bytes(b"")
    fake = FakeTranscriber("default", texts={"silence.ogg": ""})

    assert fake.transcribe(other).text == ""
    assert fake.transcribe(note).text == "default"
    assert fake.calls == [other, note]


def test_it_raises_the_error_it_was_given_and_still_records_the_call(note):
    fake = FakeTranscriber(error=VoiceUnavailable("no model"))

    with pytest.raises(VoiceUnavailable, match="no model"):
        fake.transcribe(note)
    assert fake.calls == [note]
    fake.error = None
    assert fake.transcribe(note).text == FAKE_TEXT


def test_a_missing_file_is_unreadable_like_with_the_real_one(tmp_path):
    with pytest.raises(UnreadableAudio, match="no such file"):
        FakeTranscriber().transcribe(tmp_path / "deleted.ogg")


def test_delay_makes_each_call_take_that_long(note):
    fake = FakeTranscriber(delay=0.2)
    start = time.perf_counter()
    fake.transcribe(note)

    assert time.perf_counter() - start >= 0.2


def test_warm_is_recorded_and_it_has_the_interface():
    fake = FakeTranscriber()
    assert not fake.warmed
    fake.warm()

    assert fake.warmed
    assert isinstance(fake, Transcriber)
    assert fake.model_id == "fake-transcriber"
