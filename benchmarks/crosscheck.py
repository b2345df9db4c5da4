"""Cross-check: suggestion quality on reflections the method has not learned from.

    .venv/bin/python benchmarks/crosscheck.py      # about 6 minutes on 2 cores

Two tests, for the stock all-MiniLM-L6-v2 and for the tuned encoder the bot uses (tuned
on the examples file only, never on labelled reflections), each with today's rule for how
many to show and with the old "top 3 unless it looks like nothing":

- **dev**: learn from the examples and all our labelled reflections (head, references
  and shown-set rule, as packaged); test on the development set, which is never learned
  from or tuned on.
- **ours, 5-fold**: our labelled reflections are split in 5 folds by id; each fold is
  tested with a head, references and rule learned from the examples and the other 4
  folds only (the rule from an inner 5-fold split of those 4).

Prints RP@3, MRR, precision / recall / F1 of what is shown, suggestions shown per text,
nothing shown for texts that evidence nothing, something shown for texts that do, and
the "told the count" bound (precision = recall when each text shows exactly as many as
it has labels, from the ranking).
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from framework import (  # noqa: E402
    STOCK_MODEL,
    ScoringParameters,
    SentenceTransformerEncoder,
    Suggester,
    load_examples,
    load_framework,
)
from framework.dataset import LabelledItem, read_jsonl  # noqa: E402
from framework.evaluation import Prediction, Report, evaluate  # noqa: E402
from framework.shown import ShownRule, Signals  # noqa: E402
from framework.train_head import (  # noqa: E402
    FOLDS,
    RememberingEncoder,
    fold_of,
    train_head,
    train_rule,
)

DEV = Path(os.environ.get("REFLECTBOT_DEV_SET", ROOT.parent / "shared" / "eval" / "dev.jsonl"))
OLD = ScoringParameters()  # none_probability_max, max_shown: the old rule


def main() -> None:
    framework = load_framework()
    examples = load_examples(framework)
    dev = read_jsonl(DEV, framework)
    ids = framework.indicator_ids
    print(
        f"{'encoder':7} {'tested on':13} {'rule':6} RP@3   MRR    P      R      F1     "
        "shown  none→none some→some told"
    )
    for name, model in (("stock", STOCK_MODEL), ("tuned", None)):
        encoder = RememberingEncoder(SentenceTransformerEncoder(model))
        runs = {
            "dev": scored(framework, examples, examples.reflections, dev, encoder),
            f"ours {FOLDS}-fold": cross_validated(framework, examples, encoder),
        }
        for test, (items, signals, rules) in runs.items():
            for rule_name in ("shown", "top 3"):
                report = evaluate(items, predictions(items, signals, rules, rule_name, ids))
                print(row(name, test, rule_name, report, told(items, signals, ids)))


def scored(framework, examples, learned_from, items, encoder):  # noqa: ANN001, ANN201
    """Signals of ``items`` and the rule, learned from the examples and ``learned_from``."""
    learned = dataclasses.replace(examples, reflections=tuple(learned_from))
    head = train_head(framework, learned, encoder)
    rule = train_rule(framework, learned, encoder, head)
    suggester = Suggester(framework, encoder, examples=learned, head=head)
    signals = [suggester.signals(item.text) for item in items]
    return list(items), signals, [rule] * len(items)


def cross_validated(framework, examples, encoder):  # noqa: ANN001, ANN201
    items: list[LabelledItem] = []
    signals: list[Signals] = []
    rules: list[ShownRule] = []
    for fold in range(FOLDS):
        held = [r for r in examples.reflections if fold_of(r, FOLDS) == fold]
        kept = [r for r in examples.reflections if fold_of(r, FOLDS) != fold]
        fold_items, fold_signals, fold_rules = scored(framework, examples, kept, held, encoder)
        items += fold_items
        signals += fold_signals
        rules += fold_rules
    return items, signals, rules


def predictions(
    items: Sequence[LabelledItem],
    signals: Sequence[Signals],
    rules: Sequence[ShownRule],
    rule_name: str,
    ids: Sequence[str],
) -> list[Prediction]:
    out = []
    for item, s, rule in zip(items, signals, rules, strict=True):
        order = [int(i) for i in np.argsort(-s.fused, kind="stable")]
        if rule_name == "shown":
            shown = [i for i, _ in rule.choose(s)]
        else:
            shown = order[: OLD.max_shown] if s.none <= OLD.none_probability_max else []
        out.append(Prediction(item.id, tuple(ids[i] for i in shown), tuple(ids[i] for i in order)))
    return out


def told(items: Sequence[LabelledItem], signals: Sequence[Signals], ids: Sequence[str]) -> float:
    right = wanted = 0
    for item, s in zip(items, signals, strict=True):
        order = [ids[i] for i in np.argsort(-s.fused, kind="stable")]
        right += len(set(order[: len(item.labels)]) & set(item.labels))
        wanted += len(item.labels)
    return right / wanted


def row(name: str, test: str, rule: str, r: Report, bound: float) -> str:
    return (
        f"{name:7} {test:13} {rule:6} {r.rp_at_3_shown:.3f}  {r.mrr:.3f}  "
        f"{r.precision_shown:.3f}  {r.recall_shown:.3f}  {r.f1_shown:.3f}  {r.mean_shown:.2f}"
        f"   {r.abstain_unlabelled:.2f}      {1 - r.abstain_labelled:.2f}      {bound:.3f}"
    )


if __name__ == "__main__":
    main()
