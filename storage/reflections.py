"""Reflections and the answers they are made of.

Every answer is written the moment it arrives, so the next question of an unfinished
guided reflection can always be worked out from the database after a restart.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime

import sqlite_utils

from storage.database import checkpoint
from storage.feedback import forget_feedback_vectors
from storage.records import Answer, Reflection, ReflectionStatus, StoredSuggestion
from storage.tags import SuggestionLike, save_suggestions
from storage.timestamps import from_db, to_db


def _reflection(row: dict) -> Reflection:
    return Reflection(
        id=row["id"],
        user_id=row["user_id"],
        kind=row["kind"],
        question_set_id=row["question_set_id"],
        question_set_version=row["question_set_version"],
        status=row["status"],
        started_at=from_db(row["started_at"]),
        finished_at=from_db(row["finished_at"]),
        text=row["text"],
        session_id=row["session_id"],
        prompt_id=row["prompt_id"],
        goal_id=row.get("goal_id"),
        about=row.get("about"),
        session_date=date.fromisoformat(row["session_date"]) if row.get("session_date") else None,
    )


def _answer(row: dict) -> Answer:
    return Answer(
        id=row["id"],
        reflection_id=row["reflection_id"],
        question_id=row["question_id"],
        text=row["text"],
        skipped=bool(row["skipped"]),
        answered_at=from_db(row["answered_at"]),
        updated_at=from_db(row["updated_at"]),
        message_id=row["message_id"],
        parts=row["parts"],
    )


def start_reflection(
    db: sqlite_utils.Database,
    user_id: int,
    *,
    kind: str,
    question_set_id: str,
    question_set_version: int,
    now: datetime,
    status: ReflectionStatus = "open",
    session_id: int | None = None,
    prompt_id: str | None = None,
) -> Reflection:
    """Create a reflection that is being written ('open') or awaits a tap ('pending'),
    perhaps about one of the practitioner's regular sessions (then named after it), or
    answering one weekly question (``prompt_id``) rather than a whole question set."""
    cursor = db.execute(
        "INSERT INTO reflections (user_id, kind, question_set_id, question_set_version, status,"
        " started_at, session_id, prompt_id, about) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
        " (SELECT name FROM sessions WHERE id = ?))",
        [
            user_id,
            kind,
            question_set_id,
            question_set_version,
            status,
            to_db(now),
            session_id,
            prompt_id,
            session_id,
        ],
    )
    return get_reflection(db, cursor.lastrowid)  # type: ignore[return-value]


def get_reflection(db: sqlite_utils.Database, reflection_id: int) -> Reflection | None:
    rows = list(db.query("SELECT * FROM reflections WHERE id = ?", [reflection_id]))
    return _reflection(rows[0]) if rows else None


def open_reflection_for(
    db: sqlite_utils.Database, user_id: int, status: ReflectionStatus = "open"
) -> Reflection | None:
    """The user's most recent reflection with this status ('open' or 'pending'), if any."""
    rows = list(
        db.query(
            "SELECT * FROM reflections WHERE user_id = ? AND status = ? ORDER BY id DESC LIMIT 1",
            [user_id, status],
        )
    )
    return _reflection(rows[0]) if rows else None


def save_answer(
    db: sqlite_utils.Database,
    reflection_id: int,
    question_id: str,
    text: str,
    now: datetime,
    *,
    skipped: bool = False,
    message_id: int | None = None,
) -> Answer:
    """Store (or replace) the answer to one question of a reflection."""
    stamp = to_db(now)
    db.execute(
        "INSERT INTO answers (reflection_id, question_id, text, skipped, answered_at, updated_at,"
        " message_id, parts) VALUES (?, ?, ?, ?, ?, ?, ?, 1)"
        " ON CONFLICT (reflection_id, question_id) DO UPDATE SET"
        " text = excluded.text, skipped = excluded.skipped, updated_at = excluded.updated_at,"
        " message_id = excluded.message_id, parts = 1",
        [reflection_id, question_id, text, int(skipped), stamp, stamp, message_id],
    )
    return _answer_for(db, reflection_id, question_id)


def append_to_answer(
    db: sqlite_utils.Database, reflection_id: int, question_id: str, more: str, now: datetime
) -> Answer:
    """Add text to an existing answer: Telegram splits very long messages into several."""
    db.execute(
        "UPDATE answers SET text = text || ? || ?, skipped = 0, updated_at = ?, parts = parts + 1"
        " WHERE reflection_id = ? AND question_id = ?",
        [" ", more, to_db(now), reflection_id, question_id],
    )
    return _answer_for(db, reflection_id, question_id)


def _answer_for(db: sqlite_utils.Database, reflection_id: int, question_id: str) -> Answer:
    rows = db.query(
        "SELECT * FROM answers WHERE reflection_id = ? AND question_id = ?",
        [reflection_id, question_id],
    )
    return _answer(next(iter(rows)))


def get_answer(db: sqlite_utils.Database, answer_id: int) -> Answer | None:
    rows = list(db.query("SELECT * FROM answers WHERE id = ?", [answer_id]))
    return _answer(rows[0]) if rows else None


def answer_for_message(db: sqlite_utils.Database, user_id: int, message_id: int) -> Answer | None:
    """The answer a user's Telegram message gave, if it was stored as one."""
    rows = list(
        db.query(
            "SELECT a.* FROM answers a JOIN reflections r ON r.id = a.reflection_id"
            " WHERE r.user_id = ? AND a.message_id = ? ORDER BY a.id DESC LIMIT 1",
            [user_id, message_id],
        )
    )
    return _answer(rows[0]) if rows else None


def replace_answer_text(
    db: sqlite_utils.Database,
    answer_id: int,
    text: str,
    now: datetime,
    *,
    message_id: int | None = None,
) -> Answer:
    """Rewrite an answer (the practitioner edited it); it counts as one message again.
    ``message_id``: the message the new wording came in, if not the one edited."""
    db.execute(
        "UPDATE answers SET text = ?, skipped = 0, parts = 1, updated_at = ?,"
        " message_id = COALESCE(?, message_id) WHERE id = ?",
        [text, to_db(now), message_id, answer_id],
    )
    checkpoint(db)  # the old wording leaves the write-ahead log too
    return get_answer(db, answer_id)  # type: ignore[return-value]


def join_answer_text(db: sqlite_utils.Database, answer_id: int, text: str, now: datetime) -> Answer:
    """Set an answer to its text joined with the next part of a long message."""
    db.execute(
        "UPDATE answers SET text = ?, skipped = 0, parts = parts + 1, updated_at = ? WHERE id = ?",
        [text, to_db(now), answer_id],
    )
    checkpoint(db)  # the wording it replaces (e.g. a name before initials) leaves the log
    return get_answer(db, answer_id)  # type: ignore[return-value]


def latest_answer_of(db: sqlite_utils.Database, user_id: int) -> Answer | None:
    """The answer the user wrote or changed most recently, in any of their reflections."""
    rows = list(
        db.query(
            "SELECT a.* FROM answers a JOIN reflections r ON r.id = a.reflection_id"
            " WHERE r.user_id = ? AND a.skipped = 0 ORDER BY a.updated_at DESC, a.id DESC"
            " LIMIT 1",
            [user_id],
        )
    )
    return _answer(rows[0]) if rows else None


def answers_for(db: sqlite_utils.Database, reflection_id: int) -> list[Answer]:
    """A reflection's answers in the order they were first given."""
    return [
        _answer(row)
        for row in db.query(
            "SELECT * FROM answers WHERE reflection_id = ? ORDER BY id", [reflection_id]
        )
    ]


def finish_reflection(
    db: sqlite_utils.Database,
    reflection_id: int,
    text: str,
    finished_at: datetime,
    suggestions: Iterable[SuggestionLike],
    model_id: str,
    now: datetime,
) -> tuple[Reflection, list[StoredSuggestion]]:
    """Mark a reflection done with its full text and the suggestions made from it, in one
    transaction: a crash leaves it either unfinished (finished again later) or complete.
    Finishing again (an answer changed) overwrites the old text and its quoted evidence:
    they leave the file and the write-ahead log at once."""
    before = get_reflection(db, reflection_id)
    with db.atomic():
        db.execute(
            "UPDATE reflections SET status = 'done', finished_at = ?, text = ?,"
            " suggested_at = ? WHERE id = ?",
            [to_db(finished_at), text, to_db(now), reflection_id],
        )
        forget_feedback_vectors(db, reflection_id)  # the evidence they encode may change
        stored = save_suggestions(db, reflection_id, suggestions, model_id, now)
    if before is not None and before.status == "done":
        checkpoint(db)
    return get_reflection(db, reflection_id), stored  # type: ignore[return-value]


def reflections_missing_suggestions(db: sqlite_utils.Database) -> list[Reflection]:
    """Finished reflections whose suggestions were never stored (an older version crashed
    between the two, or they were saved before suggestions were recorded)."""
    return [
        _reflection(row)
        for row in db.query(
            "SELECT * FROM reflections WHERE status = 'done' AND suggested_at IS NULL ORDER BY id"
        )
    ]


def delete_reflection(db: sqlite_utils.Database, reflection_id: int) -> None:
    """Delete a reflection with its answers, suggestions and tags (the practitioner asked,
    or it was never saved). With secure_delete and a checkpoint, the text is gone from the
    file and its write-ahead log when this returns."""
    with db.atomic():
        for table in ("tags", "suggestions", "answers"):
            db.execute(f"DELETE FROM {table} WHERE reflection_id = ?", [reflection_id])
        db.execute("DELETE FROM reflections WHERE id = ?", [reflection_id])
    checkpoint(db)


def pending_notes_started_before(db: sqlite_utils.Database, moment: datetime) -> list[Reflection]:
    """Loose text offered as a note and never saved, older than ``moment``."""
    return [
        _reflection(row)
        for row in db.query(
            "SELECT * FROM reflections WHERE status = 'pending' AND started_at < ? ORDER BY id",
            [to_db(moment)],
        )
    ]


def recent_reflections(
    db: sqlite_utils.Database, user_id: int, *, limit: int, offset: int = 0
) -> list[Reflection]:
    """Finished reflections, newest first."""
    return [
        _reflection(row)
        for row in db.query(
            "SELECT * FROM reflections WHERE user_id = ? AND status = 'done'"
            " ORDER BY finished_at DESC, id DESC LIMIT ? OFFSET ?",
            [user_id, limit, offset],
        )
    ]


def count_finished_reflections(db: sqlite_utils.Database, user_id: int) -> int:
    row = db.execute(
        "SELECT COUNT(*) FROM reflections WHERE user_id = ? AND status = 'done'", [user_id]
    ).fetchone()
    return row[0]


def _placeholders(values: Sequence[str]) -> str:
    return ", ".join("?" for _ in values)


def reflections_evidencing(
    db: sqlite_utils.Database,
    user_id: int,
    indicator_ids: Collection[str],
    *,
    limit: int,
    offset: int = 0,
) -> list[Reflection]:
    """Finished reflections with a confirmed tag of one of these indicators, newest first."""
    ids = sorted(indicator_ids)
    return [
        _reflection(row)
        for row in db.query(
            "SELECT * FROM reflections r WHERE r.user_id = ? AND r.status = 'done'"
            " AND EXISTS (SELECT 1 FROM tags t WHERE t.reflection_id = r.id"
            f" AND t.status = 'confirmed' AND t.indicator_id IN ({_placeholders(ids)}))"
            " ORDER BY r.finished_at DESC, r.id DESC LIMIT ? OFFSET ?",
            [user_id, *ids, limit, offset],
        )
    ]


def count_reflections_evidencing(
    db: sqlite_utils.Database, user_id: int, indicator_ids: Collection[str]
) -> int:
    """How many finished reflections have a confirmed tag of one of these indicators."""
    ids = sorted(indicator_ids)
    row = db.execute(
        "SELECT COUNT(*) FROM reflections r WHERE r.user_id = ? AND r.status = 'done'"
        " AND EXISTS (SELECT 1 FROM tags t WHERE t.reflection_id = r.id"
        f" AND t.status = 'confirmed' AND t.indicator_id IN ({_placeholders(ids)}))",
        [user_id, *ids],
    ).fetchone()
    return row[0]


def confirmed_indicator_counts(db: sqlite_utils.Database, user_id: int) -> dict[str, int]:
    """How many finished reflections have each indicator confirmed (absent: none)."""
    return {
        row["indicator_id"]: row["n"]
        for row in db.query(
            "SELECT t.indicator_id, COUNT(*) AS n FROM tags t"
            " JOIN reflections r ON r.id = t.reflection_id"
            " WHERE r.user_id = ? AND r.status = 'done' AND t.status = 'confirmed'"
            " GROUP BY t.indicator_id",
            [user_id],
        )
    }


def _started_between(start: datetime | None, end: datetime) -> tuple[str, list[str]]:
    """SQL condition (on ``r``) and parameters: started in [start, end)."""
    if start is None:
        return "r.started_at < ?", [to_db(end)]
    return "r.started_at >= ? AND r.started_at < ?", [to_db(start), to_db(end)]


def finished_reflections_between(
    db: sqlite_utils.Database, user_id: int, start: datetime | None, end: datetime
) -> list[Reflection]:
    """Finished reflections started in [start, end) (``start`` None: from the first),
    oldest first."""
    condition, parameters = _started_between(start, end)
    return [
        _reflection(row)
        for row in db.query(
            f"SELECT r.* FROM reflections r WHERE r.user_id = ? AND r.status = 'done'"
            f" AND {condition} ORDER BY r.started_at, r.id",
            [user_id, *parameters],
        )
    ]


def answers_between(
    db: sqlite_utils.Database, user_id: int, start: datetime | None, end: datetime
) -> dict[int, list[Answer]]:
    """The answers of the finished reflections started in [start, end), by reflection, in
    the order given (one query however many reflections)."""
    condition, parameters = _started_between(start, end)
    found: dict[int, list[Answer]] = {}
    for row in db.query(
        f"SELECT a.* FROM answers a JOIN reflections r ON r.id = a.reflection_id"
        f" WHERE r.user_id = ? AND r.status = 'done' AND {condition}"
        f" ORDER BY a.reflection_id, a.id",
        [user_id, *parameters],
    ):
        found.setdefault(row["reflection_id"], []).append(_answer(row))
    return found


def confirmed_between(
    db: sqlite_utils.Database, user_id: int, start: datetime | None, end: datetime
) -> dict[int, list[str]]:
    """Confirmed indicator ids of the finished reflections started in [start, end)."""
    condition, parameters = _started_between(start, end)
    found: dict[int, list[str]] = {}
    for row in db.query(
        f"SELECT t.reflection_id, t.indicator_id FROM tags t"
        f" JOIN reflections r ON r.id = t.reflection_id"
        f" WHERE r.user_id = ? AND r.status = 'done' AND t.status = 'confirmed'"
        f" AND {condition} ORDER BY t.reflection_id",
        [user_id, *parameters],
    ):
        found.setdefault(row["reflection_id"], []).append(row["indicator_id"])
    return found


def first_reflection_started(db: sqlite_utils.Database, user_id: int) -> datetime | None:
    """When the practitioner's first finished reflection was started, if any."""
    row = db.execute(
        "SELECT MIN(started_at) FROM reflections WHERE user_id = ? AND status = 'done'",
        [user_id],
    ).fetchone()
    return from_db(row[0])
