"""The vectors of practitioners' decisions (confirmed and rejected tags), stored next to
the tags they belong to.

A decision is about a text: the sentence quoted as evidence when the indicator was
suggested, else the whole reflection (an indicator the practitioner picked themselves).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import sqlite_utils

from storage.timestamps import from_db, to_db

# The text a tag is about (see the module docstring), for the tag ``t`` of reflection ``r``.
_DECISIONS = """
    SELECT t.reflection_id, t.indicator_id, r.user_id, t.status, t.updated_at,
           COALESCE(NULLIF(s.evidence, ''), r.text) AS text
    FROM tags t
    JOIN reflections r ON r.id = t.reflection_id
    LEFT JOIN suggestions s
           ON s.reflection_id = t.reflection_id AND s.indicator_id = t.indicator_id
    WHERE r.status = 'done'
"""


@dataclass(frozen=True)
class Decision:
    """A confirmed or rejected tag, who made it and when, and its stored vector if any."""

    reflection_id: int
    indicator_id: str
    user_id: int
    confirmed: bool
    decided_at: datetime
    vector: np.ndarray | None = None


@dataclass(frozen=True)
class Unencoded:
    """A decision whose vector is not stored yet, with the text to encode."""

    reflection_id: int
    indicator_id: str
    text: str


def _decision(row: dict) -> Decision:
    return Decision(
        reflection_id=row["reflection_id"],
        indicator_id=row["indicator_id"],
        user_id=row["user_id"],
        confirmed=row["status"] == "confirmed",
        decided_at=from_db(row["updated_at"]),  # type: ignore[arg-type]
        vector=None if row["vector"] is None else np.frombuffer(row["vector"], dtype="<f4"),
    )


def decisions_for(db: sqlite_utils.Database, reflection_id: int, model_id: str) -> list[Decision]:
    """One reflection's decisions, with their vectors where stored for this model."""
    rows = db.query(
        f"""
        SELECT d.*, v.vector FROM ({_DECISIONS} AND t.reflection_id = ?) d
        LEFT JOIN feedback_vectors v ON v.reflection_id = d.reflection_id
             AND v.indicator_id = d.indicator_id AND v.model_id = ?
        WHERE TRIM(d.text) != ''
        """,
        [reflection_id, model_id],
    )
    return [_decision(row) for row in rows]


def encoded_decisions(
    db: sqlite_utils.Database, model_id: str, *, batch: int = 2000
) -> Iterator[list[Decision]]:
    """Every decision with a vector stored for this model, in batches (oldest first)."""
    after = (0, "")
    while True:
        rows = list(
            db.query(
                f"""
                SELECT d.*, v.vector FROM ({_DECISIONS}) d
                JOIN feedback_vectors v ON v.reflection_id = d.reflection_id
                     AND v.indicator_id = d.indicator_id AND v.model_id = ?
                WHERE (d.reflection_id, d.indicator_id) > (?, ?)
                ORDER BY d.reflection_id, d.indicator_id
                LIMIT ?
                """,
                [model_id, *after, batch],
            )
        )
        if not rows:
            return
        yield [_decision(row) for row in rows]
        after = (rows[-1]["reflection_id"], rows[-1]["indicator_id"])


def unencoded_decisions(
    db: sqlite_utils.Database, model_id: str, *, after: tuple[int, str] = (0, ""), limit: int = 64
) -> list[Unencoded]:
    """Decisions with no vector stored for this model, in key order after ``after``."""
    rows = db.query(
        f"""
        SELECT d.reflection_id, d.indicator_id, d.text FROM ({_DECISIONS}) d
        LEFT JOIN feedback_vectors v ON v.reflection_id = d.reflection_id
             AND v.indicator_id = d.indicator_id AND v.model_id = ?
        WHERE v.vector IS NULL AND TRIM(d.text) != ''
          AND (d.reflection_id, d.indicator_id) > (?, ?)
        ORDER BY d.reflection_id, d.indicator_id
        LIMIT ?
        """,
        [model_id, *after, limit],
    )
    return [Unencoded(row["reflection_id"], row["indicator_id"], row["text"]) for row in rows]


def save_feedback_vector(
    db: sqlite_utils.Database,
    decision: Unencoded,
    model_id: str,
    vector: np.ndarray,
    now: datetime,
) -> bool:
    """Store the vector of a decision's text, unless the decision is gone or is now about
    another text (an answer was rewritten while it was being encoded). True if stored."""
    with db.atomic():
        row = db.execute(
            f"SELECT text FROM ({_DECISIONS} AND t.reflection_id = ? AND t.indicator_id = ?)",
            [decision.reflection_id, decision.indicator_id],
        ).fetchone()
        if row is None or row[0] != decision.text:
            return False
        db.execute(
            "INSERT OR REPLACE INTO feedback_vectors"
            " (reflection_id, indicator_id, model_id, vector, created_at) VALUES (?, ?, ?, ?, ?)",
            [
                decision.reflection_id,
                decision.indicator_id,
                model_id,
                np.asarray(vector, dtype="<f4").tobytes(),
                to_db(now),
            ],
        )
    return True


def forget_feedback_vectors(db: sqlite_utils.Database, reflection_id: int) -> None:
    """Drop a reflection's decision vectors: the text they were computed from changed."""
    db.execute("DELETE FROM feedback_vectors WHERE reflection_id = ?", [reflection_id])
