"""Every request to Telegram goes through here: within Telegram's rate limits, and
retried when Telegram or the network fails for a moment.

PTB's ``AIORateLimiter`` waits out a 429 ("retry after": every request pauses, as
Telegram asks) and keeps messages to a group within 20 a minute. Replies to
practitioners are not paced beyond that: Telegram's "about 30 a second" is for bulk
notifications, and replies are paced by the practitioners writing; pacing them at 30 a
second made 200 practitioners answering at once wait 7 s for a reply. On top of it, a
timeout, a dropped connection or a 5xx answer is retried a few times with growing
pauses. Refusals (400 bad request, 403 blocked) are never retried.

The answer to a button press only stops the button's spinner (or shows a short alert),
so it never stops the work the press asked for: if it fails, even after a timeout that
Telegram may have answered late (a retry would be refused as "query is too old"), the
handler carries on and its real reply is sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

RETRY_PAUSES = (0.5, 1.0, 2.0)  # seconds before each retry of a transient failure


class RetryingRateLimiter(AIORateLimiter):
    def __init__(self, pauses: tuple[float, ...] = RETRY_PAUSES) -> None:
        super().__init__(overall_max_rate=0, max_retries=3)
        self._pauses = pauses

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        if endpoint.lower() == "answercallbackquery":
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except TelegramError as error:
                log.info("answerCallbackQuery failed (%s): carrying on without it", error)
                return True
        pauses = () if endpoint.lower() == "getupdates" else self._pauses  # polling retries itself
        for attempt in range(len(pauses) + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise  # Telegram refused the request itself: trying again changes nothing
            except NetworkError as error:  # timeouts, dropped connections, 5xx answers
                if attempt == len(pauses):
                    raise
                log.info("%s failed (%s): retrying in %.1f s", endpoint, error, pauses[attempt])
                await asyncio.sleep(pauses[attempt])
        raise AssertionError("unreachable")
