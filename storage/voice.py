"""Transcripts of voice notes waiting for the practitioner (the audio is never stored)."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from storage.database import checkpoint
from storage.records import VoiceTranscript
from storage.timestamps import from_db, to_db


def _transcript(row: dict) -> VoiceTranscript:
    return VoiceTranscript(
        id=row["id"],
        user_id=row["user_id"],
        message_id=row["message_id"],
        text=row["text"],
        seconds=row["seconds"],
        model_id=row["model_id"],
        editing=bool(row["editing"]),
        arrived_at=from_db(row["arrived_at"]),
        created_at=from_db(row["created_at"]),
    )


def save_transcript(
    db: sqlite_utils.Database,
    user_id: int,
    message_id: int,
    text: str,
    seconds: float,
    model_id: str,
    arrived_at: datetime,
    now: datetime,
) -> VoiceTranscript:
    """Keep what was heard in voice note ``message_id``; the same note heard again (a
    redelivered update) keeps the first transcript, so its buttons stay valid."""
    db.execute(
        "INSERT INTO voice_transcripts (user_id, message_id, text, seconds, model_id,"
        " arrived_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (user_id, message_id) DO NOTHING",
        [user_id, message_id, text, seconds, model_id, to_db(arrived_at), to_db(now)],
    )
    return transcript_of_message(db, user_id, message_id)  # type: ignore[return-value]


def get_transcript(db: sqlite_utils.Database, transcript_id: int) -> VoiceTranscript | None:
    rows = list(db.query("SELECT * FROM voice_transcripts WHERE id = ?", [transcript_id]))
    return _transcript(rows[0]) if rows else None


def transcript_of_message(
    db: sqlite_utils.Database, user_id: int, message_id: int
) -> VoiceTranscript | None:
    rows = list(
        db.query(
            "SELECT * FROM voice_transcripts WHERE user_id = ? AND message_id = ?",
            [user_id, message_id],
        )
    )
    return _transcript(rows[0]) if rows else None


def transcript_being_edited(db: sqlite_utils.Database, user_id: int) -> VoiceTranscript | None:
    rows = list(
        db.query(
            "SELECT * FROM voice_transcripts WHERE user_id = ? AND editing = 1"
            " ORDER BY id DESC LIMIT 1",
            [user_id],
        )
    )
    return _transcript(rows[0]) if rows else None


def set_transcript_editing(
    db: sqlite_utils.Database, user_id: int, transcript_id: int | None
) -> None:
    """Mark one transcript as the one the next text message replaces (None: no one)."""
    with db.atomic():
        db.execute("UPDATE voice_transcripts SET editing = 0 WHERE user_id = ?", [user_id])
        if transcript_id is not None:
            db.execute(
                "UPDATE voice_transcripts SET editing = 1 WHERE id = ? AND user_id = ?",
                [transcript_id, user_id],
            )


def delete_transcript(db: sqlite_utils.Database, transcript_id: int) -> None:
    """Used or discarded: the text is gone from the file at once."""
    db.execute("DELETE FROM voice_transcripts WHERE id = ?", [transcript_id])
    checkpoint(db)


def expire_transcripts(db: sqlite_utils.Database, before: datetime) -> int:
    """Delete transcripts of voice notes sent before ``before``; how many went."""
    gone = db.execute(
        "DELETE FROM voice_transcripts WHERE arrived_at < ?", [to_db(before)]
    ).rowcount
    checkpoint(db)
    return gone
