"""How many suggestions to show: calibrated chances, not always three.

A reflection's best few indicators (by the fused score, plus any that one sentence scores
highly on its own) are *candidates*. For each, a small logistic regression turns what the
scorer knows about it (its fused score and its gap to the first, its head probability,
how close its nearest examples are to the whole text and to its best sentence, its rank,
and how much the text looks like "evidences nothing") into the chance that a practitioner
would confirm it. The candidates whose chance reaches a threshold are shown, best first,
at most three; the first is always shown unless the text looks like it evidences nothing.

The regression and the threshold are learned by ``python -m framework.train_head`` from
out-of-fold scores of our own labelled reflections (each fold scored by a head and
references that never saw it), the threshold chosen for recall at a precision floor. The rule
is stored beside the head and applies only to the model and head it was learned with.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_RULE_PATH = Path(__file__).parent / "data" / "cld_shown_rule.json"
CANDIDATES = 6  # by fused score
SENTENCE_CANDIDATES = 2  # more, by their best sentence alone
PRECISION_FLOOR = 0.65
"""The share of what is shown that should be right, on our reflections out of fold; the
threshold is the one that shows the most right indicators above it. A practitioner who
keeps tapping ❌ stops trusting the suggestions, so precision comes first."""
FEATURES = (
    "fused",
    "gap to first",
    "head probability",
    "head sentence probability",
    "nearest examples, whole text",
    "nearest examples, best sentence",
    "first",
    "second",
    "evidences nothing",
)


@dataclass(frozen=True)
class Signals:
    """What the scorer knows about one text, per indicator (arrays in framework order)."""

    fused: np.ndarray  # the combined score the ranking rests on
    knn_whole: np.ndarray
    knn_sentence: np.ndarray  # the best sentence's (= knn_whole for a one-sentence text)
    head_whole: np.ndarray  # head probability of each indicator for the whole text
    head_sentence: np.ndarray  # the highest head probability among its sentences
    none: float  # head probability of "evidences nothing": the lowest of the whole text's
    # and its sentences', so that scene-setting and a sign-off around one sentence of
    # practice do not hide it (0 without a head)

    def candidates(self) -> np.ndarray:
        """Indices of the candidates, best fused first, then the sentence-carried ones."""
        top = np.argsort(-self.fused, kind="stable")[:CANDIDATES]
        strength = np.maximum(self.head_sentence, 0) + self.knn_sentence
        carried = [i for i in np.argsort(-strength, kind="stable") if i not in top]
        return np.concatenate([top, carried[:SENTENCE_CANDIDATES]]).astype(np.intp)

    def features(self, candidates: np.ndarray) -> np.ndarray:
        """One row of :data:`FEATURES` per candidate."""
        top = float(self.fused.max())
        rank = np.empty(len(self.fused), dtype=np.intp)
        rank[np.argsort(-self.fused, kind="stable")] = np.arange(len(self.fused))
        c = candidates
        return np.column_stack(
            [
                self.fused[c],
                top - self.fused[c],
                self.head_whole[c],
                self.head_sentence[c],
                self.knn_whole[c],
                self.knn_sentence[c],
                (rank[c] == 0).astype(np.float32),
                (rank[c] == 1).astype(np.float32),
                np.full(len(c), self.none, dtype=np.float32),
            ]
        ).astype(np.float32)


@dataclass(frozen=True)
class ShownRule:
    """Logistic regression over :data:`FEATURES`, and the chance needed to be shown."""

    weights: np.ndarray  # (len(FEATURES),)
    bias: float
    threshold: float
    none_threshold: float  # show nothing when P(evidences nothing) is above this
    model_id: str
    head_hash: str
    max_shown: int = 3

    def chances(self, signals: Signals, candidates: np.ndarray) -> np.ndarray:
        z = signals.features(candidates) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    def choose(self, signals: Signals) -> list[tuple[int, float]]:
        """(indicator index, chance) to show, best first; [] when nothing should be."""
        if signals.none > self.none_threshold:
            return []
        candidates = signals.candidates()
        chances = self.chances(signals, candidates)
        order = np.argsort(-chances, kind="stable")
        shown = [(int(candidates[j]), float(chances[j])) for j in order[: self.max_shown]]
        return [shown[0]] + [s for s in shown[1:] if s[1] >= self.threshold]

    def fits(self, model_id: str, head_hash: str) -> bool:
        return self.model_id == model_id and self.head_hash == head_hash

    def save(self, path: Path) -> None:
        data = {
            "features": list(FEATURES),
            "weights": [round(float(w), 6) for w in self.weights],
            "bias": round(float(self.bias), 6),
            "threshold": round(float(self.threshold), 4),
            "none_threshold": round(float(self.none_threshold), 4),
            "max_shown": self.max_shown,
            "model_id": self.model_id,
            "head_hash": self.head_hash,
        }
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def load_rule(path: Path | None = None, model_id: str | None = None) -> ShownRule | None:
    """The rule stored at ``path``; without a path, the packaged rule for ``model_id``
    (``cld_shown_rule*.json``; the default file when no id is given). None if there is
    none, it cannot be read, or it was learned over other features."""
    if path is None and model_id is not None:
        for candidate in sorted(DEFAULT_RULE_PATH.parent.glob("cld_shown_rule*.json")):
            rule = load_rule(candidate)
            if rule is not None and rule.model_id == model_id:
                return rule
        return None
    path = path or DEFAULT_RULE_PATH
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data.get("features", ())) != FEATURES:
            return None
        rule = ShownRule(
            weights=np.array(data["weights"], dtype=np.float32),
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
            none_threshold=float(data["none_threshold"]),
            model_id=str(data["model_id"]),
            head_hash=str(data["head_hash"]),
            max_shown=int(data.get("max_shown", 3)),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # unreadable: suggestions fall back to the top three
    return rule if rule.weights.shape == (len(FEATURES),) else None


def fit_rule(
    signals: Sequence[Signals],
    gold: Sequence[frozenset[int]],
    *,
    model_id: str,
    head_hash: str,
    max_shown: int = 3,
    precision_floor: float | None = PRECISION_FLOOR,
) -> ShownRule:
    """Learn the regression from scored texts and their true indicator indices, then the
    thresholds: for showing nothing, :func:`nothing_threshold`; for the rest, the one that
    shows the most right indicators while at least ``precision_floor`` of what is shown is
    right (the best F1 of what is shown if no threshold reaches the floor, or without a
    floor)."""
    from sklearn.linear_model import LogisticRegression

    rows, targets = [], []
    for s, labels in zip(signals, gold, strict=True):
        if not labels:
            continue
        candidates = s.candidates()
        rows.append(s.features(candidates))
        targets.extend(int(c) in labels for c in candidates)
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(np.vstack(rows), np.array(targets))
    weights = model.coef_[0].astype(np.float32)
    bias = float(model.intercept_[0])

    none_threshold = nothing_threshold(
        [s.none for s, labels in zip(signals, gold, strict=True) if labels],
        [s.none for s, labels in zip(signals, gold, strict=True) if not labels],
    )
    scored = []  # (threshold, precision, recall, f1)
    for threshold in np.arange(0.05, 0.95, 0.01):
        rule = ShownRule(
            weights, bias, float(threshold), none_threshold, model_id, head_hash, max_shown
        )
        scored.append((float(threshold), *shown_figures(rule, signals, gold)))
    reaching = [row for row in scored if precision_floor is not None and row[1] >= precision_floor]
    if reaching:  # the most recall, then the best F1, then the lowest threshold
        chosen = max(reaching, key=lambda row: (round(row[2], 9), round(row[3], 9), -row[0]))
    else:
        chosen = max(scored, key=lambda row: (round(row[3], 9), -row[0]))
    return ShownRule(weights, bias, chosen[0], none_threshold, model_id, head_hash, max_shown)


def nothing_threshold(labelled: Sequence[float], unlabelled: Sequence[float]) -> float:
    """The "evidences nothing" probability above which nothing is shown: the one that
    best separates texts that evidence something (shown) from those that do not (hidden),
    counting both kinds equally; the middle of the best stretch when several tie. Without
    texts that evidence nothing, the highest labelled value (everything is shown)."""
    ordered = sorted({*labelled, *unlabelled})
    if not unlabelled:
        return float(max(labelled, default=1.0))
    cuts = [ordered[0] - 1e-6] + [(a + b) / 2 for a, b in zip(ordered, ordered[1:], strict=False)]
    cuts.append(ordered[-1])
    shown = np.array(labelled)
    hidden = np.array(unlabelled)
    scores = [
        (shown <= cut).mean() + (hidden > cut).mean() if len(shown) else (hidden > cut).mean()
        for cut in cuts
    ]
    best = max(scores)
    tied = [cut for cut, score in zip(cuts, scores, strict=True) if score >= best - 1e-9]
    return float(tied[len(tied) // 2])


def shown_figures(
    rule: ShownRule, signals: Sequence[Signals], gold: Sequence[frozenset[int]]
) -> tuple[float, float, float]:
    """Micro precision, recall and F1 of what ``rule`` shows."""
    right = shown = wanted = 0
    for s, labels in zip(signals, gold, strict=True):
        chosen = {i for i, _ in rule.choose(s)}
        right += len(chosen & labels)
        shown += len(chosen)
        wanted += len(labels)
    precision = right / shown if shown else 0.0
    recall = right / wanted if wanted else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def shown_f1(rule: ShownRule, signals: Sequence[Signals], gold: Sequence[frozenset[int]]) -> float:
    """Micro F1 of what ``rule`` shows."""
    return shown_figures(rule, signals, gold)[2]
