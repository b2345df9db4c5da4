"""Make `reflection.ogg`: a short spoken reflection, encoded like a Telegram voice note.

    .venv/bin/python tests/data/voice/make_sample.py [--out tests/data/voice/reflection.ogg]

espeak-ng (Debian: `apt-get install espeak-ng`) speaks `TEXT` in a British English voice;
PyAV (installed with faster-whisper) resamples it to 48 kHz mono and encodes it as
Ogg/Opus at about 24 kbit/s, as Telegram's voice notes are, so no ffmpeg is needed. Only
this script needs espeak-ng: the tests read the committed file (12.9 s, 40 KB). With
espeak-ng 1.51 and PyAV 18.1 it makes the same bytes each time. benchmarks/bench_voice.py
imports `speak` and `encode_opus` to build longer notes at run time, and the tests import
`encode_opus` to make silence.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import wave
from pathlib import Path

import av
import numpy as np

TEXT = (
    "Tonight's youth group planned the summer trip. The young people chose the"
    " activities themselves and I stepped back. Next time I want to ask the quieter"
    " members what they think before the group decides."
)
VOICE = "en-gb"
WORDS_PER_MINUTE = 150
SAMPLE_RATE = 48_000  # Opus runs at 48 kHz; Telegram's voice notes do too
BIT_RATE = 24_000
HERE = Path(__file__).resolve().parent


def speak(text: str, voice: str = VOICE, words_per_minute: int = WORDS_PER_MINUTE) -> bytes:
    """`text` spoken by espeak-ng, as the bytes of a 16-bit mono WAV file."""
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is not installed: apt-get install espeak-ng")
    return subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(words_per_minute), "--stdout", text],
        capture_output=True,
        check=True,
    ).stdout


def wav_samples(wav: bytes) -> tuple[np.ndarray, int]:
    """The 16-bit mono samples of a WAV file and its sample rate."""
    with wave.open(io.BytesIO(wav)) as reader:
        if reader.getnchannels() != 1 or reader.getsampwidth() != 2:
            raise ValueError("expected 16-bit mono WAV")
        frames = reader.readframes(reader.getnframes())
        return np.frombuffer(frames, dtype=np.int16), reader.getframerate()


def encode_opus(samples: np.ndarray, rate: int, out: Path) -> None:
    """Write 16-bit mono `samples` at `rate` Hz to `out` as 48 kHz Ogg/Opus."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    # bitexact: a fixed Ogg stream serial number, so the same text gives the same file.
    with av.open(str(out), mode="w", format="ogg", options={"fflags": "+bitexact"}) as container:
        stream = container.add_stream("libopus", rate=SAMPLE_RATE, layout="mono")
        stream.bit_rate = BIT_RATE
        step = rate  # one second at a time
        for start in range(0, len(samples), step):
            frame = av.AudioFrame.from_ndarray(
                samples[start : start + step].reshape(1, -1), format="s16", layout="mono"
            )
            frame.sample_rate = rate
            for resampled in resampler.resample(frame):
                container.mux(stream.encode(resampled))
        for resampled in resampler.resample(None):
            container.mux(stream.encode(resampled))
        container.mux(stream.encode(None))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "reflection.ogg")
    args = parser.parse_args()
    samples, rate = wav_samples(speak(TEXT))
    encode_opus(samples, rate, args.out)
    print(f"wrote {args.out}: {len(samples) / rate:.1f} s, {args.out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
