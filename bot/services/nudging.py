"""Nudges: which one is due for a practitioner now, what it says, and what a tap on it
does. Nothing here sends anything: the Telegram layer (or the terminal chat) asks
:meth:`NudgingService.due` when a practitioner's next nudge time comes, sends what it
gets, and reports back.

A nudge is recorded before it is sent, under its slot ("weekly", "session:12") and due
time, so it is never sent twice, also across restarts; one due while the bot was down is
sent if it is less than ``LATE_LIMIT`` late, else dropped. At most one nudge is
outstanding: a new one replaces the last one's buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import sqlite_utils

import storage
from bot.services.errors import NotFound
from bot.services.reflecting import NOTE_SET_ID, QuestionStep, ReflectingService
from bot.services.schedule import (
    NudgeKind,
    NudgeRules,
    Occurrence,
    QuietHours,
    SessionRule,
    after_quiet_hours,
    local_moment,
    occurrences,
    paused,
)
from framework import Framework
from prompts import WeeklyPrompts, WeeklyQuestion
from prompts.weekly import WEEKLY_SET_ID, running_week
from storage import Nudge, NudgeSettings, Session, User

LATE_LIMIT = timedelta(hours=3)  # a nudge later than this (the bot was down) is dropped
SNOOZE = timedelta(hours=1)
HORIZON = timedelta(days=8)  # every rule recurs within a week
EARLY = timedelta(seconds=1)  # a timer that fires a moment early still finds its nudge
WEEK = timedelta(days=7)

Choice = Literal["now", "note", "later", "snooze"]


@dataclass(frozen=True)
class Gap:
    """The competence the practitioner evidenced least recently, and since when."""

    competence: int
    topic: str
    weeks: int | None  # whole weeks since it was last evidenced; None: never


@dataclass(frozen=True)
class Content:
    """What a nudge says: about a session, or a weekly question aimed at a gap."""

    session: Session | None = None
    question: WeeklyQuestion | None = None
    gap: Gap | None = None
    softened: bool = False  # a weekly nudge after a week with reflections


@dataclass(frozen=True)
class NudgeMessage:
    """A nudge to send now. ``replaces``: earlier nudges whose buttons to take away."""

    nudge: Nudge
    user: User
    content: Content
    replaces: tuple[Nudge, ...] = ()


@dataclass(frozen=True)
class Upcoming:
    user_id: int
    due: datetime  # in the practitioner's time zone
    kind: str


@dataclass(frozen=True)
class Snoozed:
    until: datetime  # in the practitioner's time zone


@dataclass(frozen=True)
class Dismissed:
    nudge: Nudge


ChoiceResult = QuestionStep | Snoozed | Dismissed


class NudgingService:
    def __init__(
        self,
        db: sqlite_utils.Database,
        framework: Framework,
        weekly: WeeklyPrompts,
        reflecting: ReflectingService,
        clock: Callable[[], datetime],
    ) -> None:
        self._db = db
        self._framework = framework
        self._weekly = weekly
        self._reflecting = reflecting
        self._clock = clock

    # -- when ------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The service's clock (a test's, or the real one): timers are set by it."""
        return self._clock()

    def rules(self, user: User, settings: NudgeSettings | None = None) -> NudgeRules:
        settings = settings or storage.nudge_settings(self._db, user.id)
        quiet = None
        if settings.quiet_start is not None and settings.quiet_end is not None:
            quiet = QuietHours(settings.quiet_start, settings.quiet_end)
        return NudgeRules(
            zone=ZoneInfo(user.timezone),
            quiet=quiet,
            sessions_on=settings.sessions_on,
            session_delay=timedelta(minutes=settings.session_delay_minutes),
            sessions=tuple(
                SessionRule(s.id, s.name, s.weekdays, s.end_time, s.skipped)
                for s in storage.sessions_of(self._db, user.id)
            ),
            weekly_on=settings.weekly_on,
            weekly_day=settings.weekly_day,
            weekly_time=settings.weekly_time,
            paused_until=settings.paused_until,
        )

    def _snoozed(self, user_id: int) -> dict[tuple[str, datetime], Nudge]:
        """The practitioner's snoozed nudges, by (slot, due time)."""
        return {
            (n.slot, n.due_at): n for n in storage.nudges_with_status(self._db, user_id, "snoozed")
        }

    def _unsent(
        self,
        user: User,
        start: datetime,
        end: datetime,
        snoozed: dict[tuple[str, datetime], Nudge],
        rules: NudgeRules | None = None,
    ) -> list[Occurrence]:
        """Nudges due in [start, end) and not given yet, earliest first: the rules' that
        were not recorded, and the snoozed ones (outside a pause)."""
        rules = rules or self.rules(user)
        recorded = storage.recorded_since(self._db, user.id, start)
        unsent = [o for o in occurrences(rules, start, end) if (o.slot, o.due) not in recorded]
        for nudge in snoozed.values():
            if start <= nudge.due_at < end and not paused(rules, nudge.due_at):
                kind: NudgeKind = "weekly" if nudge.kind == "weekly" else "session"
                unsent.append(Occurrence(nudge.slot, kind, nudge.due_at, nudge.session_id))
        return sorted(unsent, key=lambda o: (o.due, o.slot))

    def next_due(self, user_id: int, after: datetime | None = None) -> datetime | None:
        """When the practitioner's next nudge falls due after ``after`` (default now), if
        any within a week; a blocked practitioner is still looked at (they may unblock)."""
        user = storage.get_user(self._db, user_id)
        if user is None:
            return None
        rules = self.rules(user)
        start = (after or self._clock()) + timedelta(microseconds=1)
        if rules.paused_until is not None:  # a long pause: look from the day it ends
            back = local_moment(rules.paused_until + timedelta(days=1), time(0), rules.zone)
            start = max(start, back)
        unsent = self._unsent(user, start, start + HORIZON, self._snoozed(user.id), rules)
        return unsent[0].due if unsent else None

    def practitioners(self) -> list[int]:
        """Everybody who may be nudged (they agreed to storage)."""
        return storage.practitioner_ids(self._db)

    def upcoming(self, hours: float) -> list[Upcoming]:
        """Every nudge due in the next ``hours`` hours, for everybody, soonest first (blocked
        and paused practitioners have none)."""
        now = self._clock()
        found = []
        for user_id in storage.practitioner_ids(self._db):
            user = storage.get_user(self._db, user_id)
            if user is None or not user.active:
                continue
            zone = ZoneInfo(user.timezone)
            for occurrence in self._unsent(
                user, now, now + timedelta(hours=hours), self._snoozed(user.id)
            ):
                found.append(Upcoming(user.id, occurrence.due.astimezone(zone), occurrence.kind))
        return sorted(found, key=lambda u: (u.due, u.user_id))

    # -- sending ---------------------------------------------------------------------------

    def pending(self, user_id: int) -> bool:
        """Whether :meth:`due` would have a nudge now (reads only, records nothing)."""
        now = self._clock()
        user = storage.get_user(self._db, user_id)
        if user is None or not user.active:
            return False
        return bool(self._due_now(user, now, self._snoozed(user.id)))

    def _due_now(
        self, user: User, now: datetime, snoozed: dict[tuple[str, datetime], Nudge]
    ) -> list[Occurrence]:
        """Nudges due from ``LATE_LIMIT`` ago (not including it) until now, not given yet."""
        return self._unsent(
            user, now - LATE_LIMIT + timedelta(microseconds=1), now + EARLY, snoozed
        )

    def due(self, user_id: int) -> NudgeMessage | None:
        """The nudge to send the practitioner now, recorded as sent; or None.

        Of several due (the bot was down), only the latest is sent and the others are
        recorded as dropped. A weekly nudge after a week with reflections is softened, or
        dropped if the practitioner chose so.
        """
        now = self._clock()
        user = storage.get_user(self._db, user_id)
        if user is None or not user.active:
            return None
        snoozed = self._snoozed(user.id)
        due = self._due_now(user, now, snoozed)
        for stale in [n for key, n in snoozed.items() if key[1] < now - LATE_LIMIT]:
            storage.set_nudge_status(self._db, stale.id, "dropped")
        if not due:
            return None
        with self._db.atomic():
            chosen, content = None, None
            for candidate in reversed(due):
                if chosen is None:
                    content = self._compose(
                        user, candidate, now, snoozed.get((candidate.slot, candidate.due))
                    )
                    if content is not None:
                        chosen = candidate
                        continue
                self._record(user, candidate, "dropped", snoozed)
            if chosen is None or content is None:
                return None
            nudge = self._record(user, chosen, "sent", snoozed, content.question, now)
            replaces = tuple(
                n for n in storage.nudges_with_status(self._db, user.id, "sent") if n.id != nudge.id
            )
            for old in replaces:
                storage.set_nudge_status(self._db, old.id, "replaced")
        return NudgeMessage(nudge, user, content, replaces)

    def _record(
        self,
        user: User,
        occurrence: Occurrence,
        status: Literal["sent", "dropped"],
        snoozed: dict[tuple[str, datetime], Nudge],
        question: WeeklyQuestion | None = None,
        now: datetime | None = None,
    ) -> Nudge:
        existing = snoozed.get((occurrence.slot, occurrence.due))
        if existing is None:
            recorded = storage.record_nudge(
                self._db,
                user.id,
                slot=occurrence.slot,
                kind=occurrence.kind,
                session_id=occurrence.session_id,
                due_at=occurrence.due,
                status=status,
                now=self._clock(),
                question_id=None if question is None else question.id,
            )
            assert recorded is not None  # checked against what was recorded, in this thread
            existing = recorded
        storage.set_nudge_status(self._db, existing.id, status, sent_at=now)
        return storage.get_nudge(self._db, existing.id)  # type: ignore[return-value]

    def _compose(
        self, user: User, occurrence: Occurrence, now: datetime, snoozed: Nudge | None = None
    ) -> Content | None:
        """What the nudge says; None if it has nothing to say (a removed session, a week
        with reflections for someone who chose to skip the weekly nudge then, or a nudge
        of this slot already given that day, before its time was changed)."""
        if snoozed is None and self._given_that_day(user, occurrence):
            return None
        if occurrence.kind == "session":
            session = storage.get_session(self._db, occurrence.session_id or 0)
            if session is None or session.removed_at is not None:
                return None
            return Content(session=session)
        if snoozed is not None:  # back from a snooze: the same question, or the soft line
            asked = self._weekly.question(snoozed.question_id) if snoozed.question_id else None
            if asked is None:
                return Content(softened=True)
            return Content(question=asked, gap=self.gap_of(user.id, asked.competence, now))
        last = storage.last_nudge(self._db, user.id, "weekly")
        since = last.due_at if last is not None else now - WEEK
        if storage.finished_since(self._db, user.id, since):
            if storage.nudge_settings(self._db, user.id).after_reflecting == "skip":
                return None
            return Content(softened=True)
        gap = self.gap(user.id, now)
        zone = ZoneInfo(user.timezone)
        question = self._weekly.pick(gap.competence, running_week(now.astimezone(zone).date()))
        return Content(question=question, gap=gap)

    def _given_that_day(self, user: User, occurrence: Occurrence) -> bool:
        zone = ZoneInfo(user.timezone)
        day = occurrence.due.astimezone(zone).date()
        start = local_moment(day, time(0), zone)
        return any(
            slot == occurrence.slot and due != occurrence.due and due.astimezone(zone).date() == day
            for slot, due in storage.recorded_since(self._db, user.id, start)
        )

    def gap(self, user_id: int, now: datetime | None = None) -> Gap:
        """The competence evidenced least recently among confirmed tags: never evidenced
        ones first (taking turns by week), then the one evidenced longest ago."""
        now = now or self._clock()
        last = self._last_evidenced(user_id)
        numbers = list(self._weekly.competences)
        never = [c for c in numbers if c not in last]
        if never:
            zone = ZoneInfo(storage.get_user(self._db, user_id).timezone)  # type: ignore[union-attr]
            chosen = never[running_week(now.astimezone(zone).date()) % len(never)]
        else:
            chosen = min(numbers, key=lambda c: (last[c], c))
        return self.gap_of(user_id, chosen, now, last)

    def gap_of(
        self,
        user_id: int,
        competence: int,
        now: datetime,
        last: dict[int, datetime] | None = None,
    ) -> Gap:
        """How long the practitioner has gone without evidencing ``competence``."""
        last = self._last_evidenced(user_id) if last is None else last
        moment = last.get(competence)
        weeks = None if moment is None else max(0, (now - moment).days // 7)
        return Gap(competence, self._weekly.topic(competence), weeks)

    def _last_evidenced(self, user_id: int) -> dict[int, datetime]:
        """When each competence was last evidenced by a confirmed indicator."""
        last: dict[int, datetime] = {}
        for indicator_id, moment in storage.last_confirmed(self._db, user_id).items():
            indicator = self._framework.get_indicator(indicator_id)
            if indicator is not None:
                number = indicator.competence
                last[number] = max(moment, last.get(number, moment))
        return last

    def sent(self, nudge: Nudge, message_id: int) -> None:
        """It went out as ``message_id``; a tap handled meanwhile keeps its outcome."""
        current = storage.get_nudge(self._db, nudge.id)
        if current is not None:
            storage.set_nudge_status(self._db, nudge.id, current.status, message_id=message_id)

    def failed(self, nudge: Nudge) -> None:
        """It could not be sent (they blocked the bot, or Telegram kept failing)."""
        storage.set_nudge_status(self._db, nudge.id, "failed")

    # -- taps ------------------------------------------------------------------------------

    def choose(self, user_id: int, nudge_id: int, choice: Choice) -> ChoiceResult:
        """A tap on a nudge's button: reflect now, a quick note, not today, or snooze.

        Reflect-now and quick-note start a reflection about the session (NotAllowed if
        another is open); tapping again before answering gives the same first question.
        A nudge that was replaced or already dismissed is NotFound.
        """
        nudge = storage.get_nudge(self._db, nudge_id)
        if nudge is None or nudge.user_id != user_id:
            raise NotFound("no such nudge")
        if choice in ("now", "note"):
            if nudge.status not in ("sent", "answered"):
                raise NotFound("that nudge has passed")
            step = self._start(nudge, choice)
            storage.set_nudge_status(self._db, nudge.id, "answered")
            for later in self._snoozed(user_id).values():
                if later.slot == nudge.slot:  # snoozed, then answered after all
                    storage.set_nudge_status(self._db, later.id, "dropped")
            return step
        if nudge.status != "sent":
            raise NotFound("that nudge has passed")
        storage.set_nudge_status(self._db, nudge.id, "answered")
        if choice == "later":
            return Dismissed(nudge)
        user = storage.get_user(self._db, user_id)
        assert user is not None
        rules = self.rules(user)
        until = after_quiet_hours(self._clock() + SNOOZE, rules.zone, rules.quiet)
        until = until.replace(second=0, microsecond=0)
        storage.record_nudge(
            self._db,
            user_id,
            slot=nudge.slot,
            kind=nudge.kind,
            session_id=nudge.session_id,
            due_at=until,
            status="snoozed",
            now=self._clock(),
            question_id=nudge.question_id,
        )
        return Snoozed(until.astimezone(rules.zone))

    def _start(self, nudge: Nudge, choice: Choice) -> QuestionStep:
        if nudge.kind == "weekly":
            if choice == "now" and nudge.question_id and self._weekly.question(nudge.question_id):
                return self._reflecting.start(
                    nudge.user_id, WEEKLY_SET_ID, prompt_id=nudge.question_id
                )
            return self._reflecting.start(nudge.user_id, NOTE_SET_ID)
        settings = storage.nudge_settings(self._db, nudge.user_id)
        set_id = (
            self._reflecting.default_set(settings.default_set_id).id
            if choice == "now"
            else NOTE_SET_ID
        )
        return self._reflecting.start(nudge.user_id, set_id, session_id=nudge.session_id)

    def outstanding(self, user_id: int) -> Nudge | None:
        sent = storage.nudges_with_status(self._db, user_id, "sent")
        return sent[-1] if sent else None
