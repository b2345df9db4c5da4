"""Speech to text on this machine: faster-whisper running Whisper base, int8, on the CPU.

faster-whisper (and with it CTranslate2, onnxruntime and PyAV) is imported inside the
functions that need it, so `import bot.voice` works without it and `reflectbot --help`
stays instant. The model loads once, on first use, behind a lock; PyAV decodes Ogg/Opus
voice notes itself, so no ffmpeg is needed.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from bot.voice.model import PACKAGE_VERSION, PART1, PART2, VoiceUnavailable, model_dir

if TYPE_CHECKING:
    import numpy as np

MODEL_ID = "faster-whisper/base-int8"
FASTER_WHISPER = "faster-whisper==1.2.1"
SAMPLE_RATE = 16_000  # what Whisper hears
MAX_SECONDS = 30 * 60
"""The longest audio `transcribe` takes by default (its 16 kHz samples take 115 MB and
the transcription about 3 minutes of a core); `WhisperTranscriber(max_seconds=...)`
sets another."""
DEFAULT_CPU_THREADS = 1
"""CTranslate2 threads for one transcription: one, so a voice note never takes both cores.

Measured on the 2-core development machine (benchmarks/bench_voice.py, 5 runs each, with
another job sometimes running). Alone, a second thread makes a 2-minute note 1.4 times
as fast (11.3 s -> 8.0 s, real-time factor 0.087 -> 0.062) for 10% more CPU time. Beside
the bot's sentence encoder, encoding without pause, the gain was gone (11.0 s with one
thread, 11.8 s with two), and the encoder was slowed about the same either way (p50 89 or
86 ms, against 48 ms alone: torch uses both cores). So a second thread helps only on an
idle machine, costs CPU time, and leaves no core for PTB and the identifier guard while a
note is transcribed; with one, a 2-minute note still takes about 11 s."""
log = logging.getLogger(__name__)


class UnreadableAudio(ValueError):
    """The file is missing, not audio, or corrupt; the message says which file and why."""


class AudioTooLong(UnreadableAudio):
    """The audio lasts longer than the transcriber takes (`max_seconds`)."""


@dataclass(frozen=True)
class Transcript:
    """What was said, and how long the audio lasts (seconds)."""

    text: str
    seconds: float


@runtime_checkable
class Transcriber(Protocol):
    """Turns a recording into text; `transcribe` blocks, so callers on the event loop run
    it in a worker thread (`asyncio.to_thread`)."""

    @property
    def model_id(self) -> str: ...

    def warm(self) -> None:
        """Load any model now (e.g. at start-up) rather than on the first `transcribe`."""
        ...

    def transcribe(self, path: Path) -> Transcript:
        """The text spoken in the audio file at `path` ("" if nobody speaks);
        UnreadableAudio if it is not audio, VoiceUnavailable if the model cannot run."""
        ...


def voice_available() -> str | None:
    """None if speech-to-text can run here (faster-whisper imports and both model packages
    are installed); otherwise the reason, in one short sentence with the fix."""
    try:
        import faster_whisper  # noqa: F401
    except (ImportError, OSError) as error:
        return f"faster-whisper cannot be imported ({error}): pip install {FASTER_WHISPER}"
    from bot.voice.model import installed_source

    try:
        installed_source()
    except VoiceUnavailable as error:
        return str(error)
    return None


def audio_seconds(path: Path) -> float:
    """How long the audio in `path` lasts, from the container's header when it says
    (Ogg/Opus does), else by decoding it; UnreadableAudio if it has no audio.

    A header can understate the length (an Ogg file's last page says how many samples
    came before it), so `transcribe` enforces its own limit while decoding as well.
    """
    av = _av()
    with _reading(path, av) as container:
        stream = container.streams.audio[0]
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        if container.duration is not None:
            return container.duration / av.time_base
        samples = 0
        rate = stream.rate or 1
        for frame in _frames(container, av):
            samples += frame.samples
            rate = frame.sample_rate or rate
        return samples / rate


def decode(path: Path, max_seconds: float = MAX_SECONDS) -> np.ndarray:
    """The audio in `path` as Whisper hears it: 16 kHz mono float32 samples in [-1, 1).
    UnreadableAudio if it holds no audio; AudioTooLong as soon as more than `max_seconds`
    has been decoded, whatever the header says."""
    import numpy as np

    av = _av()
    limit = int(max_seconds * SAMPLE_RATE)
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    chunks: list[np.ndarray] = []
    samples = 0
    with _reading(path, av) as container:
        for frame in itertools.chain(_frames(container, av), [None]):  # None: flush
            for resampled in resampler.resample(frame):
                chunk = resampled.to_ndarray().reshape(-1)
                samples += len(chunk)
                if samples > limit:
                    raise AudioTooLong(
                        f"{path} lasts more than {max_seconds / 60:g} minutes, the most"
                        " transcribed at once"
                    )
                chunks.append(chunk)
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    audio = np.concatenate(chunks).astype(np.float32)
    audio /= 32768.0
    return audio


def _av() -> Any:
    """PyAV, or VoiceUnavailable saying how to install it (it comes with faster-whisper)."""
    try:
        import av
    except ImportError as error:
        raise VoiceUnavailable(
            f"PyAV cannot be imported ({error}): pip install {FASTER_WHISPER}"
        ) from error
    return av


@contextlib.contextmanager
def _reading(path: Path, av: Any) -> Iterator[Any]:
    """`path` opened with PyAV, with at least one audio stream; FFmpeg's errors, while
    opening or decoding, become UnreadableAudio naming the file."""
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise UnreadableAudio(f"{path} holds no audio")
            yield container
    except FileNotFoundError:
        raise UnreadableAudio(f"{path}: no such file") from None
    except (av.FFmpegError, OSError) as error:
        reason = getattr(error, "strerror", None) or str(error)  # without PyAV's errno
        reason = reason[:1].lower() + reason[1:]
        raise UnreadableAudio(f"cannot read {path} as audio: {reason}") from None


def _frames(container: Any, av: Any) -> Iterator[Any]:
    """The first audio stream's frames, up to any damage at the end (a cut-off upload):
    what came before it is kept, as faster-whisper does."""
    frames = container.decode(audio=0)
    while True:
        try:
            frame = next(frames)
        except StopIteration:
            return
        except av.error.InvalidDataError:
            return
        yield frame


class WhisperTranscriber:
    """Whisper base (int8) through faster-whisper, on the CPU, in English: greedy decoding
    (beam size 1) and Silero voice activity detection, which drops silence and noise
    before Whisper sees them.

    The model folder is joined into `cache_dir` on first use (see `model_dir`). One
    transcription runs at a time: on two cores, parallel ones would only slow each other
    down and hold more audio in memory.
    """

    def __init__(
        self,
        cache_dir: Path,
        cpu_threads: int = DEFAULT_CPU_THREADS,
        *,
        max_seconds: float = MAX_SECONDS,
    ) -> None:
        self.cache_dir = cache_dir
        self.cpu_threads = cpu_threads
        self.max_seconds = max_seconds
        self._model: Any = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"WhisperTranscriber({str(self.cache_dir)!r}, cpu_threads={self.cpu_threads})"

    @property
    def model_id(self) -> str:
        return MODEL_ID

    def warm(self) -> None:
        """Join the model files if needed and load the model now."""
        self._whisper()

    def transcribe(self, path: Path) -> Transcript:
        """The text spoken in `path`, segments joined by single spaces ("" for silence),
        and the audio's length. Blocks for about a tenth of the audio's length.
        UnreadableAudio for a file that is not audio (AudioTooLong past `max_seconds`),
        VoiceUnavailable if the model cannot be joined or loaded."""
        with self._run_lock:
            # Before the model: a bad file never costs a model load.
            audio = decode(path, self.max_seconds)
            seconds = len(audio) / SAMPLE_RATE
            if not len(audio):
                return Transcript("", 0.0)
            segments, _ = self._whisper().transcribe(
                audio, language="en", beam_size=1, vad_filter=True
            )
            text = " ".join(word for segment in segments for word in segment.text.split())
        return Transcript(text, seconds)

    def _whisper(self) -> Any:
        """The faster-whisper model, loading it under a lock the first time."""
        if self._model is not None:
            return self._model
        with self._load_lock:
            if self._model is None:
                self._model = self._load()
        return self._model

    def _load(self) -> Any:
        """Import faster-whisper and load the model from the cache, or VoiceUnavailable."""
        try:
            from faster_whisper import WhisperModel
        except (ImportError, OSError) as error:
            raise VoiceUnavailable(
                f"faster-whisper cannot be imported ({error}): pip install {FASTER_WHISPER}"
            ) from error
        folder = model_dir(self.cache_dir)
        started = time.perf_counter()
        try:
            model = WhisperModel(
                str(folder),
                device="cpu",
                compute_type="int8",
                cpu_threads=self.cpu_threads,
                local_files_only=True,
            )
        except Exception as error:  # CTranslate2 raises RuntimeError and ValueError alike
            raise VoiceUnavailable(
                f"the speech model in {folder} does not load ({type(error).__name__}:"
                f" {error}): delete that folder so it is joined again from"
                f" {PART1}=={PACKAGE_VERSION} and {PART2}=={PACKAGE_VERSION}"
            ) from error
        log.info(
            "speech model %s loaded in %.1f s (%d CPU thread(s))",
            MODEL_ID,
            time.perf_counter() - started,
            self.cpu_threads,
        )
        return model
