"""A deterministic stand-in for `WhisperTranscriber`, for fast tests of the services and
handlers that take voice notes: no model, no audio decoding."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

from bot.voice.transcriber import Transcript, UnreadableAudio

FAKE_TEXT = "Tonight's youth group planned the summer trip and I stepped back."


class FakeTranscriber:
    """Answers every `transcribe` with fixed text, and records what it was asked.

    - The text is `texts[path.name]` if given for that file name, else `text`; the
      transcript's `seconds` is `seconds`.
    - Like the real one, it wants the file to exist (UnreadableAudio otherwise), so a
      handler that deletes the download too early fails its test.
    - `delay` seconds of `time.sleep` in each call stand in for slow work (e.g. to test
      that the event loop stays free while a note is transcribed).
    - `error`, if set (at construction or later), is raised by every call instead of
      answering; calls are recorded either way.

        fake = FakeTranscriber("I ran the drop-in tonight.", seconds=12.0)
        fake.transcribe(note)  # Transcript("I ran the drop-in tonight.", 12.0)
        fake.calls             # [note]
        fake.error = VoiceUnavailable("no model")
    """

    model_id = "fake-transcriber"

    def __init__(
        self,
        text: str = FAKE_TEXT,
        *,
        texts: Mapping[str, str] | None = None,
        seconds: float = 5.0,
        delay: float = 0.0,
        error: Exception | None = None,
    ) -> None:
        self.text = text
        self.texts = dict(texts or {})
        self.seconds = seconds
        self.delay = delay
        self.error = error
        self.calls: list[Path] = []
        self.warmed = False

    def __repr__(self) -> str:
        return f"FakeTranscriber({self.text!r})"

    def warm(self) -> None:
        """Nothing to load; remembers that it was asked."""
        self.warmed = True

    def transcribe(self, path: Path) -> Transcript:
        """The configured text for `path`, after `delay` seconds; or raises `error`."""
        self.calls.append(path)
        if self.delay:
            time.sleep(self.delay)
        if self.error is not None:
            raise self.error
        if not Path(path).is_file():
            raise UnreadableAudio(f"{path}: no such file")
        return Transcript(self.texts.get(Path(path).name, self.text), self.seconds)
