"""What a reflection is about: the session, group or programme it was written after, and
the date of that session, which may differ from the day it was written.

Both are optional and can be changed at any time. The names offered for one tap are the
practitioner's regular sessions (the one that ended last before the reflection was begun
first) and names they gave earlier reflections; any other name is typed once and offered
from then on. A reflection a session's nudge began is about that session already.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

import storage
from bot.services.errors import NotAllowed, NotFound
from bot.services.ownership import owned_reflection
from bot.services.schedule import local_moment
from storage import Reflection, Session

NAME_CHARS = 60  # a name longer than this is a sentence, not a session's name
NAMES_OFFERED = 6
DAYS_OFFERED = 7  # the day it was written and the six before
DAYS_BACK = 92  # a session's date may be typed up to this many days before writing
# A reflection begun up to this long before a session's end is about that day's session
# (written in the last minutes, or while young people are still leaving).
EARLY = timedelta(hours=2)


class InvalidName(ValueError):
    """A typed name that is empty, or too long to be a name."""


class InvalidDay(ValueError):
    """A session date after the reflection was written, or too long before it."""


@dataclass(frozen=True)
class NameOffered:
    """A name to give a reflection in one tap: a regular session, or a name given before
    (to the reflection ``reflection_id``)."""

    name: str
    session_id: int | None = None
    reflection_id: int | None = None


@dataclass(frozen=True)
class About:
    """What a reflection is about, and what can be chosen for it in one tap."""

    reflection: Reflection
    written: date  # the local day it was begun
    offered: list[NameOffered]
    days: list[date]  # session dates offered, newest first

    @property
    def name(self) -> str | None:
        return self.reflection.about

    @property
    def day(self) -> date | None:
        return self.reflection.session_date


def clean_name(text: str) -> str:
    """A typed name on one line, its spaces tidied; InvalidName if none is left or it is
    longer than a name."""
    name = " ".join(text.split())
    if not name or len(name) > NAME_CHARS:
        raise InvalidName(text)
    return name


def last_held(session: Session, moment: datetime, zone: ZoneInfo) -> date | None:
    """The local date the regular session last ended by ``moment`` (or was about to:
    within :data:`EARLY`), in the week before it; None if it did not."""
    today = moment.astimezone(zone).date()
    for back in range(8):
        day = today - timedelta(days=back)
        if day.weekday() not in session.weekdays or day in session.skipped:
            continue
        if local_moment(day, session.end_time, zone) <= moment + EARLY:
            return day
    return None


class AboutService:
    def __init__(self, db: sqlite_utils.Database, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._clock = clock

    def about(self, user_id: int, reflection_id: int) -> About:
        """A finished reflection of the practitioner's, with the names and dates to offer."""
        reflection = owned_reflection(self._db, user_id, reflection_id)
        zone = self._zone(user_id)
        written = reflection.started_at.astimezone(zone).date()
        sessions = sorted(
            storage.sessions_of(self._db, user_id),
            key=lambda s: last_held(s, reflection.started_at, zone) or date.min,
            reverse=True,
        )
        offered = [NameOffered(s.name, session_id=s.id) for s in sessions]
        taken = {s.name.casefold() for s in sessions}
        for before in storage.names_given(self._db, user_id, NAMES_OFFERED):
            if before.name.casefold() not in taken:
                offered.append(NameOffered(before.name, reflection_id=before.reflection_id))
                taken.add(before.name.casefold())
        days = [written - timedelta(days=n) for n in range(DAYS_OFFERED)]
        return About(reflection, written, offered[:NAMES_OFFERED], days)

    def choose_session(self, user_id: int, reflection_id: int, session_id: int) -> About:
        """About one of the practitioner's regular sessions (one removed since still
        names it); its date is the day it was last held, unless one was given."""
        current = self.about(user_id, reflection_id)
        session = storage.get_session(self._db, session_id)
        if session is None:
            raise NotFound(f"no session {session_id}")
        if session.user_id != user_id:
            raise NotAllowed(f"session {session_id} belongs to someone else")
        held = last_held(session, current.reflection.started_at, self._zone(user_id))
        return self._name(current, session.name, session.id, held)

    def choose_name_of(self, user_id: int, reflection_id: int, other_id: int) -> About:
        """The name the practitioner gave another of their reflections."""
        current = self.about(user_id, reflection_id)
        other = owned_reflection(self._db, user_id, other_id)
        if not other.about:
            raise NotFound(f"reflection {other_id} has no name")
        return self._name(current, other.about, other.session_id, None)

    def name(self, user_id: int, reflection_id: int, text: str) -> About:
        """A name the practitioner typed (a regular session's name links it to that)."""
        current = self.about(user_id, reflection_id)
        name = clean_name(text)
        for session in storage.sessions_of(self._db, user_id):
            if session.name.casefold() == name.casefold():
                return self.choose_session(user_id, reflection_id, session.id)
        return self._name(current, name, None, None)

    def set_day(self, user_id: int, reflection_id: int, day: date) -> About:
        """The date of the session, from the day written back to :data:`DAYS_BACK` before."""
        current = self.about(user_id, reflection_id)
        if not current.written - timedelta(days=DAYS_BACK) <= day <= current.written:
            raise InvalidDay(day.isoformat())
        storage.set_about(
            self._db, reflection_id, current.name, day, session_id=current.reflection.session_id
        )
        return self.about(user_id, reflection_id)

    def clear(self, user_id: int, reflection_id: int) -> About:
        """Not about any one session: no name, no date, no link to a regular session."""
        self.about(user_id, reflection_id)
        storage.set_about(self._db, reflection_id, None, None, session_id=None)
        return self.about(user_id, reflection_id)

    def _name(self, current: About, name: str, session_id: int | None, held: date | None) -> About:
        """Give the name; a date already given stays, else the session's or the day written."""
        rid = current.reflection.id
        day = current.day or held or current.written
        storage.set_about(self._db, rid, name, day, session_id=session_id)
        return self.about(current.reflection.user_id, rid)

    def _zone(self, user_id: int) -> ZoneInfo:
        user = storage.get_user(self._db, user_id)
        return ZoneInfo(user.timezone if user is not None else "Europe/London")
