"""Professional learning: reflections marked as learning activities (what kind, how many
hours), goals (set, reviewed, closed, and reflections working towards them), and the
hours done this registration year and cycle against the CLD Standards Council's
requirement (each year, as many hours as the practitioner's average weekly CLD hours).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlite_utils

import storage
from bot.portfolio import LEARNING_KINDS, Hours, Period
from bot.services import periods
from bot.services.errors import NotAllowed, NotFound
from bot.services.nudge_settings import InvalidSetting, parse_day
from bot.services.ownership import owned_reflection
from storage import GoalOutcome, LearningGoal, LearningMark, Reflection, Registration, User

MAX_GOAL_CHARS = 300
MAX_GOALS_OPEN = 10
MAX_ACTIVITY_HOURS = 500.0  # a long course, logged as one activity
MAX_WEEKLY_HOURS = 80.0
EARLIEST_CYCLE_START = date(2000, 1, 1)

_HOURS = re.compile(
    r"^(?:(?P<m>\d{1,4})\s*(?:m|mins?|minutes?)"
    r"|(?P<colon_h>\d{1,3}):(?P<colon_m>[0-5]\d)"
    r"|(?P<h>\d{1,3}(?:[.,]\d{1,2})?)(?:\s*(?:h|hrs?|hours?)"
    r"(?:\s*(?P<hm>\d{1,2})\s*(?:m|mins?|minutes?)?)?)?)$"
)


def parse_hours(text: str) -> float | None:
    """Hours from what a practitioner types: "2", "1.5", "1,5", "2 hours", "1h30",
    "1:30", "90 min". None if it is none of those, or not more than zero."""
    match = _HOURS.match(text.strip().lower())
    if match is None:
        return None
    if match["m"] is not None:
        value = int(match["m"]) / 60
    elif match["colon_h"] is not None:
        value = int(match["colon_h"]) + int(match["colon_m"]) / 60
    else:
        value = float(match["h"].replace(",", "."))
        if match["hm"] is not None:
            if "." in match["h"] or "," in match["h"] or int(match["hm"]) >= 60:
                return None
            value += int(match["hm"]) / 60
    value = round(value, 2)
    return value if value > 0 else None


@dataclass(frozen=True)
class GoalSummary:
    """A goal, and what the practitioner has done towards it."""

    goal: LearningGoal
    reflections: int
    hours: float


class LearningService:
    def __init__(
        self,
        db: sqlite_utils.Database,
        clock: Callable[[], datetime],
        learning_set_ids: frozenset[str] = frozenset(),
        competences: frozenset[int] = frozenset(range(1, 8)),
    ) -> None:
        self._db = db
        self._clock = clock
        self.learning_set_ids = learning_set_ids  # question sets that are learning activities
        self._competences = competences  # the framework's competence numbers

    # ---- registration: weekly CLD hours and the start of the cycle

    def registration(self, user_id: int) -> Registration:
        return storage.registration(self._db, user_id)

    def set_weekly_hours(self, user_id: int, text: str) -> Registration:
        """Average weekly CLD hours, as typed ("35", "17.5")."""
        value = parse_hours(text)
        if value is None or value > MAX_WEEKLY_HOURS:
            raise InvalidSetting("learning.weekly_hours_invalid")
        return self._save(user_id, weekly_hours=value)

    def set_cycle_start(self, user: User, text: str) -> Registration:
        """The first day of the current registration cycle, as typed."""
        today = self.today(user)
        day = parse_day(text, today, past=True)
        if day is None:
            raise InvalidSetting("settings.date_invalid")
        if day > today or day < EARLIEST_CYCLE_START:
            raise InvalidSetting("learning.cycle_start_invalid")
        return self._save(user.id, cycle_start=day)

    def _save(self, user_id: int, **changes: object) -> Registration:
        details = storage.registration(self._db, user_id)
        details = Registration(
            user_id,
            changes.get("weekly_hours", details.weekly_hours),  # type: ignore[arg-type]
            changes.get("cycle_start", details.cycle_start),  # type: ignore[arg-type]
        )
        storage.save_registration(self._db, details, self._clock())
        return details

    def today(self, user: User) -> date:
        return self._clock().astimezone(ZoneInfo(user.timezone)).date()

    def hours(self, user: User, in_period: Period | None = None) -> Hours:
        """Hours this registration year and cycle (and in a period: by default the year)."""
        details = storage.registration(self._db, user.id)
        today = self.today(user)
        year = periods.registration_year(today, details.cycle_start)
        cycle = periods.registration_cycle(today, details.cycle_start)
        window = in_period or year
        return Hours(
            weekly_hours=details.weekly_hours,
            cycle_start=cycle.start if details.cycle_start is not None else None,
            year_start=year.start,
            year_end=year.end,
            cycle_end=cycle.end,
            this_year=self._hours_between(user, year.start, year.end),
            this_cycle=self._hours_between(user, cycle.start, cycle.end),
            in_period=self._hours_between(user, window.start, window.end),
        )

    def _hours_between(self, user: User, start: date | None, end: date) -> float:
        since, until = periods.utc_bounds(start, end, user.timezone)
        return storage.learning_hours_between(self._db, user.id, since, until)

    # ---- reflections as learning activities

    def is_learning_set(self, question_set_id: str) -> bool:
        return question_set_id in self.learning_set_ids

    def reflection(self, user_id: int, reflection_id: int) -> Reflection:
        """A finished reflection of the user's (NotFound, NotAllowed otherwise)."""
        return owned_reflection(self._db, user_id, reflection_id)

    def mark(self, user_id: int, reflection_id: int, kind: str, hours: float) -> LearningMark:
        """Mark a finished reflection of the user's as professional learning."""
        if kind not in LEARNING_KINDS:
            raise ValueError(f"not a kind of learning: {kind!r}")
        if not 0 < hours <= MAX_ACTIVITY_HOURS:
            raise InvalidSetting("learning.hours_invalid")
        self.reflection(user_id, reflection_id)
        return storage.mark_learning(self._db, reflection_id, user_id, kind, hours, self._clock())

    def mark_kind(self, user_id: int, reflection_id: int, kind: str) -> LearningMark | None:
        """Change the kind of a marked reflection, keeping its hours (None: not marked)."""
        current = self.mark_of(user_id, reflection_id)
        if current is None:
            return None
        return self.mark(user_id, reflection_id, kind, current.hours)

    def set_hours(self, user_id: int, reflection_id: int, kind: str, text: str) -> LearningMark:
        """Hours as typed ("1.5", "90 min")."""
        value = parse_hours(text)
        if value is None:
            raise InvalidSetting("learning.hours_invalid")
        return self.mark(user_id, reflection_id, kind, value)

    def unmark(self, user_id: int, reflection_id: int) -> None:
        self.reflection(user_id, reflection_id)
        storage.unmark_learning(self._db, reflection_id)

    def mark_of(self, user_id: int, reflection_id: int) -> LearningMark | None:
        self.reflection(user_id, reflection_id)
        return storage.learning_mark(self._db, reflection_id)

    # ---- goals

    def goals(self, user_id: int) -> list[GoalSummary]:
        """Every goal, open ones first, with the reflections and hours towards each."""
        counts = storage.goal_reflection_counts(self._db, user_id)
        marks = storage.learning_marks(self._db, user_id)
        hours: dict[int, float] = {}
        for reflection_id, mark in marks.items():
            reflection = storage.get_reflection(self._db, reflection_id)
            if reflection is not None and reflection.goal_id is not None:
                hours[reflection.goal_id] = hours.get(reflection.goal_id, 0) + mark.hours
        return [
            GoalSummary(goal, counts.get(goal.id, 0), hours.get(goal.id, 0.0))
            for goal in storage.goals_of(self._db, user_id)
        ]

    def open_goals(self, user_id: int) -> list[LearningGoal]:
        return [g for g in storage.goals_of(self._db, user_id) if g.closed_at is None]

    def goal(self, user_id: int, goal_id: int) -> LearningGoal:
        goal = storage.get_goal(self._db, goal_id)
        if goal is None:
            raise NotFound(f"goal {goal_id} does not exist")
        if goal.user_id != user_id:
            raise NotAllowed(f"goal {goal_id} belongs to someone else")
        return goal

    def summary(self, user_id: int, goal_id: int) -> GoalSummary:
        self.goal(user_id, goal_id)
        return next(s for s in self.goals(user_id) if s.goal.id == goal_id)

    @staticmethod
    def _goal_text(text: str) -> str:
        text = " ".join(text.split())
        if not text:
            raise InvalidSetting("goals.text_empty")
        if len(text) > MAX_GOAL_CHARS:
            raise InvalidSetting("goals.text_too_long")
        return text

    def check_room_for_a_goal(self, user_id: int) -> None:
        """InvalidSetting if the practitioner has as many open goals as they may."""
        if len(self.open_goals(user_id)) >= MAX_GOALS_OPEN:
            raise InvalidSetting("goals.too_many")

    def add_goal(self, user_id: int, text: str) -> LearningGoal:
        text = self._goal_text(text)
        self.check_room_for_a_goal(user_id)
        return storage.add_goal(self._db, user_id, text, (), self._clock())

    def toggle_competence(self, user_id: int, goal_id: int, number: int) -> LearningGoal:
        goal = self.goal(user_id, goal_id)
        if number not in self._competences:
            raise NotFound(f"no competence {number}")
        chosen = set(goal.competences) ^ {number}
        storage.set_goal_competences(self._db, goal_id, tuple(chosen))
        return self.goal(user_id, goal_id)

    def review(self, user_id: int, goal_id: int, note: str) -> LearningGoal:
        self.goal(user_id, goal_id)
        storage.review_goal(self._db, goal_id, self._goal_text(note), self._clock())
        return self.goal(user_id, goal_id)

    def close(self, user_id: int, goal_id: int, outcome: GoalOutcome | None) -> LearningGoal:
        """Close a goal as achieved or dropped (``None``: open it again)."""
        goal = self.goal(user_id, goal_id)
        if outcome is None and goal.closed_at is not None:
            self.check_room_for_a_goal(user_id)
        if outcome is not None or goal.closed_at is not None:
            storage.close_goal(self._db, goal_id, outcome, self._clock())
        return self.goal(user_id, goal_id)

    def link(self, user_id: int, reflection_id: int, goal_id: int | None) -> Reflection:
        """Say which of the user's goals a reflection of theirs works towards."""
        self.reflection(user_id, reflection_id)
        if goal_id is not None:
            self.goal(user_id, goal_id)
        storage.link_goal(self._db, reflection_id, goal_id)
        return self.reflection(user_id, reflection_id)
