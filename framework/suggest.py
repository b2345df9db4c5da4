"""Suggest which competence indicators a reflection evidences.

The reflection is split into sentences and encoded; it is then scored against worked
examples of each indicator (nearest neighbours) and by a small trained head, as described
in ``framework/scoring.py``. Up to three indicators are shown, each with the sentence that
supports it best, unless the text looks like it evidences nothing. Practitioners'
confirmations and rejections (feedback) shift later suggestions.

`Suggester` adds the encoder, the on-disk cache of example vectors and the feedback
vectors to the pure scoring functions.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from framework.embedding_cache import cache_key, cached_embeddings
from framework.encoder import Encoder
from framework.examples import ExampleSet
from framework.head import LinearHead
from framework.model import Framework
from framework.scoring import (
    References,
    ScoringParameters,
    knn_scores,
    rejection_penalty,
    softmax_last,
    standardise,
    whole_and_best_sentence,
)

MIN_SENTENCE_WORDS = 4
"""Sentences shorter than this are not scored alone: fragments like "So what?" match noise."""

FEEDBACK_CACHE_SIZE = 20_000
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
    practitioners' on the same installation.
    """

    indicator_id: str
    text: str
    confirmed: bool
    weight: float = 1.0


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\s*\n+\s*")


def split_sentences(text: str) -> list[str]:
    """Split a reflection into sentences at . ! ? followed by space, and at line breaks."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


def scored_positions(sentences: Sequence[str]) -> list[int]:
    """Which sentences are worth scoring on their own (none for a one-sentence text)."""
    kept = [i for i, s in enumerate(sentences) if len(s.split()) >= MIN_SENTENCE_WORDS]
    return kept if len(kept) > 1 else []


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
    ) -> None:
        self.framework = framework
        self.encoder = encoder
        self.examples = examples
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.parameters = parameters or ScoringParameters()
        self._head_candidate = head
        self.head: LinearHead | None = None
        self._ids = framework.indicator_ids
        self._index = {indicator_id: i for i, indicator_id in enumerate(self._ids)}
        self._references: References | None = None
        self._groups: list[np.ndarray] = []
        self._feedback_vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._feedback_lock = threading.Lock()

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

    def suggest(self, text: str, feedback: Sequence[FeedbackExample] = ()) -> list[Suggestion]:
        """Up to three indicators the text evidences, best first; [] when it evidences none."""
        return self.analyse(text, feedback)[0]

    def rank(self, text: str, feedback: Sequence[FeedbackExample] = ()) -> list[tuple[str, float]]:
        """Every indicator id with its score, best first."""
        return self.analyse(text, feedback)[1]

    def analyse(
        self, text: str, feedback: Sequence[FeedbackExample] = ()
    ) -> tuple[list[Suggestion], list[tuple[str, float]]]:
        """What to show, and the full ranking, from one encoding of the text."""
        if not text.strip():
            return [], [(indicator_id, 0.0) for indicator_id in self._ids]
        self.prepare()
        whole = text.strip()
        rows, sentences = self._encode_rows(whole)
        fused, knn_top, p_none, best_sentence = self._score(rows, feedback)
        order = np.argsort(-fused, kind="stable")
        ranking = [(self._ids[i], float(fused[i])) for i in order]
        p = self.parameters
        if knn_top < p.knn_floor or (p_none is not None and p_none > p.none_probability_max):
            return [], ranking
        shown = [
            Suggestion(
                indicator_id=self._ids[i],
                score=float(fused[i]),
                rank=rank,
                evidence=sentences[best_sentence[i]] if sentences else whole,
            )
            for rank, i in enumerate(order[: p.max_shown], start=1)
        ]
        return shown, ranking

    # -- internals -----------------------------------------------------------------------

    def _encode_rows(self, whole: str) -> tuple[np.ndarray, list[str]]:
        """Row 0 is the whole text, then one row per sentence worth scoring alone.

        Encoders that can (the real one, for mean-pooling models) do it in one pass; the
        others encode the whole text, then its sentences, in separate calls (batching
        them together would pad every sentence to the whole text's length).
        """
        sentences = split_sentences(whole)
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

    def _score(
        self, rows: np.ndarray, feedback: Sequence[FeedbackExample]
    ) -> tuple[np.ndarray, float, float | None, np.ndarray]:
        p = self.parameters
        references = self._references
        assert references is not None
        penalty = None
        if feedback:
            references, penalty = self._with_feedback(rows, feedback)
        knn_rows = knn_scores(rows, references, p.top_k)
        if penalty is not None:
            knn_rows = knn_rows - penalty
        knn, best_sentence = whole_and_best_sentence(knn_rows, p.whole_weight)
        if self.head is None:
            return knn, float(knn.max()), None, best_sentence
        logits = self.head.logits(rows)
        head, _ = whole_and_best_sentence(logits[:, :-1], p.whole_weight)
        fused = p.knn_weight * standardise(knn) + (1 - p.knn_weight) * standardise(head)
        return fused, float(knn.max()), softmax_last(logits[0]), best_sentence

    def _with_feedback(
        self, rows: np.ndarray, feedback: Sequence[FeedbackExample]
    ) -> tuple[References, np.ndarray]:
        """References extended with confirmed examples, and penalties from rejected ones."""
        known = [f for f in feedback if f.indicator_id in self._index and f.text.strip()]
        vectors = self._feedback_vectors_for([f.text for f in known])
        dimension = rows.shape[1]
        confirmed: list[list[np.ndarray]] = [[] for _ in self._ids]
        confirmed_w: list[list[float]] = [[] for _ in self._ids]
        rejected: list[list[np.ndarray]] = [[] for _ in self._ids]
        rejected_w: list[list[float]] = [[] for _ in self._ids]
        for example, vector in zip(known, vectors, strict=True):
            i = self._index[example.indicator_id]
            target, weights = (
                (confirmed, confirmed_w) if example.confirmed else (rejected, rejected_w)
            )
            target[i].append(vector)
            weights[i].append(example.weight)

        def stack(group: list[np.ndarray]) -> np.ndarray:
            return np.array(group, dtype=np.float32).reshape(len(group), dimension)

        groups = [
            np.vstack([base, stack(extra)])
            for base, extra in zip(self._groups, confirmed, strict=True)
        ]
        weights = [
            np.concatenate([np.ones(len(base), np.float32), np.array(w, np.float32)])
            for base, w in zip(self._groups, confirmed_w, strict=True)
        ]
        penalty = rejection_penalty(
            rows,
            [stack(r) for r in rejected],
            [np.array(w, np.float32) for w in rejected_w],
            self.parameters.rejection_margin,
            self.parameters.rejection_penalty,
        )
        return References.grouped(groups, weights), penalty

    def _feedback_vectors_for(self, texts: list[str]) -> list[np.ndarray]:
        """Vectors of feedback texts, encoded once and kept in a bounded memory cache."""
        cache = self._feedback_vectors
        with self._feedback_lock:
            missing = list(dict.fromkeys(t for t in texts if t not in cache))
            fresh = dict(zip(missing, self.encoder.encode(missing), strict=True)) if missing else {}
            cache.update(fresh)
            while len(cache) > FEEDBACK_CACHE_SIZE:
                cache.popitem(last=False)
            for text in texts:
                if text in cache:
                    cache.move_to_end(text)
            return [cache[t] if t in cache else fresh[t] for t in texts]

    def forget_feedback(self, texts: Iterable[str]) -> None:
        """Drop these texts from memory: the practitioner deleted or changed them."""
        with self._feedback_lock:
            for text in texts:
                self._feedback_vectors.pop(text, None)
