"""Probes for issue 11: changes to the ranking that were tried and not kept, measured.

    .venv/bin/python benchmarks/ranking_probes.py [--model DIR|stock]   # ~10 min, 2 cores

For each variant: the ranking's MRR and "told the count" bound (precision = recall when
each text shows as many as it has labels), and precision / recall / F1 of what the
shown-set rule shows; on our reflections out of fold (learned from the examples and the
other folds; the only set anything is chosen on) and on the development set (learned
from the examples and all our reflections; only measured). Variants:

- base: what the bot does;
- ovr: a one-vs-rest head (one binary regression per class) instead of the multinomial;
- whole 0.5: whole text and best sentence mixed 50/50 instead of 70/30;
- examples 0.3 / 0.7: nearest examples weighted 0.3 or 0.7 against the head (0.5);
- hubness: each indicator lowered by a quarter of its mean score over our reflections;
- rerank: the candidates ranked by the rule's chance, then the rest by score.

For the base, also what the rule shows on ours at other thresholds than the one learned.

    .venv/bin/python benchmarks/ranking_probes.py --learning-curve   # ~2 min

The ranking's "told the count" bound and MRR on our reflections, out of fold, with the
head and references learned from the examples and 0, 25, 50, 75 or 100% of the other
folds' reflections: how much more labelled data of the same kind could bring.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import framework.suggest as suggest_module  # noqa: E402
import framework.train_head as train_module  # noqa: E402
from framework import (  # noqa: E402
    ScoringParameters,
    SentenceTransformerEncoder,
    Suggester,
    load_examples,
    load_framework,
)
from framework.dataset import LabelledItem, read_jsonl  # noqa: E402
from framework.evaluation import Prediction, evaluate  # noqa: E402
from framework.head import NONE_CLASS, LinearHead  # noqa: E402
from framework.shown import ShownRule, Signals, fit_rule  # noqa: E402

DEV = Path(os.environ.get("REFLECTBOT_DEV_SET", ROOT.parent / "shared" / "eval" / "dev.jsonl"))
DEFAULTS = ScoringParameters()


def one_vs_rest_head(framework, examples, encoder, extra=(), c=train_module.REGULARISATION_C):  # noqa: ANN001, ANN201
    """A binary regression per class, each text once with all its labels."""
    from sklearn.linear_model import LogisticRegression

    texts, labels, _ = train_module.training_rows(framework, examples, extra)
    by_text: dict[str, set[str]] = {}
    for text, label in zip(texts, labels, strict=True):
        by_text.setdefault(text, set()).add(label)
    unique = list(by_text)
    vectors = encoder.encode(unique)
    classes = (*framework.indicator_ids, NONE_CLASS)
    weights = np.zeros((len(classes), vectors.shape[1]), np.float32)
    bias = np.zeros(len(classes), np.float32)
    for k, name in enumerate(classes):
        target = np.array([name in by_text[t] for t in unique])
        model = LogisticRegression(C=c, max_iter=3000).fit(vectors, target)
        weights[k], bias[k] = model.coef_[0], model.intercept_[0]
    return LinearHead(
        weights, bias, classes, encoder.model_id, framework.content_hash, examples.content_hash
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="default: the bundled tuned model")
    parser.add_argument("--only", default=None, help="one variant, e.g. base")
    parser.add_argument("--learning-curve", action="store_true")
    args = parser.parse_args()
    if args.learning_curve:
        learning_curve(args.model)
        return
    framework = load_framework()
    examples = load_examples(framework)
    dev = read_jsonl(DEV, framework)
    encoder = train_module.RememberingEncoder(SentenceTransformerEncoder(args.model))
    ids = framework.indicator_ids
    variants: list[tuple[str, ScoringParameters, Callable | None, str]] = [
        ("base", DEFAULTS, None, ""),
        ("ovr", DEFAULTS, one_vs_rest_head, ""),
        ("whole 0.5", dataclasses.replace(DEFAULTS, whole_weight=0.5), None, ""),
        ("examples 0.3", dataclasses.replace(DEFAULTS, knn_weight=0.3), None, ""),
        ("examples 0.7", dataclasses.replace(DEFAULTS, knn_weight=0.7), None, ""),
        ("hubness", DEFAULTS, None, "hubness"),
        ("rerank", DEFAULTS, None, "rerank"),
    ]
    variants = [v for v in variants if args.only in (None, v[0])]
    print(f"model {encoder.model_id}")
    print(f"{'variant':13} {'set':4} MRR    told   P      R      F1")
    train_head = train_module.train_head
    suggester_init = suggest_module.Suggester.__init__
    for name, parameters, head_maker, trick in variants:
        train_module.train_head = head_maker or train_head

        def init(self, *a, _parameters=parameters, **k) -> None:  # noqa: ANN001, ANN002, ANN003
            k.setdefault("parameters", _parameters)
            suggester_init(self, *a, **k)

        suggest_module.Suggester.__init__ = init
        try:
            head = train_module.train_head(framework, examples, encoder)
            signals, gold = train_module.out_of_fold(framework, examples, encoder)
            rule = fit_rule(signals, gold, model_id=encoder.model_id, head_hash=head.fingerprint)
            ours = [
                r
                for fold in range(train_module.FOLDS)
                for r in examples.reflections
                if train_module.fold_of(r, train_module.FOLDS) == fold
            ]
            suggester = Suggester(framework, encoder, examples=examples, head=head)
            dev_signals = [suggester.signals(item.text) for item in dev]
        finally:
            train_module.train_head = train_head
            suggest_module.Suggester.__init__ = suggester_init
        shift = 0.25 * np.mean([s.fused for s in signals], axis=0) if trick == "hubness" else 0
        for set_name, items, sigs in (("ours", ours, signals), ("dev", dev, dev_signals)):
            print(f"{name:13} {set_name:4} " + figures(items, sigs, rule, ids, shift, trick))
        if name == "base":  # other thresholds: the curve the precision floor picks from
            for threshold in (0.10, 0.15, 0.20, rule.threshold):
                moved = dataclasses.replace(rule, threshold=threshold)
                print(
                    f"  threshold {threshold:.2f} ours " + figures(ours, signals, moved, ids, 0, "")
                )


def learning_curve(model: str | None) -> None:
    import random

    framework = load_framework()
    examples = load_examples(framework)
    encoder = train_module.RememberingEncoder(SentenceTransformerEncoder(model))
    index = {indicator_id: i for i, indicator_id in enumerate(framework.indicator_ids)}
    folds = train_module.FOLDS
    print(f"model {encoder.model_id}; ours out of fold, {folds} folds")
    print("share of the other folds' reflections learned from  reflections  told   MRR")
    for share in (0.0, 0.25, 0.5, 0.75, 1.0):
        right = wanted = 0
        reciprocal: list[float] = []
        for fold in range(folds):
            held = [r for r in examples.reflections if train_module.fold_of(r, folds) == fold]
            kept = [r for r in examples.reflections if train_module.fold_of(r, folds) != fold]
            random.Random(fold).shuffle(kept)
            kept = kept[: int(len(kept) * share)]
            learned = dataclasses.replace(examples, reflections=tuple(kept))
            head = train_module.train_head(framework, learned, encoder)
            suggester = Suggester(framework, encoder, examples=learned, head=head)
            for item in held:
                if not item.labels:
                    continue
                gold = {index[label] for label in item.labels}
                order = [int(i) for i in np.argsort(-suggester.signals(item.text).fused)]
                right += len(set(order[: len(gold)]) & gold)
                wanted += len(gold)
                reciprocal.append(1 / (1 + min(order.index(i) for i in gold)))
        print(f"{share:>50.0%}  {len(kept):>11}  {right / wanted:.3f}  {np.mean(reciprocal):.3f}")


def ranking(s: Signals, rule: ShownRule, shift, trick: str) -> list[int]:  # noqa: ANN001
    order = [int(i) for i in np.argsort(-(s.fused - shift), kind="stable")]
    if trick != "rerank":
        return order
    candidates = s.candidates()
    chances = rule.chances(s, candidates)
    first = [int(candidates[j]) for j in np.argsort(-chances, kind="stable")]
    return first + [i for i in order if i not in first]


def figures(
    items: Sequence[LabelledItem],
    signals: Sequence[Signals],
    rule: ShownRule,
    ids: Sequence[str],
    shift,  # noqa: ANN001
    trick: str,
) -> str:
    predictions, right, wanted = [], 0, 0
    for item, s in zip(items, signals, strict=True):
        order = [ids[i] for i in ranking(s, rule, shift, trick)]
        shown = tuple(ids[i] for i, _ in rule.choose(s))
        predictions.append(Prediction(item.id, shown, tuple(order)))
        right += len(set(order[: len(item.labels)]) & set(item.labels))
        wanted += len(item.labels)
    r = evaluate(items, predictions)
    return (
        f"{r.mrr:.3f}  {right / wanted:.3f}  {r.precision_shown:.3f}  {r.recall_shown:.3f}  "
        f"{r.f1_shown:.3f}"
    )


if __name__ == "__main__":
    main()
