"""Short-lived state that waits for the practitioner: held text and answer rewrites."""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from datetime import datetime

import sqlite_utils

from storage.database import checkpoint
from storage.records import AnswerEdit, HeldText, HoldMode
from storage.timestamps import from_db, to_db


def hold_text(
    db: sqlite_utils.Database,
    user_id: int,
    text: str,
    findings: Sequence[dict],
    now: datetime,
    *,
    mode: HoldMode = "new",
    answer_id: int | None = None,
    question: tuple[int, str] | None = None,
    message_id: int | None = None,
    arrived_at: datetime | None = None,
) -> HeldText:
    """Hold text for the practitioner's decision, replacing anything held before.

    Each hold gets a new random token: buttons carry it, so a button shown for earlier
    text can never decide about this one. ``question`` is the (reflection id, question
    id) the text answers, if a question was waiting for it.
    """
    reflection_id, question_id = question if question is not None else (None, None)
    replaced = held_text_for(db, user_id) is not None
    db.execute(
        "INSERT INTO held_texts (user_id, token, text, findings, mode, answer_id, reflection_id,"
        " question_id, message_id, arrived_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
        " token = excluded.token, text = excluded.text, findings = excluded.findings,"
        " mode = excluded.mode, answer_id = excluded.answer_id,"
        " reflection_id = excluded.reflection_id, question_id = excluded.question_id,"
        " message_id = excluded.message_id, arrived_at = excluded.arrived_at,"
        " created_at = excluded.created_at",
        [
            user_id,
            secrets.randbelow(10**12),
            text,
            json.dumps(list(findings)),
            mode,
            answer_id,
            reflection_id,
            question_id,
            message_id,
            to_db(arrived_at or now),
            to_db(now),
        ],
    )
    if replaced:
        checkpoint(db)  # the text it replaced leaves the write-ahead log
    return held_text_for(db, user_id)  # type: ignore[return-value]


def held_text_for(db: sqlite_utils.Database, user_id: int) -> HeldText | None:
    rows = list(db.query("SELECT * FROM held_texts WHERE user_id = ?", [user_id]))
    if not rows:
        return None
    row = rows[0]
    return HeldText(
        user_id=row["user_id"],
        token=row["token"],
        text=row["text"],
        findings=json.loads(row["findings"]),
        mode=row["mode"],
        answer_id=row["answer_id"],
        reflection_id=row["reflection_id"],
        question_id=row["question_id"],
        message_id=row["message_id"],
        arrived_at=from_db(row["arrived_at"]),
        created_at=from_db(row["created_at"]),
    )


def release_held_text(db: sqlite_utils.Database, user_id: int) -> None:
    """Drop the held text (used, or not wanted); it is gone from the file at once."""
    db.execute("DELETE FROM held_texts WHERE user_id = ?", [user_id])
    checkpoint(db)


def start_answer_edit(
    db: sqlite_utils.Database, user_id: int, answer_id: int, now: datetime
) -> AnswerEdit:
    db.execute(
        "INSERT INTO answer_edits (user_id, answer_id, started_at) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET answer_id = excluded.answer_id,"
        " started_at = excluded.started_at",
        [user_id, answer_id, to_db(now)],
    )
    return answer_edit_for(db, user_id)  # type: ignore[return-value]


def answer_edit_for(db: sqlite_utils.Database, user_id: int) -> AnswerEdit | None:
    rows = list(db.query("SELECT * FROM answer_edits WHERE user_id = ?", [user_id]))
    if not rows:
        return None
    return AnswerEdit(rows[0]["user_id"], rows[0]["answer_id"], from_db(rows[0]["started_at"]))


def end_answer_edit(db: sqlite_utils.Database, user_id: int) -> None:
    db.execute("DELETE FROM answer_edits WHERE user_id = ?", [user_id])


def expire_waiting(db: sqlite_utils.Database, before: datetime) -> int:
    """Delete held text that arrived before ``before``; how many went."""
    held = db.execute("DELETE FROM held_texts WHERE arrived_at < ?", [to_db(before)]).rowcount
    checkpoint(db)
    return held


def expire_answer_edits(db: sqlite_utils.Database, before: datetime) -> int:
    """Forget rewrites asked for before ``before`` (the practitioner moved on)."""
    return db.execute("DELETE FROM answer_edits WHERE started_at < ?", [to_db(before)]).rowcount
