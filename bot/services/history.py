"""A practitioner's past reflections, newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

import storage
from bot.services.ownership import owned_reflection
from prompts import QuestionSet
from storage import Answer, Reflection


@dataclass(frozen=True)
class HistoryEntry:
    number: int  # position in the whole history, 1 = newest
    reflection: Reflection
    confirmed: list[str]


@dataclass(frozen=True)
class HistoryPage:
    entries: list[HistoryEntry]
    page: int  # 0-based
    pages: int
    total: int

    @property
    def has_newer(self) -> bool:
        return self.page > 0

    @property
    def has_older(self) -> bool:
        return self.page + 1 < self.pages


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

    def page(self, user_id: int, page: int = 0) -> HistoryPage:
        """One page of history; an out-of-range page number shows the nearest real page."""
        total = storage.count_finished_reflections(self._db, user_id)
        pages = max(1, -(-total // self.page_size))
        page = min(max(page, 0), pages - 1)
        offset = page * self.page_size
        reflections = storage.recent_reflections(
            self._db, user_id, limit=self.page_size, offset=offset
        )
        entries = [
            HistoryEntry(offset + i + 1, r, storage.confirmed_indicators(self._db, r.id))
            for i, r in enumerate(reflections)
        ]
        return HistoryPage(entries, page, pages, total)

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
