"""Voice reflections: speech to text on this machine, with Whisper base via faster-whisper.

    transcriber = WhisperTranscriber(settings.embedding_cache_dir)
    transcript = transcriber.transcribe(Path("session.ogg"))  # blocks: run it off the loop
    transcript.text, transcript.seconds

The model's files come from two pinned PyPI packages and are joined once into
`cache_dir / "whisper-base"` (`model_dir`). Nothing here imports Telegram or storage, and
faster-whisper is imported only when audio is read or the model loads, so importing this
package never fails when it is absent: `voice_available()` says whether it can run.
`FakeTranscriber` (bot.voice.fake) stands in for the model in fast tests.
"""

from bot.voice.fake import FakeTranscriber
from bot.voice.model import MODEL_FOLDER, VoiceUnavailable, model_dir
from bot.voice.transcriber import (
    MAX_SECONDS,
    MODEL_ID,
    AudioTooLong,
    Transcriber,
    Transcript,
    UnreadableAudio,
    WhisperTranscriber,
    audio_seconds,
    voice_available,
)

__all__ = [
    "MAX_SECONDS",
    "MODEL_FOLDER",
    "MODEL_ID",
    "AudioTooLong",
    "FakeTranscriber",
    "Transcriber",
    "Transcript",
    "UnreadableAudio",
    "VoiceUnavailable",
    "WhisperTranscriber",
    "audio_seconds",
    "model_dir",
    "voice_available",
]
