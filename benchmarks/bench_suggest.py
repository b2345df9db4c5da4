"""Suggestion benchmark: start-up time, latency (p50, p95) and resident memory, on the CPU.

    .venv/bin/python benchmarks/bench_suggest.py [--runs 200] [--json]

Uses the configured model (REFLECTBOT_MODEL, default the bundled tuned all-MiniLM-L6-v2)
and framework, exactly as the bot does. The 250-word reflection's p95 is also compared
with a bare encode of the same text by the same model (interleaved runs): the ratio.
Start-up is measured from a cold process: importing, loading the model and preparing the
indicator references (with an empty cache, and again with the cache that run wrote).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHORT = "Calmed a fight between two lads at the pool table, then sat them down to talk it through."
LONG_SENTENCES = [
    "Tuesday's drop-in at the community centre in Methil was busier than usual, with about "
    "twenty young people and two new volunteers.",
    "Early on two of the older lads started arguing over the pool table and it nearly came "
    "to blows.",
    "I stepped in, separated them, and later sat down with both of them to talk about what "
    "had happened and how they wanted to sort it out.",
    "They agreed to a rota for the table and shook hands, which surprised the rest of the group.",
    "I noticed that the quieter girls were hanging back by the door, so I asked them what "
    "would make the space feel more like theirs.",
    "They suggested a separate craft corner and a girls-only hour, which I will take to the "
    "team meeting on Friday.",
    "One of the new volunteers was nervous, so I paired her with Sam, who has been with us "
    "for two years, and checked in with her at the end.",
    "We finished with a quick evaluation using sticky notes on the wall: what was good, "
    "what was rubbish, and what we should try next week.",
    "Most comments were positive, but a few said the music was too loud and the snacks ran "
    "out too early.",
    "I want to use these comments in our report to the funder, alongside the attendance "
    "figures, to show how the young people shape the programme.",
    "Next week I will try the craft corner, brief the volunteers on the rota, and ask the "
    "group to help plan the summer trip.",
    "On reflection I need to get better at spotting tension early instead of reacting once "
    "it has already boiled over.",
    "Maybe a short check-in circle at the start of each session would help everyone settle "
    "and let me read the room.",
]
LONG = " ".join(" ".join(LONG_SENTENCES).split()[:250])  # a 250-word reflection
# Five Telegram messages' worth, joined: scored on a sample, so its cost is capped.
VERY_LONG = " ".join((" ".join(LONG_SENTENCES).split() * 20)[:5000])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def startup_seconds(cache_dir: str) -> float:
    """Seconds for a fresh process to import, load the model and prepare references."""
    code = (
        "import time; t = time.perf_counter();"
        "from bot.config import load_settings;"
        "from bot.services.container import build_suggester;"
        "s = build_suggester(load_settings(require_token=False, dotenv_path=None));"
        "s.prepare(); s.suggest('warm up the model');"
        "print(time.perf_counter() - t)"
    )
    environment = {**os.environ, "REFLECTBOT_CACHE_DIR": cache_dir}
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environment
    ).stdout
    return float(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as cache_dir:
        cold = startup_seconds(cache_dir)
        warm = startup_seconds(cache_dir)

    from bot.config import load_settings
    from bot.services.container import build_suggester

    suggester = build_suggester(load_settings(require_token=False, dotenv_path=None))
    suggester.prepare()
    suggester.suggest(SHORT)
    figures: dict[str, object] = {
        "model": suggester.model_id,
        "startup_s_empty_cache": round(cold, 2),
        "startup_s_warm_cache": round(warm, 2),
    }
    import framework.suggest

    capped = framework.suggest.within_budget
    for name, text, runs in (
        ("short", SHORT, args.runs),
        ("long", LONG, args.runs),
        ("very long", VERY_LONG, max(args.runs // 10, 5)),
        ("very long, scored whole", VERY_LONG, 5),  # without the cap on a very long text
    ):
        if name.endswith("whole"):
            framework.suggest.within_budget = lambda sentences, *_, **__: list(sentences)
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            suggester.suggest(text)
            timings.append((time.perf_counter() - start) * 1000)
        framework.suggest.within_budget = capped
        figures[name] = {
            "words": len(text.split()),
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(percentile(timings, 95), 1),
            "runs": runs,
        }
    # The baseline: a bare encode of the same 250-word text by the same model, interleaved
    # with suggestions so that both see the same machine state.
    bare, suggested = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        suggester.encoder.encode([LONG])
        bare.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        suggester.suggest(LONG)
        suggested.append((time.perf_counter() - start) * 1000)
    figures["bare encode, long"] = {
        "p50_ms": round(statistics.median(bare), 1),
        "p95_ms": round(percentile(bare, 95), 1),
        "suggestion_p95_ms": round(percentile(suggested, 95), 1),
        "ratio_p95": round(percentile(suggested, 95) / percentile(bare, 95), 2),
        "runs": args.runs,
    }
    figures["rss_mb"] = round(rss_mb(), 0)

    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"model: {figures['model']}")
    print(
        f"start-up (import, load model, prepare): {cold:.2f} s with an empty cache, "
        f"{warm:.2f} s with the cache"
    )
    for name in ("short", "long", "very long", "very long, scored whole"):
        f = figures[name]
        print(
            f"{name:9} reflection ({f['words']} words): p50 {f['p50_ms']} ms, "
            f"p95 {f['p95_ms']} ms over {f['runs']} runs"
        )
    bare = figures["bare encode, long"]
    print(
        f"bare encode of the long reflection: p50 {bare['p50_ms']} ms, p95 {bare['p95_ms']} ms;"
        f" suggestion p95 {bare['suggestion_p95_ms']} ms, interleaved:"
        f" ratio {bare['ratio_p95']:.2f}× (target ≤ 2×)"
    )
    print(f"resident memory: {figures['rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
