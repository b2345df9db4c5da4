"""Suggested indicators, and the practitioner's confirmations and rejections of them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

import sqlite_utils

from storage.records import StoredSuggestion, Tag, TagStatus
from storage.timestamps import from_db, to_db


class SuggestionLike(Protocol):
    indicator_id: str
    score: float
    rank: int
    evidence: str


def save_suggestions(
    db: sqlite_utils.Database,
    reflection_id: int,
    suggestions: Iterable[SuggestionLike],
    model_id: str,
    now: datetime,
) -> list[StoredSuggestion]:
    """Replace a reflection's suggestions, recording the model that produced them."""
    with db.atomic():
        db.execute("DELETE FROM suggestions WHERE reflection_id = ?", [reflection_id])
        for suggestion in suggestions:
            db.execute(
                "INSERT INTO suggestions (reflection_id, indicator_id, score, rank, model_id,"
                " evidence, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    reflection_id,
                    suggestion.indicator_id,
                    float(suggestion.score),
                    suggestion.rank,
                    model_id,
                    suggestion.evidence,
                    to_db(now),
                ],
            )
    return suggestions_for(db, reflection_id)


def suggestions_for(db: sqlite_utils.Database, reflection_id: int) -> list[StoredSuggestion]:
    return [
        StoredSuggestion(
            reflection_id=row["reflection_id"],
            indicator_id=row["indicator_id"],
            score=row["score"],
            rank=row["rank"],
            model_id=row["model_id"],
            evidence=row["evidence"],
        )
        for row in db.query(
            "SELECT * FROM suggestions WHERE reflection_id = ? ORDER BY rank", [reflection_id]
        )
    ]


def set_tag(
    db: sqlite_utils.Database,
    reflection_id: int,
    indicator_id: str,
    status: TagStatus,
    now: datetime,
    *,
    source: str = "suggestion",
) -> Tag:
    """Confirm or reject an indicator for a reflection (changing any earlier choice)."""
    if status not in ("confirmed", "rejected"):
        raise ValueError(f"unknown tag status {status!r}")
    db.execute(
        "INSERT INTO tags (reflection_id, indicator_id, status, source, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (reflection_id, indicator_id) DO UPDATE SET"
        " status = excluded.status, updated_at = excluded.updated_at",
        [reflection_id, indicator_id, status, source, to_db(now)],
    )
    return next(t for t in tags_for(db, reflection_id) if t.indicator_id == indicator_id)


def clear_tag(db: sqlite_utils.Database, reflection_id: int, indicator_id: str) -> None:
    db.execute(
        "DELETE FROM tags WHERE reflection_id = ? AND indicator_id = ?",
        [reflection_id, indicator_id],
    )


def tags_for(db: sqlite_utils.Database, reflection_id: int) -> list[Tag]:
    return [
        Tag(
            reflection_id=row["reflection_id"],
            indicator_id=row["indicator_id"],
            status=row["status"],
            source=row["source"],
            updated_at=from_db(row["updated_at"]),
        )
        for row in db.query(
            "SELECT * FROM tags WHERE reflection_id = ? ORDER BY indicator_id", [reflection_id]
        )
    ]


def confirmed_indicators(db: sqlite_utils.Database, reflection_id: int) -> list[str]:
    return [t.indicator_id for t in tags_for(db, reflection_id) if t.status == "confirmed"]
