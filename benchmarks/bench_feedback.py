"""Feedback benchmark: does a suggestion cost more on an installation with many decisions?

    .venv/bin/python benchmarks/bench_feedback.py [--decisions 100000] [--runs 200] [--json]

Fills a fresh SQLite file with ``--decisions`` confirmed and rejected tags (spread over 500
practitioners, with their stored vectors), starts the feedback service on it as the bot
does at start-up (load time and memory printed), then times suggestions for a practitioner
with 200 decisions of their own, interleaved with the same suggestions counting no
decisions at all (the bare baseline, same process, same model). Prints p50/p95 for a short
and a 250-word reflection and the ratio of the p95s (target: ≤ 1.5).

The stored vectors are the real model's vectors of 2,000 practitioner-style sentences,
each reused with a small random perturbation: encoding 100,000 distinct texts first would
take minutes and measure nothing more, since cost depends on how many rows are counted,
not on what they say.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_suggest import LONG, LONG_SENTENCES, SHORT, percentile  # noqa: E402

PRACTITIONERS = 500
OWN_DECISIONS = 200  # the practitioner the suggestions are for
DISTINCT_TEXTS = 2_000
START = datetime(2024, 1, 1, tzinfo=UTC)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sentences(count: int, rng: random.Random) -> list[str]:
    """Practitioner-style sentences: the 250-word reflection's, recombined."""
    words = " ".join(LONG_SENTENCES).split()
    return [" ".join(rng.sample(words, rng.randint(8, 24))) + "." for _ in range(count)]


def fill(
    db, indicator_ids: list[str], vectors: np.ndarray, decisions: int, user_id: int, seed: int = 7
) -> None:
    """``decisions`` tags (three per reflection), ``OWN_DECISIONS`` of them by ``user_id``."""
    rng = np.random.default_rng(seed)
    users = [user_id] + [user_id + 1 + n for n in range(PRACTITIONERS - 1)]
    stamp = START.isoformat()
    db.conn.executemany(
        "INSERT INTO users (id, display_name, timezone, consented_at, created_at)"
        " VALUES (?, ?, 'Europe/London', ?, ?)",
        [(u, f"P{u}", stamp, stamp) for u in users],
    )
    reflections = (decisions + 2) // 3
    owners = [
        user_id if r < OWN_DECISIONS // 3 + 1 else users[1 + r % (len(users) - 1)]
        for r in range(reflections)
    ]
    db.conn.executemany(
        "INSERT INTO reflections (id, user_id, kind, question_set_id, question_set_version,"
        " status, started_at, finished_at, text, suggested_at)"
        " VALUES (?, ?, 'note', 'quick', 1, 'done', ?, ?, ?, ?)",
        [(r + 1, owners[r], stamp, stamp, f"reflection {r}", stamp) for r in range(reflections)],
    )
    tags, suggestions, stored = [], [], []
    for n in range(decisions):
        reflection_id, indicator = n // 3 + 1, indicator_ids[(n * 7) % len(indicator_ids)]
        when = (START + timedelta(minutes=n)).isoformat()
        status = "confirmed" if n % 3 else "rejected"
        vector = vectors[n % len(vectors)] + rng.normal(0, 0.02, vectors.shape[1])
        vector = (vector / np.linalg.norm(vector)).astype("<f4")
        tags.append((reflection_id, indicator, status, "suggestion", when))
        suggestions.append((reflection_id, indicator, 0.5, n % 3 + 1, "m", f"text {n}", when))
        stored.append((reflection_id, indicator, "MODEL", vector.tobytes(), when))
    db.conn.executemany(
        "INSERT OR IGNORE INTO suggestions (reflection_id, indicator_id, score, rank, model_id,"
        " evidence, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        suggestions,
    )
    db.conn.executemany(
        "INSERT OR IGNORE INTO tags (reflection_id, indicator_id, status, source, updated_at)"
        " VALUES (?, ?, ?, ?, ?)",
        tags,
    )
    db.conn.executemany(
        "INSERT OR IGNORE INTO feedback_vectors (reflection_id, indicator_id, model_id, vector,"
        " created_at) VALUES (?, ?, ?, ?, ?)",
        stored,
    )
    db.conn.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from bot.config import load_settings
    from bot.identifiers import FakeIdentifierDetector
    from bot.services.container import build_services, build_suggester

    with tempfile.TemporaryDirectory() as folder:
        os.environ["REFLECTBOT_DB"] = str(Path(folder) / "bench.sqlite3")
        settings = load_settings(require_token=False, dotenv_path=None)
        suggester = build_suggester(settings)
        suggester.prepare()
        services = build_services(settings, suggester=suggester, detector=FakeIdentifierDetector())
        try:
            texts = sentences(DISTINCT_TEXTS, random.Random(11))
            vectors = suggester.encode_feedback(texts)
            user = 1_000
            fill(services.db, suggester.framework.indicator_ids, vectors, args.decisions, user)
            model = suggester.model_id
            services.db.execute("UPDATE feedback_vectors SET model_id = ?", [model])
            services.db.conn.commit()
            rss_before = rss_mb()
            started = time.perf_counter()
            loaded = asyncio.run(services.feedback.load())
            load_s = time.perf_counter() - started
            memory_mb = rss_mb() - rss_before
            feedback = services.feedback
            figures: dict[str, object] = {
                "model": model,
                "decisions_stored": args.decisions,
                "decisions_loaded": loaded,
                "load_s": round(load_s, 2),
                "memory_mb": round(memory_mb, 0),
                "counted_per_suggestion": len(feedback.selection(user)),
            }
            for name, text in (("short", SHORT), ("long", LONG)):
                bare, counted = [], []
                suggester.suggest(text, feedback.selection(user))
                for _ in range(args.runs):
                    start = time.perf_counter()
                    suggester.suggest(text)
                    bare.append((time.perf_counter() - start) * 1000)
                    start = time.perf_counter()
                    suggester.suggest(text, feedback.selection(user))
                    counted.append((time.perf_counter() - start) * 1000)
                figures[name] = {
                    "words": len(text.split()),
                    "none_p50_ms": round(statistics.median(bare), 1),
                    "none_p95_ms": round(percentile(bare, 95), 1),
                    "with_p50_ms": round(statistics.median(counted), 1),
                    "with_p95_ms": round(percentile(counted, 95), 1),
                    "p95_ratio": round(percentile(counted, 95) / percentile(bare, 95), 2),
                    "runs": args.runs,
                }
        finally:
            services.close()

    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"model: {figures['model']}")
    print(
        f"{figures['decisions_loaded']:,} stored decisions loaded in {figures['load_s']} s,"
        f" about {figures['memory_mb']:.0f} MB; a suggestion counts"
        f" {figures['counted_per_suggestion']:,} of them"
    )
    for name in ("short", "long"):
        f = figures[name]
        print(
            f"{name:5} reflection ({f['words']} words): no decisions p50 {f['none_p50_ms']} ms,"
            f" p95 {f['none_p95_ms']} ms; with them p50 {f['with_p50_ms']} ms,"
            f" p95 {f['with_p95_ms']} ms; p95 ratio {f['p95_ratio']} (target ≤ 1.5)"
        )


if __name__ == "__main__":
    main()
