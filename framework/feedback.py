"""Practitioners' decisions about suggested indicators, as vectors held in memory.

Each confirmed or rejected tag is encoded once, when it is made, and its vector is stored
next to the tag (see ``storage/feedback.py``). :class:`FeedbackMatrix` keeps those vectors
in one NumPy matrix so that a suggestion never re-encodes them, and hands each suggestion
a bounded selection: the practitioner's own most recent decisions and the installation's
most recent others. However much feedback an installation gathers, a suggestion scores
against at most ``own_limit + others_limit`` rows.

Why a matrix in memory rather than sqlite-vec: a suggestion needs, per indicator, the best
few similarities among that indicator's rows for every sentence of the text; sqlite-vec
answers one global nearest-neighbour query per vector, so it would take a query per
sentence and indicator, and its brute-force scan grows with the table. Selecting recent
rows from a matrix and one matrix product per suggestion cost a few milliseconds.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

OWN_LIMIT = 2_000  # a practitioner's own decisions that count, most recent first
OTHERS_LIMIT = 3_000  # other practitioners' decisions on the installation that count
HELD_LIMIT = 100_000  # decisions held in memory at most (about 150 MB at 384 dimensions)


@dataclass(frozen=True)
class FeedbackSelection:
    """The decisions one suggestion takes into account: row i is a unit vector of a text
    the practitioner (or a colleague) confirmed or rejected for indicator ``indicators[i]``
    (an index into the framework's indicator ids), counted with ``weights[i]``."""

    vectors: np.ndarray  # (m, d) float32
    indicators: np.ndarray  # (m,) intp
    confirmed: np.ndarray  # (m,) bool
    weights: np.ndarray  # (m,) float32

    @classmethod
    def empty(cls, dimension: int = 0) -> FeedbackSelection:
        return cls(
            np.zeros((0, dimension), np.float32),
            np.zeros(0, np.intp),
            np.zeros(0, bool),
            np.zeros(0, np.float32),
        )

    def __len__(self) -> int:
        return len(self.indicators)


Key = tuple[int, str]  # (reflection id, indicator id)


class FeedbackMatrix:
    """Decision vectors by (reflection, indicator), with who made them and when.

    Thread-safe: the bot updates it on the event loop while suggestions read it on the
    model's worker thread. Rows live in preallocated arrays; a removed row's slot is reused.
    """

    def __init__(
        self,
        indicator_ids: list[str],
        *,
        own_limit: int = OWN_LIMIT,
        others_limit: int = OTHERS_LIMIT,
        held_limit: int = HELD_LIMIT,
    ) -> None:
        self._index = {indicator_id: i for i, indicator_id in enumerate(indicator_ids)}
        self.own_limit = own_limit
        self.others_limit = others_limit
        self.held_limit = held_limit
        self._lock = threading.Lock()
        self._slots: dict[Key, int] = {}
        self._by_reflection: dict[int, set[str]] = {}
        self._free: list[int] = []
        self._size = 0  # slots used so far, alive or free
        self._vectors = np.zeros((0, 0), np.float32)
        self._users = np.zeros(0, np.int64)
        self._indicators = np.zeros(0, np.intp)
        self._confirmed = np.zeros(0, bool)
        self._stamps = np.zeros(0, np.float64)  # when decided (seconds), for "most recent"
        self._alive = np.zeros(0, bool)

    def __len__(self) -> int:
        return len(self._slots)

    def put(
        self,
        reflection_id: int,
        indicator_id: str,
        user_id: int,
        confirmed: bool,
        stamp: float,
        vector: np.ndarray,
    ) -> bool:
        """Add or replace one decision; False if the indicator is not in the framework."""
        index = self._index.get(indicator_id)
        if index is None:
            return False
        vector = np.asarray(vector, np.float32).reshape(-1)
        key = (reflection_id, indicator_id)
        with self._lock:
            if self._size and len(vector) != self._vectors.shape[1]:
                raise ValueError(f"a {len(vector)}-number vector among {self._vectors.shape[1]}")
            slot = self._slots.get(key)
            if slot is None:
                if len(self._slots) >= self.held_limit:
                    self._drop_oldest()
                slot = self._new_slot(len(vector))
                self._slots[key] = slot
                self._by_reflection.setdefault(reflection_id, set()).add(indicator_id)
            self._vectors[slot] = vector
            self._users[slot] = user_id
            self._indicators[slot] = index
            self._confirmed[slot] = confirmed
            self._stamps[slot] = stamp
            self._alive[slot] = True
        return True

    def remove_reflection(self, reflection_id: int) -> None:
        with self._lock:
            for indicator_id in list(self._by_reflection.get(reflection_id, ())):
                self._release((reflection_id, indicator_id))

    def remove_user(self, user_id: int) -> None:
        with self._lock:
            for key in [k for k, slot in self._slots.items() if self._users[slot] == user_id]:
                self._release(key)

    def keys(self, reflection_id: int) -> set[str]:
        """The indicators held for one reflection."""
        with self._lock:
            return set(self._by_reflection.get(reflection_id, ()))

    def select(
        self, user_id: int, own_weight: float = 1.0, others_weight: float = 1.0
    ) -> FeedbackSelection:
        """The decisions a suggestion for ``user_id`` counts: their own most recent (up to
        ``own_limit``) and other practitioners' most recent (up to ``others_limit``)."""
        with self._lock:
            if not self._slots:
                return FeedbackSelection.empty(self._vectors.shape[1])
            n = self._size
            alive = self._alive[:n]
            mine = alive & (self._users[:n] == user_id)
            theirs = alive & ~mine
            own = self._most_recent(np.flatnonzero(mine), self.own_limit)
            others = self._most_recent(np.flatnonzero(theirs), self.others_limit)
            rows = np.concatenate([own, others])
            weights = np.concatenate(
                [np.full(len(own), own_weight, np.float32), np.full(len(others), others_weight)]
            ).astype(np.float32)
            return FeedbackSelection(
                self._vectors[rows],
                self._indicators[rows],
                self._confirmed[rows],
                weights,
            )

    # -- internals (called with the lock held) -------------------------------------------

    def _most_recent(self, rows: np.ndarray, limit: int) -> np.ndarray:
        if len(rows) <= limit:
            return rows
        newest = np.argpartition(-self._stamps[rows], limit - 1)[:limit]
        return rows[newest]

    def _new_slot(self, dimension: int) -> int:
        if self._free:
            return self._free.pop()
        if self._size == len(self._alive):
            self._grow(dimension)
        self._size += 1
        return self._size - 1

    def _grow(self, dimension: int) -> None:
        capacity = max(64, 2 * len(self._alive))
        vectors = np.zeros((capacity, dimension), np.float32)
        if self._size:
            vectors[: self._size] = self._vectors[: self._size]
        self._vectors = vectors

        def grown(array: np.ndarray) -> np.ndarray:
            bigger = np.zeros(capacity, array.dtype)
            bigger[: self._size] = array[: self._size]
            return bigger

        self._users = grown(self._users)
        self._indicators = grown(self._indicators)
        self._confirmed = grown(self._confirmed)
        self._stamps = grown(self._stamps)
        self._alive = grown(self._alive)

    def _release(self, key: Key) -> None:
        slot = self._slots.pop(key)
        indicators = self._by_reflection[key[0]]
        indicators.discard(key[1])
        if not indicators:
            del self._by_reflection[key[0]]
        self._alive[slot] = False
        self._vectors[slot] = 0.0
        self._free.append(slot)

    def _drop_oldest(self) -> None:
        alive = np.flatnonzero(self._alive[: self._size])
        oldest = int(alive[np.argmin(self._stamps[alive])])
        self._release(next(k for k, slot in self._slots.items() if slot == oldest))
