"""How encoding holds up beside other work: the threading set-up of torch, measured.

    .venv/bin/python benchmarks/bench_threads.py [--runs 40] [--json]

For each set-up (torch's defaults; OMP_WAIT_POLICY=PASSIVE, which the bot now sets; one
torch thread) a fresh process loads the default model and times encoding a 250-word
reflection, first on an idle machine and then beside a CPU burner (another process
spinning on one core), and prints p50/p95 in milliseconds and encodes per second. Each
set-up needs its own process, since OpenMP reads its settings when torch is imported.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_suggest import LONG_SENTENCES  # noqa: E402

SETUPS = {
    "torch defaults": {"OMP_WAIT_POLICY": ""},  # empty: OpenMP's own default
    "OMP_WAIT_POLICY=PASSIVE": {"OMP_WAIT_POLICY": "PASSIVE"},
    "one torch thread": {"REFLECTBOT_BENCH_TORCH_THREADS": "1"},
}
WORKER = r"""
import json, os, statistics, sys, time
import torch
if os.environ.get("REFLECTBOT_BENCH_TORCH_THREADS"):
    torch.set_num_threads(int(os.environ["REFLECTBOT_BENCH_TORCH_THREADS"]))
from bot.config import load_settings
from bot.services.container import build_suggester
encoder = build_suggester(load_settings(require_token=False)).encoder
text, runs = sys.argv[1], int(sys.argv[2])
encoder.encode([text])  # load and warm up
times = []
for _ in range(runs):
    start = time.perf_counter()
    encoder.encode([text])
    times.append((time.perf_counter() - start) * 1000)
times.sort()
print(json.dumps({
    "p50": statistics.median(times),
    "p95": times[int(0.95 * (len(times) - 1))],
    "per_second": 1000 * len(times) / sum(times),
}))
"""
BURNER = "while True: pass"


def measure(setup: dict[str, str], text: str, runs: int, burn: bool) -> dict[str, float]:
    env = {**os.environ, **setup, "HF_HUB_OFFLINE": "1"}
    burner = subprocess.Popen([sys.executable, "-c", BURNER]) if burn else None
    try:
        out = subprocess.run(
            [sys.executable, "-c", WORKER, text, str(runs)],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
    finally:
        if burner is not None:
            burner.kill()
            burner.wait()
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    text = " ".join(LONG_SENTENCES)
    results = {
        name: {
            "idle": measure(setup, text, args.runs, burn=False),
            "beside a CPU burner": measure(setup, text, args.runs, burn=True),
        }
        for name, setup in SETUPS.items()
    }
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"encoding a {len(text.split())}-word reflection, {args.runs} runs each")
    print(f"{'set-up':26} {'condition':20} {'p50 ms':>8} {'p95 ms':>8} {'per s':>7}")
    for name, conditions in results.items():
        for condition, figures in conditions.items():
            print(
                f"{name:26} {condition:20} {figures['p50']:8.1f} {figures['p95']:8.1f}"
                f" {figures['per_second']:7.1f}"
            )


if __name__ == "__main__":
    main()
