"""Long messages that Telegram split: recognising the next part of one.

Telegram splits a text longer than 4,096 characters into several messages. This keeps,
per practitioner and in memory only, the length and time of the last message that went
into an answer, and the answer's id (never its text), so that a part arriving soon after
a long message can be joined to the same answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

# A message at least this long (Telegram splits at 4,096), followed within a few seconds
# by another, is treated as one answer. Times are when the messages were sent, where
# known (Telegram gives whole seconds), so a busy bot does not misjudge them.
SPLIT_MESSAGE_MIN_CHARS = 4000
SPLIT_MESSAGE_WINDOW = timedelta(seconds=10)
# After "let me rewrite" on the held next part of a long message, the part sent again
# still continues the answer if it comes within this time.
RESEND_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True)
class _LastMessage:
    answer_id: int
    chars: int
    at: datetime
    window: timedelta = SPLIT_MESSAGE_WINDOW


class SplitMessages:
    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._last: dict[int, _LastMessage] = {}

    def remember(self, user_id: int, answer_id: int, chars: int) -> None:
        """A message of ``chars`` characters (not the whole answer's) just went into this
        answer; if it was long, its next part may follow within the window."""
        self._last[user_id] = _LastMessage(answer_id, chars, self._clock())

    def sent_at(self, user_id: int, moment: datetime) -> None:
        """The message just remembered was sent at ``moment`` (Telegram's date for it)."""
        last = self._last.get(user_id)
        if last is not None:
            self._last[user_id] = _LastMessage(last.answer_id, last.chars, moment, last.window)

    def expect_resend(self, user_id: int, answer_id: int) -> None:
        """The next part of a long answer is to be sent again (the practitioner chose to
        rewrite it): the next message continues the answer, within a longer window."""
        self._last[user_id] = _LastMessage(
            answer_id, SPLIT_MESSAGE_MIN_CHARS, self._clock(), RESEND_WINDOW
        )

    def forget(self, user_id: int) -> None:
        """Nothing to continue: the answer was deleted, or the practitioner forgotten."""
        self._last.pop(user_id, None)

    def continuation(self, user_id: int, sent_at: datetime | None = None) -> int | None:
        """The answer a message sent at ``sent_at`` (default: now) continues, if Telegram
        split a long one."""
        last = self._last.get(user_id)
        moment = sent_at or self._clock()
        if last is None or last.chars < SPLIT_MESSAGE_MIN_CHARS or moment - last.at > last.window:
            return None
        return last.answer_id
