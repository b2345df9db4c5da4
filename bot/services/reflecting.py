"""Writing reflections: guided question sets, quick notes, and finishing with suggestions.

State lives in the database, not in memory: the next question of an open reflection
is the first one without an answer, so a restart loses nothing. The only memory kept
is ``split_messages``: the length and time of each user's last message, to recognise
the parts of a long message that Telegram split in two.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

import storage
from bot.services.about import last_held
from bot.services.errors import NotAllowed, NotFound
from bot.services.feedback import FeedbackService
from bot.services.ownership import owned_reflection
from bot.services.split_messages import SplitMessages
from framework import Suggester, Suggestion
from prompts import Question, QuestionSet
from storage import Answer, Reflection, StoredSuggestion

NOTE_SET_ID = "quick"
CHOOSABLE_KINDS = ("note", "guided")
# The same text as the last answer, within this time, is a resend: stored only once.
RESEND = timedelta(minutes=5)
RESEND_MIN_CHARS = 20


@dataclass(frozen=True)
class QuestionStep:
    """The question to ask next in an open reflection."""

    reflection: Reflection
    question_set: QuestionSet
    question: Question
    number: int
    total: int


@dataclass(frozen=True)
class Finished:
    """A reflection that is saved, with the indicators suggested for it."""

    reflection: Reflection
    suggestions: list[StoredSuggestion]


@dataclass(frozen=True)
class NoteOffer:
    """Loose text held as a pending note until the practitioner taps save or discard."""

    reflection: Reflection
    extended: bool


@dataclass(frozen=True)
class AlreadySaved:
    """The same text arrived again (a resend after an error): it is stored once. ``step``
    is the question still waiting, if any."""

    step: QuestionStep | None


@dataclass(frozen=True)
class Continuation:
    """The next part of a long message, added to the answer it continues."""

    step: QuestionStep | None
    finished: Finished | None


class ReflectingService:
    def __init__(
        self,
        db: sqlite_utils.Database,
        suggester: Suggester,
        question_sets: dict[str, QuestionSet],
        clock: Callable[[], datetime],
        feedback: FeedbackService,
        model_pool: Executor | None = None,
    ) -> None:
        """``model_pool``: the worker threads the model runs on (default: asyncio's)."""
        self._db = db
        self._suggester = suggester
        self._feedback = feedback
        self._question_sets = question_sets
        self._clock = clock
        self._model_pool = model_pool
        self.split_messages = SplitMessages(clock)
        self._on_finished: list[Callable[[Reflection], None]] = []

    def on_finished(self, listener: Callable[[Reflection], None]) -> None:
        """Call ``listener`` with each reflection finished for the first time (once stored)."""
        self._on_finished.append(listener)

    # -- question sets -------------------------------------------------------------------

    def question_sets(self) -> list[QuestionSet]:
        """The sets a practitioner can choose from (the weekly questions come by nudge)."""
        return [s for s in self._question_sets.values() if s.kind in CHOOSABLE_KINDS]

    def default_set(self, set_id: str | None = None) -> QuestionSet:
        """The practitioner's chosen set if it still exists, else the first guided one."""
        found = self._question_sets.get(set_id) if set_id else None
        if found is not None and found.kind in CHOOSABLE_KINDS:
            return found
        sets = self.question_sets()
        return next((s for s in sets if s.kind == "guided"), sets[0])

    def question_set_of(self, reflection: Reflection) -> QuestionSet:
        """The set a reflection was written with (a removed set reads as a one-off note)."""
        found = self._question_sets.get(reflection.question_set_id)
        if found is not None:
            return found
        return self._question_sets[NOTE_SET_ID]

    # -- guided reflections --------------------------------------------------------------

    def open_reflection(self, user_id: int) -> Reflection | None:
        return storage.open_reflection_for(self._db, user_id, "open")

    def current_step(self, user_id: int) -> QuestionStep | None:
        """The next unanswered question of the user's open reflection, if any."""
        reflection = self.open_reflection(user_id)
        return None if reflection is None else self._next_step(reflection)

    def _about_session(self, reflection: Reflection, session_id: int) -> Reflection:
        """A reflection a session's nudge began is about that session, as last held."""
        session = storage.get_session(self._db, session_id)
        user = storage.get_user(self._db, reflection.user_id)
        if session is None or user is None:
            return reflection
        held = last_held(session, reflection.started_at, ZoneInfo(user.timezone))
        storage.set_about(self._db, reflection.id, session.name, held, session_id=session.id)
        return storage.get_reflection(self._db, reflection.id) or reflection

    def _next_step(self, reflection: Reflection) -> QuestionStep | None:
        question_set = self.question_set_of(reflection)
        questions = question_set.questions
        if reflection.prompt_id is not None:  # one question of the set, chosen for them
            questions = tuple(q for q in questions if q.id == reflection.prompt_id)
        answered = {a.question_id for a in storage.answers_for(self._db, reflection.id)}
        for number, question in enumerate(questions, start=1):
            if question.id not in answered:
                return QuestionStep(reflection, question_set, question, number, len(questions))
        return None

    def start(
        self,
        user_id: int,
        question_set_id: str,
        *,
        session_id: int | None = None,
        prompt_id: str | None = None,
    ) -> QuestionStep:
        """Begin a reflection with a question set, perhaps about a regular session, or
        with one question of it (``prompt_id``). Any open one must be settled first,
        unless it is this very choice again, with nothing answered yet (a press handled
        again after a restart, or tapped twice): then it is its first question again."""
        question_set = self._question_sets.get(question_set_id)
        if question_set is None:
            raise NotFound(f"no question set {question_set_id!r}")
        if prompt_id is not None and question_set.question(prompt_id) is None:
            raise NotFound(f"no question {prompt_id!r} in {question_set_id!r}")
        open_one = self.open_reflection(user_id)
        if open_one is not None:
            fresh = not storage.answers_for(self._db, open_one.id)
            same = (open_one.question_set_id, open_one.session_id, open_one.prompt_id) == (
                question_set_id,
                session_id,
                prompt_id,
            )
            if fresh and same:
                step = self._next_step(open_one)
                assert step is not None
                return step
            raise NotAllowed("an open reflection must be kept or deleted first")
        reflection = storage.start_reflection(
            self._db,
            user_id,
            kind=question_set.kind,
            question_set_id=question_set.id,
            question_set_version=question_set.version,
            now=self._clock(),
            session_id=session_id,
            prompt_id=prompt_id,
        )
        if session_id is not None:
            reflection = self._about_session(reflection, session_id)
        step = self._next_step(reflection)
        assert step is not None  # a question set always has a question
        return step

    async def receive_text(
        self, user_id: int, text: str, *, message_id: int | None = None
    ) -> QuestionStep | Finished | NoteOffer | AlreadySaved:
        """A plain message: the answer to the current question, or a note to offer.

        The caller has already checked the text (content, identifiers) and whether it
        continues a split message (``split_messages``). The same text as the last answer,
        again within a few minutes (a resend after an error), is not stored twice.
        """
        now = self._clock()
        earlier = None
        if message_id is not None:  # handled before: the bot stopped before it could say so
            earlier = storage.answer_for_message(self._db, user_id, message_id)
        if earlier is None and len(text) >= RESEND_MIN_CHARS:  # a paragraph again: a resend
            latest = storage.latest_answer_of(self._db, user_id)  # ("n/a" twice is two)
            if latest is not None and latest.text == text and now - latest.updated_at <= RESEND:
                earlier = latest
        if earlier is not None:
            return await self._already_saved(user_id, earlier)
        reflection = self.open_reflection(user_id)
        if reflection is None:
            return self._offer_note(user_id, text, now, message_id)
        step = self._next_step(reflection)
        if step is None:
            # Every question was answered but the bot stopped before finishing it:
            # finish it now (its suggestions wait in /history) and treat this as new.
            await self._finish(reflection)
            return self._offer_note(user_id, text, now, message_id)
        return await self._answer(reflection, step.question.id, text, message_id)

    async def _already_saved(
        self, user_id: int, answer: Answer
    ) -> NoteOffer | Finished | AlreadySaved:
        """The text is stored already: offer its note again; if it was a reflection's last
        answer, finish the reflection if the bot stopped before it could, and show it
        saved with its suggestions (the reply that never went out); else say so and
        re-ask the current question."""
        reflection = storage.get_reflection(self._db, answer.reflection_id)
        if reflection is not None and reflection.status == "pending":
            return NoteOffer(reflection, extended=False)
        if reflection is not None and reflection.status == "open":
            if self._next_step(reflection) is None:
                finished = await self._finish(reflection)
                if finished is not None:
                    return finished
        elif reflection is not None and reflection.status == "done":
            answers = storage.answers_for(self._db, reflection.id)
            if answers and answers[-1].id == answer.id:
                return Finished(reflection, storage.suggestions_for(self._db, reflection.id))
        return AlreadySaved(self.current_step(user_id))

    async def receive_held(
        self,
        user_id: int,
        text: str,
        *,
        question: tuple[int, str] | None,
        message_id: int | None,
        arrived_at: datetime,
    ) -> QuestionStep | Finished | NoteOffer:
        """Text that waited for the practitioner's decision (the identifier guard).

        It answers the question it was written for, ``question`` = (reflection id,
        question id), if that reflection is still open, even if the question was skipped
        meanwhile; otherwise, or if it was loose text, it is offered as a note: it never
        becomes the answer to a question it was not written for. A note's 24 hours count
        from ``arrived_at``.
        """
        reflection = self.open_reflection(user_id)
        if question is not None and reflection is not None and reflection.id == question[0]:
            if self.question_set_of(reflection).question(question[1]) is not None:
                return await self._answer(reflection, question[1], text, message_id)
        return self._offer_note(user_id, text, arrived_at, message_id)

    async def _answer(
        self, reflection: Reflection, question_id: str, text: str, message_id: int | None
    ) -> QuestionStep | Finished:
        """Store an answer; the next question, or the finished reflection."""
        now = self._clock()
        answer = storage.save_answer(
            self._db, reflection.id, question_id, text, now, message_id=message_id
        )
        self.split_messages.remember(reflection.user_id, answer.id, len(text))
        following = self._next_step(reflection)
        if following is not None:
            return following
        finished = await self._finish(reflection)
        assert finished is not None  # the answer just saved is not empty
        return finished

    async def skip(self, user_id: int) -> QuestionStep | Finished | None:
        """Skip the current question. None means there was nothing to skip, or nothing left."""
        reflection = self.open_reflection(user_id)
        if reflection is None:
            return None
        step = self._next_step(reflection)
        if step is not None:
            storage.save_answer(
                self._db, reflection.id, step.question.id, "", self._clock(), skipped=True
            )
            following = self._next_step(reflection)
            if following is not None:
                return following
        return await self._finish(reflection)

    def answered_count(self, reflection_id: int) -> int:
        return sum(1 for a in storage.answers_for(self._db, reflection_id) if not a.skipped)

    async def keep(self, user_id: int, reflection_id: int) -> Finished | None:
        """Stop an open reflection and save what was written (None: nothing was written)."""
        reflection = self._owned(user_id, reflection_id, status="open")
        return await self._finish(reflection)

    def discard(self, user_id: int, reflection_id: int) -> None:
        """Delete an open reflection or pending note with everything in it."""
        reflection = self._owned(user_id, reflection_id)
        if reflection.status == "done":
            raise NotFound("finished reflections are not deleted from here")
        storage.delete_reflection(self._db, reflection.id)
        self.split_messages.forget(user_id)

    # -- quick notes ---------------------------------------------------------------------

    def _offer_note(
        self, user_id: int, text: str, started_at: datetime, message_id: int | None
    ) -> NoteOffer:
        question_set = self._question_sets[NOTE_SET_ID]
        question_id = question_set.questions[0].id
        reflection = storage.start_reflection(
            self._db,
            user_id,
            kind="note",
            question_set_id=question_set.id,
            question_set_version=question_set.version,
            now=started_at,
            status="pending",
        )
        answer = storage.save_answer(
            self._db, reflection.id, question_id, text, started_at, message_id=message_id
        )
        self.split_messages.remember(user_id, answer.id, len(text))
        return NoteOffer(reflection, extended=False)

    async def save_note(self, user_id: int, reflection_id: int) -> Finished:
        reflection = self._owned(user_id, reflection_id, status="pending")
        finished = await self._finish(reflection)
        assert finished is not None  # a note is never empty
        return finished

    def note_text(self, reflection_id: int) -> str:
        return self._compose(reflection_id)

    # -- finishing -----------------------------------------------------------------------

    async def _finish(self, reflection: Reflection) -> Finished | None:
        """Save the reflection and its suggestions; delete it if nothing was written."""
        text = self._compose(reflection.id)
        if not text:
            storage.delete_reflection(self._db, reflection.id)
            return None
        return await self._complete(reflection, text, self._clock())

    async def answers_changed(self, reflection_id: int) -> Reflection:
        """Recompose a reflection after one of its answers changed.

        A finished reflection gets its text rewritten and fresh suggestions, so no old
        wording survives as a quoted "evidence" sentence; its tags are kept.
        """
        reflection = storage.get_reflection(self._db, reflection_id)
        if reflection is None:
            raise NotFound(f"reflection {reflection_id} is gone")
        if reflection.status != "done":
            return reflection
        finished = await self._complete(
            reflection, self._compose(reflection_id), reflection.finished_at or self._clock()
        )
        return finished.reflection

    async def warm(self) -> None:
        """Load the model and its reference vectors now, on the model's worker, so the
        first practitioner to finish a reflection does not wait for them."""
        await asyncio.get_running_loop().run_in_executor(
            self._model_pool, self._suggester.suggest, "Warming up the model."
        )

    async def repair_unsuggested(self) -> int:
        """Give suggestions to finished reflections that have none stored (a crash between
        finishing and suggesting, in a version that did them apart); how many."""
        repaired = 0
        for reflection in storage.reflections_missing_suggestions(self._db):
            text = self._compose(reflection.id) or reflection.text
            await self._complete(reflection, text, reflection.finished_at or self._clock())
            repaired += 1
        return repaired

    async def _complete(self, reflection: Reflection, text: str, finished_at: datetime) -> Finished:
        """Suggest indicators for the text (the model runs off the event loop, counting the
        practitioners' earlier decisions), then store text, status and suggestions together
        in one transaction."""
        user_id = reflection.user_id

        def suggest() -> list[Suggestion]:
            return self._suggester.suggest(text, self._feedback.selection(user_id))

        suggestions = await asyncio.get_running_loop().run_in_executor(self._model_pool, suggest)
        done, stored = storage.finish_reflection(
            self._db,
            reflection.id,
            text,
            finished_at,
            suggestions,
            self._suggester.model_id,
            self._clock(),
        )
        if reflection.status == "done":  # finished again: its tags' texts may have changed
            self._feedback.changed(reflection.id)
        else:
            for listener in self._on_finished:
                listener(done)
        return Finished(done, stored)

    def _compose(self, reflection_id: int) -> str:
        answers = storage.answers_for(self._db, reflection_id)
        return "\n\n".join(a.text.strip() for a in answers if not a.skipped and a.text.strip())

    # -- long messages that Telegram split -----------------------------------------------

    async def continue_answer(
        self, user_id: int, answer_id: int, text: str, *, whole: bool = False
    ) -> Continuation | NoteOffer:
        """Add the next part of a long message to the answer it continues. With ``whole``,
        ``text`` is the answer already joined with its next part."""
        now = self._clock()
        answer = storage.get_answer(self._db, answer_id)
        reflection = (
            None if answer is None else storage.get_reflection(self._db, answer.reflection_id)
        )
        if answer is None or reflection is None or reflection.user_id != user_id:
            raise NotFound("the answer to continue is gone")
        if whole:
            part_chars = max(len(text) - len(answer.text) - 1, 0)
            answer = storage.join_answer_text(self._db, answer.id, text, now)
        else:
            part_chars = len(text)
            answer = storage.append_to_answer(
                self._db, reflection.id, answer.question_id, text, now
            )
        self.split_messages.remember(user_id, answer.id, part_chars)
        if reflection.status == "pending":
            return NoteOffer(reflection, extended=True)
        if reflection.status == "open":
            return Continuation(step=self._next_step(reflection), finished=None)
        finished = await self._complete(
            reflection, self._compose(reflection.id), reflection.finished_at or now
        )
        return Continuation(step=None, finished=finished)

    # -- ownership -----------------------------------------------------------------------

    def owned(self, user_id: int, reflection_id: int, status: str | None = None) -> Reflection:
        """The user's reflection in this status, or NotFound / NotAllowed: a quick check
        before slow work, so a stale or foreign button is refused at once."""
        return self._owned(user_id, reflection_id, status)

    def _owned(self, user_id: int, reflection_id: int, status: str | None = None) -> Reflection:
        return owned_reflection(self._db, user_id, reflection_id, status)
