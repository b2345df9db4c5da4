"""Probe for issue 11: how many suggestions to show, by a "within M of the top fused
score, at most 3" rule, without changing the bot.

    .venv/bin/python benchmarks/shown_rule_probe.py    # about 2 minutes on 2 cores

M is judged fairly on our own labelled reflections (framework/data/cld_reflections.jsonl)
with a suggester learned from the worked examples only; the development set is only
measured, with the suggester the bot uses (examples + our reflections), never tuned on.
Prints precision / recall / F1 of what is shown for each M (99: today's "always the top
3"), and the spread of the gap between the first and second scores on the dev set.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from framework import SentenceTransformerEncoder, Suggester, load_examples, load_framework  # noqa: E402
from framework.dataset import read_jsonl  # noqa: E402
from framework.evaluation import Prediction, Report, evaluate  # noqa: E402
from framework.train_head import train_head  # noqa: E402

DEV = Path(os.environ.get("REFLECTBOT_DEV_SET", ROOT.parent / "shared" / "eval" / "dev.jsonl"))
OURS = ROOT / "framework" / "data" / "cld_reflections.jsonl"
MARGINS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.5, 99.0)


def main() -> None:
    framework = load_framework()
    encoder = SentenceTransformerEncoder()
    examples = load_examples(framework)
    sets = {"dev": read_jsonl(DEV, framework), "ours": read_jsonl(OURS, framework)}

    def analysed(learned_from, test: str) -> list:
        learned = dataclasses.replace(examples, reflections=tuple(learned_from))
        suggester = Suggester(
            framework, encoder, examples=learned, head=train_head(framework, learned, encoder)
        )
        return [(item, *suggester.analyse(item.text)) for item in sets[test]]

    def scored(rows: list, margin: float) -> Report:
        predictions = []
        for item, shown, ranking in rows:
            order = tuple(i for i, _ in ranking)
            if not shown:  # the bot's "evidences nothing" stays as it is
                predictions.append(Prediction(item.id, (), order))
                continue
            top = ranking[0][1]
            kept = tuple(i for i, score in ranking[:3] if top - score <= margin)
            predictions.append(Prediction(item.id, kept, order))
        return evaluate([row[0] for row in rows], predictions)

    ours = analysed((), "ours")
    dev = analysed(sets["ours"], "dev")
    print("margin  ours P / R / F1        dev P / R / F1        dev shown per item")
    for margin in MARGINS:
        a, b = scored(ours, margin), scored(dev, margin)
        print(
            f"{margin:6.2f}  {a.precision_shown:.3f} / {a.recall_shown:.3f} / {a.f1_shown:.3f}"
            f"   {b.precision_shown:.3f} / {b.recall_shown:.3f} / {b.f1_shown:.3f}"
            f"   {b.mean_shown:.2f}"
        )
    gaps = [ranking[0][1] - ranking[1][1] for _, _, ranking in dev]
    print(
        "dev: gap between the first and second scores, quartiles", np.percentile(gaps, [25, 50, 75])
    )


if __name__ == "__main__":
    main()
