"""When nudges fall due: pure functions of a practitioner's rules and a span of time.

Rules are in local wall-clock time ("Tuesdays, club ends 19:30", "Fridays 16:00"), so a
nudge keeps its local time across daylight-saving changes; every moment returned is
timezone-aware UTC. A local time that a change skips (01:30 when clocks go forward)
moves forward by the gap; one that happens twice is the first of the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

NudgeKind = Literal["session", "weekly"]
WEEKLY_SLOT = "weekly"


def session_slot(session_id: int) -> str:
    return f"session:{session_id}"


@dataclass(frozen=True)
class QuietHours:
    """Local times when no nudge is sent; ``start`` after ``end`` spans midnight."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        if self.start < self.end:
            return self.start <= moment < self.end
        if self.start > self.end:
            return moment >= self.start or moment < self.end
        return False  # start == end: no quiet time at all


@dataclass(frozen=True)
class SessionRule:
    """A regular session: the nudge comes ``delay`` after it ends on each of its days."""

    id: int
    name: str
    weekdays: frozenset[int]  # 0 Monday .. 6 Sunday
    end_time: time
    skipped: frozenset[date] = frozenset()  # local dates it does not happen


@dataclass(frozen=True)
class NudgeRules:
    zone: ZoneInfo
    quiet: QuietHours | None
    sessions_on: bool
    session_delay: timedelta
    sessions: tuple[SessionRule, ...]
    weekly_on: bool
    weekly_day: int  # 0 Monday .. 6 Sunday
    weekly_time: time
    paused_until: date | None = None  # inclusive, local


@dataclass(frozen=True)
class Occurrence:
    """One nudge falling due: ``slot`` and ``due`` together name it for good."""

    slot: str
    kind: NudgeKind
    due: datetime  # aware, UTC
    session_id: int | None = None


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """``at`` on the local date ``day``, in UTC (see the module note on DST)."""
    # fold=0 reads a skipped time with the offset before the change, which lands it the
    # gap later on the clock; a repeated time is read as its first occurrence.
    return datetime.combine(day, at).replace(tzinfo=zone, fold=0).astimezone(UTC)


def after_quiet_hours(moment: datetime, zone: ZoneInfo, quiet: QuietHours | None) -> datetime:
    """``moment``, or the end of the quiet hours it falls in."""
    if quiet is None:
        return moment
    local = moment.astimezone(zone)
    if not quiet.contains(local.time().replace(tzinfo=None)):
        return moment
    end = local_moment(local.date(), quiet.end, zone)
    if end <= moment:
        end = local_moment(local.date() + timedelta(days=1), quiet.end, zone)
    return end


def occurrences(rules: NudgeRules, start: datetime, end: datetime) -> list[Occurrence]:
    """Every nudge the rules make due in ``[start, end)``, earliest first.

    Quiet hours move a nudge to their end; a pause drops every nudge due on a local date
    up to and including ``paused_until``.
    """
    found: list[Occurrence] = []
    # A nudge due in the span may come from a day before it (a delay, or quiet hours
    # that carry an evening nudge to the next morning): look from two days earlier.
    first = start.astimezone(rules.zone).date() - timedelta(days=2)
    last = end.astimezone(rules.zone).date()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    for day in days:
        if rules.paused_until is not None and day <= rules.paused_until:
            continue  # nothing about a day in the pause, wherever quiet hours move it
        if rules.weekly_on and day.weekday() == rules.weekly_day:
            due = local_moment(day, rules.weekly_time, rules.zone)
            found.append(Occurrence(WEEKLY_SLOT, "weekly", due))
        if not rules.sessions_on:
            continue
        for session in rules.sessions:
            if day.weekday() in session.weekdays and day not in session.skipped:
                due = local_moment(day, session.end_time, rules.zone) + rules.session_delay
                found.append(Occurrence(session_slot(session.id), "session", due, session.id))
    moved = [
        Occurrence(o.slot, o.kind, after_quiet_hours(o.due, rules.zone, rules.quiet), o.session_id)
        for o in found
    ]
    return sorted(
        (o for o in moved if start <= o.due < end),
        key=lambda o: (o.due, o.slot),
    )


def paused(rules: NudgeRules, moment: datetime) -> bool:
    """Whether a nudge due at ``moment`` falls in the practitioner's pause."""
    if rules.paused_until is None:
        return False
    return moment.astimezone(rules.zone).date() <= rules.paused_until
