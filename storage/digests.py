"""Weekly digests to supervisors, recorded under their week before they are sent, and
verified reviews of a practitioner's professional learning."""

from __future__ import annotations

from datetime import date, datetime

import sqlite_utils

from storage.records import DigestRecord, DigestStatus, VerifiedReview
from storage.timestamps import from_db, to_db


def _digest(row: dict) -> DigestRecord:
    return DigestRecord(
        row["supervisor_id"],
        row["week"],
        from_db(row["due_at"]),
        row["status"],
        from_db(row["sent_at"]),
    )


def record_digest(
    db: sqlite_utils.Database, supervisor_id: int, week: str, due_at: datetime
) -> bool:
    """Record that this week's digest is being sent; False if it was recorded already
    (sent, empty, or being sent by a run that crashed): a week's digest goes once."""
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO digests (supervisor_id, week, due_at, status) VALUES (?, ?, ?, 'sending')"
            " ON CONFLICT (supervisor_id, week) DO NOTHING",
            [supervisor_id, week, to_db(due_at)],
        )
    return cursor.rowcount == 1


def set_digest_status(
    db: sqlite_utils.Database,
    supervisor_id: int,
    week: str,
    status: DigestStatus,
    now: datetime,
) -> None:
    with db.atomic():
        db.execute(
            "UPDATE digests SET status = ?, sent_at = ? WHERE supervisor_id = ? AND week = ?",
            [status, to_db(now) if status == "sent" else None, supervisor_id, week],
        )


def digest_for(db: sqlite_utils.Database, supervisor_id: int, week: str) -> DigestRecord | None:
    rows = list(
        db.query(
            "SELECT * FROM digests WHERE supervisor_id = ? AND week = ?", [supervisor_id, week]
        )
    )
    return _digest(rows[0]) if rows else None


def supervisor_ids(db: sqlite_utils.Database) -> list[int]:
    """Everyone with at least one active supervisee."""
    return [
        row["supervisor_id"]
        for row in db.query(
            "SELECT DISTINCT supervisor_id FROM supervision_links WHERE ended_at IS NULL"
            " ORDER BY supervisor_id"
        )
    ]


def _review(row: dict) -> VerifiedReview:
    return VerifiedReview(
        id=row["id"],
        practitioner_id=row["practitioner_id"],
        verifier_id=row["verifier_id"],
        verifier_name=row["verifier_name"],
        discussed_on=date.fromisoformat(row["discussed_on"]),
        note=row["note"],
        created_at=from_db(row["created_at"]),
        accepted_at=from_db(row["accepted_at"]),
        declined_at=from_db(row["declined_at"]),
    )


def add_verified_review(
    db: sqlite_utils.Database,
    practitioner_id: int,
    verifier_id: int,
    verifier_name: str,
    discussed_on: date,
    note: str,
    now: datetime,
) -> VerifiedReview:
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO verifications (practitioner_id, verifier_id, verifier_name,"
            " discussed_on, note, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                practitioner_id,
                verifier_id,
                verifier_name,
                discussed_on.isoformat(),
                note,
                to_db(now),
            ],
        )
    review = get_verified_review(db, cursor.lastrowid)
    assert review is not None
    return review


def get_verified_review(db: sqlite_utils.Database, review_id: int) -> VerifiedReview | None:
    rows = list(db.query("SELECT * FROM verifications WHERE id = ?", [review_id]))
    return _review(rows[0]) if rows else None


def verified_reviews_of(db: sqlite_utils.Database, practitioner_id: int) -> list[VerifiedReview]:
    """A practitioner's verified reviews, oldest discussion first."""
    return [
        _review(row)
        for row in db.query(
            "SELECT * FROM verifications WHERE practitioner_id = ? ORDER BY discussed_on, id",
            [practitioner_id],
        )
    ]


def answer_verified_review(
    db: sqlite_utils.Database, review_id: int, accept: bool, now: datetime
) -> bool:
    """The practitioner accepts (or declines) the record, once; False if answered already."""
    column = "accepted_at" if accept else "declined_at"
    with db.atomic():
        cursor = db.execute(
            f"UPDATE verifications SET {column} = ? WHERE id = ?"
            " AND accepted_at IS NULL AND declined_at IS NULL",
            [to_db(now), review_id],
        )
    return cursor.rowcount == 1
