"""Train the suggestion head, and the shown-set rule for it, from the examples file.

    .venv/bin/python -m framework.train_head [--model stock] [--extra labelled.jsonl ...]

Training data: each indicator's examples, its description and its own wording, labelled
with that indicator; the [none] examples labelled "none"; and the labelled reflections
the examples file lists, plus any --extra JSONL files (a reflection with several labels
counts once, split evenly between them; an unlabelled one counts as "none").
The model is a multinomial logistic regression (scikit-learn, lbfgs: deterministic),
trained for one model (--model, default the bundled tuned all-MiniLM-L6-v2; ``stock``
writes ``cld_head_stock.npz``) and framework. The rule (``framework/shown.py``) is then
learned from out-of-fold scores of the labelled reflections.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from framework.dataset import LabelledItem, read_jsonl
from framework.encoder import STOCK_MODEL, Encoder, SentenceTransformerEncoder
from framework.examples import ExampleSet, load_examples
from framework.head import DEFAULT_HEAD_PATH, NONE_CLASS, LinearHead
from framework.model import Framework, load_framework
from framework.shown import DEFAULT_RULE_PATH, ShownRule, Signals, fit_rule

REGULARISATION_C = 10.0
FOLDS = 5


def training_rows(
    framework: Framework, examples: ExampleSet, extra: Sequence[Path] = ()
) -> tuple[list[str], list[str], list[float]]:
    """(texts, class labels, sample weights) for the head."""
    texts: list[str] = []
    labels: list[str] = []
    weights: list[float] = []

    def add(text: str, label: str, weight: float = 1.0) -> None:
        texts.append(text)
        labels.append(label)
        weights.append(weight)

    for indicator in framework.indicators:
        for example in examples.by_indicator[indicator.id]:
            add(example, indicator.id)
        if examples.descriptions.get(indicator.id):
            add(examples.descriptions[indicator.id], indicator.id)
        add(indicator.text, indicator.id)
    for example in examples.none:
        add(example, NONE_CLASS)
    reflections = [*examples.reflections]
    for path in extra:
        reflections.extend(read_jsonl(path, framework))
    for item in reflections:
        for label in item.labels or (NONE_CLASS,):
            add(item.text, label, 1.0 / max(1, len(item.labels)))
    return texts, labels, weights


def train_head(
    framework: Framework,
    examples: ExampleSet,
    encoder: Encoder,
    extra: Sequence[Path] = (),
    c: float = REGULARISATION_C,
) -> LinearHead:
    from sklearn.linear_model import LogisticRegression

    texts, labels, weights = training_rows(framework, examples, extra)
    vectors = encoder.encode(texts)
    classes = (*framework.indicator_ids, NONE_CLASS)
    index = {name: i for i, name in enumerate(classes)}
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit(vectors, [index[label] for label in labels], sample_weight=np.array(weights))
    order = [list(model.classes_).index(index[name]) for name in classes]
    return LinearHead(
        weights=model.coef_[order].astype(np.float32),
        bias=model.intercept_[order].astype(np.float32),
        classes=classes,
        model_id=encoder.model_id,
        framework_hash=framework.content_hash,
        examples_hash=examples.content_hash,
    )


class RememberingEncoder:
    """Wraps an encoder and remembers every text's vector, so that training a head per
    fold encodes each text once."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self.model_id = encoder.model_id
        self._vectors: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            for text, vector in zip(missing, self.encoder.encode(missing), strict=True):
                self._vectors[text] = vector
        if not texts:
            return self.encoder.encode([])
        return np.vstack([self._vectors[t] for t in texts])

    def encode_document(self, sentences: Sequence[str]):  # noqa: ANN201
        encode_document = getattr(self.encoder, "encode_document", None)
        return encode_document(sentences) if encode_document is not None else None


def fold_of(item: LabelledItem, folds: int) -> int:
    """A fixed fold for each labelled reflection, from its id."""
    return int(hashlib.sha256(item.id.encode("utf-8")).hexdigest(), 16) % folds


def out_of_fold(
    framework: Framework,
    examples: ExampleSet,
    encoder: Encoder,
    folds: int = FOLDS,
) -> tuple[list[Signals], list[frozenset[int]]]:
    """Signals of every labelled reflection from a head and references that never saw it
    (trained on the examples and the other folds), with its true indicator indices."""
    from framework.suggest import Suggester

    index = {indicator_id: i for i, indicator_id in enumerate(framework.indicator_ids)}
    signals: list[Signals] = []
    gold: list[frozenset[int]] = []
    for fold in range(folds):
        held = [r for r in examples.reflections if fold_of(r, folds) == fold]
        kept = tuple(r for r in examples.reflections if fold_of(r, folds) != fold)
        learned = dataclasses.replace(examples, reflections=kept)
        suggester = Suggester(
            framework, encoder, examples=learned, head=train_head(framework, learned, encoder)
        )
        for item in held:
            signals.append(suggester.signals(item.text))
            gold.append(frozenset(index[label] for label in item.labels))
    return signals, gold


def train_rule(
    framework: Framework, examples: ExampleSet, encoder: Encoder, head: LinearHead
) -> ShownRule:
    """The shown-set rule for ``head``, learned from out-of-fold signals."""
    signals, gold = out_of_fold(framework, examples, encoder)
    return fit_rule(signals, gold, model_id=encoder.model_id, head_hash=head.fingerprint)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=Path, action="append", default=[])
    parser.add_argument("--out", type=Path, default=None, help="default: the packaged head")
    parser.add_argument("--rule-out", type=Path, default=None, help="default: the packaged rule")
    parser.add_argument("--framework", type=Path, default=None)
    parser.add_argument("--examples", type=Path, default=None)
    parser.add_argument(
        "--model",
        default=None,
        help=f"default: the bundled tuned model; {STOCK_MODEL!r}: the stock one",
    )
    args = parser.parse_args(argv)
    suffix = "_stock" if args.model == STOCK_MODEL else ""
    out = args.out or DEFAULT_HEAD_PATH.with_name(f"cld_head{suffix}.npz")
    rule_out = args.rule_out or DEFAULT_RULE_PATH.with_name(f"cld_shown_rule{suffix}.json")
    framework = load_framework(args.framework)
    examples = load_examples(framework, args.examples)
    encoder = RememberingEncoder(SentenceTransformerEncoder(args.model))
    head = train_head(framework, examples, encoder, args.extra)
    head.save(out)
    print(f"wrote {out} ({out.stat().st_size:,} bytes) for {head.model_id}")
    rule = train_rule(framework, examples, encoder, head)
    rule.save(rule_out)
    print(f"wrote {rule_out} (threshold {rule.threshold:.2f})")


if __name__ == "__main__":
    main()
