"""Voice notes: transcribed on this machine, then used, corrected or discarded.

A voice note (or audio file) is checked for length, written to a private folder,
transcribed by the local model in one worker thread (one note at a time for the whole bot,
so a long note never holds up anyone's typing) and deleted at once. What was heard is
kept until the practitioner decides: used, it goes on exactly like typed text (the
identifier guard, the reflection or note, suggestions); corrected, their next text message
takes its place; discarded, it is gone. Unused transcripts go after a day, like any
unsaved text. The audio itself is never stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlite_utils

import storage
from bot.services.errors import NotAllowed, NotFound
from bot.services.text_input import clean_text
from bot.voice import AudioTooLong, Transcriber, Transcript, VoiceUnavailable
from storage import VoiceTranscript

MAX_SECONDS = 5 * 60
"""Longer notes get a clear message instead: about 30 s of the worker's time each."""
MAX_BYTES = 20 * 1024 * 1024
"""Telegram lets bots download files up to 20 MB."""
MAX_WAITING = 10
"""Notes waiting for the worker at once (each practitioner has at most one, as their
updates are handled in order); beyond this, a note is turned away kindly, not queued."""
NOTE_FOLDER_PREFIX = "voice-note-"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Heard:
    """A transcript waiting for the practitioner's decision."""

    transcript: VoiceTranscript


@dataclass(frozen=True)
class NothingHeard:
    """No words in the note (silence, noise)."""


@dataclass(frozen=True)
class TooLong:
    seconds: float | None  # as Telegram gave it; None: longer than it said
    limit: float


@dataclass(frozen=True)
class TooBig:
    """More than Telegram lets a bot download."""


@dataclass(frozen=True)
class VoiceOff:
    """Voice notes are turned off, or the speech model is not installed."""


@dataclass(frozen=True)
class Busy:
    """Too many notes are waiting for the worker: send it again in a few minutes."""


@dataclass(frozen=True)
class Unreadable:
    """The file is not audio the model can read (or transcription failed)."""


Refusal = TooLong | TooBig | VoiceOff | Busy
Outcome = Heard | NothingHeard | Unreadable | Refusal


class VoiceNotesService:
    def __init__(
        self,
        db: sqlite_utils.Database,
        transcriber: Transcriber | None,
        clock: Callable[[], datetime],
        pool: Executor | None,
        *,
        folder: Path | None = None,
        max_seconds: float = MAX_SECONDS,
        max_waiting: int = MAX_WAITING,
    ) -> None:
        """``transcriber`` None: voice is off. ``pool``: the one worker thread notes are
        transcribed on. ``folder``: where notes are written while transcribed (a private
        folder made inside it per note, deleted after; default: the system's temporary
        folder). A note a killed process left there goes at the next start-up."""
        self._db = db
        self._transcriber = transcriber
        self._clock = clock
        self._pool = pool
        self._folder = folder
        self._max_seconds = max_seconds
        self._max_waiting = max_waiting
        self._waiting = 0  # notes handed to the worker and not back yet

    @property
    def available(self) -> bool:
        return self._transcriber is not None

    # -- receiving a note ------------------------------------------------------------------

    def refusal(self, seconds: float | None, size: int | None) -> Refusal | None:
        """Why a note cannot be transcribed, from what Telegram says of it (before it is
        downloaded); None if it can."""
        if self._transcriber is None:
            return VoiceOff()
        if seconds is not None and seconds > self._max_seconds:
            return TooLong(seconds, self._max_seconds)
        if size is not None and size > MAX_BYTES:
            return TooBig()
        if self._waiting >= self._max_waiting:
            return Busy()
        return None

    def delete_leftovers(self) -> int:
        """Delete notes a killed process left in the folder (at start-up); how many."""
        if self._folder is None or not self._folder.is_dir():
            return 0
        left = [p for p in self._folder.iterdir() if p.name.startswith(NOTE_FOLDER_PREFIX)]
        for folder in left:
            shutil.rmtree(folder, ignore_errors=True)
        return len(left)

    def heard_before(self, user_id: int, message_id: int) -> VoiceTranscript | None:
        """The transcript of a note already heard (its update came again after a restart)."""
        return storage.transcript_of_message(self._db, user_id, message_id)

    @contextlib.contextmanager
    def receiving(self) -> Iterator[Path]:
        """A path to write the note to, in a folder only this process can read, deleted
        with everything in it when the block ends, whatever happens."""
        if self._folder is not None:
            self._folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=NOTE_FOLDER_PREFIX, dir=self._folder))
        try:
            yield folder / "note"
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    async def transcribe(
        self, user_id: int, audio: Path, message_id: int, sent_at: datetime
    ) -> Outcome:
        """Transcribe the note at ``audio`` (deleted as soon as it is read) and keep what
        was heard for the practitioner's decision."""
        transcriber = self._transcriber
        if transcriber is None:
            return VoiceOff()
        if self._waiting >= self._max_waiting:
            audio.unlink(missing_ok=True)
            return Busy()
        self._waiting += 1
        try:
            heard = await asyncio.get_running_loop().run_in_executor(
                self._pool, _transcribe_and_delete, transcriber, audio
            )
        except AudioTooLong:  # Telegram said less than it was
            return TooLong(None, self._max_seconds)
        except VoiceUnavailable as error:  # e.g. no room to join the model: tell the admin
            log.error("voice notes cannot be transcribed: %s", error)
            return VoiceOff()
        except Exception as error:  # noqa: BLE001 - a bad file must not take the bot down
            log.warning("could not transcribe a voice note: %s", type(error).__name__)
            return Unreadable()
        finally:
            self._waiting -= 1
        if heard.seconds > self._max_seconds + 1:  # Telegram said less than it was
            return TooLong(None, self._max_seconds)
        text = clean_text(heard.text)
        if text is None:
            return NothingHeard()
        return Heard(
            storage.save_transcript(
                self._db,
                user_id,
                message_id,
                text,
                heard.seconds,
                transcriber.model_id,
                sent_at,
                self._clock(),
            )
        )

    # -- the practitioner's decision -------------------------------------------------------

    def owned(self, user_id: int, transcript_id: int) -> VoiceTranscript:
        """The practitioner's transcript; NotFound / NotAllowed for anything else."""
        transcript = storage.get_transcript(self._db, transcript_id)
        if transcript is None:
            raise NotFound("that voice note's transcript is gone")
        if transcript.user_id != user_id:
            raise NotAllowed("not your transcript")
        return transcript

    def used(self, transcript: VoiceTranscript) -> None:
        """Its text went on as typed text would (or was replaced): forget the transcript."""
        storage.delete_transcript(self._db, transcript.id)

    def discard(self, user_id: int, transcript_id: int) -> None:
        storage.delete_transcript(self._db, self.owned(user_id, transcript_id).id)

    def start_correction(self, user_id: int, transcript_id: int) -> VoiceTranscript:
        """The practitioner's next text message replaces this transcript."""
        transcript = self.owned(user_id, transcript_id)
        storage.set_transcript_editing(self._db, user_id, transcript.id)
        return transcript

    def being_corrected(self, user_id: int) -> VoiceTranscript | None:
        return storage.transcript_being_edited(self._db, user_id)

    def stop_correction(self, user_id: int) -> None:
        """They moved on: the transcript stays, with its buttons, for later."""
        storage.set_transcript_editing(self._db, user_id, None)


def _transcribe_and_delete(transcriber: Transcriber, audio: Path) -> Transcript:
    try:
        return transcriber.transcribe(audio)
    finally:
        audio.unlink(missing_ok=True)
