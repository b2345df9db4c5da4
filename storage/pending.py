"""Short-lived state that waits for the practitioner: held text and answer rewrites."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import sqlite_utils

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
    message_id: int | None = None,
) -> HeldText:
    """Hold text for the practitioner's decision (replacing anything held before)."""
    db.execute(
        "INSERT INTO held_texts (user_id, text, findings, mode, answer_id, message_id,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
        " text = excluded.text, findings = excluded.findings, mode = excluded.mode,"
        " answer_id = excluded.answer_id, message_id = excluded.message_id,"
        " created_at = excluded.created_at",
        [user_id, text, json.dumps(list(findings)), mode, answer_id, message_id, to_db(now)],
    )
    return held_text_for(db, user_id)  # type: ignore[return-value]


def held_text_for(db: sqlite_utils.Database, user_id: int) -> HeldText | None:
    rows = list(db.query("SELECT * FROM held_texts WHERE user_id = ?", [user_id]))
    if not rows:
        return None
    row = rows[0]
    return HeldText(
        user_id=row["user_id"],
        text=row["text"],
        findings=json.loads(row["findings"]),
        mode=row["mode"],
        answer_id=row["answer_id"],
        message_id=row["message_id"],
        created_at=from_db(row["created_at"]),
    )


def release_held_text(db: sqlite_utils.Database, user_id: int) -> None:
    db.execute("DELETE FROM held_texts WHERE user_id = ?", [user_id])


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
    """Delete held text and unfinished rewrites started before ``before``; how many went."""
    stamp = to_db(before)
    with db.atomic():
        held = db.execute("DELETE FROM held_texts WHERE created_at < ?", [stamp]).rowcount
        edits = db.execute("DELETE FROM answer_edits WHERE started_at < ?", [stamp]).rowcount
    return held + edits
