"""Where a practitioner's message goes: checked, held for a decision, or passed on.

Every text message and every edited message comes through here first. Text that shows
nothing is refused; text that identifies someone (a full name, a phone number, ...) is
held until the practitioner chooses to replace it with initials, keep it, or rewrite
it; everything else goes on to the reflection, the note, or the answer being rewritten.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import sqlite_utils

import storage
from bot.identifiers import Finding, IdentifierDetector, redact
from bot.services.batching import Batches
from bot.services.editing import AnswerEdited, EditingService, EditNotPossible
from bot.services.errors import NotFound
from bot.services.reflecting import (
    AlreadySaved,
    Continuation,
    Finished,
    NoteOffer,
    QuestionStep,
    ReflectingService,
)
from bot.services.split_messages import SPLIT_MESSAGE_MIN_CHARS, SPLIT_MESSAGE_WINDOW
from bot.services.text_input import clean_text
from prompts import t
from storage import HeldText, HoldMode

HoldChoice = Literal["initials", "keep", "rewrite"]
FINDING_CHARS = 80
PREVIEW_CONTEXT = 200  # characters shown before the first finding in a long message
# How the front ends name each kind of finding (keys of prompts/messages.toml).
FINDING_KIND_KEYS = {
    "name": "guard.kind_name",
    "phone": "guard.kind_phone",
    "email": "guard.kind_email",
    "postcode": "guard.kind_postcode",
    "date_of_birth": "guard.kind_date_of_birth",
    "school_year": "guard.kind_school_year",
}


@dataclass(frozen=True)
class EmptyText:
    """The message showed nothing (only spaces, zero-width or control characters)."""


@dataclass(frozen=True)
class Held:
    """Text held until the practitioner decides, with what identifies someone in it."""

    findings: list[Finding]
    preview: str  # the text as it would read with initials
    mode: HoldMode
    token: int  # the decision's buttons carry it: older buttons cannot decide this
    again: bool = False  # True: a new message arrived while this was still waiting


@dataclass(frozen=True)
class RewriteInvited:
    """The practitioner chose to rewrite: nothing was kept; say what to send next."""

    mode: HoldMode
    step: QuestionStep | None  # the question still waiting for an answer, if any


Received = (
    AlreadySaved
    | EmptyText
    | Held
    | RewriteInvited
    | QuestionStep
    | Finished
    | NoteOffer
    | Continuation
    | AnswerEdited
    | EditNotPossible
)


# Results that mean the text went into an answer (so its send time is worth keeping).
STORED = (QuestionStep, Finished, NoteOffer, Continuation, AnswerEdited)


class IntakeService:
    def __init__(
        self,
        db: sqlite_utils.Database,
        reflecting: ReflectingService,
        editing: EditingService,
        detector: IdentifierDetector,
        clock: Callable[[], datetime],
        model_pool: Executor | None = None,
    ) -> None:
        """``model_pool``: the worker threads the identifier model runs on."""
        self._db = db
        self._reflecting = reflecting
        self._editing = editing
        self._detector = detector
        self._clock = clock
        self._model_pool = model_pool
        # Texts that arrive while the model is busy are checked together, in one batch.
        self._checks: Batches[tuple[str, tuple[str, ...]], list[Finding]] = Batches(
            detector.find_many, model_pool
        )

    async def receive_text(
        self,
        user_id: int,
        text: str | None,
        *,
        message_id: int | None = None,
        sent_at: datetime | None = None,
        own_names: Collection[str] = (),
    ) -> Received:
        """A new text message from the practitioner; ``sent_at``: when they sent it."""
        result = await self._receive_text(user_id, text, message_id, sent_at, own_names)
        if sent_at is not None and isinstance(result, STORED):
            self._reflecting.split_messages.sent_at(user_id, sent_at)
        return result

    async def _receive_text(
        self,
        user_id: int,
        text: str | None,
        message_id: int | None,
        sent_at: datetime | None,
        own_names: Collection[str],
    ) -> Received:
        cleaned = clean_text(text)
        if cleaned is None:
            return EmptyText()
        held = storage.held_text_for(self._db, user_id)
        if held is not None:
            if not _continues(held, self._clock()):
                return self._held(held, again=True)
            # The next part of a long message that is being held: decide on both together.
            joined = f"{held.text} {cleaned}"
            return await self._check_and_route(user_id, joined, _Target.of(held), own_names)
        answer_id = self._editing.pending_edit(user_id)
        if answer_id is not None:  # the new wording of an answer chosen in /history
            target = _Target("replace", answer_id=answer_id, message_id=message_id)
            result = await self._check_and_route(user_id, cleaned, target, own_names)
            if isinstance(result, AnswerEdited):  # a long rewrite's next part joins it
                self._reflecting.split_messages.remember(user_id, answer_id, len(cleaned))
            return result
        answer_id = self._reflecting.split_messages.continuation(user_id, sent_at)
        if answer_id is not None:
            if storage.get_answer(self._db, answer_id) is not None:
                target = _Target("append", answer_id=answer_id, message_id=message_id)
                return await self._check_and_route(user_id, cleaned, target, own_names)
            self._reflecting.split_messages.forget(user_id)  # it was deleted meanwhile
        step = self._reflecting.current_step(user_id)
        target = _Target(
            "new",
            question=(step.reflection.id, step.question.id) if step else None,
            message_id=message_id,
            arrived_at=self._clock(),
        )
        return await self._check_and_route(user_id, cleaned, target, own_names)

    async def receive_edit(
        self, user_id: int, message_id: int, text: str | None, own_names: Collection[str] = ()
    ) -> Received:
        """The practitioner edited a message they sent earlier."""
        cleaned = clean_text(text)
        if cleaned is None:
            return EmptyText()
        held = storage.held_text_for(self._db, user_id)
        if held is not None:
            if held.message_id != message_id:
                return self._held(held, again=True)  # decide about the held text first
            # They edited the very message that is waiting: check the new wording instead.
            return await self._check_and_route(user_id, cleaned, _Target.of(held), own_names)
        answer = self._editing.answer_for_message(user_id, message_id)
        if isinstance(answer, EditNotPossible):
            return answer
        target = _Target("replace", answer_id=answer.id, message_id=message_id)
        return await self._check_and_route(user_id, cleaned, target, own_names)

    async def resolve(self, user_id: int, choice: HoldChoice, token: int | None = None) -> Received:
        """The practitioner's decision about the text held for them. ``token`` is the one
        their button carried: a button shown for other text is refused (NotFound)."""
        held = storage.held_text_for(self._db, user_id)
        if held is None or (token is not None and token != held.token):
            raise NotFound("nothing is held for that button")
        storage.release_held_text(self._db, user_id)
        target = _Target.of(held)
        if choice == "rewrite":
            if held.mode == "append" and held.answer_id is not None:
                # The part is to be sent again: it still continues the same answer.
                self._reflecting.split_messages.expect_resend(user_id, held.answer_id)
            return RewriteInvited(held.mode, self._reflecting.current_step(user_id))
        if choice == "keep":
            return await self._route(user_id, held.text, target, held=True)
        findings = [Finding(**f) for f in held.findings]
        base = self._base(target)
        if base is not None:  # the findings are placed in the answer joined with the part
            joined = redact(f"{base} {held.text}", findings)
            return await self._reflecting.continue_answer(
                user_id, target.answer_id, joined, whole=True
            )
        return await self._route(user_id, redact(held.text, findings), target, held=True)

    async def warm(self) -> None:
        """Load the identifier model now, on its worker, so no message waits for it."""
        await asyncio.get_running_loop().run_in_executor(self._model_pool, self._detector.warm)

    def waiting(self, user_id: int) -> Held | None:
        """The text held for the user, if any (to show its choices again)."""
        held = storage.held_text_for(self._db, user_id)
        return None if held is None else self._held(held)

    async def identifiers_in(self, text: str, own_names: Collection[str] = ()) -> list[Finding]:
        """What could identify someone in a short text that is not a reflection (a name
        given to one), checked like every message, off the event loop."""
        return await self._find(text, own_names)

    # -- internals -------------------------------------------------------------------------

    async def _find(self, text: str, own_names: Collection[str]) -> list[Finding]:
        """Identifiers in the text; the model runs off the event loop."""
        return await self._checks.run((text, tuple(own_names)))

    def _base(self, target: _Target) -> str | None:
        """For the next part of a long message: the answer it continues, else None."""
        if target.mode != "append" or target.answer_id is None:
            return None
        answer = storage.get_answer(self._db, target.answer_id)
        return None if answer is None else answer.text

    async def _findings(
        self, text: str, target: _Target, own_names: Collection[str]
    ) -> list[Finding]:
        """What identifies someone in ``text``. The next part of a long message is checked
        joined to what it continues, so a name Telegram cut in two is still found; only
        findings reaching into the new part count (the rest was decided on), placed in
        the joined text."""
        base = self._base(target)
        if base is None:
            return await self._find(text, own_names)
        found = await self._find(f"{base} {text}", own_names)
        return [f for f in found if f.end > len(base)]

    async def _check_and_route(
        self, user_id: int, text: str, target: _Target, own_names: Collection[str]
    ) -> Received:
        findings = await self._findings(text, target, own_names)
        was_held = storage.held_text_for(self._db, user_id) is not None
        if findings:
            return self._hold(user_id, text, findings, target)
        if was_held:
            storage.release_held_text(self._db, user_id)
        return await self._route(user_id, text, target, held=was_held)

    def _hold(self, user_id: int, text: str, findings: list[Finding], target: _Target) -> Held:
        held = storage.hold_text(
            self._db,
            user_id,
            text,
            [_as_dict(f) for f in findings],
            self._clock(),
            mode=target.mode,
            answer_id=target.answer_id,
            question=target.question,
            message_id=target.message_id,
            arrived_at=target.arrived_at,
        )
        return self._held(held)

    def _held(self, held: HeldText, *, again: bool = False) -> Held:
        findings = [Finding(**f) for f in held.findings]
        base = self._base(_Target.of(held))
        if base is None:
            preview = redact(held.text, findings)
        else:  # show the joined text from a little before the first finding
            joined = redact(f"{base} {held.text}", findings)
            start = max(0, min(f.start for f in findings) - PREVIEW_CONTEXT)
            preview = ("…" if start else "") + joined[start:]
        return Held(findings, preview, held.mode, held.token, again)

    async def _route(self, user_id: int, text: str, target: _Target, *, held: bool) -> Received:
        """Pass checked text on to where it belongs. ``held``: it waited for a decision."""
        if target.mode == "replace" and target.answer_id is not None:
            try:
                return await self._editing.apply_edit(
                    user_id, target.answer_id, text, message_id=target.message_id
                )
            except NotFound:
                pass  # the answer was deleted meanwhile: keep the text as new
        if target.mode == "append" and target.answer_id is not None:
            try:
                return await self._reflecting.continue_answer(user_id, target.answer_id, text)
            except NotFound:
                pass  # the answer it continued is gone: treat the text as new
        if held:
            return await self._reflecting.receive_held(
                user_id,
                text,
                question=target.question,
                message_id=target.message_id,
                arrived_at=target.arrived_at or self._clock(),
            )
        return await self._reflecting.receive_text(user_id, text, message_id=target.message_id)


@dataclass(frozen=True)
class _Target:
    """Where checked text goes: a new answer or note, a rewrite, or a continuation."""

    mode: HoldMode
    answer_id: int | None = None
    question: tuple[int, str] | None = None
    message_id: int | None = None
    arrived_at: datetime | None = None

    @classmethod
    def of(cls, held: HeldText) -> _Target:
        question = (
            (held.reflection_id, held.question_id)
            if held.reflection_id is not None and held.question_id is not None
            else None
        )
        return cls(held.mode, held.answer_id, question, held.message_id, held.arrived_at)


def findings_text(
    held: Held, quote: Callable[[str], str] = str, *, limit: int | None = None
) -> str:
    """One line per finding, for the front ends: the words, and what kind they are.
    Past ``limit`` findings, one line says how many more there are."""
    shown = held.findings if limit is None else held.findings[:limit]
    lines = [
        t("guard.finding", text=quote(f.text[:FINDING_CHARS]), kind=t(FINDING_KIND_KEYS[f.kind]))
        for f in shown
    ]
    if len(held.findings) > len(shown):
        lines.append(t("guard.more_findings", count=len(held.findings) - len(shown)))
    return "\n".join(lines)


def _continues(held: HeldText, now: datetime) -> bool:
    """A long held text followed quickly by more: Telegram split one long message."""
    return (
        len(held.text) >= SPLIT_MESSAGE_MIN_CHARS and now - held.created_at <= SPLIT_MESSAGE_WINDOW
    )


def _as_dict(finding: Finding) -> dict:
    return {"kind": finding.kind, "text": finding.text, "start": finding.start, "end": finding.end}
