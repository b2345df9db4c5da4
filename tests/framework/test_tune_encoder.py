"""Fine-tuning the sentence encoder: the batches, the contrastive loss, and (slow) a tiny
deterministic run saved to ship."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from framework import (
    FakeEncoder,
    SentenceTransformerEncoder,
    default_model_path,
    load_examples,
    load_framework,
)
from framework.dataset import LabelledItem
from framework.tune_encoder import (
    BATCH_SIZE,
    NONE_GROUP,
    TUNED_MODEL_ID,
    Triple,
    epoch_batches,
    groups_of,
    nearest_groups,
    tune,
)


@pytest.fixture(scope="module")
def cld():
    return load_framework()


@pytest.fixture(scope="module")
def examples(cld):
    return load_examples(cld)


@pytest.fixture(scope="module")
def groups(cld, examples) -> dict[str, list[str]]:
    return groups_of(cld, examples)


@pytest.fixture(scope="module")
def neighbours(groups) -> dict[str, list[str]]:
    encoder = FakeEncoder()
    centroids = {name: encoder.encode(texts).mean(axis=0) for name, texts in groups.items()}
    return nearest_groups(centroids, 3)


@pytest.fixture(scope="module")
def reflections(neighbours) -> tuple[LabelledItem, ...]:
    """A few reflections with two labels (one of them a hard-negative group of the other),
    one with every neighbour of 1.1 as a label too, and one that evidences nothing."""
    items = [
        LabelledItem(f"two-{n}", f"Reflection number {n} about two things.", (a, b))
        for n, (a, b) in enumerate(
            [
                ("1.1", neighbours["1.1"][0]),
                ("2.6", neighbours["2.6"][0]),
                ("4.5", neighbours["4.5"][1]),
                ("7.9", "1.2"),
            ]
        )
    ]
    items.append(
        LabelledItem("all", "Reflection with 1.1 and its neighbours.", ("1.1", *neighbours["1.1"]))
    )
    items.append(LabelledItem("nothing", "Room booked for the party.", ()))
    return tuple(items)


def batches_for(groups, examples, neighbours, reflections=(), seed=1, **kwargs):  # noqa: ANN001, ANN003, ANN201
    return epoch_batches(
        groups, examples.descriptions, neighbours, random.Random(seed), reflections, **kwargs
    )


def expected_anchors(groups, reflections) -> Counter:  # noqa: ANN001
    """(anchor, group) once for every example, and once per label for every reflection."""
    expected = Counter((text, name) for name, texts in groups.items() for text in texts)
    for item in reflections:
        for label in item.labels or (NONE_GROUP,):
            expected[(item.text, label)] += 1
    return expected


def test_groups_are_the_indicators_and_none(cld, examples, groups) -> None:
    assert list(groups) == [*cld.indicator_ids, NONE_GROUP]
    assert groups["2.6"] == list(examples.by_indicator["2.6"])
    assert groups[NONE_GROUP] == list(examples.none)
    one_none = dataclasses.replace(examples, none=examples.none[:1])
    assert NONE_GROUP not in groups_of(cld, one_none)


def test_nearest_groups_are_the_most_similar_others() -> None:
    centroids = {
        "a": np.array([1.0, 0.0, 0.0]),
        "b": np.array([2.0, 0.2, 0.0]),  # a's direction, longer
        "c": np.array([0.0, 1.0, 0.0]),
        "d": np.array([0.0, 0.9, 0.5]),
    }
    near = nearest_groups({k: v.copy() for k, v in centroids.items()}, 2)
    assert near["a"] == ["b", "c"] or near["a"] == ["b", "d"]
    assert near["a"][0] == "b" and near["b"][0] == "a"
    assert near["c"][0] == "d" and near["d"][0] == "c"
    assert all(name not in near[name] for name in centroids)
    assert all(len(v) == 2 for v in near.values())


def test_no_anchor_is_used_twice(groups, examples, neighbours, reflections) -> None:
    batches = batches_for(groups, examples, neighbours, reflections)
    used = Counter((t.anchor, t.group) for batch in batches for t in batch)
    expected = expected_anchors(groups, reflections)
    assert all(used[key] <= expected[key] for key in used)
    assert set(used) <= set(expected)


def assert_each_anchor_once(batches, groups, reflections) -> None:
    """Every indicator example and each reflection label is an anchor exactly once; "none"
    gets a sample as large as the largest other group, each at most once."""
    used = Counter((t.anchor, t.group) for batch in batches for t in batch)
    expected = expected_anchors(groups, reflections)
    assert {k: v for k, v in used.items() if k[1] != NONE_GROUP} == {
        k: v for k, v in expected.items() if k[1] != NONE_GROUP
    }
    none_used = {k: v for k, v in used.items() if k[1] == NONE_GROUP}
    depth = max(
        sum(n for (_, g), n in expected.items() if g == name)
        for name in {g for _, g in expected}
        if name != NONE_GROUP
    )
    assert set(none_used) <= {k for k in expected if k[1] == NONE_GROUP}
    assert all(n == 1 for n in none_used.values())
    assert len(none_used) == min(depth, len(groups.get(NONE_GROUP, ())))


def test_every_example_and_each_reflection_label_is_an_anchor_exactly_once(
    groups, examples, neighbours, reflections
) -> None:
    assert_each_anchor_once(
        batches_for(groups, examples, neighbours, reflections), groups, reflections
    )


def test_every_packaged_example_is_an_anchor_exactly_once(groups, examples, neighbours) -> None:
    assert_each_anchor_once(batches_for(groups, examples, neighbours), groups, ())


@pytest.mark.parametrize(
    "batch_size",
    [
        19,
        32,
        57,
        8,
    ],
)
def test_every_anchor_is_used_exactly_once_when_groups_are_even(cld, examples, batch_size) -> None:
    """Groups of equal size (57 groups, and 1.1 and 1.2 one more each for the reflection):
    every anchor is used once, even when a round's last batch holds one triple."""
    even = {name: list(texts[:5]) for name, texts in groups_of(cld, examples).items()}
    centroids = {name: FakeEncoder().encode(texts).mean(axis=0) for name, texts in even.items()}
    near = nearest_groups(centroids, 3)
    items = (LabelledItem("r", "one reflection, two labels", ("1.1", "1.2")),)
    batches = epoch_batches(
        even, examples.descriptions, near, random.Random(3), items, batch_size=batch_size
    )
    used = Counter((t.anchor, t.group) for batch in batches for t in batch)
    assert used == expected_anchors(even, items)
    assert all(len(batch) <= batch_size for batch in batches)


def test_reflections_are_anchors_once_per_label_with_all_their_labels(
    groups, examples, neighbours, reflections
) -> None:
    batches = batches_for(groups, examples, neighbours, reflections, seed=4)
    by_text = {item.text: item for item in reflections}
    seen = Counter()
    for triple in (t for batch in batches for t in batch):
        item = by_text.get(triple.anchor)
        if item is None:
            assert triple.labels == frozenset([triple.group])
            continue
        seen[(item.id, triple.group)] += 1
        assert triple.labels == frozenset(item.labels or (NONE_GROUP,))
        assert triple.group in triple.labels
    assert max(seen.values()) == 1
    assert seen[("nothing", NONE_GROUP)] <= 1


def test_no_group_twice_in_a_batch(groups, examples, neighbours, reflections) -> None:
    for seed in range(3):
        batches = batches_for(groups, examples, neighbours, reflections, seed=seed)
        assert batches
        for batch in batches:
            names = [t.group for t in batch]
            assert len(names) == len(set(names))
            assert 1 <= len(batch) <= BATCH_SIZE


def test_positives_are_another_text_of_the_group(groups, examples, neighbours, reflections) -> None:
    described = 0
    for triple in (t for b in batches_for(groups, examples, neighbours, reflections) for t in b):
        assert triple.positive != triple.anchor
        description = examples.descriptions.get(triple.group, "")
        assert triple.positive in groups[triple.group] or triple.positive == description
        described += triple.positive == description
    assert described > 0


def test_hard_negatives_are_never_of_the_anchors_labels(
    groups, examples, neighbours, reflections
) -> None:
    owner = {text: name for name, texts in groups.items() for text in texts}
    fallback = 0
    for seed in range(5):
        for batch in batches_for(groups, examples, neighbours, reflections, seed=seed):
            for triple in batch:
                assert triple.negative in owner
                assert owner[triple.negative] not in triple.labels, triple
                near = [g for g in neighbours[triple.group] if g not in triple.labels]
                if near:
                    assert owner[triple.negative] in near
                else:
                    fallback += 1
    assert fallback > 0  # the reflection labelled with 1.1 and all its neighbours


def test_when_every_neighbour_is_a_label_the_negative_is_of_another_group() -> None:
    groups = {name: [f"{name}{n}" for n in range(3)] for name in "abcde"}
    neighbours = {name: [g for g in "abcde" if g != name][:2] for name in "abcde"}
    assert neighbours["a"] == ["b", "c"]
    items = (LabelledItem("r", "a reflection about a, b and c", ("a", "b", "c")),)
    fallbacks = 0
    for seed in range(40):
        for batch in epoch_batches(groups, {}, neighbours, random.Random(seed), items):
            for t in batch:
                assert t.negative[0] not in t.labels, t
                if t.anchor == items[0].text and t.group == "a":
                    fallbacks += 1
                    assert t.negative[0] in "de"
    assert fallbacks >= 30


def test_batches_mix_groups_and_positions_at_random(groups, examples, neighbours) -> None:
    """Which groups share a batch changes from round to round, and an example is not
    always batched with the examples at the same position in the other groups."""
    batches = batches_for(groups, examples, neighbours)
    full = {frozenset(t.group for t in batch) for batch in batches if len(batch) == BATCH_SIZE}
    assert len(full) > 10
    position = {(text, name): n for name, texts in groups.items() for n, text in enumerate(texts)}
    mixed = sum(len({position[(t.anchor, t.group)] for t in batch}) > 1 for batch in batches)
    assert mixed > len(batches) // 2


def test_the_batches_of_a_round_are_spread_through_the_epoch(cld, examples) -> None:
    """Five rounds of 57 groups in batches of 19: kept in order, every three consecutive
    batches would hold each group once (and a truncated run would see one round only)."""
    even = {name: list(texts[:5]) for name, texts in groups_of(cld, examples).items()}
    near = {name: [g for g in even if g != name][:3] for name in even}
    batches = epoch_batches(even, examples.descriptions, near, random.Random(5), batch_size=19)
    assert len(batches) == 15
    whole_rounds = sum(
        sorted(t.group for b in batches[k : k + 3] for t in b) == sorted(even)
        for k in range(0, 15, 3)
    )
    assert whole_rounds < 5


def test_epoch_batches_are_deterministic_for_a_seed(
    groups, examples, neighbours, reflections
) -> None:
    first = batches_for(groups, examples, neighbours, reflections, seed=20261127)
    again = batches_for(groups, examples, neighbours, reflections, seed=20261127)
    other = batches_for(groups, examples, neighbours, reflections, seed=20261128)
    assert first == again
    assert first != other


# The contrastive loss


def triple(group: str, labels: set[str]) -> Triple:
    return Triple(
        f"anchor {group}", f"positive {group}", f"negative {group}", group, frozenset(labels)
    )


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def loss_of(torch, anchors, positives, negatives, batch, scale=20.0) -> float:  # noqa: ANN001
    from framework.tune_encoder import contrastive_loss

    def tensor(rows):  # noqa: ANN001, ANN202
        return torch.tensor(np.asarray(rows), dtype=torch.float64)

    return float(
        contrastive_loss(tensor(anchors), tensor(positives), tensor(negatives), batch, scale)
    )


# Three anchors along the axes; anchor 0 also belongs to group B, which is triple 1's.
BATCH = [triple("A", {"A", "B"}), triple("B", {"B"}), triple("C", {"C"})]
ANCHORS = np.eye(3, 4)
POSITIVES = np.array([[0.8, 0.1, 0.1, 0.0], [0.2, 0.7, 0.0, 0.1], [0.1, 0.2, 0.6, 0.2]])
NEGATIVES = np.array([[0.3, 0.3, 0.0, 0.5], [0.1, 0.4, 0.1, 0.5], [0.2, 0.1, 0.5, 0.3]])


def nudged(rows: np.ndarray, row: int, by: float = 0.9) -> np.ndarray:
    """``rows`` with row ``row`` moved along anchor 0's axis only: of all the dot products,
    only anchor 0's with it changes."""
    out = rows.copy()
    out[row, 0] += by
    return out


def test_a_masked_positive_does_not_count(torch) -> None:
    base = loss_of(torch, ANCHORS, POSITIVES, NEGATIVES, BATCH)
    masked = loss_of(torch, ANCHORS, nudged(POSITIVES, 1), NEGATIVES, BATCH)
    assert masked == pytest.approx(base, abs=1e-12)


def test_an_unmasked_positive_counts(torch) -> None:
    base = loss_of(torch, ANCHORS, POSITIVES, NEGATIVES, BATCH)
    assert loss_of(torch, ANCHORS, nudged(POSITIVES, 2), NEGATIVES, BATCH) > base + 1e-3
    # and the same positive counts for an anchor that does not share its group
    plain = [triple("A", {"A"}), BATCH[1], BATCH[2]]
    base_plain = loss_of(torch, ANCHORS, POSITIVES, NEGATIVES, plain)
    assert loss_of(torch, ANCHORS, nudged(POSITIVES, 1), NEGATIVES, plain) > base_plain + 1e-3


def test_only_each_anchors_own_hard_negative_counts(torch) -> None:
    base = loss_of(torch, ANCHORS, POSITIVES, NEGATIVES, BATCH)
    assert loss_of(torch, ANCHORS, POSITIVES, nudged(NEGATIVES, 1), BATCH) == pytest.approx(
        base, abs=1e-12
    )
    assert loss_of(torch, ANCHORS, POSITIVES, nudged(NEGATIVES, 0), BATCH) > base + 1e-3


def hand_loss(anchors, positives, negatives, masked, scale) -> float:  # noqa: ANN001
    """Mean over anchors of -log softmax of the match among the unmasked positives and the
    anchor's own negative, computed the long way."""
    total = 0.0
    for i, a in enumerate(anchors):
        logits = [scale * float(a @ p) for j, p in enumerate(positives) if (i, j) not in masked]
        logits.append(scale * float(a @ negatives[i]))
        match = scale * float(a @ positives[i])
        total += -(match - np.log(np.sum(np.exp(logits))))
    return total / len(anchors)


@pytest.mark.parametrize("scale", [1.0, 20.0])
def test_the_loss_is_cross_entropy_over_positives_and_own_negative(torch, scale) -> None:
    anchors = np.array([[1.0, 0.0], [0.6, 0.8]])
    positives = np.array([[0.8, 0.6], [0.0, 1.0]])
    negatives = np.array([[0.6, -0.8], [1.0, 0.0]])
    plain = [triple("A", {"A"}), triple("B", {"B"})]
    expected = hand_loss(anchors, positives, negatives, set(), scale)
    assert loss_of(torch, anchors, positives, negatives, plain, scale) == pytest.approx(expected)
    # by hand: anchor 0 sees logits 0.8s, 0, 0.6s; anchor 1 sees 0.96s, 0.8s, 0.6s
    s = scale
    by_hand = (
        -(0.8 * s - np.log(np.exp(0.8 * s) + 1 + np.exp(0.6 * s)))
        - (0.8 * s - np.log(np.exp(0.96 * s) + np.exp(0.8 * s) + np.exp(0.6 * s)))
    ) / 2
    assert expected == pytest.approx(by_hand)


def test_the_loss_leaves_out_masked_positives_in_the_cross_entropy(torch) -> None:
    shared = [triple("A", {"A", "B"}), triple("B", {"A", "B"}), triple("C", {"C"})]
    expected = hand_loss(ANCHORS, POSITIVES, NEGATIVES, {(0, 1), (1, 0)}, 20.0)
    assert loss_of(torch, ANCHORS, POSITIVES, NEGATIVES, shared) == pytest.approx(expected)
    unmasked = hand_loss(ANCHORS, POSITIVES, NEGATIVES, set(), 20.0)
    assert unmasked != pytest.approx(expected)


def test_the_loss_has_gradients(torch) -> None:
    from framework.tune_encoder import contrastive_loss

    anchors = torch.tensor(ANCHORS, requires_grad=True)
    loss = contrastive_loss(anchors, torch.tensor(POSITIVES), torch.tensor(NEGATIVES), BATCH)
    loss.backward()
    assert torch.isfinite(anchors.grad).all() and anchors.grad.abs().sum() > 0


# A tiny run of the real thing


@pytest.fixture
def torch_state(torch):
    """tune() sets torch's global thread count and deterministic mode: put them back."""
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    yield
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(deterministic)


@pytest.mark.slow
def test_a_tiny_tuning_run_is_deterministic_and_ships_a_loadable_model(
    cld, examples, tmp_path: Path, torch_state, monkeypatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    tiny = dataclasses.replace(
        examples,
        by_indicator={k: v[:2] for k, v in examples.by_indicator.items()},
        none=examples.none[:3],
        reflections=(),
    )
    first = tune(cld, tiny, tmp_path / "one", max_steps=2)
    second = tune(cld, tiny, tmp_path / "two", max_steps=2)
    weights = tmp_path / "one" / "model.safetensors"
    assert first == second == hashlib.sha256(weights.read_bytes()).hexdigest()
    assert weights.read_bytes() == (tmp_path / "two" / "model.safetensors").read_bytes()

    for name in ("tokenizer.json", "vocab.txt", "tokenizer_config.json", "config.json"):
        assert (tmp_path / "one" / name).is_file(), name
    assert (tmp_path / "one" / "1_Pooling" / "config.json").is_file()
    manifest = json.loads((tmp_path / "one" / "reflectbot.json").read_text(encoding="utf-8"))
    assert manifest == {"model_id": TUNED_MODEL_ID, "weights_sha256": first}

    from safetensors.numpy import load_file

    state = load_file(weights)
    assert state and {v.dtype for v in state.values()} == {np.dtype(np.float16)}
    assert 30e6 < weights.stat().st_size < 60e6
    base = load_file(Path(default_model_path()) / "model.safetensors")
    shared = [k for k in state if k in base]
    assert len(shared) > 90
    moved = [k for k in shared if not np.array_equal(state[k], base[k].astype(np.float16))]
    assert moved, "two steps of training changed no weight"

    encoder = SentenceTransformerEncoder(str(tmp_path / "one"))
    vectors = encoder.encode(["We talked the argument through.", "Room booked for thursday."])
    assert vectors.dtype == np.float32 and vectors.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert next(encoder._model.parameters()).dtype.is_floating_point  # type: ignore[union-attr]
    assert str(next(encoder._model.parameters()).dtype) == "torch.float32"  # type: ignore[union-attr]


class _Captured(Exception):
    pass


@pytest.mark.slow
def test_the_learning_rate_never_exceeds_the_base_rate(
    cld, examples, tmp_path: Path, torch, torch_state, monkeypatch
) -> None:
    captured = {}

    class Capture(torch.optim.lr_scheduler.LambdaLR):
        def __init__(self, optimiser, lr_lambda, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
            captured["lambda"] = lr_lambda
            raise _Captured

    import sentence_transformers  # noqa: F401  # (its imports subclass the real LambdaLR)

    monkeypatch.setattr(torch.optim.lr_scheduler, "LambdaLR", Capture)
    tiny = dataclasses.replace(
        examples,
        by_indicator={k: v[:2] for k, v in examples.by_indicator.items()},
        none=examples.none[:3],
        reflections=(),
    )
    with pytest.raises(_Captured):
        tune(cld, tiny, tmp_path / "out", max_steps=2)
    factors = [captured["lambda"](step) for step in range(2)]
    assert all(0 < f <= 1.0 for f in factors), factors
