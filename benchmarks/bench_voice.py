"""How fast voice notes are transcribed on this machine: Whisper base, int8, on the CPU.

    .venv/bin/python benchmarks/bench_voice.py [--runs 3] [--threads 1 2] [--neighbour] [--json]

Builds a ~30 s and a ~2 min voice note (Ogg/Opus at 24 kbit/s, as Telegram sends them)
in a temp folder: the reflection in bench_suggest.py spoken by espeak-ng, or, without
espeak-ng, tests/data/voice/reflection.ogg looped. Joins the model once into a temp
cache folder (timed), then for each CTranslate2 thread count a fresh process loads the
model (timed) and transcribes each note `--runs` times: wall time (median), real-time
factor (wall time / audio length: 0.1 means a minute of speech takes 6 s) and the
process's CPU time (all its threads; the same as the wall time means one busy core) and
peak RSS so far.

With --neighbour, each thread count runs again while another process encodes a 250-word
reflection over and over with the bot's sentence encoder (what the bot does beside a
transcription); that process's encode latency is printed alone and beside each.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests" / "data" / "voice"))
from bench_suggest import LONG, LONG_SENTENCES  # noqa: E402
from make_sample import encode_opus, speak, wav_samples  # noqa: E402

SAMPLE = ROOT / "tests" / "data" / "voice" / "reflection.ogg"
GAP_SECONDS = 0.4  # silence between sentences or loops
WORKER = r"""
import json, resource, statistics, sys, time
from pathlib import Path
from bot.voice import WhisperTranscriber, audio_seconds

cache, threads, runs, notes = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

transcriber = WhisperTranscriber(cache, cpu_threads=threads)
start = time.perf_counter()
transcriber.warm()
result = {"load": time.perf_counter() - start, "rss_loaded": peak_mb(), "notes": []}
for note in map(Path, notes):
    walls, cpus, words = [], [], 0
    for _ in range(runs):
        start, cpu = time.perf_counter(), cpu_seconds()
        transcript = transcriber.transcribe(note)
        walls.append(time.perf_counter() - start)
        cpus.append(cpu_seconds() - cpu)
        words = len(transcript.text.split())
    result["notes"].append({
        "audio": audio_seconds(note), "wall": statistics.median(walls), "walls": walls,
        "cpu": statistics.median(cpus), "words": words, "rss": peak_mb(),
    })
print(json.dumps(result))
"""
NEIGHBOUR = r"""
import json, statistics, sys, time
from bot.config import load_settings
from bot.services.container import build_suggester
encoder = build_suggester(load_settings(require_token=False)).encoder
text = sys.argv[1]
encoder.encode([text])
print("ready", flush=True)
times = []
while not sys.stdin.readline().strip():  # one empty line per batch of encodes, "stop" ends
    for _ in range(5):
        start = time.perf_counter()
        encoder.encode([text])
        times.append((time.perf_counter() - start) * 1000)
    print("ok", flush=True)
times.sort()
print(json.dumps({
    "encodes": len(times), "p50": statistics.median(times),
    "p95": times[int(0.95 * (len(times) - 1))],
}))
"""


def build_notes(folder: Path) -> tuple[dict[str, Path], str]:
    """A ~30 s and a ~2 min voice note in `folder`, and how they were made."""
    if shutil.which("espeak-ng"):
        rate = 0
        sentences: list[np.ndarray] = []
        for sentence in LONG_SENTENCES:
            samples, rate = wav_samples(speak(sentence))
            sentences.append(samples)
        gap = np.zeros(int(GAP_SECONDS * rate), dtype=np.int16)
        notes = {}
        for name, target in (("30 s", 30.0), ("2 min", 120.0)):
            parts: list[np.ndarray] = []
            while sum(len(p) for p in parts) < target * rate:
                parts += [sentences[len(parts) // 2 % len(sentences)], gap]
            notes[name] = folder / f"note-{name.replace(' ', '')}.ogg"
            encode_opus(np.concatenate(parts), rate, notes[name])
        return notes, "bench_suggest.LONG_SENTENCES spoken by espeak-ng"
    samples, rate = decoded(SAMPLE)
    gap = np.zeros(int(GAP_SECONDS * rate), dtype=np.int16)
    notes = {}
    for name, target in (("30 s", 30.0), ("2 min", 120.0)):
        loops = max(1, round(target * rate / (len(samples) + len(gap))))
        notes[name] = folder / f"note-{name.replace(' ', '')}.ogg"
        encode_opus(np.concatenate([samples, gap] * loops), rate, notes[name])
    return notes, f"{SAMPLE.name} looped (espeak-ng is not installed)"


def decoded(path: Path) -> tuple[np.ndarray, int]:
    """The 16-bit mono samples of an audio file and their rate."""
    with av.open(str(path)) as container:
        frames = [f.to_ndarray().reshape(-1) for f in container.decode(audio=0)]
        rate = container.streams.audio[0].rate
    samples = np.concatenate(frames)
    if samples.dtype != np.int16:  # Opus decodes to float
        samples = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
    return samples, rate


def transcribe_in_fresh_process(cache: Path, threads: int, runs: int, notes: list[Path]) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", WORKER, str(cache), str(threads), str(runs), *map(str, notes)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=1800,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


class Neighbour:
    """A process encoding reflections with the bot's sentence encoder until told to stop."""

    def __init__(self) -> None:
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-c", NEIGHBOUR, LONG],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        assert self.process.stdin and self.process.stdout
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("the neighbour did not start")

    def encode_while(self, work) -> tuple[object, dict]:
        """Run `work()` in a thread while the neighbour encodes; (its result, latencies)."""
        import threading

        box: dict[str, object] = {}
        thread = threading.Thread(target=lambda: box.setdefault("result", work()))
        thread.start()
        while thread.is_alive():
            self._batch()
        self._batch()
        return box["result"], self._stop()

    def encode_for(self, seconds: float) -> dict:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self._batch()
        return self._stop()

    def _batch(self) -> None:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin and stdout
        stdin.write("\n")
        stdin.flush()
        stdout.readline()

    def _stop(self) -> dict:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin and stdout
        stdin.write("stop\n")
        stdin.flush()
        figures = json.loads(stdout.readline())
        self.process.wait(timeout=60)
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="transcriptions per note (median)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--neighbour", action="store_true", help="also beside the encoder")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from bot.voice import audio_seconds, model_dir

    with tempfile.TemporaryDirectory(prefix="bench-voice-") as temp:
        folder = Path(temp)
        notes, made = build_notes(folder)
        start = time.perf_counter()
        model_dir(folder / "cache")
        join = time.perf_counter() - start
        results: dict[str, object] = {
            "notes": made,
            "join": join,
            "sizes": {name: path.stat().st_size for name, path in notes.items()},
            "audio": {name: audio_seconds(path) for name, path in notes.items()},
            "alone": {},
        }
        paths = list(notes.values())
        for threads in args.threads:
            results["alone"][threads] = transcribe_in_fresh_process(  # type: ignore[index]
                folder / "cache", threads, args.runs, paths
            )
        if args.neighbour:
            results["encoder alone"] = Neighbour().encode_for(20.0)
            results["beside"] = {}
            for threads in args.threads:
                transcribed, encodes = Neighbour().encode_while(
                    lambda t=threads: transcribe_in_fresh_process(
                        folder / "cache", t, args.runs, paths
                    )
                )
                results["beside"][threads] = {"voice": transcribed, "encoder": encodes}  # type: ignore[index]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    report(results, list(notes), args.runs)


def report(results: dict, names: list[str], runs: int) -> None:
    print(f"notes: {results['notes']}")
    for name in names:
        print(
            f"  {name} note: {results['audio'][name]:.1f} s of audio,"
            f" {results['sizes'][name] / 1024:.0f} KiB Ogg/Opus"
        )
    print(f"model join into an empty cache (once): {results['join']:.2f} s")
    print(
        f"{runs} transcriptions per note, medians; RTF = wall / audio; CPU s = all threads;"
        " RSS = the process's peak so far"
    )
    print(
        f"{'condition':22} {'threads':>7} {'load s':>7} {'note':>6} {'wall s':>7}"
        f" {'RTF':>6} {'CPU s':>6} {'words':>6} {'peak RSS MB':>12}"
    )
    rows = [("alone", t, figures) for t, figures in results["alone"].items()]
    rows += [("beside the encoder", t, b["voice"]) for t, b in results.get("beside", {}).items()]
    for condition, threads, figures in rows:
        for name, note in zip(names, figures["notes"], strict=True):
            print(
                f"{condition:22} {threads:>7} {figures['load']:7.2f} {name:>6}"
                f" {note['wall']:7.2f} {note['wall'] / note['audio']:6.3f} {note['cpu']:6.2f}"
                f" {note['words']:6d}"
                f" {note['rss']:12.0f}"
            )
    if "encoder alone" in results:
        print("sentence encoder (250-word reflection), encode latency in ms")
        alone = results["encoder alone"]
        print(f"  alone:{'':26} p50 {alone['p50']:6.1f}  p95 {alone['p95']:6.1f}")
        for threads, beside in results["beside"].items():
            encodes = beside["encoder"]
            print(
                f"  beside a transcription, {threads} thread(s): p50 {encodes['p50']:6.1f}"
                f"  p95 {encodes['p95']:6.1f}"
            )


if __name__ == "__main__":
    main()
