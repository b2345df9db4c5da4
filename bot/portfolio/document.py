"""A portfolio as plain data: what the exporting service gathers and every renderer reads.

Nothing here knows Telegram or SQLite. Dates and times are the practitioner's own (local,
timezone-aware datetimes); indicator ids are the framework's ("6.9"). Only confirmed
indicators are evidence: suggestions never appear in a portfolio.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from framework import Framework
from prompts import t

# Kinds of professional learning, in the order they are offered, with the message key of
# each one's practitioner-facing name (also used in exports).
LEARNING_KINDS: dict[str, str] = {
    "training": "learning.kind_training",
    "course": "learning.kind_course",
    "reading": "learning.kind_reading",
    "shadowing": "learning.kind_shadowing",
    "peer": "learning.kind_peer",
    "supervision": "learning.kind_supervision",
    "other": "learning.kind_other",
}


def learning_kind_label(kind: str) -> str:
    """ "Peer learning" for 'peer'."""
    return t(LEARNING_KINDS[kind]) if kind in LEARNING_KINDS else kind.title()


@dataclass(frozen=True)
class Period:
    """The stretch of time a portfolio covers: local dates, both ends included."""

    start: date | None  # None: from the very first reflection
    end: date
    label: str  # e.g. "Last 3 months", "This registration cycle"

    def contains(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and day <= self.end

    def heading(self) -> str:
        """ "Last 3 months (3 Sep 2026 – 27 Nov 2026)", or "Everything up to 27 Nov 2026"."""
        if self.start is None:
            return self.describe()
        return f"{self.label} ({self.describe()})"

    def describe(self) -> str:
        """ "1 Sep 2026 – 27 Nov 2026", or "Everything up to 27 Nov 2026"."""
        end = f"{self.end.day} {self.end:%b %Y}"
        if self.start is None:
            return t("periods.everything_up_to", date=end)
        return f"{self.start.day} {self.start:%b %Y} – {end}"


@dataclass(frozen=True)
class QuestionAnswer:
    """One step of a reflection: the question asked ('' for a free note) and the answer."""

    question: str
    answer: str


@dataclass(frozen=True)
class LearningActivity:
    """A reflection the practitioner marked as professional learning."""

    reflection_id: int
    on: date
    kind: str  # a key of LEARNING_KINDS
    hours: float
    description: str  # what it was (the first answer, or the note's first line)
    impact: str  # what was learned and how it changes practice ('' if not written)
    goal_id: int | None = None

    @property
    def kind_label(self) -> str:
        return learning_kind_label(self.kind)


@dataclass(frozen=True)
class PortfolioReflection:
    """One finished reflection, as the practitioner wrote it."""

    id: int
    written_at: datetime  # local, aware
    set_name: str  # "What? So what? Now what?", "Quick note", ...
    kind: str  # 'guided', 'note' or 'weekly'
    items: tuple[QuestionAnswer, ...]  # guided: one per answered question
    confirmed: tuple[str, ...]  # indicator ids, framework order
    session: str | None = None  # the session, group or programme it is about, if named
    session_date: date | None = None  # the day of that session, if given
    learning: LearningActivity | None = None
    goal_id: int | None = None

    @property
    def text(self) -> str:
        """Every answer joined, for formats that hold one text per reflection."""
        return "\n\n".join(item.answer for item in self.items)


@dataclass(frozen=True)
class Goal:
    """A professional learning goal, in the practitioner's own words."""

    id: int
    text: str
    competences: tuple[int, ...]  # competence numbers it is linked to (may be empty)
    set_on: date
    closed_on: date | None = None
    outcome: str = ""  # when closed: 'achieved' or 'dropped'
    review: str = ""  # the latest review note
    reviewed_on: date | None = None

    @property
    def open(self) -> bool:
        return self.closed_on is None


@dataclass(frozen=True)
class Verification:
    """A verifier's record of a reflective discussion of the practitioner's learning."""

    on: date
    verifier: str  # the verifier's name
    note: str
    accepted: bool  # the practitioner accepted the record


@dataclass(frozen=True)
class Hours:
    """Professional learning hours against the CLD Standards Council's requirement: each
    year, as many hours as the practitioner's average weekly CLD hours; three years a
    cycle. Requirements are None until the weekly hours are set."""

    weekly_hours: float | None
    cycle_start: date | None  # the current cycle's first day; None until the practitioner
    # gives it: the year is then the last 12 months and the cycle the last 3 years
    year_start: date
    year_end: date
    cycle_end: date
    this_year: float
    this_cycle: float
    in_period: float  # hours of the activities in the portfolio's period

    @property
    def cycle_from(self) -> date:
        """The first day of the cycle the hours are counted over."""
        if self.cycle_start is not None:
            return self.cycle_start
        end = self.cycle_end
        try:
            three_years_back = end.replace(year=end.year - 3)
        except ValueError:  # 29 February
            three_years_back = end.replace(year=end.year - 3, day=28)
        return three_years_back + timedelta(days=1)

    @property
    def required_per_year(self) -> float | None:
        return self.weekly_hours

    @property
    def required_per_cycle(self) -> float | None:
        return None if self.weekly_hours is None else 3 * self.weekly_hours


@dataclass(frozen=True)
class Coverage:
    """How many reflections in the period evidence each indicator (confirmed only)."""

    framework: Framework
    counts: dict[str, int]  # indicator id -> reflections; every indicator present
    by_competence: dict[int, int]  # competence -> reflections evidencing any of it
    with_evidence: int = 0  # reflections with at least one confirmed indicator

    @classmethod
    def of(cls, framework: Framework, reflections: Iterable[PortfolioReflection]) -> Coverage:
        return cls.of_confirmed(framework, (r.confirmed for r in reflections))

    @classmethod
    def of_confirmed(cls, framework: Framework, confirmed: Iterable[Iterable[str]]) -> Coverage:
        """From each reflection's confirmed indicator ids alone."""
        counts = dict.fromkeys(framework.indicator_ids, 0)
        by_competence = {c.number: 0 for c in framework.competences}
        with_evidence = 0
        for ids in confirmed:
            known = {i for i in ids if i in counts}
            with_evidence += bool(known)
            for indicator_id in known:
                counts[indicator_id] += 1
            for number in {framework.indicator(i).competence for i in known}:
                by_competence[number] += 1
        return cls(framework, counts, by_competence, with_evidence)

    @property
    def total(self) -> int:
        """Confirmed indicator tags in all (a reflection counts once per indicator)."""
        return sum(self.counts.values())

    def competence_count(self, number: int) -> int:
        """Reflections evidencing at least one indicator of this competence: counted once
        each, however many of its indicators they evidence."""
        return self.by_competence.get(number, 0)

    def gaps(self, number: int | None = None) -> tuple[str, ...]:
        """Indicator ids with no evidence in the period (of one competence, or all)."""
        return tuple(
            indicator.id
            for indicator in self.framework.indicators
            if self.counts.get(indicator.id, 0) == 0
            and (number is None or indicator.competence == number)
        )


@dataclass(frozen=True)
class Portfolio:
    """Everything one export shows, for one practitioner and one period."""

    practitioner: str
    timezone: str
    made_at: datetime  # local, aware
    period: Period
    framework: Framework
    reflections: tuple[PortfolioReflection, ...]  # oldest first
    coverage: Coverage
    hours: Hours
    goals: tuple[Goal, ...]  # open first, then closed; oldest first within each
    verifications: tuple[Verification, ...] = ()

    @property
    def activities(self) -> tuple[LearningActivity, ...]:
        """The professional learning in the period, oldest first."""
        return tuple(r.learning for r in self.reflections if r.learning is not None)

    def goal(self, goal_id: int | None) -> Goal | None:
        return next((g for g in self.goals if g.id == goal_id), None)

    def by_indicator(self) -> list[tuple[str, list[PortfolioReflection]]]:
        """(indicator id, its reflections oldest first) in framework order, evidenced
        indicators only: a reflection appears under each indicator it evidences."""
        grouped: dict[str, list[PortfolioReflection]] = {}
        for reflection in self.reflections:
            for indicator_id in reflection.confirmed:
                grouped.setdefault(indicator_id, []).append(reflection)
        return [(i, grouped[i]) for i in self.framework.indicator_ids if i in grouped]

    @property
    def untagged(self) -> tuple[PortfolioReflection, ...]:
        """Reflections with no confirmed indicator of the framework (still part of the
        record)."""
        known = set(self.framework.indicator_ids)
        return tuple(r for r in self.reflections if not known.intersection(r.confirmed))
