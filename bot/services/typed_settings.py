"""Settings typed after a tap (a time zone's name, a time, a date, a new session's name,
hours, a goal): what the practitioner was asked to type, and a new session while its
name, days and end time are given one by one.

Held in memory only: a restart forgets them, and the text is then handled as usual (at
worst, offered to be saved as a note).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Literal

from bot.services.errors import NotFound
from bot.services.nudge_settings import NudgeSettingsService, check_weekdays
from storage import Session

# A tap that asks for a typed setting (a name, a time, a date) waits this long for it;
# after that, the practitioner's text is handled as usual.
TYPED_INPUT_WAITS = timedelta(minutes=10)
# Longer than this (or on several lines), a text is never a typed setting: it is prose
# meant for a reflection, and is handled as usual. A goal or a review note may be longer.
TYPED_SETTING_CHARS = 64
TYPED_SENTENCE_CHARS = 300
Typed = Literal[
    "timezone",
    "weekly_time",
    "session_name",
    "session_end",
    "skip_date",
    "pause_until",
    "weekly_hours",
    "cycle_start",
    "learning_hours",  # target_id: the reflection; detail: the kind of learning
    "goal_text",
    "goal_review",  # target_id: the goal
    "comment",  # target_id: a reflection shared with the supervisor who comments
    "review_date",  # target_id: the link of the verifier recording a review
    "review_note",  # target_id: that link; detail: the date discussed (ISO)
    "digest_time",
    "about_name",  # target_id: the reflection it is about
    "about_date",  # target_id: the reflection whose session's date it is
]
SENTENCES: frozenset[str] = frozenset({"goal_text", "goal_review"})
PROSE: frozenset[str] = frozenset(
    {"comment", "review_note"}
)  # several lines, up to a comment's length
PROSE_CHARS = 2000


@dataclass(frozen=True)
class Awaiting:
    """The practitioner tapped a button asking them to type a setting: their next text is
    that setting (``session_id``: the session a date to skip is for)."""

    what: Typed
    since: datetime
    session_id: int | None = None
    target_id: int | None = None  # the reflection or goal it is about
    detail: str | None = None


@dataclass(frozen=True)
class SessionDraft:
    """A session being added: its name is typed, then its days tapped; its end time
    comes last and adds it."""

    name: str
    weekdays: frozenset[int]
    since: datetime


def could_be_typed_setting(text: str, what: Typed | None = None) -> bool:
    """Whether a text is short enough to be a typed setting rather than prose (a goal or
    a review note: a sentence or two)."""
    text = text.strip()
    if what in PROSE:
        return bool(text) and len(text) <= PROSE_CHARS
    limit = TYPED_SENTENCE_CHARS if what in SENTENCES else TYPED_SETTING_CHARS
    return bool(text) and len(text) <= limit and "\n" not in text


class TypedSettingsService:
    def __init__(self, settings: NudgeSettingsService, clock: Callable[[], datetime]) -> None:
        self._settings = settings
        self._clock = clock
        self._awaiting: dict[int, Awaiting] = {}
        self._drafts: dict[int, SessionDraft] = {}

    def expect(
        self,
        user_id: int,
        what: Typed,
        session_id: int | None = None,
        *,
        target_id: int | None = None,
        detail: str | None = None,
    ) -> Awaiting:
        """The practitioner's next text message is this setting (for TYPED_INPUT_WAITS).

        A new session's name is refused at once if they have as many as they may."""
        if what == "session_name":
            self._settings.check_room_for_a_session(user_id)
        if what == "skip_date":
            if session_id is None:
                raise ValueError("a date to skip needs its session")
            self._settings.session(user_id, session_id)  # theirs, and not removed
        now = self._clock()
        self._forget_expired(now)
        awaiting = Awaiting(what, now, session_id, target_id, detail)
        self._awaiting[user_id] = awaiting
        return awaiting

    def awaiting(self, user_id: int) -> Awaiting | None:
        """What the practitioner was asked to type, unless that was too long ago."""
        found = self._awaiting.get(user_id)
        if found is not None and self._clock() - found.since > TYPED_INPUT_WAITS:
            del self._awaiting[user_id]
            return None
        return found

    def clear(self, user_id: int) -> bool:
        """Stop waiting for a typed setting; True if one was awaited (and not expired)."""
        waiting = self.awaiting(user_id) is not None
        self._awaiting.pop(user_id, None)
        return waiting

    def start_session(self, user_id: int, name: str) -> SessionDraft:
        """Begin adding a session with this name; its days come next."""
        name = self._settings.new_session_name(user_id, name)
        draft = SessionDraft(name, frozenset(), self._clock())
        self._drafts[user_id] = draft
        return draft

    def draft(self, user_id: int) -> SessionDraft:
        """The session being added; NotFound if none (or it was left too long)."""
        found = self._drafts.get(user_id)
        if found is None or self._clock() - found.since > TYPED_INPUT_WAITS:
            self._drafts.pop(user_id, None)
            raise NotFound("no session being added")
        return found

    def set_draft_days(self, user_id: int, weekdays: frozenset[int]) -> SessionDraft:
        """The days of the session being added (its end time comes next)."""
        draft = self.draft(user_id)
        check_weekdays(weekdays)
        draft = replace(draft, weekdays=weekdays, since=self._clock())
        self._drafts[user_id] = draft
        return draft

    def finish_session(self, user_id: int, end: time) -> Session:
        """Add the session being added, ending at ``end``."""
        draft = self.draft(user_id)
        if not draft.weekdays:
            raise NotFound("the session's days were not chosen")
        session = self._settings.add_session(user_id, draft.name, draft.weekdays, end)
        self._drafts.pop(user_id, None)
        return session

    def forget(self, user_id: int) -> None:
        """Drop everything held in memory about the practitioner (e.g. after /forget)."""
        self._awaiting.pop(user_id, None)
        self._drafts.pop(user_id, None)

    def _forget_expired(self, now: datetime) -> None:
        for held in (self._awaiting, self._drafts):
            for user_id in [uid for uid, w in held.items() if now - w.since > TYPED_INPUT_WAITS]:
                del held[user_id]
