"""Professional learning: goals, reflections marked as learning activities, and the
registration details (weekly CLD hours, start of the cycle) the requirement comes from."""

from __future__ import annotations

from datetime import date, datetime

import sqlite_utils

from storage.records import GoalOutcome, LearningGoal, LearningMark, Registration
from storage.timestamps import from_db, to_db


def _goal(row: dict) -> LearningGoal:
    return LearningGoal(
        id=row["id"],
        user_id=row["user_id"],
        text=row["text"],
        competences=tuple(int(n) for n in row["competences"].split(",") if n),
        created_at=from_db(row["created_at"]),
        review=row["review"],
        reviewed_at=from_db(row["reviewed_at"]),
        closed_at=from_db(row["closed_at"]),
        outcome=row["outcome"],
    )


def add_goal(
    db: sqlite_utils.Database,
    user_id: int,
    text: str,
    competences: tuple[int, ...],
    now: datetime,
) -> LearningGoal:
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO learning_goals (user_id, text, competences, created_at)"
            " VALUES (?, ?, ?, ?)",
            [user_id, text, ",".join(str(n) for n in sorted(set(competences))), to_db(now)],
        )
    goal = get_goal(db, cursor.lastrowid)
    assert goal is not None
    return goal


def get_goal(db: sqlite_utils.Database, goal_id: int) -> LearningGoal | None:
    rows = list(db.query("SELECT * FROM learning_goals WHERE id = ?", [goal_id]))
    return _goal(rows[0]) if rows else None


def goals_of(db: sqlite_utils.Database, user_id: int) -> list[LearningGoal]:
    """Every goal of the practitioner's: open ones first, oldest first within each."""
    return [
        _goal(row)
        for row in db.query(
            "SELECT * FROM learning_goals WHERE user_id = ?"
            " ORDER BY closed_at IS NOT NULL, created_at, id",
            [user_id],
        )
    ]


def set_goal_competences(
    db: sqlite_utils.Database, goal_id: int, competences: tuple[int, ...]
) -> None:
    with db.atomic():
        db.execute(
            "UPDATE learning_goals SET competences = ? WHERE id = ?",
            [",".join(str(n) for n in sorted(set(competences))), goal_id],
        )


def review_goal(db: sqlite_utils.Database, goal_id: int, note: str, now: datetime) -> None:
    with db.atomic():
        db.execute(
            "UPDATE learning_goals SET review = ?, reviewed_at = ? WHERE id = ?",
            [note, to_db(now), goal_id],
        )


def close_goal(
    db: sqlite_utils.Database, goal_id: int, outcome: GoalOutcome | None, now: datetime
) -> None:
    """Close a goal (``outcome`` None: open it again)."""
    with db.atomic():
        db.execute(
            "UPDATE learning_goals SET closed_at = ?, outcome = ? WHERE id = ?",
            [None if outcome is None else to_db(now), outcome, goal_id],
        )


def link_goal(db: sqlite_utils.Database, reflection_id: int, goal_id: int | None) -> None:
    """Say which goal a reflection works towards (None: none)."""
    with db.atomic():
        db.execute("UPDATE reflections SET goal_id = ? WHERE id = ?", [goal_id, reflection_id])


def goal_reflection_counts(db: sqlite_utils.Database, user_id: int) -> dict[int, int]:
    """How many finished reflections work towards each goal."""
    return {
        row["goal_id"]: row["n"]
        for row in db.query(
            "SELECT goal_id, COUNT(*) AS n FROM reflections"
            " WHERE user_id = ? AND status = 'done' AND goal_id IS NOT NULL GROUP BY goal_id",
            [user_id],
        )
    }


def _mark(row: dict) -> LearningMark:
    return LearningMark(
        reflection_id=row["reflection_id"],
        user_id=row["user_id"],
        kind=row["kind"],
        hours=row["hours"],
        recorded_at=from_db(row["recorded_at"]),
    )


def mark_learning(
    db: sqlite_utils.Database,
    reflection_id: int,
    user_id: int,
    kind: str,
    hours: float,
    now: datetime,
) -> LearningMark:
    """Mark a reflection as a professional learning activity (again: replaces the mark)."""
    with db.atomic():
        db.execute(
            "INSERT INTO learning_activities (reflection_id, user_id, kind, hours, recorded_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (reflection_id) DO UPDATE SET"
            " kind = excluded.kind, hours = excluded.hours, recorded_at = excluded.recorded_at",
            [reflection_id, user_id, kind, hours, to_db(now)],
        )
    mark = learning_mark(db, reflection_id)
    assert mark is not None
    return mark


def unmark_learning(db: sqlite_utils.Database, reflection_id: int) -> None:
    with db.atomic():
        db.execute("DELETE FROM learning_activities WHERE reflection_id = ?", [reflection_id])


def learning_mark(db: sqlite_utils.Database, reflection_id: int) -> LearningMark | None:
    rows = list(
        db.query("SELECT * FROM learning_activities WHERE reflection_id = ?", [reflection_id])
    )
    return _mark(rows[0]) if rows else None


def learning_marks(db: sqlite_utils.Database, user_id: int) -> dict[int, LearningMark]:
    """Every learning mark of the practitioner's, by reflection."""
    return {
        row["reflection_id"]: _mark(row)
        for row in db.query("SELECT * FROM learning_activities WHERE user_id = ?", [user_id])
    }


def learning_hours_between(
    db: sqlite_utils.Database, user_id: int, start: datetime | None, end: datetime
) -> float:
    """Hours of the learning activities whose reflections were started in [start, end)."""
    row = db.execute(
        "SELECT COALESCE(SUM(l.hours), 0) FROM learning_activities l"
        " JOIN reflections r ON r.id = l.reflection_id"
        " WHERE l.user_id = ? AND r.status = 'done' AND r.started_at < ?"
        " AND (? IS NULL OR r.started_at >= ?)",
        [user_id, to_db(end), None if start is None else to_db(start)]
        + [None if start is None else to_db(start)],
    ).fetchone()
    return float(row[0])


def registration(db: sqlite_utils.Database, user_id: int) -> Registration:
    rows = list(db.query("SELECT * FROM registration WHERE user_id = ?", [user_id]))
    if not rows:
        return Registration(user_id)
    row = rows[0]
    return Registration(
        user_id,
        row["weekly_hours"],
        None if row["cycle_start"] is None else date.fromisoformat(row["cycle_start"]),
    )


def save_registration(db: sqlite_utils.Database, details: Registration, now: datetime) -> None:
    db["registration"].upsert(
        {
            "user_id": details.user_id,
            "weekly_hours": details.weekly_hours,
            "cycle_start": None if details.cycle_start is None else details.cycle_start.isoformat(),
            "updated_at": to_db(now),
        },
        pk="user_id",
    )
