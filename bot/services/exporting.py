"""Exports: a practitioner's reflections, confirmed evidence, goals and professional
learning over a period, gathered into a :class:`~bot.portfolio.Portfolio` and rendered as
a file (PDF, Word, CSV, JSON or Markdown).

The portfolio is read from SQLite on the caller's thread; the file is rendered in a
separate process, so a long export takes the other core, not the bot's event loop, and
nobody waits for it but the practitioner who asked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlite_utils

import bot.portfolio
import storage
from bot.portfolio import (
    Coverage,
    LearningActivity,
    Period,
    Portfolio,
    PortfolioReflection,
    QuestionAnswer,
    Verification,
)
from bot.services import periods
from bot.services.learning import LearningService
from framework import Framework
from prompts import QuestionSet, t
from storage import Answer, Reflection, User

log = logging.getLogger(__name__)
DESCRIPTION_CHARS = 200  # a learning activity's description, from a note's first line
# Telegram bots may send files of up to 50 MB.
MAX_FILE_BYTES = 50 * 1000 * 1000


def _local_day(moment: datetime | None, zone: ZoneInfo) -> date | None:
    return None if moment is None else moment.astimezone(zone).date()


class ExportBusy(Exception):
    """The practitioner's previous export is still being made."""


class ExportTooBig(Exception):
    """The file is larger than Telegram lets a bot send."""


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    mime: str
    reflections: int


class ExportingService:
    def __init__(
        self,
        db: sqlite_utils.Database,
        framework: Framework,
        question_sets: dict[str, QuestionSet],
        learning: LearningService,
        clock: Callable[[], datetime],
        render_pool: Executor | None = None,
        new_render_pool: Callable[[], Executor] | None = None,
    ) -> None:
        self._db = db
        self._framework = framework
        self._question_sets = question_sets
        self._learning = learning
        self._clock = clock
        self._pool = render_pool  # None: render on the caller's thread (CLI, tests)
        self._new_pool = new_render_pool  # replaces a process pool whose worker died
        self._busy: set[int] = set()

    # ---- periods

    def period(self, user: User, key: str) -> Period:
        """A period offered on a button ("3m", "12m", "cycle", "all"); KeyError if none."""
        cycle_start = self._learning.registration(user.id).cycle_start
        return periods.period(key, self._learning.today(user), cycle_start)

    def period_between(self, user: User, start: date | None, end: date | None) -> Period:
        """Any stretch of dates (the CLI's --from and --to); both ends included."""
        end = end or self._learning.today(user)
        label = t("periods.everything" if start is None else "periods.chosen")
        return Period(start, end, label)

    # ---- the portfolio

    def coverage(self, user: User, period: Period) -> tuple[int, Coverage]:
        """How many reflections were finished in the period, and the evidence they give:
        what /progress shows, without reading the reflections' text."""
        since, until = periods.utc_bounds(period.start, period.end, user.timezone)
        found = storage.finished_reflections_between(self._db, user.id, since, until)
        confirmed = storage.confirmed_between(self._db, user.id, since, until)
        return len(found), Coverage.of_confirmed(
            self._framework, (confirmed.get(r.id, ()) for r in found)
        )

    def portfolio(self, user: User, period: Period) -> Portfolio:
        """Everything the practitioner wrote in the period, with confirmed evidence only."""
        zone = ZoneInfo(user.timezone)
        since, until = periods.utc_bounds(period.start, period.end, user.timezone)
        found = storage.finished_reflections_between(self._db, user.id, since, until)
        answers = storage.answers_between(self._db, user.id, since, until)
        confirmed = storage.confirmed_between(self._db, user.id, since, until)
        marks = storage.learning_marks(self._db, user.id)
        order = {indicator_id: n for n, indicator_id in enumerate(self._framework.indicator_ids)}
        reflections = []
        for reflection in found:
            items = self._items(reflection, answers.get(reflection.id, []))
            ids = sorted(
                (i for i in set(confirmed.get(reflection.id, ())) if i in order), key=order.get
            )
            mark = marks.get(reflection.id)
            written = reflection.started_at.astimezone(zone)
            reflections.append(
                PortfolioReflection(
                    id=reflection.id,
                    written_at=written,
                    set_name=self._set_name(reflection),
                    kind=reflection.kind,
                    items=items,
                    confirmed=tuple(ids),
                    session=reflection.about,
                    session_date=reflection.session_date,
                    learning=None
                    if mark is None
                    else self._activity(reflection, written.date(), mark.kind, mark.hours, items),
                    goal_id=reflection.goal_id,
                )
            )
        hours = self._learning.hours(user, period)
        goals = tuple(
            bot.portfolio.Goal(
                id=goal.id,
                text=goal.text,
                competences=goal.competences,
                set_on=goal.created_at.astimezone(zone).date(),
                closed_on=_local_day(goal.closed_at, zone),
                outcome=goal.outcome or "",
                review=goal.review,
                reviewed_on=_local_day(goal.reviewed_at, zone),
            )
            for goal in storage.goals_of(self._db, user.id)
        )
        verifications = tuple(
            Verification(
                review.discussed_on,
                review.verifier_name,
                review.note,
                accepted=review.accepted_at is not None,
            )
            for review in storage.verified_reviews_of(self._db, user.id)
            if review.declined_at is None and period.contains(review.discussed_on)
        )
        return Portfolio(
            practitioner=user.display_name,
            timezone=user.timezone,
            made_at=self._clock().astimezone(zone),
            period=period,
            framework=self._framework,
            reflections=tuple(reflections),
            coverage=Coverage.of(self._framework, reflections),
            hours=hours,
            goals=goals,
            verifications=verifications,
        )

    def _items(self, reflection: Reflection, answers: list[Answer]) -> tuple[QuestionAnswer, ...]:
        question_set = self._question_sets.get(reflection.question_set_id)
        items = []
        for answer in answers:
            if answer.skipped or not answer.text.strip():
                continue
            question = question_set.question(answer.question_id) if question_set else None
            asked = "" if question is None or reflection.kind == "note" else question.text
            items.append(QuestionAnswer(asked, answer.text))
        if not items and reflection.text.strip():
            items.append(QuestionAnswer("", reflection.text))
        return tuple(items)

    def _set_name(self, reflection: Reflection) -> str:
        question_set = self._question_sets.get(reflection.question_set_id)
        return question_set.name if question_set else reflection.question_set_id

    def _activity(
        self,
        reflection: Reflection,
        on: date,
        kind: str,
        hours: float,
        items: tuple[QuestionAnswer, ...],
    ) -> LearningActivity:
        """A learning activity's description and impact: on the learning question set,
        its first answer (whole) and the rest; otherwise the reflection's first line
        (cut to DESCRIPTION_CHARS), and no separate impact (renderers then show the
        reflection itself)."""
        first = items[0].answer if items else ""
        if self._learning.is_learning_set(reflection.question_set_id) and len(items) > 1:
            line, impact = first, "\n\n".join(i.answer for i in items[1:])
        else:
            line, impact = " ".join(first.strip().splitlines()[:1]) or first, ""
            if len(line) > DESCRIPTION_CHARS:
                line = line[: DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0] + "…"
        return LearningActivity(reflection.id, on, kind, hours, line, impact, reflection.goal_id)

    # ---- files

    @contextlib.contextmanager
    def one_at_a_time(self, user_id: int) -> Iterator[None]:
        """One export at a time per practitioner (ExportBusy while one is being made)."""
        if user_id in self._busy:
            raise ExportBusy(user_id)
        self._busy.add(user_id)
        try:
            yield
        finally:
            self._busy.discard(user_id)

    async def export(self, user: User, period: Period, format_key: str) -> ExportFile | None:
        """The file of the practitioner's portfolio over the period (None: nothing in it).
        Raises KeyError for an unknown format, ExportBusy and ExportTooBig."""
        chosen = bot.portfolio.FORMATS[format_key]
        with self.one_at_a_time(user.id):
            portfolio = self.portfolio(user, period)
            if not portfolio.reflections:
                return None
            content = await self._run(bot.portfolio.render, portfolio, chosen.key)
        if len(content) > MAX_FILE_BYTES:
            raise ExportTooBig(len(content))
        return ExportFile(
            content,
            bot.portfolio.file_name(portfolio, chosen.key),
            chosen.mime,
            len(portfolio.reflections),
        )

    def export_now(self, user: User, period: Period, format_key: str) -> ExportFile | None:
        """:meth:`export` on the caller's thread (the CLI)."""
        chosen = bot.portfolio.FORMATS[format_key]
        portfolio = self.portfolio(user, period)
        if not portfolio.reflections:
            return None
        return ExportFile(
            bot.portfolio.render(portfolio, chosen.key),
            bot.portfolio.file_name(portfolio, chosen.key),
            chosen.mime,
            len(portfolio.reflections),
        )

    async def chart(self, coverage: Coverage, title: str, competence: int | None = None) -> bytes:
        """A PNG of the evidence per competence, or per indicator of one competence."""
        from bot.portfolio.chart import competence_chart, indicator_chart  # matplotlib: slow

        if competence is None:
            return await self._run(competence_chart, coverage, title)
        return await self._run(indicator_chart, coverage, competence, title)

    async def _run(self, function: Callable[..., bytes], *args: object) -> bytes:
        if self._pool is None:
            return function(*args)
        pool = self._pool
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, function, *args)
        except BrokenProcessPool:
            # A render process died (killed, out of memory): this file is lost, but the
            # next one gets a new process rather than the same error for ever.
            if self._new_pool is not None and self._pool is pool:
                log.warning("a render process died: starting a new pool")
                pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
            raise

    def close(self) -> None:
        """Stop the render processes (waiting for a file being made)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
