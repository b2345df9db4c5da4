"""The one way bulk messages (nudges, and later digests) reach Telegram.

Telegram allows a bot about 30 messages a second to different chats; bulk messages keep
under that (``RATE``) on their own, so a thousand nudges due at once never hold up the
replies to practitioners who are chatting, which are not paced. A 429 is waited out by
the application's rate limiter (every request pauses, as Telegram asks); a practitioner
who blocked the bot (403) is reported once and not retried; every send reports its own
outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from aiolimiter import AsyncLimiter
from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

log = logging.getLogger(__name__)

RATE = 25  # messages a second, under Telegram's "about 30"


@dataclass(frozen=True)
class Delivered:
    message_id: int


@dataclass(frozen=True)
class Blocked:
    """The practitioner blocked the bot (or deleted their account)."""


@dataclass(frozen=True)
class Failed:
    reason: str


Outcome = Delivered | Blocked | Failed


class BulkSender:
    def __init__(self, bot: Bot, on_blocked: Callable[[int], None], rate: float = RATE) -> None:
        self._bot = bot
        self._on_blocked = on_blocked
        # A bucket of one: evenly spaced, never a burst (AsyncLimiter(25, 1) would let 25
        # through at once and 25 more within the same second).
        self._limiter = AsyncLimiter(1, 1.0 / rate)

    def turn(self) -> AsyncLimiter:
        """Wait for a turn (``async with sender.turn(): ...``): at most ``rate`` a second.

        Work that prepares a message (deciding it is due, recording it) belongs inside
        the turn too: a thousand nudges due at once are then prepared a few at a time,
        never all in one stretch of the event loop that would hold up replies."""
        return self._limiter

    async def send(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> Outcome:
        """Send one HTML message (call it in a :meth:`turn`); never raises for Telegram's
        refusals or failures, which come back as the outcome."""
        try:
            message = await self._bot.send_message(
                chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        except Forbidden:
            log.info("a practitioner blocked the bot: not sending them anything more")
            self._on_blocked(chat_id)
            return Blocked()
        except TelegramError as error:  # retried already where that could help
            log.warning("bulk send failed: %s", error)
            return Failed(type(error).__name__)
        return Delivered(message.message_id)

    async def remove_buttons(self, chat_id: int, message_id: int) -> bool:
        """Take the buttons off an earlier message, in a turn of its own; False if
        Telegram would not (too old, deleted, already without buttons)."""
        async with self._limiter:
            try:
                await self._bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
            except TelegramError as error:
                log.info("could not take the buttons off an old nudge: %s", error)
                return False
        return True
