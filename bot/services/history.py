"""A practitioner's past reflections, newest first, a page at a time: all of them, or
those evidencing one competence or one indicator."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

import storage
from bot.services.errors import NotFound
from bot.services.ownership import owned_reflection
from framework import Competence, Framework, Indicator
from prompts import QuestionSet
from storage import Answer, Reflection


@dataclass(frozen=True)
class HistoryFilter:
    """Which reflections a page lists: those with a confirmed indicator of a competence,
    or (narrowed) with one indicator confirmed."""

    competence: Competence
    indicator: Indicator | None = None

    @property
    def key(self) -> str:
        """How the filter is typed after /history and carried by buttons: "3" or "2.3"."""
        return self.indicator.id if self.indicator else str(self.competence.number)

    @property
    def indicator_ids(self) -> tuple[str, ...]:
        if self.indicator is not None:
            return (self.indicator.id,)
        return tuple(i.id for i in self.competence.indicators)


def history_filter(framework: Framework, key: str | None) -> HistoryFilter | None:
    """The filter ``key`` names: a competence ("3") or an indicator ("2.3") of the
    framework, exactly as written; None for no key (the whole history). Raises NotFound
    for anything else, such as an old button naming an indicator no longer there."""
    if key is None:
        return None
    indicator = framework.get_indicator(key)
    if indicator is not None:
        return HistoryFilter(framework.competence(indicator.competence), indicator)
    for competence in framework.competences:
        if key == str(competence.number):
            return HistoryFilter(competence)
    raise NotFound(f"no competence or indicator {key!r}")


@dataclass(frozen=True)
class HistoryEntry:
    number: int  # position in the history listed (all of it, or the filtered part), 1 = newest
    reflection: Reflection
    confirmed: list[str]


@dataclass(frozen=True)
class HistoryPage:
    entries: list[HistoryEntry]
    page: int  # 0-based
    pages: int
    total: int
    filter: HistoryFilter | None = None  # None: every finished reflection

    @property
    def has_newer(self) -> bool:
        return self.page > 0

    @property
    def has_older(self) -> bool:
        return self.page + 1 < self.pages


@dataclass(frozen=True)
class IndicatorCount:
    indicator: Indicator
    reflections: int  # finished reflections with it confirmed


@dataclass(frozen=True)
class AnswerItem:
    """One answer of a reflection with the question it answered."""

    number: int  # 1-based position among the reflection's answers
    question: str  # the question's text ('' if its set no longer has it)
    answer: Answer


@dataclass(frozen=True)
class ReflectionDetail:
    """A whole reflection: every answer, and the indicators confirmed for it."""

    reflection: Reflection
    set_name: str
    items: list[AnswerItem]
    confirmed: list[str]

    def item(self, answer_id: int) -> AnswerItem | None:
        return next((i for i in self.items if i.answer.id == answer_id), None)


class HistoryService:
    def __init__(
        self,
        db: sqlite_utils.Database,
        question_sets: dict[str, QuestionSet] | None = None,
        page_size: int = 5,
    ) -> None:
        self._db = db
        self._question_sets = question_sets or {}
        self.page_size = page_size

    def page(self, user_id: int, page: int = 0, chosen: HistoryFilter | None = None) -> HistoryPage:
        """One page of history (only what ``chosen`` lets through, if given); an
        out-of-range page number shows the nearest real page."""
        db, size = self._db, self.page_size
        if chosen is None:
            total = storage.count_finished_reflections(db, user_id)
        else:
            total = storage.count_reflections_evidencing(db, user_id, chosen.indicator_ids)
        pages = max(1, -(-total // size))
        page = min(max(page, 0), pages - 1)
        offset = page * size
        if chosen is None:
            reflections = storage.recent_reflections(db, user_id, limit=size, offset=offset)
        else:
            reflections = storage.reflections_evidencing(
                db, user_id, chosen.indicator_ids, limit=size, offset=offset
            )
        entries = [
            HistoryEntry(offset + i + 1, r, storage.confirmed_indicators(db, r.id))
            for i, r in enumerate(reflections)
        ]
        return HistoryPage(entries, page, pages, total, chosen)

    def indicator_counts(self, user_id: int, competence: Competence) -> list[IndicatorCount]:
        """Each indicator of a competence, with how many of the user's finished
        reflections have it confirmed."""
        counts = storage.confirmed_indicator_counts(self._db, user_id)
        return [IndicatorCount(i, counts.get(i.id, 0)) for i in competence.indicators]

    def detail(self, user_id: int, reflection_id: int) -> ReflectionDetail:
        """A finished reflection of the user's, whole (answers skipped are left out)."""
        return self.whole(owned_reflection(self._db, user_id, reflection_id))

    def whole(self, reflection: Reflection) -> ReflectionDetail:
        """A finished reflection, whole, for whoever may read it (the caller checks)."""
        question_set = self._question_sets.get(reflection.question_set_id)
        answers = [
            a for a in storage.answers_for(self._db, reflection.id) if not a.skipped and a.text
        ]
        items = []
        for number, answer in enumerate(answers, start=1):
            question = question_set.question(answer.question_id) if question_set else None
            items.append(AnswerItem(number, question.text if question else "", answer))
        return ReflectionDetail(
            reflection,
            question_set.name if question_set else "",
            items,
            storage.confirmed_indicators(self._db, reflection.id),
        )
