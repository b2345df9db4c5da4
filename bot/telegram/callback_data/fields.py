"""How a payload writes its values: ids, clock times, dates and invitation tokens, and the
shape every kind's pattern and reader share."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time
from typing import Any

Groups = tuple[str | None, ...]  # a pattern's groups, as ``re`` gives them
# A kind's pattern, and how its groups become the action (None if the values cannot be right).
Rule = tuple[re.Pattern[str], Callable[[Groups], Any]]

NUMBER = r"(\d{1,12})"  # an id, a count or a time in epoch seconds
CLOCK = r"([01]\d|2[0-3])([0-5]\d)"  # HHMM, as two groups
TOKEN = r"([A-Za-z0-9_-]{32})"  # an invitation token (bot.services.supervision)


def hhmm(moment: time) -> str:
    return f"{moment.hour:02d}{moment.minute:02d}"


def clock(hour: str | None, minute: str | None) -> time:
    """The time of the two groups of :data:`CLOCK`."""
    return time(int(hour), int(minute))  # type: ignore[arg-type]


def yyyymmdd(digits: str | None) -> date | None:
    """The day written as YYYYMMDD (eight digits), or None if there is no such day."""
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))  # type: ignore[index]
    except ValueError:
        return None
