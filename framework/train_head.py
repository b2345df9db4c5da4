"""Train the suggestion head from the examples file (and optionally labelled reflections).

    .venv/bin/python -m framework.train_head [--extra labelled.jsonl ...] [--out PATH]

Training data: each indicator's examples, its description and its own wording, labelled
with that indicator; the [none] examples labelled "none"; and the labelled reflections
the examples file lists, plus any --extra JSONL files (a reflection with several labels
counts once, split evenly between them; an unlabelled one counts as "none").
The model is a multinomial logistic regression (scikit-learn, lbfgs: deterministic),
trained for one model (--model, default the bundled all-MiniLM-L6-v2) and framework.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from framework.dataset import read_jsonl
from framework.encoder import Encoder, SentenceTransformerEncoder
from framework.examples import ExampleSet, load_examples
from framework.head import DEFAULT_HEAD_PATH, NONE_CLASS, LinearHead
from framework.model import Framework, load_framework

REGULARISATION_C = 10.0


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


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=Path, action="append", default=[])
    parser.add_argument("--out", type=Path, default=DEFAULT_HEAD_PATH)
    parser.add_argument("--framework", type=Path, default=None)
    parser.add_argument("--examples", type=Path, default=None)
    parser.add_argument("--model", default=None, help="default: the bundled all-MiniLM-L6-v2")
    args = parser.parse_args(argv)
    framework = load_framework(args.framework)
    examples = load_examples(framework, args.examples)
    head = train_head(framework, examples, SentenceTransformerEncoder(args.model), args.extra)
    head.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes) for {head.model_id}")


if __name__ == "__main__":
    main()
