"""Decision vectors held in memory: what a suggestion counts, whatever the installation
has gathered, and scoring with them exactly as if they were extra examples."""

from __future__ import annotations

import numpy as np
import pytest

from framework import FakeEncoder, FeedbackExample, load_framework
from framework.feedback import FeedbackMatrix, FeedbackSelection
from framework.scoring import ExtraRows, References, knn_scores, rejection_penalty
from tests.conftest import fake_suggester

IDS = ["1.1", "1.2", "2.6"]


def unit(seed: int, dimension: int = 8) -> np.ndarray:
    vector = np.random.default_rng(seed).normal(size=dimension).astype(np.float32)
    return vector / np.linalg.norm(vector)


def seeds(rows: np.ndarray) -> list[int]:
    """Which ``unit(n)`` each row is (n < 20)."""
    return sorted(int(np.argmax([np.dot(row, unit(n)) for n in range(20)])) for row in rows)


def test_a_selection_counts_own_decisions_fully_and_others_less():
    matrix = FeedbackMatrix(IDS)
    matrix.put(10, "2.6", user_id=1, confirmed=True, stamp=1.0, vector=unit(1))
    matrix.put(11, "1.1", user_id=2, confirmed=False, stamp=2.0, vector=unit(2))
    selection = matrix.select(1, own_weight=1.0, others_weight=0.9)
    assert len(selection) == 2
    assert selection.indicators.tolist() == [2, 0]
    assert selection.confirmed.tolist() == [True, False]
    assert selection.weights.tolist() == pytest.approx([1.0, 0.9])
    assert np.array_equal(selection.vectors[0], unit(1))


def test_a_selection_is_bounded_and_takes_the_most_recent():
    matrix = FeedbackMatrix(IDS, own_limit=3, others_limit=4)
    for n in range(20):
        matrix.put(n, "1.1", user_id=1, confirmed=True, stamp=float(n), vector=unit(n))
        matrix.put(100 + n, "1.2", user_id=2, confirmed=True, stamp=float(n), vector=unit(n))
    selection = matrix.select(1)
    assert len(selection) == 7
    assert seeds(selection.vectors[selection.indicators == 0]) == [17, 18, 19]
    assert seeds(selection.vectors[selection.indicators == 1]) == [16, 17, 18, 19]


def test_replacing_removing_and_forgetting():
    matrix = FeedbackMatrix(IDS)
    matrix.put(10, "2.6", 1, True, 1.0, unit(1))
    matrix.put(10, "2.6", 1, False, 2.0, unit(1))  # the same decision, changed
    matrix.put(10, "1.1", 1, True, 2.0, unit(2))
    matrix.put(20, "1.1", 2, True, 3.0, unit(3))
    assert len(matrix) == 3 and matrix.keys(10) == {"1.1", "2.6"}
    assert matrix.select(1).confirmed.tolist().count(False) == 1
    matrix.remove_reflection(10)
    assert matrix.keys(10) == set() and len(matrix) == 1
    matrix.put(30, "1.2", 1, True, 4.0, unit(4))  # reuses a freed slot
    matrix.remove_user(2)
    assert len(matrix) == 1 and len(matrix.select(2)) == 1  # only user 1's, as others'
    assert not matrix.put(40, "9.9", 1, True, 5.0, unit(5))  # not in the framework


def test_memory_is_bounded_by_dropping_the_oldest():
    matrix = FeedbackMatrix(IDS, held_limit=5)
    for n in range(8):
        matrix.put(n, "1.1", 1, True, float(n), unit(n))
    assert len(matrix) == 5
    assert all(matrix.keys(n) == set() for n in range(3))
    assert matrix.keys(7) == {"1.1"}


def test_vectors_of_another_size_are_refused():
    matrix = FeedbackMatrix(IDS)
    matrix.put(1, "1.1", 1, True, 1.0, unit(1, 8))
    with pytest.raises(ValueError):
        matrix.put(2, "1.1", 1, True, 1.0, unit(1, 16))


def test_growing_keeps_every_row():
    matrix = FeedbackMatrix(IDS)
    for n in range(300):
        matrix.put(n, IDS[n % 3], n % 7, n % 2 == 0, float(n), unit(n))
    selection = matrix.select(999)
    assert len(selection) == 300
    assert {tuple(np.round(v, 5)) for v in selection.vectors} == {
        tuple(np.round(unit(n), 5)) for n in range(300)
    }


def test_extra_rows_score_as_if_they_were_references():
    rng = np.random.default_rng(7)
    rows = rng.normal(size=(4, 8)).astype(np.float32)
    groups = [rng.normal(size=(n, 8)).astype(np.float32) for n in (3, 6, 2)]
    extra = [rng.normal(size=(n, 8)).astype(np.float32) for n in (2, 0, 4)]
    weights = [np.full(n, 0.9, np.float32) for n in (2, 0, 4)]
    merged = References.grouped(
        [np.vstack([g, e]) for g, e in zip(groups, extra, strict=True)],
        [
            np.concatenate([np.ones(len(g), np.float32), w])
            for g, w in zip(groups, weights, strict=True)
        ],
    )
    order = [2, 0, 2, 0, 2, 2]  # extra rows arrive in any order
    pools = {0: list(extra[0]), 2: list(extra[2])}
    shuffled = ExtraRows(
        np.array([pools[i].pop(0) for i in order]),
        np.array(order),
        np.full(len(order), 0.9, np.float32),
    )
    expected = knn_scores(rows, merged, 3)
    assert np.allclose(knn_scores(rows, References.grouped(groups), 3, shuffled), expected)
    penalty = rejection_penalty(rows, shuffled, 3, margin=-1.0, penalty=1.0)
    assert penalty[:, 1].tolist() == [0.0] * 4  # no rejection, no penalty
    assert np.all(penalty[:, [0, 2]] > 0)


def test_stored_vectors_suggest_exactly_as_the_texts_they_came_from():
    suggester = fake_suggester()
    encoder = FakeEncoder()
    framework = load_framework()
    decisions = [
        FeedbackExample("2.8", "the lads fell out over the pool table rota", True, 1.0),
        FeedbackExample("2.6", "sorted the rota after a fight at the pool table", False, 0.9),
    ]
    ids = framework.indicator_ids
    selection = FeedbackSelection(
        encoder.encode([d.text for d in decisions]).astype(np.float32),
        np.array([ids.index(d.indicator_id) for d in decisions]),
        np.array([d.confirmed for d in decisions]),
        np.array([d.weight for d in decisions], np.float32),
    )
    text = "Sorted the pool rota again after the lads fell out at the pool table."
    assert suggester.rank(text, selection) == suggester.rank(text, decisions)
    assert suggester.rank(text, selection) != suggester.rank(text)
