"""Suggest which competence indicators a reflection evidences.

The reflection is split into sentences and encoded; it is then scored against worked
examples of each indicator (nearest neighbours) and by a small trained head, as described
in ``framework/scoring.py``. Up to three indicators are shown, each with the sentence that
supports it best, unless the text looks like it evidences nothing. Practitioners'
confirmations and rejections (feedback) shift later suggestions.

`Suggester` adds the encoder, the on-disk cache of example vectors and the feedback
(see ``framework/feedback.py``) to the pure scoring functions.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from framework.embedding_cache import cache_key, cached_embeddings
from framework.encoder import Encoder
from framework.examples import ExampleSet
from framework.feedback import FeedbackSelection
from framework.head import LinearHead
from framework.model import Framework
from framework.scoring import (
    ExtraRows,
    References,
    ScoringParameters,
    knn_scores,
    quotable_sentence,
    rejection_penalty,
    softmax_rows,
    standardise,
    whole_and_best_sentence,
)
from framework.shown import ShownRule, Signals

MIN_SENTENCE_WORDS = 4
"""Sentences shorter than this are not scored alone: fragments like "So what?" match noise."""

MAX_SCORED_CHARS = 6_000
"""A longer text (about 1,000 words) is scored on sentences spread evenly through it, up to
about this many characters, so that one very long reflection cannot hold the model for
long. The whole text is stored all the same."""
SAMPLED_PARTS = 8

METHOD_VERSION = "examples-knn+head/v1"


@dataclass(frozen=True)
class Suggestion:
    """An indicator the reflection seems to evidence, with its score and rank (1 = best)."""

    indicator_id: str
    score: float
    rank: int
    evidence: str = ""


@dataclass(frozen=True)
class FeedbackExample:
    """A practitioner's earlier decision: this text does (or does not) evidence an indicator.

    ``weight`` scales its influence: 1 for the practitioner's own decisions, less for other
    practitioners' on the same installation. The bot passes stored vectors instead
    (:class:`FeedbackSelection`); texts are for evaluations and tests, encoded per call.
    """

    indicator_id: str
    text: str
    confirmed: bool
    weight: float = 1.0


Feedback = FeedbackSelection | Sequence[FeedbackExample]
"""Earlier decisions a suggestion takes into account: stored vectors, or texts."""

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\s*\n+\s*")


def split_sentences(text: str) -> list[str]:
    """Split a reflection into sentences at . ! ? followed by space, and at line breaks."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


def scored_positions(sentences: Sequence[str]) -> list[int]:
    """Which sentences are worth scoring on their own (none for a one-sentence text)."""
    kept = [i for i, s in enumerate(sentences) if len(s.split()) >= MIN_SENTENCE_WORDS]
    return kept if len(kept) > 1 else []


def within_budget(
    sentences: Sequence[str], budget: int = MAX_SCORED_CHARS, parts: int = SAMPLED_PARTS
) -> list[str]:
    """The sentences to score, in order: all of them if they fit ``budget`` characters,
    else some from each of ``parts`` equal stretches of the text, each stretch given an
    equal share of the budget (its first sentence always, cut to the share if longer)."""
    total = sum(len(sentence) + 1 for sentence in sentences)
    if total <= budget:
        return list(sentences)
    share = budget // parts
    used = [0] * parts
    kept, position = [], 0
    for sentence in sentences:
        part = min(parts - 1, position * parts // total)
        position += len(sentence) + 1
        if used[part] == 0 or used[part] + len(sentence) <= share:
            kept.append(sentence[:share])
            used[part] += len(kept[-1])
    return kept


def scored_sentences(text: str) -> list[str]:
    """The sentences of ``text`` worth scoring on their own."""
    sentences = split_sentences(text)
    return [sentences[i] for i in scored_positions(sentences)]


class Suggester:
    """Ranks a framework's indicators against reflections using an `Encoder`.

    ``examples`` are the worked examples per indicator; without them each indicator's own
    wording is its only example (a weak fallback for frameworks with no examples file).
    ``head`` is applied only if it was trained for this encoder's model and framework.
    """

    def __init__(
        self,
        framework: Framework,
        encoder: Encoder,
        *,
        examples: ExampleSet | None = None,
        head: LinearHead | None = None,
        cache_dir: Path | None = None,
        parameters: ScoringParameters | None = None,
        rule: ShownRule | None = None,
    ) -> None:
        self.framework = framework
        self.encoder = encoder
        self.examples = examples
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.parameters = parameters or ScoringParameters()
        self._head_candidate = head
        self._rule_candidate = rule
        self.head: LinearHead | None = None
        self.rule: ShownRule | None = None
        self._ids = framework.indicator_ids
        self._index = {indicator_id: i for i, indicator_id in enumerate(self._ids)}
        self._references: References | None = None
        self._groups: list[np.ndarray] = []
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        """Id of the model behind the scores, to store alongside each suggestion."""
        return self.encoder.model_id

    @property
    def method(self) -> str:
        """What the suggestions rest on, for reports."""
        parts = ["examples" if self.examples else "indicator wording"]
        if self.head is not None:
            parts.append("trained head")
        return " + ".join(parts)

    def prepare(self) -> None:
        """Encode (or load from the cache) the example vectors; idempotent and thread-safe."""
        if self._references is not None:
            return
        with self._lock:
            if self._references is not None:
                return
            texts_by_indicator = self._reference_texts()
            texts = [t for group in texts_by_indicator for t in group]
            key = self.references_key(texts)
            vectors = cached_embeddings(
                self.cache_dir, key, len(texts), lambda: self.encoder.encode(texts)
            )
            sizes = np.cumsum([0] + [len(g) for g in texts_by_indicator])
            self._groups = [vectors[sizes[i] : sizes[i + 1]] for i in range(len(self._ids))]
            candidate = self._head_candidate
            if candidate is not None and candidate.fits(self.model_id, self._ids, vectors.shape[1]):
                self.head = candidate
                rule = self._rule_candidate
                if rule is not None and rule.fits(self.model_id, candidate.fingerprint):
                    self.rule = rule
            self._references = References.grouped(self._groups)

    def _reference_texts(self) -> list[tuple[str, ...]]:
        """Each indicator's reference texts: its examples, or else its own wording."""
        return [
            self.examples.references(i) if self.examples else (self.framework.indicator(i).text,)
            for i in self._ids
        ]

    def reference_texts(self) -> list[str]:
        """Every reference text, in the order their vectors are stored."""
        return [t for group in self._reference_texts() for t in group]

    def references_key(self, texts: Sequence[str] | None = None) -> str:
        """The cache key of the reference vectors: model, framework, method and texts."""
        texts = self.reference_texts() if texts is None else texts
        texts_hash = hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest()
        return cache_key(
            self.model_id, self.framework.content_hash, f"{METHOD_VERSION}/{texts_hash}"
        )

    # -- public API ----------------------------------------------------------------------

    def suggest(self, text: str, feedback: Feedback = ()) -> list[Suggestion]:
        """Up to three indicators the text evidences, best first; [] when it evidences none."""
        return self.analyse(text, feedback)[0]

    def rank(self, text: str, feedback: Feedback = ()) -> list[tuple[str, float]]:
        """Every indicator id with its score, best first."""
        return self.analyse(text, feedback)[1]

    def signals(self, text: str) -> Signals:
        """What the scorer knows about ``text`` per indicator (to learn a shown-set rule)."""
        self.prepare()
        rows, _ = self._encode_rows(text.strip())
        return self._score(rows, ())[0]

    def encode_feedback(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of decision texts, to store once with the decisions."""
        return self.encoder.encode(list(texts))

    def analyse(
        self, text: str, feedback: Feedback = ()
    ) -> tuple[list[Suggestion], list[tuple[str, float]]]:
        """What to show, and the full ranking, from one encoding of the text."""
        if not text.strip():
            return [], [(indicator_id, 0.0) for indicator_id in self._ids]
        self.prepare()
        whole = text.strip()
        rows, sentences = self._encode_rows(whole)
        signals, best_sentence, knn_top = self._score(rows, feedback)
        fused = signals.fused
        order = np.argsort(-fused, kind="stable")
        ranking = [(self._ids[i], float(fused[i])) for i in order]
        chosen = self._chosen(signals, order, knn_top)
        shown = [
            Suggestion(
                indicator_id=self._ids[i],
                score=float(fused[i]),
                rank=rank,
                evidence=(
                    (sentences[best_sentence[i]] if best_sentence[i] >= 0 else "")
                    if sentences
                    else whole
                ),
            )
            for rank, i in enumerate(chosen, start=1)
        ]
        return shown, ranking

    # -- internals -----------------------------------------------------------------------

    def _chosen(self, signals: Signals, order: np.ndarray, knn_top: float) -> list[int]:
        """Indices of the indicators to show, best first: as the shown-set rule decides
        when there is one for this model and head, else the top ``max_shown`` unless the
        text looks like it evidences nothing."""
        if self.rule is not None:
            return [i for i, _ in self.rule.choose(signals)]
        p = self.parameters
        if knn_top < p.knn_floor or (
            self.head is not None and signals.none > p.none_probability_max
        ):
            return []
        return [int(i) for i in order[: p.max_shown]]

    def _encode_rows(self, whole: str) -> tuple[np.ndarray, list[str]]:
        """Row 0 is the whole text, then one row per sentence worth scoring alone (of a
        very long text, those :func:`within_budget` keeps).

        Encoders that can (the real one, for mean-pooling models) do it in one pass; the
        others encode the whole text, then its sentences, in separate calls (batching
        them together would pad every sentence to the whole text's length).
        """
        sentences = split_sentences(whole)
        sampled = within_budget(sentences)
        if sampled != sentences:  # a very long text: its cost is capped
            sentences, whole = sampled, " ".join(sampled)
        scored = scored_positions(sentences)
        if not scored:
            return self.encoder.encode([whole]), []
        encode_document = getattr(self.encoder, "encode_document", None)
        document = encode_document(sentences) if encode_document is not None else None
        if document is not None:
            whole_vector, sentence_vectors = document
            rows = np.vstack([whole_vector[None, :], sentence_vectors[scored]])
        else:
            kept = [sentences[i] for i in scored]
            rows = np.vstack([self.encoder.encode([whole]), self.encoder.encode(kept)])
        return rows, [sentences[i] for i in scored]

    def _score(self, rows: np.ndarray, feedback: Feedback) -> tuple[Signals, np.ndarray, float]:
        """The text's signals per indicator, per indicator the sentence to quote (-1: none
        is worth quoting), and the best nearest-examples score."""
        p = self.parameters
        references = self._references
        assert references is not None
        selection = self._selection(feedback)
        confirmed, rejected = selection.confirmed, ~selection.confirmed
        extra = ExtraRows(
            selection.vectors[confirmed],
            selection.indicators[confirmed],
            selection.weights[confirmed],
        )
        knn_rows = knn_scores(rows, references, p.top_k, extra)
        if rejected.any():
            knn_rows -= rejection_penalty(
                rows,
                ExtraRows(
                    selection.vectors[rejected],
                    selection.indicators[rejected],
                    selection.weights[rejected],
                ),
                len(self._ids),
                p.rejection_margin,
                p.rejection_penalty,
            )
        knn, best_sentence = whole_and_best_sentence(knn_rows, p.whole_weight)
        knn_sentence = knn_rows[1:].max(axis=0) if len(rows) > 1 else knn_rows[0]
        if self.head is None:
            zeros = np.zeros_like(knn)
            signals = Signals(knn, knn_rows[0], knn_sentence, zeros, zeros, 0.0)
            return signals, best_sentence, float(knn.max())
        logits = self.head.logits(rows)
        head, _ = whole_and_best_sentence(logits[:, :-1], p.whole_weight)
        fused = p.knn_weight * standardise(knn) + (1 - p.knn_weight) * standardise(head)
        chances = softmax_rows(logits)
        sentence_chances = chances[1:, :-1] if len(rows) > 1 else chances[:1, :-1]
        signals = Signals(
            fused=fused,
            knn_whole=knn_rows[0],
            knn_sentence=knn_sentence,
            head_whole=chances[0, :-1],
            head_sentence=sentence_chances.max(axis=0),
            none=float(chances[:, -1].min()),  # the whole text, or its most telling sentence
        )
        if len(rows) > 1:
            best_sentence = quotable_sentence(knn_rows[1:], chances[1:])
        return signals, best_sentence, float(knn.max())

    def _selection(self, feedback: Feedback) -> FeedbackSelection:
        """Stored decision vectors as they are; decision texts encoded now."""
        if isinstance(feedback, FeedbackSelection):
            return feedback
        known = [f for f in feedback if f.indicator_id in self._index and f.text.strip()]
        if not known:
            return FeedbackSelection.empty()
        return FeedbackSelection(
            self.encode_feedback([f.text for f in known]).astype(np.float32),
            np.array([self._index[f.indicator_id] for f in known], np.intp),
            np.array([f.confirmed for f in known], bool),
            np.array([f.weight for f in known], np.float32),
        )
