"""The practitioner's control over their data: see all of it, delete all of it, and
loose text that is never kept for long.

Nothing here knows about Telegram: the bot and the terminal chat call the same
functions, and the Telegram layer adds only how a file is sent.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

import storage
from bot.services.editing import EDIT_LIFETIME
from bot.services.feedback import FeedbackService
from framework import Framework
from prompts import QuestionSet

# Loose text offered as a quick note, text held by the identifier guard, and transcripts of
# voice notes are deleted this long after they arrive unless the practitioner saves them.
UNSAVED_TEXT_LIFETIME = timedelta(hours=24)
FORGET_CONFIRMATION_LIFETIME = timedelta(hours=1)
# Tables about a practitioner that record what the bot did, not what they wrote: the
# inbox notes every update as it arrives, the tap that confirms /forget included.
BOOKKEEPING = frozenset({"inbox"})
# Times that say when something is due or ends, not when it was written: an invitation's
# expiry and a nudge's due time lie in the future, and must not make a /forget stale.
NOT_WRITTEN_AT = frozenset({"expires_at", "due_at"})
EXPORT_FORMAT = "reflectbot-mydata/1"


@dataclass(frozen=True)
class DataSummary:
    """What /forget would delete, in words a practitioner can check."""

    reflections: int  # finished reflections and notes
    unfinished: int  # open reflections, unsaved notes, held text
    confirmed_tags: int
    as_of: datetime  # when it was counted: a /forget confirmed later checks nothing changed

    @property
    def anything(self) -> bool:
        return bool(self.reflections or self.unfinished or self.confirmed_tags)


@dataclass(frozen=True)
class DataExport:
    filename: str
    content: bytes


@dataclass(frozen=True)
class Purged:
    notes: int
    waiting: int


class PrivacyService:
    def __init__(
        self,
        db: sqlite_utils.Database,
        framework: Framework,
        question_sets: dict[str, QuestionSet],
        feedback: FeedbackService,
        clock: Callable[[], datetime],
    ) -> None:
        self._db = db
        self._framework = framework
        self._question_sets = question_sets
        self._feedback = feedback
        self._clock = clock
        self._forget_hooks: list[Callable[[int], None]] = []

    def on_forget(self, hook: Callable[[int], None]) -> None:
        """Call ``hook(user_id)`` after a user's data is deleted (to drop in-memory state)."""
        self._forget_hooks.append(hook)

    # -- /forget -------------------------------------------------------------------------

    def summary(self, user_id: int) -> DataSummary:
        rows = storage.rows_about(self._db, user_id)
        reflections = rows.get("reflections", [])
        done = sum(1 for r in reflections if r["status"] == "done")
        held = len(rows.get("held_texts", [])) + len(rows.get("voice_transcripts", []))
        confirmed = sum(1 for t in rows.get("tags", []) if t["status"] == "confirmed")
        return DataSummary(done, len(reflections) - done + held, confirmed, self._clock())

    def unchanged_since(self, user_id: int, shown_at: datetime) -> bool:
        """True if nothing about the user was written after ``shown_at`` (when the
        confirmation listing what /forget deletes was shown), and that was recently: an
        old confirmation must not delete what it never listed."""
        if self._clock() - shown_at > FORGET_CONFIRMATION_LIFETIME:
            return False
        for table, rows in storage.rows_about(self._db, user_id).items():
            if table in BOOKKEEPING:
                continue
            for row in rows:
                for column, value in row.items():
                    if column in NOT_WRITTEN_AT:
                        continue
                    if column.endswith("_at") and isinstance(value, str) and value:
                        if datetime.fromisoformat(value) > shown_at:
                            return False
        return True

    def forget(self, user_id: int) -> dict[str, int]:
        """Delete everything about the user; they are a stranger to the bot afterwards.

        Returns the number of rows deleted per table. The text goes from the database
        file and its write-ahead log (secure delete plus a checkpoint), and from memory.
        """
        deleted = storage.forget_user(self._db, user_id)
        self._feedback.forget_user(user_id)
        for hook in self._forget_hooks:
            hook(user_id)
        return deleted

    # -- /mydata -------------------------------------------------------------------------

    def export(self, user_id: int) -> DataExport:
        """Everything stored about the user as one JSON document.

        Every table that holds their rows is included whole; indicator and question ids
        come with their text, so the file can be read without the bot.
        """
        now = self._clock()
        tables = storage.rows_about(self._db, user_id)
        for row in tables.get("held_texts", []):
            row["findings"] = json.loads(row["findings"])
        for row in tables.get("feedback_vectors", []):
            row["vector"] = base64.b64encode(row["vector"]).decode("ascii")
        indicator_ids = sorted(
            {
                row["indicator_id"]
                for name in ("suggestions", "tags")
                for row in tables.get(name, [])
            }
        )
        indicators = {}
        for indicator_id in indicator_ids:
            indicator = self._framework.get_indicator(indicator_id)
            if indicator is not None:
                competence = self._framework.competence(indicator.competence)
                indicators[indicator_id] = {
                    "competence": competence.number,
                    "competence_title": competence.title,
                    "text": indicator.text,
                }
        question_set_ids = {row["question_set_id"] for row in tables.get("reflections", [])}
        questions = {
            f"{set_id}/{question.id}": question.text
            for set_id in sorted(question_set_ids)
            if set_id in self._question_sets
            for question in self._question_sets[set_id].questions
        }
        document = {
            "format": EXPORT_FORMAT,
            "exported_at": now.isoformat(),
            "about": (
                "Everything ReflectBot stores about you, table by table. Times are UTC."
                " 'indicators' gives the text of each framework indicator id;"
                " 'questions' the text of each question id (question set/question);"
                " 'feedback_vectors' the numbers the model computed from the text each"
                " confirmed or rejected indicator was about (float32, little-endian, base64),"
                " used only to improve your suggestions. 'voice_transcripts' holds what was"
                " heard in voice notes you have not yet used or discarded (the audio itself"
                " is never kept)."
            ),
            "framework": {"name": self._framework.name, "version": self._framework.version},
            "tables": tables,
            "indicators": indicators,
            "questions": questions,
        }
        content = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
        return DataExport(f"reflectbot-my-data-{now:%Y-%m-%d}.json", content)

    # -- unsaved text ----------------------------------------------------------------------

    def purge_expired(self) -> Purged:
        """Delete notes never saved, held text and unused voice transcripts older than the
        allowed lifetime."""
        cutoff = self._clock() - UNSAVED_TEXT_LIFETIME
        notes = storage.pending_notes_started_before(self._db, cutoff)
        for note in notes:  # unsaved: never tagged, so no decisions to drop from memory
            storage.delete_reflection(self._db, note.id)
        waiting = storage.expire_waiting(self._db, cutoff)
        waiting += storage.expire_transcripts(self._db, cutoff)
        storage.expire_answer_edits(self._db, self._clock() - EDIT_LIFETIME)
        storage.checkpoint(self._db)
        return Purged(len(notes), waiting)

    # -- groups ----------------------------------------------------------------------------

    def first_group_notice(self, chat_id: int) -> bool:
        """True the first time a group is to be told the bot only works in private chats."""
        return storage.record_group_notice(self._db, chat_id, self._clock())
