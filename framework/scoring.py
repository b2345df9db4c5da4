"""Scoring a reflection against the indicators: pure functions over arrays.

A reflection is represented by a whole-text vector and one vector per sentence. Two
signals are combined:

- nearest examples: for each indicator, the mean of the ``k`` best cosine similarities
  between the text and that indicator's examples (and any confirmed feedback examples);
- a trained head: the logit of each indicator in a logistic regression over the
  examples, with an extra "none" class for texts that evidence nothing.

Each signal mixes the whole text with its best sentence, so that a long reflection that
touches several indicators can score each of them; the two are standardised and averaged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ScoringParameters:
    """Chosen on the development set and our written set, each checked on the other."""

    top_k: int = 5  # nearest examples averaged per indicator
    whole_weight: float = 0.7  # whole text vs best sentence, in both signals
    knn_weight: float = 0.5  # nearest examples vs head, after standardising
    none_probability_max: float = 0.40  # show nothing if P(none) is above this
    knn_floor: float = 0.30  # show nothing if no indicator's examples are this close
    max_shown: int = 3
    rejection_margin: float = 0.5  # rejected examples only count above this similarity
    rejection_penalty: float = 0.5


@dataclass(frozen=True)
class References:
    """Example vectors grouped by indicator: rows ``starts[i]:starts[i+1]`` are indicator i's."""

    vectors: np.ndarray  # (n, d) unit rows
    starts: np.ndarray  # (indicators + 1,)
    weights: np.ndarray  # (n,) a similarity multiplier per row (feedback from others < 1)

    @classmethod
    def grouped(
        cls, groups: list[np.ndarray], weights: list[np.ndarray] | None = None
    ) -> References:
        sizes = [len(g) for g in groups]
        starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.intp)
        vectors = np.vstack(groups).astype(np.float32, copy=False)
        row_weights = (
            np.concatenate(weights).astype(np.float32)
            if weights is not None
            else np.ones(len(vectors), dtype=np.float32)
        )
        return cls(vectors, starts, row_weights)


@dataclass(frozen=True)
class ExtraRows:
    """Rows to count alongside the references: each a unit vector for one indicator
    (an index), with a similarity multiplier. Practitioners' confirmed decisions are added
    to their indicator's references; rejected ones lower it (:func:`rejection_penalty`)."""

    vectors: np.ndarray  # (m, d)
    indicators: np.ndarray  # (m,) indicator indices
    weights: np.ndarray  # (m,)

    def by_indicator(self, rows: np.ndarray, indicators: int) -> tuple[np.ndarray, np.ndarray]:
        """Weighted similarities of ``rows`` to these rows, columns grouped by indicator,
        and the bounds of each indicator's columns (``bounds[i]:bounds[i+1]``)."""
        order = np.argsort(self.indicators, kind="stable")
        sims = (rows @ self.vectors[order].T) * self.weights[order]
        bounds = np.searchsorted(self.indicators[order], np.arange(indicators + 1))
        return sims, bounds


def knn_scores(
    rows: np.ndarray, references: References, top_k: int, extra: ExtraRows | None = None
) -> np.ndarray:
    """Mean of the ``top_k`` best weighted similarities per indicator, shape (rows, indicators),
    over each indicator's references and its ``extra`` rows."""
    sims = (rows @ references.vectors.T) * references.weights
    starts = references.starts
    indicators = len(starts) - 1
    extra_sims, bounds = (
        extra.by_indicator(rows, indicators)
        if extra is not None and len(extra.indicators)
        else (None, None)
    )
    scores = np.empty((rows.shape[0], indicators), dtype=np.float32)
    for i in range(indicators):
        block = sims[:, starts[i] : starts[i + 1]]
        if extra_sims is not None and bounds[i + 1] > bounds[i]:
            block = np.hstack([block, extra_sims[:, bounds[i] : bounds[i + 1]]])
        k = min(top_k, block.shape[1])
        best = -np.partition(-block, k - 1, axis=1)[:, :k]
        scores[:, i] = best.mean(axis=1)
    return scores


def rejection_penalty(
    rows: np.ndarray, rejected: ExtraRows, indicators: int, margin: float, penalty: float
) -> np.ndarray:
    """How much to lower each indicator: texts very like ones where it was rejected."""
    out = np.zeros((rows.shape[0], indicators), dtype=np.float32)
    if not len(rejected.indicators):
        return out
    sims, bounds = rejected.by_indicator(rows, indicators)
    for i in np.flatnonzero(np.diff(bounds)):
        closeness = sims[:, bounds[i] : bounds[i + 1]].max(axis=1)
        out[:, i] = penalty * np.maximum(0.0, closeness - margin)
    return out


def whole_and_best_sentence(
    per_row: np.ndarray, whole_weight: float
) -> tuple[np.ndarray, np.ndarray]:
    """Mix row 0 (whole text) with the best of the other rows (sentences) per indicator.

    Returns the mixed scores and, per indicator, the index of the best sentence (0-based
    among the sentences; 0 when there is only the whole text).
    """
    if per_row.shape[0] == 1:
        return per_row[0], np.zeros(per_row.shape[1], dtype=np.intp)
    sentences = per_row[1:]
    best = sentences.argmax(axis=0)
    mixed = whole_weight * per_row[0] + (1 - whole_weight) * sentences.max(axis=0)
    return mixed, best


def standardise(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    return (values - values.mean()) / (spread if spread > 1e-9 else 1.0)


def softmax_rows(logits: np.ndarray) -> np.ndarray:
    """Probabilities per row."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


NOT_QUOTED_ABOVE = 0.35
"""A sentence whose own chance of "evidences nothing" is above this (scene-setting,
logistics, a sign-off) is never quoted as evidence."""


def quotable_sentence(knn_sentences: np.ndarray, chances: np.ndarray) -> np.ndarray:
    """Per indicator, the sentence to quote as its evidence: of the sentences that do not
    look like they evidence nothing, the one whose nearest examples and head both favour
    the indicator most; -1 when every sentence looks like it evidences nothing.

    ``knn_sentences`` is (sentences, indicators); ``chances`` (sentences, indicators + 1),
    the head's probabilities with "none" last.
    """
    strength = knn_sentences + chances[:, :-1]
    quotable = chances[:, -1] <= NOT_QUOTED_ABOVE
    if not quotable.any():
        return np.full(knn_sentences.shape[1], -1, dtype=np.intp)
    strength = np.where(quotable[:, None], strength, -np.inf)
    return strength.argmax(axis=0).astype(np.intp)
