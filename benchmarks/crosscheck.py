"""Cross-check: how well the method generalises to reflections it has not learned from.

    .venv/bin/python benchmarks/crosscheck.py

The packaged suggester learns from the examples file and from our own labelled
reflections (framework/data/cld_reflections.jsonl), so its figures on those reflections
are not a fair test; the development set is never learned from. This script swaps the
roles: it learns from the examples plus the development set and tests on our
reflections, and learns from the examples alone and tests on both.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from framework import SentenceTransformerEncoder, Suggester, load_examples, load_framework  # noqa: E402
from framework.dataset import read_jsonl  # noqa: E402
from framework.evaluation import as_prediction, evaluate  # noqa: E402
from framework.train_head import train_head  # noqa: E402

DEV = Path(os.environ.get("REFLECTBOT_DEV_SET", ROOT.parent / "shared" / "eval" / "dev.jsonl"))
OURS = ROOT / "framework" / "data" / "cld_reflections.jsonl"


def main() -> None:
    framework = load_framework()
    encoder = SentenceTransformerEncoder()
    examples = load_examples(framework)
    sets = {"dev": read_jsonl(DEV, framework), "ours": read_jsonl(OURS, framework)}
    plans = [
        ("examples only", (), "dev"),
        ("examples only", (), "ours"),
        ("examples + ours", sets["ours"], "dev"),
        ("examples + dev", sets["dev"], "ours"),
    ]
    print(f"{'learned from':18} {'tested on':9} RP@3   MRR    P@1    none→none  some→some")
    for name, reflections, test in plans:
        learned = dataclasses.replace(examples, reflections=tuple(reflections))
        suggester = Suggester(
            framework, encoder, examples=learned, head=train_head(framework, learned, encoder)
        )
        items = sets[test]
        predictions = [as_prediction(item.id, *suggester.analyse(item.text)) for item in items]
        r = evaluate(items, predictions)
        print(
            f"{name:18} {test:9} {r.rp_at_3_shown:.3f}  {r.mrr:.3f}  {r.p_at_1:.3f}"
            f"  {r.abstain_unlabelled:9.2f}  {1 - r.abstain_labelled:9.2f}"
        )


if __name__ == "__main__":
    main()
