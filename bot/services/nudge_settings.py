"""A practitioner's nudge settings: time zone, quiet hours, regular sessions, the weekly
reflection, and pauses. Every change is stored at once and reported to whoever keeps
the schedule (``on_change``), so the next nudge moves with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import sqlite_utils

import storage
from bot.services.errors import NotFound
from bot.services.schedule import local_moment
from storage import NudgeSettings, Session, User

COMMON_TIMEZONES = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
)
MAX_SESSION_NAME = 60
MAX_SESSIONS = 12
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


class InvalidSetting(ValueError):
    """A typed setting could not be read; the message key says which."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def canonical_timezone(name: str) -> str | None:
    """The IANA name the practitioner meant ("europe/london" → "Europe/London"), or None."""
    wanted = name.strip().replace(" ", "_")
    if not wanted or len(wanted) > 64:
        return None
    by_lower = {zone.lower(): zone for zone in available_timezones()}
    found = by_lower.get(wanted.lower())
    if found is None:
        return None
    try:
        ZoneInfo(found)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return found


_CLOCK = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?$")


def parse_clock(text: str) -> time | None:
    """A time of day as people type it: 19:30, 19.30, 7.30pm, 7pm, 1930 is not one."""
    match = _CLOCK.match(text.strip().lower())
    if match is None:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match[2] is None:
        return None  # a bare number is too ambiguous
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?(?:\s+(\d{4}))?$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?$")


def parse_day(text: str, today: date, *, past: bool = False) -> date | None:
    """A date as people type it (24 Dec, Dec 24, 24/12, 2026-12-24); without a year,
    the next such date from ``today`` on (``past``: the last one up to today)."""
    text = text.strip().lower()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    day = month = year = None
    if match := _DAY_MONTH.match(text):
        day, month, year = int(match[1]), _month(match[2]), match[3]
    elif match := _MONTH_DAY.match(text):
        day, month, year = int(match[2]), _month(match[1]), match[3]
    elif match := _NUMERIC.match(text):  # day first, as in the UK
        day, month, year = int(match[1]), int(match[2]), match[3]
    if day is None or month is None:
        return None
    if year is not None:
        try:
            return date(int(year) + (2000 if len(year) == 2 else 0), month, day)
        except ValueError:
            return None
    # The nearest such date from today, forward (or back, with ``past``); 29 February
    # may be up to four years away.
    step = -1 if past else 1
    for offset in range(5):
        try:
            found = date(today.year + step * offset, month, day)
        except ValueError:
            continue
        if (found <= today) if past else (found >= today):
            return found
    return None


def _month(word: str) -> int | None:
    return MONTHS.index(word[:3]) + 1 if word[:3] in MONTHS and len(word) >= 3 else None


def check_weekdays(weekdays: frozenset[int]) -> None:
    """Some of Monday (0) to Sunday (6); InvalidSetting otherwise."""
    if not weekdays or not weekdays <= set(range(7)):
        raise InvalidSetting("settings.weekday_invalid")


class NudgeSettingsService:
    def __init__(
        self,
        db: sqlite_utils.Database,
        clock: Callable[[], datetime],
        question_set_ids: tuple[str, ...],
    ) -> None:
        self._db = db
        self._clock = clock
        self._question_set_ids = question_set_ids
        self._listeners: list[Callable[[int], None]] = []

    def on_change(self, listener: Callable[[int], None]) -> None:
        """Call ``listener(user_id)`` after any change to a practitioner's schedule."""
        self._listeners.append(listener)

    def changed(self, user_id: int) -> None:
        for listener in self._listeners:
            listener(user_id)

    # -- reading ---------------------------------------------------------------------------

    def settings(self, user_id: int) -> NudgeSettings:
        return storage.nudge_settings(self._db, user_id)

    def sessions(self, user_id: int) -> list[Session]:
        return storage.sessions_of(self._db, user_id)

    def session(self, user_id: int, session_id: int) -> Session:
        """One of the practitioner's current sessions (anyone else's is NotFound)."""
        found = storage.get_session(self._db, session_id)
        if found is None or found.user_id != user_id or found.removed_at is not None:
            raise NotFound("no such session")
        return found

    def today(self, user: User) -> date:
        return self._clock().astimezone(ZoneInfo(user.timezone)).date()

    def next_dates(self, user: User, session: Session, count: int = 4) -> list[date]:
        """The session's next ``count`` dates (skipped ones included), from today on."""
        zone, now = ZoneInfo(user.timezone), self._clock()
        day, found = self.today(user), []
        while len(found) < count:
            ends = local_moment(day, session.end_time, zone)
            if day.weekday() in session.weekdays and (ends >= now or day > self.today(user)):
                found.append(day)
            day += timedelta(days=1)
        return found

    # -- changing --------------------------------------------------------------------------

    def _change(self, user_id: int, **changes: object) -> NudgeSettings:
        settings = storage.change_nudge_settings(self._db, user_id, self._clock(), **changes)
        self.changed(user_id)
        return settings

    def set_timezone(self, user_id: int, name: str) -> str:
        """Store a time zone typed or tapped; InvalidSetting if it is not an IANA name."""
        zone = canonical_timezone(name)
        if zone is None:
            raise InvalidSetting("settings.timezone_unknown")
        storage.set_timezone(self._db, user_id, zone)
        self.changed(user_id)
        return zone

    def set_quiet_hours(self, user_id: int, start: time | None, end: time | None) -> NudgeSettings:
        """Quiet hours from ``start`` to ``end`` (local), or none when both are None."""
        if (start is None) != (end is None) or (start is not None and start == end):
            raise InvalidSetting("settings.quiet_invalid")
        return self._change(user_id, quiet_start=start, quiet_end=end)

    def set_sessions_on(self, user_id: int, on: bool) -> NudgeSettings:
        return self._change(user_id, sessions_on=on)

    def set_weekly(
        self,
        user_id: int,
        *,
        on: bool | None = None,
        day: int | None = None,
        at: time | None = None,
        after_reflecting: str | None = None,
    ) -> NudgeSettings:
        changes: dict[str, object] = {}
        if on is not None:
            changes["weekly_on"] = on
        if day is not None:
            if day not in range(7):
                raise InvalidSetting("settings.weekday_invalid")
            changes["weekly_day"] = day
        if at is not None:
            changes["weekly_time"] = at
        if after_reflecting is not None:
            if after_reflecting not in ("soften", "skip"):
                raise InvalidSetting("settings.after_invalid")
            changes["after_reflecting"] = after_reflecting
        return self._change(user_id, **changes)

    def set_default_set(self, user_id: int, set_id: str | None) -> NudgeSettings:
        if set_id is not None and set_id not in self._question_set_ids:
            raise NotFound(f"no question set {set_id!r}")
        return self._change(user_id, default_set_id=set_id)

    def new_session_name(self, user_id: int, name: str) -> str:
        """A new session's name, tidied; InvalidSetting if it cannot be one, or if the
        practitioner has as many sessions as they may."""
        name = " ".join(name.split())
        if not name or len(name) > MAX_SESSION_NAME:
            raise InvalidSetting("settings.session_name_invalid")
        self.check_room_for_a_session(user_id)
        return name

    def check_room_for_a_session(self, user_id: int) -> None:
        if len(self.sessions(user_id)) >= MAX_SESSIONS:
            raise InvalidSetting("settings.too_many_sessions")

    def add_session(self, user_id: int, name: str, weekdays: frozenset[int], end: time) -> Session:
        name = self.new_session_name(user_id, name)
        check_weekdays(weekdays)
        session = storage.add_session(self._db, user_id, name, weekdays, end, self._clock())
        self.changed(user_id)
        return session

    def remove_session(self, user_id: int, session_id: int) -> Session:
        session = self.session(user_id, session_id)
        storage.remove_session(self._db, session.id, self._clock())
        self.changed(user_id)
        return session

    def skip_session(
        self, user_id: int, session_id: int, day: date, skipped: bool = True
    ) -> Session:
        """The session does not happen on ``day`` (or, ``skipped=False``, it does after all)."""
        session = self.session(user_id, session_id)
        if day.weekday() not in session.weekdays:
            raise InvalidSetting("settings.skip_not_a_session_day")
        storage.set_session_skipped(self._db, session, day, skipped)
        self.changed(user_id)
        return self.session(user_id, session_id)

    def pause(self, user: User, until: date) -> NudgeSettings:
        """No nudges up to and including ``until`` (a local date, today or later)."""
        if until < self.today(user):
            raise InvalidSetting("pause.in_the_past")
        return self._change(user.id, paused_until=until)

    def resume(self, user_id: int) -> NudgeSettings:
        return self._change(user_id, paused_until=None)
