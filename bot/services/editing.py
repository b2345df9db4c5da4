"""Changing what was written: rewriting one answer, or deleting a whole reflection.

Answers are rewritten from /history (the next message replaces the chosen answer) or by
editing the Telegram message that gave them. A finished reflection whose answer changed
gets fresh suggestions, so the old wording is not kept as a quoted evidence sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

import storage
from bot.services.errors import NotAllowed, NotFound
from bot.services.feedback import FeedbackService
from bot.services.history import AnswerItem, HistoryService
from bot.services.reflecting import ReflectingService
from storage import Answer, Reflection

# A rewrite asked for from /history applies to a message sent within this time; starting
# a reflection, or /cancel, ends it sooner.
EDIT_LIFETIME = timedelta(minutes=30)


@dataclass(frozen=True)
class AnswerEdited:
    """An answer was rewritten; ``reflection`` is as it is now."""

    reflection: Reflection
    question: str


@dataclass(frozen=True)
class EditNotPossible:
    """An edited Telegram message that cannot update an answer, and why."""

    reason: str  # 'not_stored' (never saved as an answer) or 'joined' (one of several parts)


class EditingService:
    def __init__(
        self,
        db: sqlite_utils.Database,
        history: HistoryService,
        reflecting: ReflectingService,
        feedback: FeedbackService,
        clock: Callable[[], datetime],
    ) -> None:
        self._db = db
        self._history = history
        self._reflecting = reflecting
        self._feedback = feedback
        self._clock = clock

    # -- rewriting one answer from /history ----------------------------------------------

    def start_edit(self, user_id: int, reflection_id: int, answer_id: int) -> AnswerItem:
        """From now on, the user's next message replaces this answer (until /cancel)."""
        item = self._history.detail(user_id, reflection_id).item(answer_id)
        if item is None:
            raise NotFound(f"answer {answer_id} is not part of reflection {reflection_id}")
        storage.start_answer_edit(self._db, user_id, answer_id, self._clock())
        return item

    def pending_edit(self, user_id: int) -> int | None:
        """The answer the user's next message will replace, if they asked to rewrite one
        in the last half hour (after that they have moved on: the request lapses)."""
        edit = storage.answer_edit_for(self._db, user_id)
        if edit is None:
            return None
        if self._clock() - edit.started_at > EDIT_LIFETIME:
            storage.end_answer_edit(self._db, user_id)
            return None
        return edit.answer_id

    def cancel_edit(self, user_id: int) -> bool:
        """Stop waiting for a rewrite; False if none was under way (or it had lapsed)."""
        if self.pending_edit(user_id) is None:
            return False
        storage.end_answer_edit(self._db, user_id)
        return True

    # -- applying a rewrite (from /history or an edited Telegram message) ----------------

    def answer_for_message(self, user_id: int, message_id: int) -> Answer | EditNotPossible:
        """The answer an edited Telegram message should update, or why it cannot."""
        answer = storage.answer_for_message(self._db, user_id, message_id)
        if answer is None:
            return EditNotPossible("not_stored")
        if answer.parts > 1:
            return EditNotPossible("joined")
        return answer

    async def apply_edit(
        self, user_id: int, answer_id: int, text: str, *, message_id: int | None = None
    ) -> AnswerEdited:
        """Replace an answer's text; a finished reflection is recomposed and re-suggested.
        ``message_id``: the Telegram message the new wording came in, so that editing it
        later updates this answer (and editing the old one no longer does)."""
        answer, reflection = self._owned_answer(user_id, answer_id)
        edit = storage.answer_edit_for(self._db, user_id)
        if edit is not None and edit.answer_id == answer_id:
            storage.end_answer_edit(self._db, user_id)
        storage.replace_answer_text(self._db, answer_id, text, self._clock(), message_id=message_id)
        updated = await self._reflecting.answers_changed(reflection.id)
        question = self._reflecting.question_set_of(reflection).question(answer.question_id)
        return AnswerEdited(updated, question.text if question else "")

    # -- deleting a whole reflection -----------------------------------------------------

    def delete(self, user_id: int, reflection_id: int) -> Reflection:
        """Delete a finished reflection with its answers, suggestions and tags."""
        reflection = self._history.detail(user_id, reflection_id).reflection
        storage.delete_reflection(self._db, reflection_id)
        self._feedback.changed(reflection_id)  # its decisions leave memory too
        self._reflecting.split_messages.forget(user_id)  # a long answer's next part has no home
        return reflection

    def _owned_answer(self, user_id: int, answer_id: int) -> tuple[Answer, Reflection]:
        answer = storage.get_answer(self._db, answer_id)
        reflection = (
            None if answer is None else storage.get_reflection(self._db, answer.reflection_id)
        )
        if answer is None or reflection is None:
            raise NotFound(f"answer {answer_id} is gone")
        if reflection.user_id != user_id:
            raise NotAllowed(f"answer {answer_id} belongs to someone else")
        return answer, reflection
