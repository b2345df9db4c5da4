"""Portfolios for the renderers' tests: the invented sample, the sample with other
reflections in place of its own, and the sections every format has, in order."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.portfolio import wording
from bot.portfolio.document import (
    Coverage,
    LearningActivity,
    Portfolio,
    PortfolioReflection,
    QuestionAnswer,
)
from bot.portfolio.sample import ZONE, sample_portfolio

SAMPLE = sample_portfolio()
MULTILINGUAL = "🙂👏🏽 Biblioteka to nasze serce. شكرا لكم. 谢谢. Ευχαριστώ. Дякую, друзі."
WRITTEN_AT = datetime(2026, 11, 20, 9, 5, tzinfo=ZONE)
SECTION_TITLES = [
    wording.COVERAGE_TITLE,
    wording.HOURS_TITLE,
    wording.GOALS_TITLE,
    wording.EVIDENCE_TITLE,
    wording.OTHER_TITLE,
    wording.RECORD_TITLE,
]
RECORD_PARTS = [
    wording.RECORD_GOALS,
    wording.RECORD_ACTIVITIES,
    wording.RECORD_IMPACT,
    wording.RECORD_REVIEW,
]


def with_reflections(*reflections: PortfolioReflection) -> Portfolio:
    """The sample with just these reflections, and the coverage they give."""
    return replace(
        SAMPLE, reflections=reflections, coverage=Coverage.of(SAMPLE.framework, reflections)
    )


def note(
    text: str, *, confirmed: tuple[str, ...] = (), session: str | None = None
) -> PortfolioReflection:
    """A quick note: one answer, no question."""
    return PortfolioReflection(
        id=99,
        written_at=WRITTEN_AT,
        set_name="Quick note",
        kind="note",
        items=(QuestionAnswer("", text),),
        confirmed=confirmed,
        session=session,
    )


def guided(
    *answers: str,
    confirmed: tuple[str, ...] = ("2.6",),
    learning: LearningActivity | None = None,
) -> PortfolioReflection:
    """A guided reflection: each answer under its own question ("Question 1?", ...)."""
    return PortfolioReflection(
        id=99,
        written_at=WRITTEN_AT,
        set_name="What? So what? Now what?",
        kind="guided",
        items=tuple(QuestionAnswer(f"Question {n}?", a) for n, a in enumerate(answers, 1)),
        confirmed=confirmed,
        learning=learning,
    )
