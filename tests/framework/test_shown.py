"""How many suggestions to show: candidates, features, the shown-set rule and its fitting,
the quotable sentence, and the head's fingerprint. Pure tests on hand-built arrays."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest

import framework.head as head_module
import framework.shown as shown_module
from framework.head import LinearHead, load_head
from framework.scoring import NOT_QUOTED_ABOVE, quotable_sentence, softmax_rows
from framework.shown import (
    CANDIDATES,
    FEATURES,
    SENTENCE_CANDIDATES,
    ShownRule,
    Signals,
    fit_rule,
    load_rule,
    nothing_threshold,
    shown_f1,
    shown_figures,
)

GRID = np.arange(0.05, 0.95, 0.01)  # the thresholds fit_rule tries


def signals(
    fused: list[float] | np.ndarray,
    *,
    knn_whole: list[float] | None = None,
    knn_sentence: list[float] | None = None,
    head_whole: list[float] | None = None,
    head_sentence: list[float] | None = None,
    none: float = 0.0,
) -> Signals:
    """Signals with zeros for every array not given."""
    fused = np.asarray(fused, dtype=np.float32)

    def array(values: list[float] | None) -> np.ndarray:
        return np.zeros_like(fused) if values is None else np.asarray(values, np.float32)

    return Signals(
        fused=fused,
        knn_whole=array(knn_whole),
        knn_sentence=array(knn_sentence),
        head_whole=array(head_whole),
        head_sentence=array(head_sentence),
        none=none,
    )


def rule(
    weights: dict[str, float] | None = None,
    *,
    bias: float = 0.0,
    threshold: float = 0.5,
    none_threshold: float = 0.5,
    model_id: str = "model",
    head_hash: str = "head",
    max_shown: int = 3,
) -> ShownRule:
    """A rule with the given weight per feature name (0 for the others)."""
    vector = np.zeros(len(FEATURES), dtype=np.float32)
    for name, value in (weights or {}).items():
        vector[FEATURES.index(name)] = value
    return ShownRule(vector, bias, threshold, none_threshold, model_id, head_hash, max_shown)


def logit(p: float) -> float:
    return math.log(p / (1 - p))


# Candidates


def test_candidates_are_the_fused_top_then_sentence_carried_ones() -> None:
    fused = [0.1, 0.9, 0.3, 0.8, 0.0, 0.7, 0.6, 0.2, 0.5, 0.4]
    s = signals(
        fused,
        # 1 is strongest by its sentence but already a candidate; 4 (last by fused) and
        # then 7 are the strongest of the rest; 0 and 2 are weaker.
        knn_sentence=[0.2, 1.0, 0.1, 0, 0.9, 0, 0, 0.1, 0, 0],
        head_sentence=[0.1, 0.5, 0.0, 0, 0.0, 0, 0, 0.5, 0, 0],
    )
    candidates = s.candidates()
    assert candidates.tolist() == [1, 3, 5, 6, 8, 9, 4, 7]
    assert len(candidates) == CANDIDATES + SENTENCE_CANDIDATES
    assert candidates.dtype == np.intp


def test_a_sentence_carried_indicator_far_down_the_fused_ranking_is_a_candidate() -> None:
    fused = np.linspace(1.0, 0.0, 20)
    knn_sentence = np.zeros(20)
    knn_sentence[17] = 0.9  # 18th by fused
    candidates = signals(fused, knn_sentence=knn_sentence).candidates()
    assert 17 in candidates.tolist()
    assert candidates.tolist()[:CANDIDATES] == list(range(CANDIDATES))


def test_negative_head_sentence_values_count_as_zero_in_the_sentence_strength() -> None:
    fused = np.linspace(1.0, 0.0, 10)
    s = signals(
        fused,
        knn_sentence=[0, 0, 0, 0, 0, 0, 0.3, 0.2, 0.1, 0.25],
        head_sentence=[0, 0, 0, 0, 0, 0, -5.0, 0, 0, 0],
    )
    assert s.candidates().tolist()[CANDIDATES:] == [6, 9]


@pytest.mark.parametrize("count", [1, 4, 6, 7, 8, 9, 56])
def test_candidates_never_repeat_and_are_at_most_eight(count: int) -> None:
    rng = np.random.default_rng(count)
    for _ in range(20):
        s = signals(
            rng.normal(size=count),
            knn_sentence=rng.uniform(size=count),
            head_sentence=rng.uniform(size=count),
        )
        candidates = s.candidates().tolist()
        assert len(candidates) == len(set(candidates)) == min(count, 8)
        assert set(candidates) <= set(range(count))


def test_candidates_when_the_strongest_sentences_are_already_in_the_top() -> None:
    fused = np.linspace(1.0, 0.0, 9)
    knn_sentence = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.0, 0.0, 0.1]
    candidates = signals(fused, knn_sentence=knn_sentence).candidates().tolist()
    assert candidates == [0, 1, 2, 3, 4, 5, 8, 6]


# Features


def test_features_follow_the_features_order() -> None:
    s = signals(
        [0.2, 0.9, 0.5],
        head_whole=[0.11, 0.12, 0.13],
        head_sentence=[0.21, 0.22, 0.23],
        knn_whole=[0.31, 0.32, 0.33],
        knn_sentence=[0.41, 0.42, 0.43],
        none=0.07,
    )
    rows = s.features(np.array([1, 2, 0]))
    assert rows.shape == (3, len(FEATURES)) and rows.dtype == np.float32
    expected = [
        # fused, gap, head, head sentence, knn whole, knn sentence, first, second, none
        [0.9, 0.0, 0.12, 0.22, 0.32, 0.42, 1, 0, 0.07],
        [0.5, 0.4, 0.13, 0.23, 0.33, 0.43, 0, 1, 0.07],
        [0.2, 0.7, 0.11, 0.21, 0.31, 0.41, 0, 0, 0.07],
    ]
    np.testing.assert_allclose(rows, expected, atol=1e-6)
    named = dict(zip(FEATURES, rows[0], strict=True))
    assert named["fused"] == pytest.approx(0.9)
    assert named["gap to first"] == 0.0
    assert named["head probability"] == pytest.approx(0.12)
    assert named["head sentence probability"] == pytest.approx(0.22)
    assert named["nearest examples, whole text"] == pytest.approx(0.32)
    assert named["nearest examples, best sentence"] == pytest.approx(0.42)
    assert named["first"] == 1.0 and named["second"] == 0.0
    assert named["evidences nothing"] == pytest.approx(0.07)


def test_first_and_second_flags_follow_the_fused_rank_with_ties_in_order() -> None:
    s = signals([0.5, 0.7, 0.7, 0.1])
    rows = s.features(np.array([0, 1, 2, 3]))
    first, second = FEATURES.index("first"), FEATURES.index("second")
    assert rows[:, first].tolist() == [0, 1, 0, 0]
    assert rows[:, second].tolist() == [0, 0, 1, 0]
    np.testing.assert_allclose(rows[:, FEATURES.index("gap to first")], [0.2, 0, 0, 0.6], atol=1e-6)


# The rule: chances and choose


EIGHT = [logit(p) for p in (0.9, 0.7, 0.45, 0.3, 0.2, 0.1, 0.05, 0.02)]  # chance = sigmoid


def test_chances_are_the_logistic_of_the_weighted_features() -> None:
    r = rule({"fused": 1.0}, bias=0.0)
    s = signals(EIGHT)
    np.testing.assert_allclose(
        r.chances(s, np.arange(8)), [0.9, 0.7, 0.45, 0.3, 0.2, 0.1, 0.05, 0.02], rtol=1e-5
    )
    shifted = rule({"fused": 1.0}, bias=logit(0.7) - logit(0.9))  # moves 0.9 to 0.7
    assert shifted.chances(s, np.array([0]))[0] == pytest.approx(0.7, rel=1e-5)


@pytest.mark.parametrize(
    ("threshold", "max_shown", "expected"),
    [
        (0.5, 3, [0, 1]),
        (0.4, 3, [0, 1, 2]),
        (0.25, 3, [0, 1, 2]),  # 3 also reaches it, but at most three are shown
        (0.25, 5, [0, 1, 2, 3]),
        (0.69, 3, [0, 1]),
        (0.71, 3, [0]),
        (0.95, 3, [0]),  # the best is shown even below the threshold
        (0.0, 1, [0]),
    ],
)
def test_choose_applies_the_threshold_keeps_the_first_and_caps(
    threshold: float, max_shown: int, expected: list[int]
) -> None:
    r = rule({"fused": 1.0}, threshold=threshold, max_shown=max_shown)
    chosen = r.choose(signals(EIGHT))
    assert [i for i, _ in chosen] == expected
    assert [c for _, c in chosen] == pytest.approx([0.9, 0.7, 0.45, 0.3][: len(expected)], 1e-5)


def test_choose_always_keeps_the_best_chance_even_when_all_are_low() -> None:
    fused = [logit(p) for p in (0.2, 0.1, 0.05, 0.01)]
    chosen = rule({"fused": 1.0}, threshold=0.5).choose(signals(fused))
    assert len(chosen) == 1 and chosen[0][0] == 0
    assert chosen[0][1] == pytest.approx(0.2, rel=1e-5)


def test_choose_orders_by_chance_not_by_fused_score() -> None:
    fused = np.linspace(1.0, 0.0, 8)
    head = [0.1, 0.2, 0.0, 0.3, 0.0, 0.9, 0.0, 0.6]
    r = rule({"head probability": 10.0}, bias=-3.0, threshold=0.4)
    chosen = r.choose(signals(fused, head_whole=head))
    assert [i for i, _ in chosen] == [5, 7, 3]
    chances = [c for _, c in chosen]
    assert chances == sorted(chances, reverse=True)
    assert chances[0] == pytest.approx(1 / (1 + math.exp(-6.0)), rel=1e-5)


def test_choose_can_show_a_sentence_carried_candidate() -> None:
    fused = np.linspace(1.0, 0.0, 12)
    knn_sentence = np.zeros(12)
    knn_sentence[11] = 1.0  # last by fused, carried by its sentence
    r = rule({"nearest examples, best sentence": 10.0}, bias=-5.0)
    assert r.choose(signals(fused, knn_sentence=knn_sentence))[0][0] == 11


def test_choose_shows_nothing_above_the_none_threshold() -> None:
    r = rule({"fused": 1.0}, threshold=0.0, none_threshold=0.5)
    assert r.choose(signals(EIGHT, none=0.51)) == []
    assert r.choose(signals(EIGHT, none=0.99)) == []
    assert len(r.choose(signals(EIGHT, none=0.5))) == 3  # at the threshold: still shown
    assert len(r.choose(signals(EIGHT, none=0.0))) == 3
    never = rule({"fused": 1.0}, none_threshold=-1.0)
    assert never.choose(signals(EIGHT, none=0.0)) == []


def test_fits_needs_both_the_model_and_the_head() -> None:
    r = rule(model_id="m", head_hash="h")
    assert r.fits("m", "h")
    assert not r.fits("m", "other")
    assert not r.fits("other", "h")


# Saving and loading


def test_a_rule_round_trips_through_its_file(tmp_path: Path) -> None:
    original = ShownRule(
        weights=np.arange(len(FEATURES), dtype=np.float32) / 7 - 0.5,
        bias=-1.234567,
        threshold=0.37,
        none_threshold=0.8125,
        model_id="reflectbot/some-model",
        head_hash="0123456789abcdef",
        max_shown=2,
    )
    path = tmp_path / "rule.json"
    original.save(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURES)
    loaded = load_rule(path)
    assert loaded is not None
    np.testing.assert_allclose(loaded.weights, original.weights, atol=1e-6)
    assert loaded.weights.dtype == np.float32
    assert loaded.bias == pytest.approx(original.bias, abs=1e-6)
    assert loaded.threshold == pytest.approx(0.37)
    assert loaded.none_threshold == pytest.approx(0.8125)
    assert (loaded.model_id, loaded.head_hash, loaded.max_shown) == (
        "reflectbot/some-model",
        "0123456789abcdef",
        2,
    )
    s = signals(EIGHT, head_whole=np.linspace(0, 1, 8), none=0.3)
    assert [i for i, _ in loaded.choose(s)] == [i for i, _ in original.choose(s)]


@pytest.mark.parametrize(
    "features",
    [
        list(FEATURES[:-1]),
        [*FEATURES, "something new"],
        list(reversed(FEATURES)),
        [],
    ],
    ids=["one-fewer", "one-more", "reordered", "empty"],
)
def test_a_rule_over_other_features_is_not_loaded(tmp_path: Path, features: list[str]) -> None:
    path = tmp_path / "rule.json"
    rule().save(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"] = features
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_rule(path) is None
    del data["features"]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_rule(path) is None


def test_a_missing_rule_file_means_no_rule(tmp_path: Path) -> None:
    assert load_rule(tmp_path / "absent.json") is None


def test_max_shown_defaults_to_three_when_absent(tmp_path: Path) -> None:
    path = tmp_path / "rule.json"
    rule(max_shown=5).save(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["max_shown"]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_rule(path).max_shown == 3


@pytest.fixture
def rule_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The packaged rules' directory, moved to a temporary one with several rules."""
    directory = tmp_path / "data"
    directory.mkdir()
    monkeypatch.setattr(shown_module, "DEFAULT_RULE_PATH", directory / "cld_shown_rule.json")
    rule(model_id="tuned", head_hash="h-tuned", threshold=0.31).save(
        directory / "cld_shown_rule.json"
    )
    rule(model_id="stock", head_hash="h-stock", threshold=0.42).save(
        directory / "cld_shown_rule_stock.json"
    )
    # not named like a rule file:
    rule(model_id="elsewhere", threshold=0.11).save(directory / "other_rule.json")
    old = rule(model_id="old-features", threshold=0.12)
    old.save(directory / "cld_shown_rule_old.json")
    data = json.loads((directory / "cld_shown_rule_old.json").read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    (directory / "cld_shown_rule_old.json").write_text(json.dumps(data), encoding="utf-8")
    return directory


def test_load_rule_by_model_id_picks_the_matching_file(rule_dir: Path) -> None:
    stock = load_rule(model_id="stock")
    assert stock is not None
    assert (stock.head_hash, stock.threshold) == ("h-stock", pytest.approx(0.42))
    tuned = load_rule(model_id="tuned")
    assert tuned is not None and tuned.head_hash == "h-tuned"


def test_load_rule_by_model_id_finds_nothing_for_other_models(rule_dir: Path) -> None:
    assert load_rule(model_id="unknown") is None
    assert load_rule(model_id="elsewhere") is None  # not named cld_shown_rule*.json
    assert load_rule(model_id="old-features") is None  # learned over other features


def test_load_rule_without_arguments_reads_the_default_file(rule_dir: Path) -> None:
    default = load_rule()
    assert default is not None and default.model_id == "tuned"
    (rule_dir / "cld_shown_rule.json").unlink()
    assert load_rule() is None
    assert load_rule(model_id="stock").model_id == "stock"


def test_load_rule_with_a_path_ignores_the_model_id(rule_dir: Path) -> None:
    loaded = load_rule(rule_dir / "other_rule.json", model_id="stock")
    assert loaded is not None and loaded.model_id == "elsewhere"


# Fitting the rule


def synthetic(
    seed: int, texts: int = 300, indicators: int = 12, unlabelled: int = 0
) -> tuple[list[Signals], list[frozenset[int]]]:
    """Scored texts where only the best sentence's nearest examples tell true indicators
    (about 0.6) from the others (about 0.3); every other signal is noise. Each labelled
    text has 1 to 3 labels; unlabelled ones look, to the head, like they evidence nothing."""
    rng = np.random.default_rng(seed)
    out: list[Signals] = []
    gold: list[frozenset[int]] = []
    for n in range(texts + unlabelled):
        labels = (
            frozenset()
            if n >= texts
            else frozenset(rng.choice(indicators, size=rng.integers(1, 4), replace=False).tolist())
        )
        truth = np.array([i in labels for i in range(indicators)])
        knn_sentence = np.where(truth, 0.6, 0.3) + rng.normal(0, 0.12, indicators)
        out.append(
            Signals(
                fused=rng.normal(size=indicators).astype(np.float32),
                knn_whole=rng.uniform(0.2, 0.5, indicators).astype(np.float32),
                knn_sentence=knn_sentence.astype(np.float32),
                head_whole=rng.uniform(0, 0.1, indicators).astype(np.float32),
                head_sentence=rng.uniform(0, 0.1, indicators).astype(np.float32),
                none=float(0.99 if not labels else rng.uniform(0, 0.6)),
            )
        )
        gold.append(labels)
    return out, gold


@pytest.fixture(scope="module")
def fitted() -> tuple[ShownRule, list[Signals], list[frozenset[int]]]:
    data, gold = synthetic(seed=7, unlabelled=40)
    learned = fit_rule(data, gold, model_id="m", head_hash="h", max_shown=3, precision_floor=None)
    return learned, data, gold


def test_fit_rule_learns_the_feature_that_separates_true_from_false(fitted) -> None:
    learned, _, _ = fitted
    weights = dict(zip(FEATURES, learned.weights, strict=True))
    separating = weights["nearest examples, best sentence"]
    assert separating > 1.0
    others = [abs(w) for name, w in weights.items() if name != "nearest examples, best sentence"]
    assert max(others) < separating / 5
    assert (learned.model_id, learned.head_hash, learned.max_shown) == ("m", "h", 3)
    assert learned.weights.dtype == np.float32 and learned.weights.shape == (len(FEATURES),)


def test_fit_rule_ranks_true_candidates_above_false_ones(fitted) -> None:
    learned, data, gold = fitted
    true, false = [], []
    for s, labels in zip(data, gold, strict=True):
        candidates = s.candidates()
        for c, chance in zip(candidates, learned.chances(s, candidates), strict=True):
            (true if int(c) in labels else false).append(chance)
    assert np.mean(true) > np.mean(false) + 0.3


def test_fit_rule_picks_the_threshold_with_the_best_shown_f1(fitted) -> None:
    learned, data, gold = fitted
    f1s = [
        shown_f1(
            ShownRule(
                learned.weights,
                learned.bias,
                float(t),
                learned.none_threshold,
                "m",
                "h",
                learned.max_shown,
            ),
            data,
            gold,
        )
        for t in GRID
    ]
    assert max(f1s) - min(f1s) > 0.05  # the threshold matters on these data
    best = max(f1s)
    assert shown_f1(learned, data, gold) == pytest.approx(best, abs=1e-9)
    first_best = float(GRID[next(i for i, f in enumerate(f1s) if f > best - 1e-9)])
    assert learned.threshold == pytest.approx(first_best)
    assert GRID[0] - 1e-9 <= learned.threshold <= GRID[-1] + 1e-9


@pytest.mark.parametrize("floor", [0.5, 0.7, 0.9])
def test_fit_rule_shows_the_most_right_indicators_above_a_precision_floor(floor: float) -> None:
    data, gold = synthetic(seed=7, unlabelled=40)
    learned = fit_rule(data, gold, model_id="m", head_hash="h", precision_floor=floor)
    figures = {
        round(float(t), 2): shown_figures(
            dataclasses.replace(learned, threshold=float(t)), data, gold
        )
        for t in GRID
    }
    reaching = {t: f for t, f in figures.items() if f[0] >= floor}
    precision, recall, _ = shown_figures(learned, data, gold)
    if reaching:
        assert precision >= floor
        assert recall == pytest.approx(max(f[1] for f in reaching.values()))
    else:  # unreachable: the best F1 instead
        assert shown_f1(learned, data, gold) == pytest.approx(max(f[2] for f in figures.values()))


def test_fit_rule_shows_every_labelled_text_and_hides_the_unlabelled_when_they_separate(
    fitted,
) -> None:
    learned, data, gold = fitted  # labelled "none" below 0.6, unlabelled 0.99
    labelled = [s for s, labels in zip(data, gold, strict=True) if labels]
    unlabelled = [s for s, labels in zip(data, gold, strict=True) if not labels]
    assert all(learned.choose(s) for s in labelled)
    assert all(learned.choose(s) == [] for s in unlabelled)
    assert max(s.none for s in labelled) < learned.none_threshold < 0.99


def test_nothing_threshold_is_the_middle_of_the_gap_when_the_sets_separate() -> None:
    assert nothing_threshold([0.1, 0.2, 0.3], [0.7, 0.9]) == pytest.approx(0.5)


def test_nothing_threshold_without_unlabelled_texts_shows_everything() -> None:
    assert nothing_threshold([0.1, 0.8, 0.3], []) == pytest.approx(0.8)


@pytest.mark.parametrize("seed", range(5))
def test_nothing_threshold_best_separates_overlapping_sets(seed: int) -> None:
    rng = np.random.default_rng(seed)
    labelled = rng.uniform(0, 0.7, 40).tolist()
    unlabelled = rng.uniform(0.3, 1.0, 12).tolist()

    def balanced(cut: float) -> float:
        return np.mean([v <= cut for v in labelled]) + np.mean([v > cut for v in unlabelled])

    chosen = nothing_threshold(labelled, unlabelled)
    grid = np.linspace(-0.01, 1.01, 2001)
    assert balanced(chosen) == pytest.approx(max(balanced(c) for c in grid))


def test_shown_f1_is_the_micro_f1_of_what_is_shown() -> None:
    r = rule({"fused": 1.0}, threshold=0.5)
    texts = [
        signals(EIGHT),  # shows 0, 1
        signals(list(reversed(EIGHT))),  # shows 7, 6
        signals(EIGHT, none=0.9),  # shows nothing
    ]
    gold = [frozenset({0, 5}), frozenset({2}), frozenset({4})]
    # right 1 of 4 shown; 1 of 4 wanted: precision = recall = 0.25
    assert shown_f1(r, texts, gold) == pytest.approx(0.25)
    assert shown_f1(r, texts, [frozenset({0, 1}), frozenset({7, 6}), frozenset()]) == 1.0
    assert shown_f1(r, texts[2:], [frozenset({1})]) == 0.0
    assert shown_f1(r, texts[2:], [frozenset()]) == 0.0


# The sentence to quote


def test_quotable_sentence_skips_sentences_that_look_like_nothing() -> None:
    limit = NOT_QUOTED_ABOVE
    knn = np.array([[0.9, 0.1], [0.2, 0.3], [0.1, 0.2]])
    chances = np.array(
        [
            [0.3, 0.0, limit + 0.2],  # strongest for indicator 0, but "evidences nothing"
            [0.1, 0.2, limit - 0.1],
            [0.4, 0.1, limit],  # exactly at the limit: still quotable
        ]
    )
    best = quotable_sentence(knn, chances)
    assert best.tolist() == [2, 1]
    assert best.dtype == np.intp


def test_quotable_sentence_is_minus_one_when_no_sentence_qualifies() -> None:
    knn = np.array([[0.9, 0.1, 0.3], [0.2, 0.3, 0.0]])
    chances = np.array(
        [[0.1, 0.1, 0.1, NOT_QUOTED_ABOVE + 0.2], [0.1, 0.1, 0.1, NOT_QUOTED_ABOVE + 0.01]]
    )
    best = quotable_sentence(knn, chances)
    assert best.tolist() == [-1, -1, -1]
    assert best.dtype == np.intp


def test_quotable_sentence_adds_nearest_examples_and_head() -> None:
    knn = np.array([[0.5, 0.5], [0.4, 0.6]])
    chances = np.array([[0.3, 0.0, 0.1], [0.0, 0.0, 0.1]])  # head favours sentence 0 for 0
    assert quotable_sentence(knn, chances).tolist() == [0, 1]
    one = quotable_sentence(knn[:1], chances[:1])
    assert one.tolist() == [0, 0]


# Softmax


def test_softmax_rows_are_probabilities() -> None:
    logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [-5.0, 5.0, 0.0]])
    p = softmax_rows(logits)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[1], [1 / 3] * 3)
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(p[0], e / e.sum())
    assert p[2].argmax() == 1


def test_softmax_rows_is_stable_for_huge_logits_and_shift_invariant() -> None:
    logits = np.array([[1000.0, 999.0, -1000.0], [-1000.0, -1001.0, -3000.0]])
    p = softmax_rows(logits)
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p[0], p[1])
    np.testing.assert_allclose(p[0, :2], [1 / (1 + math.exp(-1)), 1 / (1 + math.exp(1))])
    np.testing.assert_allclose(softmax_rows(logits + 7.5), p)
    np.testing.assert_allclose(softmax_rows(np.array([[3.0], [-2.0]])), [[1.0], [1.0]])


def test_softmax_rows_works_on_float32_head_logits() -> None:
    logits = np.array([[80.0, 0.0, -80.0]], dtype=np.float32)
    p = softmax_rows(logits)
    assert np.isfinite(p).all() and p.sum() == pytest.approx(1.0)


# The head's fingerprint, and finding the head for a model


def make_head(seed: int = 0, model_id: str = "m", classes: tuple[str, ...] = ("a", "b", "none")):
    rng = np.random.default_rng(seed)
    return LinearHead(
        weights=rng.normal(size=(len(classes), 4)).astype(np.float32),
        bias=rng.normal(size=len(classes)).astype(np.float32),
        classes=classes,
        model_id=model_id,
        framework_hash="f",
        examples_hash="e",
    )


def test_the_fingerprint_names_the_weights() -> None:
    head = make_head()
    assert len(head.fingerprint) == 16 and int(head.fingerprint, 16) >= 0
    assert make_head().fingerprint == head.fingerprint
    weights = head.weights.copy()
    weights[1, 2] += 1e-3
    assert LinearHead(weights, head.bias, head.classes, "m", "f", "e").fingerprint != (
        head.fingerprint
    )
    bias = head.bias.copy()
    bias[0] = np.nextafter(bias[0], np.float32(10))
    assert LinearHead(head.weights, bias, head.classes, "m", "f", "e").fingerprint != (
        head.fingerprint
    )
    renamed = LinearHead(head.weights, head.bias, ("a", "c", "none"), "m", "f", "e")
    assert renamed.fingerprint != head.fingerprint


def test_the_fingerprint_survives_saving_and_loading(tmp_path: Path) -> None:
    head = make_head(3)
    head.save(tmp_path / "head.npz")
    assert load_head(tmp_path / "head.npz").fingerprint == head.fingerprint


def test_load_head_by_model_id_picks_the_matching_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "data"
    directory.mkdir()
    monkeypatch.setattr(head_module, "DEFAULT_HEAD_PATH", directory / "cld_head.npz")
    make_head(1, "tuned").save(directory / "cld_head.npz")
    make_head(2, "stock").save(directory / "cld_head_stock.npz")
    make_head(3, "elsewhere").save(directory / "other_head.npz")
    assert load_head(model_id="stock").fingerprint == make_head(2, "stock").fingerprint
    assert load_head(model_id="tuned").fingerprint == make_head(1, "tuned").fingerprint
    assert load_head(model_id="elsewhere") is None
    assert load_head(model_id="unknown") is None
    assert load_head().model_id == "tuned"
    assert load_head(directory / "other_head.npz", model_id="stock").model_id == "elsewhere"
    (directory / "cld_head.npz").unlink()
    assert load_head() is None
    assert load_head(model_id="stock").model_id == "stock"


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        '{"features": ' + json.dumps(list(FEATURES)) + "}",
        '{"features": ' + json.dumps(list(FEATURES)) + ', "weights": [1, 2], "bias": 0, '
        '"threshold": 0.3, "none_threshold": 0.2, "model_id": "m", "head_hash": "h"}',
    ],
    ids=["not json", "a list", "missing fields", "wrong number of weights"],
)
def test_an_unreadable_rule_file_is_no_rule(tmp_path: Path, content: str) -> None:
    path = tmp_path / "rule.json"
    path.write_text(content, encoding="utf-8")
    assert load_rule(path) is None
