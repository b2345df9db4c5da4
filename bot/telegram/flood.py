"""The flood limit: how many updates one practitioner may send, counted in memory."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

# Per practitioner: a burst of FLOOD_BURST updates, then one every FLOOD_REFILL_SECONDS
# (60 a minute), far above what a person types or taps, well below a script.
FLOOD_BURST = 30
FLOOD_REFILL_SECONDS = 1.0
MAX_TRACKED = 10_000

Verdict = Literal["ok", "warn", "drop"]


@dataclass
class _Bucket:
    tokens: float
    at: float
    warned: bool = False


class FloodGate:
    """A token bucket per practitioner; says when to refuse, and when to say so (once)."""

    def __init__(
        self,
        burst: int = FLOOD_BURST,
        refill_seconds: float = FLOOD_REFILL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = burst
        self.refill_seconds = refill_seconds
        self._clock = clock
        self._buckets: dict[int, _Bucket] = {}

    def check(self, user_id: int) -> Verdict:
        """'ok' (go on), 'warn' (refuse, and say why), or 'drop' (refuse quietly)."""
        now = self._clock()
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) > MAX_TRACKED:
                self._forget_idle(now)
            bucket = self._buckets[user_id] = _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) / self.refill_seconds)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return "ok"
        if bucket.warned:
            return "drop"
        bucket.warned = True
        return "warn"

    def _forget_idle(self, now: float) -> None:
        full = self.burst * self.refill_seconds
        self._buckets = {u: b for u, b in self._buckets.items() if now - b.at < full}
