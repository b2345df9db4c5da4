"""Taking waiting work together: a model that can handle several texts at once is given
whatever arrived while it was busy.

Alone, an item runs at once, as it would without batching; when many practitioners
write together, the ones waiting go in one batch instead of one after another.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class Batches(Generic[Item, Result]):
    """Runs ``run_many`` on the worker ``pool``, one batch (at most ``max_size``) at a time.

    If a batch fails, its items are run again one by one, so one bad item fails alone.
    """

    def __init__(
        self,
        run_many: Callable[[Sequence[Item]], Sequence[Result]],
        pool: Executor | None,
        max_size: int = 32,
    ) -> None:
        self._run_many = run_many
        self._pool = pool
        self.max_size = max_size
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._worker: asyncio.Task[None] | None = None

    async def run(self, item: Item) -> Result:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        self._waiting.append((item, future))
        if self._worker is None or self._worker.done():
            self._worker = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._waiting:
            batch = self._waiting[: self.max_size]
            del self._waiting[: self.max_size]
            try:
                results = await self._call([item for item, _ in batch])
            except Exception as error:
                if len(batch) == 1:
                    _settle(batch[0][1], error=error)
                else:
                    await self._one_by_one(batch)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                _settle(future, result)

    async def _one_by_one(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        for item, future in batch:
            try:
                (result,) = await self._call([item])
            except Exception as error:
                _settle(future, error=error)
            else:
                _settle(future, result)

    async def _call(self, items: list[Item]) -> Sequence[Result]:
        loop = asyncio.get_running_loop()
        results = await loop.run_in_executor(self._pool, self._run_many, items)
        if len(results) != len(items):
            raise RuntimeError(f"{len(results)} results for {len(items)} items")
        return results


def _settle(
    future: asyncio.Future[Result],
    result: Result | None = None,
    *,
    error: BaseException | None = None,
) -> None:
    """Give the waiting caller its result or error (unless it stopped waiting)."""
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)  # type: ignore[arg-type]
