"""The examples file, the trained head and the pure scoring functions."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from framework import (
    DEFAULT_EXAMPLES_PATH,
    DEFAULT_MODEL_ID,
    TUNED_MODEL_DIR,
    FakeEncoder,
    FrameworkError,
    load_examples,
    load_framework,
    load_head,
    load_rule,
)
from framework.dataset import read_jsonl
from framework.encoder import tuned_model_id
from framework.head import NONE_CLASS
from framework.scoring import References, knn_scores, standardise, whole_and_best_sentence
from framework.train_head import train_head, training_rows
from framework.tune_encoder import TUNED_MODEL_ID as TUNED_ID

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cld():
    return load_framework()


def test_the_packaged_examples_cover_every_indicator(cld):
    examples = load_examples(cld)
    assert list(examples.by_indicator) == list(cld.indicator_ids)
    assert min(len(v) for v in examples.by_indicator.values()) >= 16
    assert len(examples.none) >= 40
    assert all(examples.descriptions[i] for i in cld.indicator_ids)


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda s: s.replace('[indicators."2.6"]', '[indicators."2.99"]'), "not in the framework"),
        (lambda s: s + '\n[indicators."1.1"]\n', "not valid TOML"),
        (lambda s: s.replace("[none]", "[none]\nexamples = 3\n[skip]"), "not valid TOML"),
    ],
)
def test_a_bad_examples_file_names_the_file_and_problem(cld, tmp_path, edit, problem):
    path = tmp_path / "examples.toml"
    path.write_text(edit(DEFAULT_EXAMPLES_PATH.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(FrameworkError, match=problem) as error:
        load_examples(cld, path)
    assert str(path) in str(error.value)


def test_an_indicator_without_examples_is_refused(cld, tmp_path):
    path = tmp_path / "examples.toml"
    path.write_text('[indicators."1.1"]\nexamples = ["one"]\n', encoding="utf-8")
    with pytest.raises(FrameworkError, match="indicator 1.2 has no examples"):
        load_examples(cld, path)


@pytest.mark.parametrize("model_id", [TUNED_ID, DEFAULT_MODEL_ID])
def test_the_packaged_heads_and_rules_match_the_framework_and_examples(cld, model_id):
    """A head and a shown-set rule ship for the tuned model (the default) and the stock one;
    if this fails, run `make model` (the examples or the framework changed)."""
    head = load_head(model_id=model_id)
    assert head is not None
    assert head.classes == (*cld.indicator_ids, NONE_CLASS)
    assert head.model_id == model_id
    assert head.framework_hash == cld.content_hash
    assert head.examples_hash == load_examples(cld).content_hash, (
        "the examples changed: retrain with `make model`"
    )
    assert head.weights.shape == (57, 384)
    rule = load_rule(model_id=model_id)
    assert rule is not None and rule.fits(model_id, head.fingerprint)
    assert 0 < rule.threshold < 1 and rule.max_shown == 3


def test_the_default_head_is_the_tuned_models():
    assert load_head().model_id == TUNED_ID == tuned_model_id()


def test_the_tuned_model_ships_as_fp16_safetensors_of_at_most_50_mb():
    from safetensors import safe_open

    weights = TUNED_MODEL_DIR / "model.safetensors"
    assert weights.stat().st_size <= 50 * 1024 * 1024
    manifest = json.loads((TUNED_MODEL_DIR / "reflectbot.json").read_text(encoding="utf-8"))
    assert manifest["weights_sha256"] == hashlib.sha256(weights.read_bytes()).hexdigest()
    with safe_open(str(weights), framework="numpy") as tensors:
        dtypes = {str(tensors.get_tensor(name).dtype) for name in tensors.keys()}  # noqa: SIM118
    assert dtypes == {"float16"}
    for name in ("tokenizer.json", "vocab.txt", "modules.json", "1_Pooling/config.json"):
        assert (TUNED_MODEL_DIR / name).is_file()


def test_training_rows_include_examples_none_and_labelled_reflections(cld, tmp_path):
    examples = load_examples(cld)
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text(
        '{"id": "a", "text": "two labels", "labels": ["2.6", "2.5"]}\n'
        '{"id": "b", "text": "nothing here", "labels": []}\n'
    )
    texts, labels, weights = training_rows(cld, examples, [labelled])
    unlabelled = sum(1 for r in examples.reflections if not r.labels)
    assert labels.count(NONE_CLASS) == len(examples.none) + unlabelled + 1
    assert ("two labels", "2.6", 0.5) in zip(texts, labels, weights, strict=True)
    assert ("two labels", "2.5", 0.5) in zip(texts, labels, weights, strict=True)


def test_a_trained_head_round_trips_and_learns_its_examples(cld, tmp_path):
    encoder = FakeEncoder()
    examples = load_examples(cld)
    head = train_head(cld, examples, encoder)
    path = tmp_path / "head.npz"
    head.save(path)
    again = load_head(path)
    np.testing.assert_array_equal(again.weights, head.weights)
    assert again.classes == head.classes and again.model_id == "fake-bow-256"
    vectors = encoder.encode(list(examples.by_indicator["5.6"]))
    predicted = again.logits(vectors).argmax(axis=1)
    assert (predicted == again.classes.index("5.6")).mean() > 0.5


def test_missing_head_file_means_no_head(tmp_path):
    assert load_head(tmp_path / "absent.npz") is None


def test_the_training_reflections_are_valid(cld):
    items = read_jsonl(ROOT / "framework" / "data" / "cld_reflections.jsonl", cld)
    assert len(items) >= 150


def test_knn_scores_average_the_best_k_per_indicator():
    references = References.grouped(
        [np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[0.6, 0.8], [0.8, 0.6], [-1.0, 0.0]])]
    )
    rows = np.array([[1.0, 0.0]])
    np.testing.assert_allclose(knn_scores(rows, references, top_k=1), [[1.0, 0.8]])
    np.testing.assert_allclose(knn_scores(rows, references, top_k=2), [[0.5, 0.7]])
    np.testing.assert_allclose(knn_scores(rows, references, top_k=9), [[0.5, 0.4 / 3]], rtol=1e-6)


def test_weighted_references_count_for_less():
    groups = [np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]])]
    weighted = References.grouped(groups, [np.array([1.0]), np.array([0.5])])
    np.testing.assert_allclose(knn_scores(np.array([[1.0, 0.0]]), weighted, 1), [[1.0, 0.5]])


def test_whole_and_best_sentence():
    per_row = np.array([[0.5, 0.1], [0.2, 0.9], [0.4, 0.3]])
    mixed, best = whole_and_best_sentence(per_row, whole_weight=0.5)
    np.testing.assert_allclose(mixed, [0.45, 0.5])
    assert list(best) == [1, 0]
    only, best = whole_and_best_sentence(per_row[:1], 0.5)
    np.testing.assert_allclose(only, [0.5, 0.1])


def test_standardise_handles_flat_scores():
    np.testing.assert_allclose(standardise(np.array([2.0, 2.0])), [0.0, 0.0])
    z = standardise(np.array([1.0, 2.0, 3.0]))
    assert abs(z.mean()) < 1e-9 and abs(z.std() - 1) < 1e-9


def test_copying_the_framework_keeps_the_examples(cld, tmp_path):
    copy = tmp_path / "cld.toml"
    shutil.copy(cld.path, copy)
    assert load_examples(load_framework(copy)).by_indicator.keys() == set(cld.indicator_ids)


def test_labelled_reflections_are_references_of_each_of_their_labels(cld):
    from framework import Suggester

    examples = load_examples(cld)
    both = [r for r in examples.reflections if {"2.6", "1.7"} <= set(r.labels)]
    assert both, "the packaged reflections include one labelled 2.6 and 1.7"
    for indicator_id in ("2.6", "1.7"):
        assert both[0].text in examples.references(indicator_id)
    suggester = Suggester(cld, FakeEncoder(), examples=examples)
    suggester.prepare()
    expected = sum(len(examples.references(i)) for i in cld.indicator_ids)
    assert suggester._references.vectors.shape[0] == expected > 56 * 26
