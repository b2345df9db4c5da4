"""Work that waits is taken together: alone at once, in a batch when many wait, and one
bad item fails alone."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.services.batching import Batches


@pytest.fixture
def pool():
    with ThreadPoolExecutor(max_workers=1) as executor:
        yield executor


async def test_an_item_alone_runs_at_once(pool):
    calls = []

    def double(items):
        calls.append(list(items))
        return [item * 2 for item in items]

    batches = Batches(double, pool)
    assert await batches.run(21) == 42
    assert calls == [[21]]


async def test_items_that_wait_go_together_in_order(pool):
    release = threading.Event()
    calls = []

    def double(items):
        calls.append(list(items))
        if len(calls) == 1:
            release.wait(5)  # busy with the first item while the others arrive
        return [item * 2 for item in items]

    batches = Batches(double, pool, max_size=4)
    first = asyncio.ensure_future(batches.run(0))
    await asyncio.sleep(0.05)
    rest = [asyncio.ensure_future(batches.run(n)) for n in range(1, 7)]
    await asyncio.sleep(0.05)
    release.set()
    assert await first == 0
    assert await asyncio.gather(*rest) == [2, 4, 6, 8, 10, 12]
    assert calls == [[0], [1, 2, 3, 4], [5, 6]]


async def test_a_bad_item_fails_alone(pool):
    release = threading.Event()

    def check(items):
        release.wait(5)
        if "bad" in items:
            raise ValueError("cannot check")
        return [item.upper() for item in items]

    batches = Batches(check, pool)
    first = asyncio.ensure_future(batches.run("first"))
    await asyncio.sleep(0.05)
    waiting = [asyncio.ensure_future(batches.run(item)) for item in ("good", "bad", "fine")]
    await asyncio.sleep(0.05)
    release.set()
    assert await first == "FIRST"
    good, bad, fine = await asyncio.gather(*waiting, return_exceptions=True)
    assert (good, fine) == ("GOOD", "FINE")
    assert isinstance(bad, ValueError)


async def test_a_caller_that_stops_waiting_does_not_stop_the_others(pool):
    release = threading.Event()

    def slow(items):
        release.wait(5)
        return list(items)

    batches = Batches(slow, pool)
    gone = asyncio.ensure_future(batches.run("gone"))
    stays = asyncio.ensure_future(batches.run("stays"))
    await asyncio.sleep(0.05)
    gone.cancel()
    release.set()
    assert await stays == "stays"
    assert await batches.run("after") == "after"


async def test_a_wrong_number_of_results_is_an_error_not_a_hang(pool):
    batches = Batches(lambda items: [], pool)
    with pytest.raises(RuntimeError):
        await asyncio.wait_for(batches.run(1), timeout=5)
