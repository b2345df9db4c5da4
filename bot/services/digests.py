"""Weekly digests for supervisors: what each supervisee did in the week, as their
supervisor may see it. Nothing here sends anything: the Telegram layer asks
:meth:`DigestService.due` when a supervisor's digest time comes, sends what it gets,
and reports back with :meth:`DigestService.sent` or :meth:`DigestService.failed`.

A supervisor chooses the day and time (local, in their own time zone) and whether a
week with nothing to report gets one line or nothing. A digest is recorded under its
ISO week (in the supervisor's zone) before it is sent, so it goes at most once a week,
also across restarts; one due while the bot was down goes if it is less than
``LATE_LIMIT`` late, else that week's is skipped.

What a digest holds is what the supervision rules let a supervisor see: dates, kinds,
confirmed indicators, hours, flags, and text only of reflections shared in full.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import get_args
from zoneinfo import ZoneInfo

import sqlite_utils

import storage
from bot.portfolio import Hours
from bot.services.errors import NotAllowed
from bot.services.learning import LearningService
from bot.services.nudge_settings import InvalidSetting, parse_clock
from bot.services.schedule import local_moment
from framework import Framework
from storage import Reflection, SupervisionLink, SupervisionSettings, User, WhenEmpty

LATE_LIMIT = timedelta(hours=24)  # a digest later than this (the bot was down) is skipped
WEEK_DAYS = 7
GAP_WEEKS = 8  # a competence without confirmed evidence this long is worth a mention
EXCERPT_CHARS = 200


def iso_week(day: date) -> str:
    """'2026-W48': the ISO week a local date falls in."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of a text on one line, cut at a word near ``limit`` characters."""
    flat = re.sub(r"\s+", " ", text).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[:limit]
    return cut.rstrip(" ,;:.-–—") + "…"


@dataclass(frozen=True)
class CompetenceGap:
    """A competence with no confirmed evidence for ``GAP_WEEKS`` weeks or more."""

    number: int
    title: str
    weeks: int | None  # whole weeks since last evidenced; None: never


@dataclass(frozen=True)
class FlaggedReflection:
    """A reflection flagged to discuss: its date and kind only."""

    reflection_id: int
    written_at: datetime
    kind: str


@dataclass(frozen=True)
class SharedInFull:
    """A reflection of the week shared in full: the only kind whose text a digest quotes."""

    reflection_id: int
    written_at: datetime
    kind: str
    excerpt: str


@dataclass(frozen=True)
class SuperviseeDigest:
    practitioner: User
    link: SupervisionLink
    reflections: int  # finished reflections started this week
    new_indicators: list[str]  # confirmed this week, never confirmed before it
    gaps: list[CompetenceGap]
    hours: Hours
    to_discuss: list[FlaggedReflection]  # still flagged, whenever written; oldest first
    shared: list[SharedInFull]  # this week's reflections shared in full; oldest first

    @property
    def quiet(self) -> bool:
        """Nothing to report: no reflection this week and nothing waiting to be discussed
        (gaps and hours are always there, so they do not count)."""
        return self.reflections == 0 and not self.to_discuss


@dataclass(frozen=True)
class Digest:
    supervisor: User
    week: str  # ISO week of ``end`` in the supervisor's zone, e.g. '2026-W48'
    start: datetime
    end: datetime  # the 7 local days up to here
    supervisees: list[SuperviseeDigest]

    @property
    def empty(self) -> bool:
        return all(s.quiet for s in self.supervisees)


@dataclass(frozen=True)
class DigestMessage:
    """A digest to send now; its week is recorded already."""

    digest: Digest
    due_at: datetime

    @property
    def week(self) -> str:
        return self.digest.week


def _indicator_order(indicator_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in indicator_id.split(".") if part.isdigit())


class DigestService:
    def __init__(
        self,
        db: sqlite_utils.Database,
        framework: Framework,
        learning: LearningService,
        clock: Callable[[], datetime],
    ) -> None:
        self._db = db
        self._framework = framework
        self._learning = learning
        self._clock = clock
        self._listeners: list[Callable[[int], None]] = []

    # -- settings --------------------------------------------------------------------------

    def on_change(self, listener: Callable[[int], None]) -> None:
        """Call ``listener(user_id)`` after a change to a supervisor's digest time."""
        self._listeners.append(listener)

    def settings(self, user_id: int) -> SupervisionSettings:
        return storage.supervision_settings(self._db, user_id)

    def _change(self, user_id: int, **changes: object) -> SupervisionSettings:
        if storage.get_user(self._db, user_id) is None:
            raise NotAllowed(f"user {user_id} has not agreed to storage")
        current = self.settings(user_id)
        changed = SupervisionSettings(
            user_id,
            current.share_by_default,
            changes.get("digest_day", current.digest_day),  # type: ignore[arg-type]
            changes.get("digest_time", current.digest_time),  # type: ignore[arg-type]
            changes.get("digest_when_empty", current.digest_when_empty),  # type: ignore[arg-type]
        )
        storage.save_supervision_settings(self._db, changed, self._clock())
        for listener in self._listeners:
            listener(user_id)
        return changed

    def set_day(self, user_id: int, day: int) -> SupervisionSettings:
        """The weekday of the digest: 0 Monday .. 6 Sunday."""
        if day not in range(7):
            raise InvalidSetting("settings.weekday_invalid")
        return self._change(user_id, digest_day=day)

    def set_time(self, user_id: int, text: str) -> SupervisionSettings:
        """The local time of the digest, as typed (19:30, 7.30pm)."""
        at = parse_clock(text)
        if at is None:
            raise InvalidSetting("settings.time_invalid")
        return self._change(user_id, digest_time=at)

    def set_when_empty(self, user_id: int, choice: str) -> SupervisionSettings:
        """What a week with nothing to report brings: one line, or nothing."""
        if choice not in get_args(WhenEmpty):
            raise InvalidSetting("digest.when_empty_invalid")
        return self._change(user_id, digest_when_empty=choice)

    # -- when ------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self._clock()

    def supervisors(self) -> list[int]:
        """Everyone with at least one supervisee: the people digests go to."""
        return storage.supervisor_ids(self._db)

    def _supervisor(self, supervisor_id: int) -> User | None:
        """The supervisor, if they supervise anyone now."""
        if not storage.active_links(self._db, supervisor_id=supervisor_id):
            return None
        return storage.get_user(self._db, supervisor_id)

    def _moments(self, user: User, first: date, days: range) -> list[datetime]:
        """The digest moments (UTC) on the local dates ``first + n`` for n in ``days``."""
        settings = self.settings(user.id)
        zone = ZoneInfo(user.timezone)
        found = []
        for n in days:
            day = first + timedelta(days=n)
            if day.weekday() == settings.digest_day:
                found.append(local_moment(day, settings.digest_time, zone))
        return found

    def _week_of(self, user: User, moment: datetime) -> str:
        return iso_week(moment.astimezone(ZoneInfo(user.timezone)).date())

    def next_due(self, supervisor_id: int, after: datetime | None = None) -> datetime | None:
        """The next digest moment (UTC) after ``after`` (default now) in a week not yet
        recorded; None if the supervisor supervises nobody.

        At start-up, call :meth:`due` once (a digest missed while the bot was down goes
        then, if it is not too late), then wait for this moment.
        """
        user = self._supervisor(supervisor_id)
        if user is None:
            return None
        after = after or self._clock()
        today = after.astimezone(ZoneInfo(user.timezone)).date()
        for moment in self._moments(user, today, range(WEEK_DAYS * 3)):
            week = self._week_of(user, moment)
            if moment > after and storage.digest_for(self._db, user.id, week) is None:
                return moment
        return None  # not reached: next week's digest cannot have been recorded yet

    def _latest_moment(self, user: User, now: datetime) -> datetime:
        """The latest digest moment at or before ``now``."""
        today = now.astimezone(ZoneInfo(user.timezone)).date()
        moments = self._moments(user, today - timedelta(days=WEEK_DAYS), range(WEEK_DAYS + 1))
        return max(m for m in moments if m <= now)

    # -- what ------------------------------------------------------------------------------

    def compose(self, supervisor_id: int, until: datetime | None = None) -> Digest:
        """The digest of the 7 local days up to ``until`` (default now), for the
        supervisor's active links only (a link ended is left out at once)."""
        end = until or self._clock()
        user = storage.get_user(self._db, supervisor_id)
        if user is None:
            raise NotAllowed(f"user {supervisor_id} is unknown")
        zone = ZoneInfo(user.timezone)
        local_end = end.astimezone(zone)
        start = local_moment(
            local_end.date() - timedelta(days=WEEK_DAYS),
            local_end.time().replace(tzinfo=None),
            zone,
        )
        supervisees = []
        for link in storage.active_links(self._db, supervisor_id=supervisor_id):
            practitioner = storage.get_user(self._db, link.practitioner_id)
            if practitioner is not None:
                supervisees.append(self._supervisee(practitioner, link, start, end))
        return Digest(user, iso_week(local_end.date()), start, end, supervisees)

    def _supervisee(
        self, practitioner: User, link: SupervisionLink, start: datetime, end: datetime
    ) -> SuperviseeDigest:
        pid = practitioner.id
        week = storage.finished_reflections_between(self._db, pid, start, end)
        confirmed = storage.confirmed_between(self._db, pid, start, end)
        before = storage.confirmed_between(self._db, pid, None, start)
        earlier = {i for ids in before.values() for i in ids}
        new = {i for ids in confirmed.values() for i in ids} - earlier
        shares = storage.sharings_of(self._db, pid)
        shared = [
            SharedInFull(r.id, r.started_at, r.kind, excerpt(r.text))
            for r in week
            if r.id in shares and shares[r.id].in_full
        ]
        flagged = [
            r
            for r in (
                storage.get_reflection(self._db, s.reflection_id)
                for s in shares.values()
                if s.to_discuss
            )
            if r is not None and r.status == "done"
        ]
        return SuperviseeDigest(
            practitioner=practitioner,
            link=link,
            reflections=len(week),
            new_indicators=sorted(new, key=_indicator_order),
            gaps=self._gaps(pid, end),
            hours=self._learning.hours(practitioner),
            to_discuss=[
                FlaggedReflection(r.id, r.started_at, r.kind) for r in _oldest_first(flagged)
            ],
            shared=shared,
        )

    def _gaps(self, practitioner_id: int, end: datetime) -> list[CompetenceGap]:
        """Competences not evidenced by a confirmed indicator for ``GAP_WEEKS`` or more."""
        last: dict[int, datetime] = {}
        for indicator_id, moment in storage.last_confirmed(self._db, practitioner_id).items():
            indicator = self._framework.get_indicator(indicator_id)
            if indicator is not None:
                number = indicator.competence
                last[number] = max(moment, last.get(number, moment))
        gaps = []
        for competence in self._framework.competences:
            moment = last.get(competence.number)
            weeks = None if moment is None else max(0, (end - moment).days // 7)
            if weeks is None or weeks >= GAP_WEEKS:
                gaps.append(CompetenceGap(competence.number, competence.title, weeks))
        return gaps

    def preview(self, supervisor_id: int) -> Digest:
        """What the supervisor would receive now; records nothing."""
        return self.compose(supervisor_id)

    # -- sending ---------------------------------------------------------------------------

    def due(self, supervisor_id: int) -> DigestMessage | None:
        """The digest to send the supervisor now, its week recorded; or None (nobody
        supervised, the bot blocked, this week's recorded already, or more than
        ``LATE_LIMIT`` late).

        The week is recorded before the digest is returned, so it is never sent twice: a
        crash between recording and sending loses that week's digest rather than
        duplicating it. A week with nothing to report, for a supervisor who chose
        nothing then, is recorded as 'empty' and gives None.
        """
        now = self._clock()
        user = self._supervisor(supervisor_id)
        if user is None or not user.active:  # blocked the bot: nothing could reach them
            return None
        moment = self._latest_moment(user, now)
        if now - moment >= LATE_LIMIT:
            return None
        week = self._week_of(user, moment)
        if storage.digest_for(self._db, user.id, week) is not None:
            return None
        digest = self.compose(user.id, until=moment)  # the week up to the due moment
        if not storage.record_digest(self._db, user.id, week, moment):
            return None
        if digest.empty and self.settings(user.id).digest_when_empty == "none":
            storage.set_digest_status(self._db, user.id, week, "empty", now)
            return None
        return DigestMessage(digest, moment)

    def sent(self, supervisor_id: int, week: str) -> None:
        storage.set_digest_status(self._db, supervisor_id, week, "sent", self._clock())

    def failed(self, supervisor_id: int, week: str) -> None:
        """It could not be sent (they blocked the bot, or Telegram kept failing)."""
        storage.set_digest_status(self._db, supervisor_id, week, "failed", self._clock())


def _oldest_first(reflections: list[Reflection]) -> list[Reflection]:
    return sorted(reflections, key=lambda r: (r.started_at, r.id))
