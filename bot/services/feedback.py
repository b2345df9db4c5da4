"""Practitioners' decisions about suggestions, ready for the next suggestion.

Each confirmed or rejected tag is encoded once, off the event loop, soon after it is made;
its vector is stored next to the tag and kept in memory (:class:`FeedbackMatrix`), so a
suggestion never encodes earlier decisions, and its cost does not grow with them. At
start-up the stored vectors are loaded, and decisions stored without one (an older
version, another model, a crash before encoding) are encoded once, in the background.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import datetime

import sqlite_utils

import storage
from framework import Suggester
from framework.feedback import FeedbackMatrix, FeedbackSelection

log = logging.getLogger(__name__)

# Other practitioners' decisions on the same installation count a little less than the
# practitioner's own.
OTHERS_WEIGHT = 0.9
ENCODE_BATCH = 32  # decisions encoded per turn of the model's worker


class FeedbackService:
    def __init__(
        self,
        db: sqlite_utils.Database,
        suggester: Suggester,
        model_pool: Executor | None,
        clock: Callable[[], datetime],
    ) -> None:
        self._db = db
        self._suggester = suggester
        self._model_pool = model_pool
        self._clock = clock
        self.matrix = FeedbackMatrix(suggester.framework.indicator_ids)
        self._encoder_task: asyncio.Task[None] | None = None
        self._more_to_encode = False

    def selection(self, user_id: int) -> FeedbackSelection:
        """The decisions a suggestion for this practitioner counts (cheap; thread-safe)."""
        return self.matrix.select(user_id, 1.0, OTHERS_WEIGHT)

    # -- keeping memory in step with the database ----------------------------------------

    async def load(self) -> int:
        """Hold every stored decision vector in memory, then encode, in the background,
        decisions stored without one. Returns how many were loaded."""
        loaded = 0
        for batch in storage.encoded_decisions(self._db, self._suggester.model_id):
            for decision in batch:
                loaded += self._hold(decision)
            await asyncio.sleep(0)  # a large installation loads without starving updates
        self._encode_soon()
        return loaded

    def changed(self, reflection_id: int) -> None:
        """A reflection's decisions (or the text they are about) changed, or it is gone:
        bring memory in step, and encode what has no vector yet, in the background."""
        decisions = storage.decisions_for(self._db, reflection_id, self._suggester.model_id)
        self.matrix.remove_reflection(reflection_id)
        for decision in decisions:
            self._hold(decision)
        if any(decision.vector is None for decision in decisions):
            self._encode_soon()

    def forget_user(self, user_id: int) -> None:
        self.matrix.remove_user(user_id)

    async def encode_missing(self) -> int:
        """Encode and store every decision without a vector, a batch at a time on the
        model's worker (suggestions take turns with it); how many were stored."""
        model_id = self._suggester.model_id
        stored, after = 0, (0, "")
        loop = asyncio.get_running_loop()
        while batch := storage.unencoded_decisions(
            self._db, model_id, after=after, limit=ENCODE_BATCH
        ):
            after = (batch[-1].reflection_id, batch[-1].indicator_id)
            vectors = await loop.run_in_executor(
                self._model_pool, self._suggester.encode_feedback, [d.text for d in batch]
            )
            now = self._clock()
            touched = set()
            for decision, vector in zip(batch, vectors, strict=True):
                if storage.save_feedback_vector(self._db, decision, model_id, vector, now):
                    stored += 1
                    touched.add(decision.reflection_id)
            for reflection_id in touched:
                for decision in storage.decisions_for(self._db, reflection_id, model_id):
                    self._hold(decision)
        return stored

    async def settled(self) -> None:
        """Wait until background encoding has nothing left to do (for tests and tools)."""
        while self._encoder_task is not None and not self._encoder_task.done():
            await asyncio.gather(self._encoder_task, return_exceptions=True)

    async def stop(self) -> None:
        """Stop background encoding (what is left is encoded at the next start-up)."""
        task = self._encoder_task
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    # -- internals -------------------------------------------------------------------------

    def _hold(self, decision: storage.Decision) -> bool:
        if decision.vector is None:
            return False
        return self.matrix.put(
            decision.reflection_id,
            decision.indicator_id,
            decision.user_id,
            decision.confirmed,
            decision.decided_at.timestamp(),
            decision.vector,
        )

    def _encode_soon(self) -> None:
        """Run :meth:`encode_missing` in the background (again, if it is running now)."""
        self._more_to_encode = True
        if self._encoder_task is not None and not self._encoder_task.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no event loop (a script): the next start-up encodes them
        self._encoder_task = loop.create_task(self._encode_while_wanted())

    async def _encode_while_wanted(self) -> None:
        while self._more_to_encode:
            self._more_to_encode = False
            try:
                await self.encode_missing()
            except Exception:
                log.exception("encoding decisions failed; they are retried at start-up")
                return
