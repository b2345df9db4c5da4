"""Fine-tune the sentence encoder on the worked examples, and write it to ship.

    .venv/bin/python -m framework.tune_encoder [--epochs N] [--out DIR]   # ~6 min on 2 cores

The stock all-MiniLM-L6-v2 places texts by topic; a reflection about a youth group's
relationships and one about running a group sit close together. This script teaches it
the framework's distinctions with a contrastive loss: each worked example is pulled
towards its indicator's description or another of its examples, and pushed away from the
others in its batch and from a *hard negative*, an example of one of the indicators whose
examples sit nearest (2.x against 4.x, 6.x...). The "evidences nothing" examples form a
group of their own, so that admin notes gather away from practice.

Only the examples file's own examples and descriptions are learned from, never the
labelled reflections: those stay unseen by the encoder, so that the head and the rule
for how many suggestions to show (``framework.train_head``) can be checked on them
fold by fold. The evaluation sets are never read.

It is deterministic: a fixed seed, fixed thread count and deterministic algorithms; the
same inputs on the same machine give the same weights. The weights are stored as fp16
safetensors (about 45 MB) with the tokenizer and configuration, so a fresh clone needs
no network; the encoder loads them as float32.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from framework.dataset import LabelledItem
from framework.encoder import TUNED_MODEL_DIR, default_model_path
from framework.examples import ExampleSet, load_examples
from framework.model import Framework, load_framework

TUNED_MODEL_ID = "reflectbot/cld-minilm-l6-tuned-v1"
"""The model id recorded with suggestions made by the fine-tuned encoder."""

SEED = 20261127
BATCH_SIZE = 32
LEARNING_RATE = 2e-5
SCALE = 20.0  # similarity scale in the contrastive loss, as in MultipleNegativesRankingLoss
MAX_TOKENS = 192
NEIGHBOURS = 3  # hard negatives come from the indicators whose examples sit nearest
NONE_GROUP = "none"
_COPIED = (
    "config.json",
    "config_sentence_transformers.json",
    "modules.json",
    "sentence_bert_config.json",
    "special_tokens_map.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.txt",
    "1_Pooling/config.json",
)


@dataclass(frozen=True)
class Triple:
    anchor: str
    positive: str
    negative: str
    group: str  # the positive's group
    labels: frozenset[str]  # every group the anchor belongs to


def groups_of(framework: Framework, examples: ExampleSet) -> dict[str, list[str]]:
    """The texts learned from, by group: each indicator's examples, and "none"."""
    groups = {i: list(examples.by_indicator[i]) for i in framework.indicator_ids}
    if len(examples.none) > 1:
        groups[NONE_GROUP] = list(examples.none)
    return groups


def nearest_groups(centroids: dict[str, np.ndarray], count: int) -> dict[str, list[str]]:
    """For each group, the ``count`` other groups whose centroids are most similar."""
    names = list(centroids)
    matrix = np.vstack([centroids[n] for n in names])
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    sims = matrix @ matrix.T
    np.fill_diagonal(sims, -np.inf)
    return {
        name: [names[j] for j in np.argsort(-sims[i], kind="stable")[:count]]
        for i, name in enumerate(names)
    }


def epoch_batches(
    groups: dict[str, list[str]],
    descriptions: dict[str, str],
    neighbours: dict[str, list[str]],
    rng: random.Random,
    reflections: Sequence[LabelledItem] = (),
    batch_size: int = BATCH_SIZE,
) -> list[list[Triple]]:
    """One epoch: every example once as an anchor, and every labelled reflection once per
    label, in batches with no group twice (so that no other anchor's positive in a batch
    is a true match; for a reflection with several labels, :func:`contrastive_loss` masks
    the others)."""
    anchors: dict[str, list[tuple[str, frozenset[str]]]] = {
        name: [(text, frozenset([name])) for text in texts] for name, texts in groups.items()
    }
    for item in reflections:
        for label in item.labels or (NONE_GROUP,):
            if label in anchors:
                anchors[label].append((item.text, frozenset(item.labels or (NONE_GROUP,))))
    queues = {name: rng.sample(rows, len(rows)) for name, rows in anchors.items()}
    # "none" has more examples than any indicator: a fresh sample of them per epoch, as
    # many as the largest indicator has, so that no batch is left with "none" alone.
    depth = max(len(q) for name, q in queues.items() if name != NONE_GROUP)
    if NONE_GROUP in queues:
        queues[NONE_GROUP] = queues[NONE_GROUP][:depth]
    stream: list[tuple[str, str, frozenset[str]]] = []  # round after round, each shuffled
    for position in range(depth):
        row = [(name, *q[position]) for name, q in queues.items() if position < len(q)]
        rng.shuffle(row)
        stream.extend(row)
    chunks: list[list[tuple[str, str, frozenset[str]]]] = []
    for entry in stream:  # into the first open batch without its group, else a new one
        for chunk in chunks[-4:]:
            if len(chunk) < batch_size and all(entry[0] != e[0] for e in chunk):
                chunk.append(entry)
                break
        else:
            chunks.append([entry])
    batches: list[list[Triple]] = []
    for chunk in chunks:
        if chunk:
            batch = []
            for name, anchor, labels in chunk:
                others = [t for t in groups[name] if t != anchor]
                description = descriptions.get(name, "")
                if description and (not others or rng.random() < 0.4):
                    positive = description
                elif others:
                    positive = rng.choice(others)
                else:
                    continue
                near = [g for g in neighbours[name] if g not in labels] or [
                    g for g in groups if g not in labels
                ]
                negative = rng.choice(groups[rng.choice(near)])
                batch.append(Triple(anchor, positive, negative, name, labels))
            if batch:
                batches.append(batch)
    rng.shuffle(batches)
    return batches


def contrastive_loss(anchors, positives, negatives, batch: Sequence[Triple], scale: float = SCALE):  # noqa: ANN001, ANN201
    """Cross-entropy of each anchor against every positive in the batch plus its own hard
    negative. Left out: other anchors' hard negatives (one may be of this anchor's own
    group) and positives of another group this anchor also belongs to."""
    import torch

    in_batch = anchors @ positives.T  # (B, B), the diagonal is the match
    also_true = torch.tensor(
        [[j != i and b.group in a.labels for j, b in enumerate(batch)] for i, a in enumerate(batch)]
    )
    in_batch = in_batch.masked_fill(also_true, float("-inf"))
    own_negative = (anchors * negatives).sum(dim=1, keepdim=True)  # (B, 1)
    logits = scale * torch.cat([in_batch, own_negative], dim=1)
    target = torch.arange(len(anchors))
    return torch.nn.functional.cross_entropy(logits, target)


def tune(
    framework: Framework,
    examples: ExampleSet,
    out: Path,
    *,
    epochs: int = 1,
    base: str | None = None,
    max_steps: int | None = None,
    reflections: Sequence[LabelledItem] = (),
) -> str:
    """Fine-tune and save to ``out``; returns the sha256 of the saved weights.

    ``reflections`` (labelled) are extra anchors, for experiments only: the shipped
    encoder learns from the examples alone, so that our reflections can test it."""
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    rng = random.Random(SEED)
    base = base or default_model_path()
    model = SentenceTransformer(base, device="cpu", local_files_only=True)
    model.max_seq_length = MAX_TOKENS

    groups = groups_of(framework, examples)
    with torch.inference_mode():
        centroids = {
            name: model.encode(texts, batch_size=32, normalize_embeddings=True).mean(axis=0)
            for name, texts in groups.items()
        }
    neighbours = nearest_groups(centroids, NEIGHBOURS)
    batches = [
        b
        for _ in range(epochs)
        for b in epoch_batches(groups, examples.descriptions, neighbours, rng, reflections)
    ]
    if max_steps is not None:
        batches = batches[:max_steps]
    optimiser = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)
    warmup = max(1, len(batches) // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda step: min(
            (step + 1) / warmup, max(0.0, (len(batches) - step) / max(1, len(batches) - warmup))
        ),
    )

    def embed(texts: Sequence[str]):  # noqa: ANN202
        preprocess = getattr(model, "preprocess", model.tokenize)  # renamed in v6
        features = preprocess(list(texts))
        output = model(features)
        return torch.nn.functional.normalize(output["sentence_embedding"], dim=1)

    model.train()
    for step, batch in enumerate(batches, start=1):
        loss = contrastive_loss(
            embed([t.anchor for t in batch]),
            embed([t.positive for t in batch]),
            embed([t.negative for t in batch]),
            batch,
        )
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        if step % 10 == 0 or step == len(batches):
            print(f"step {step}/{len(batches)} loss {loss.item():.4f}", flush=True)
    model.eval()
    return save_fp16(model, Path(base), out)


def save_fp16(model, base: Path, out: Path) -> str:  # noqa: ANN001
    """Write the transformer's weights as fp16 safetensors beside copies of the base
    model's tokenizer and configuration files; returns the weights' sha256."""
    import hashlib

    from safetensors.torch import save_file

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in _COPIED:
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(base / name, target)
    transformer = model[0].auto_model
    state = {
        k: v.detach().to("cpu").half().contiguous() for k, v in transformer.state_dict().items()
    }
    weights = out / "model.safetensors"
    save_file(state, weights, metadata={"format": "pt"})
    weights.chmod(0o644)
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    (out / "reflectbot.json").write_text(
        json.dumps({"model_id": TUNED_MODEL_ID, "weights_sha256": digest}, indent=2) + "\n",
        encoding="utf-8",
    )
    return digest


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=TUNED_MODEL_DIR)
    parser.add_argument("--framework", type=Path, default=None)
    parser.add_argument("--examples", type=Path, default=None)
    args = parser.parse_args(argv)
    framework = load_framework(args.framework)
    examples = load_examples(framework, args.examples)
    digest = tune(framework, examples, args.out, epochs=args.epochs)
    size = (args.out / "model.safetensors").stat().st_size
    print(f"wrote {args.out} (weights {size:,} bytes, sha256 {digest[:16]}…)")


if __name__ == "__main__":
    main()
