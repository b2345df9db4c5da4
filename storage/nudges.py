"""Nudges: each practitioner's settings and regular sessions, and every nudge sent.

A nudge is recorded (``slot`` + ``due_at``, unique) before it is sent, so it is never
sent twice, also across restarts.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time

import sqlite_utils

from storage.records import Nudge, NudgeSettings, NudgeStatus, Session
from storage.timestamps import from_db, to_db


def _clock_time(text: str | None) -> time | None:
    return None if text is None else time.fromisoformat(text)


def _clock_text(moment: time | None) -> str | None:
    return None if moment is None else moment.strftime("%H:%M")


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _day_text(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def nudge_settings(db: sqlite_utils.Database, user_id: int) -> NudgeSettings:
    """The practitioner's settings; the defaults until they change any."""
    rows = list(db.query("SELECT * FROM nudge_settings WHERE user_id = ?", [user_id]))
    if not rows:
        return NudgeSettings(user_id=user_id)
    row = rows[0]
    return NudgeSettings(
        user_id=user_id,
        quiet_start=_clock_time(row["quiet_start"]),
        quiet_end=_clock_time(row["quiet_end"]),
        sessions_on=bool(row["sessions_on"]),
        session_delay_minutes=row["session_delay_minutes"],
        weekly_on=bool(row["weekly_on"]),
        weekly_day=row["weekly_day"],
        weekly_time=time.fromisoformat(row["weekly_time"]),
        after_reflecting=row["after_reflecting"],
        default_set_id=row["default_set_id"],
        paused_until=None
        if row["paused_until"] is None
        else date.fromisoformat(row["paused_until"]),
    )


def save_nudge_settings(db: sqlite_utils.Database, settings: NudgeSettings, now: datetime) -> None:
    """Store the practitioner's settings whole (replacing what was there)."""
    db["nudge_settings"].upsert(
        {
            "user_id": settings.user_id,
            "quiet_start": _clock_text(settings.quiet_start),
            "quiet_end": _clock_text(settings.quiet_end),
            "sessions_on": int(settings.sessions_on),
            "session_delay_minutes": settings.session_delay_minutes,
            "weekly_on": int(settings.weekly_on),
            "weekly_day": settings.weekly_day,
            "weekly_time": _clock_text(settings.weekly_time),
            "after_reflecting": settings.after_reflecting,
            "default_set_id": settings.default_set_id,
            "paused_until": None
            if settings.paused_until is None
            else settings.paused_until.isoformat(),
            "updated_at": to_db(now),
        },
        pk="user_id",
    )


def change_nudge_settings(
    db: sqlite_utils.Database, user_id: int, now: datetime, **changes: object
) -> NudgeSettings:
    """Change some settings, keeping the rest; returns them all."""
    with db.atomic():
        settings = dataclasses.replace(nudge_settings(db, user_id), **changes)
        save_nudge_settings(db, settings, now)
    return settings


def set_timezone(db: sqlite_utils.Database, user_id: int, timezone: str) -> None:
    db.execute("UPDATE users SET timezone = ? WHERE id = ?", [timezone, user_id])


# -- regular sessions ---------------------------------------------------------------------


def _session(row: dict, skipped: frozenset[date]) -> Session:
    return Session(
        id=row["id"],
        user_id=row["user_id"],
        name=row["name"],
        weekdays=frozenset(int(day) for day in row["weekdays"].split(",")),
        end_time=time.fromisoformat(row["end_time"]),
        skipped=skipped,
        removed_at=from_db(row["removed_at"]),
    )


def _skips(db: sqlite_utils.Database, session_id: int) -> frozenset[date]:
    return frozenset(
        date.fromisoformat(row["day"])
        for row in db.query("SELECT day FROM session_skips WHERE session_id = ?", [session_id])
    )


def add_session(
    db: sqlite_utils.Database,
    user_id: int,
    name: str,
    weekdays: frozenset[int],
    end_time: time,
    now: datetime,
) -> Session:
    if not weekdays or not weekdays <= set(range(7)):
        raise ValueError(f"weekdays must be some of 0..6, not {sorted(weekdays)}")
    cursor = db.execute(
        "INSERT INTO sessions (user_id, name, weekdays, end_time, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [user_id, name, ",".join(map(str, sorted(weekdays))), _clock_text(end_time), to_db(now)],
    )
    return get_session(db, cursor.lastrowid)  # type: ignore[arg-type, return-value]


def get_session(db: sqlite_utils.Database, session_id: int) -> Session | None:
    """The session, also if it was removed (reflections still name it)."""
    rows = list(db.query("SELECT * FROM sessions WHERE id = ?", [session_id]))
    return _session(rows[0], _skips(db, session_id)) if rows else None


def sessions_of(db: sqlite_utils.Database, user_id: int) -> list[Session]:
    """The practitioner's current sessions, oldest first."""
    rows = db.query(
        "SELECT * FROM sessions WHERE user_id = ? AND removed_at IS NULL ORDER BY id", [user_id]
    )
    return [_session(row, _skips(db, row["id"])) for row in rows]


def remove_session(db: sqlite_utils.Database, session_id: int, now: datetime) -> None:
    db.execute(
        "UPDATE sessions SET removed_at = ? WHERE id = ? AND removed_at IS NULL",
        [to_db(now), session_id],
    )


def set_session_skipped(
    db: sqlite_utils.Database, session: Session, day: date, skipped: bool
) -> None:
    """Mark the session as not happening on ``day`` (local), or as happening again."""
    if skipped:
        db.execute(
            "INSERT OR IGNORE INTO session_skips (session_id, user_id, day) VALUES (?, ?, ?)",
            [session.id, session.user_id, day.isoformat()],
        )
    else:
        db.execute(
            "DELETE FROM session_skips WHERE session_id = ? AND day = ?",
            [session.id, day.isoformat()],
        )


# -- nudges sent ----------------------------------------------------------------------------


def _nudge(row: dict) -> Nudge:
    return Nudge(
        id=row["id"],
        user_id=row["user_id"],
        slot=row["slot"],
        kind=row["kind"],
        session_id=row["session_id"],
        due_at=from_db(row["due_at"]),  # type: ignore[arg-type]
        status=row["status"],
        question_id=row["question_id"],
        message_id=row["message_id"],
        sent_at=from_db(row["sent_at"]),
    )


def record_nudge(
    db: sqlite_utils.Database,
    user_id: int,
    *,
    slot: str,
    kind: str,
    session_id: int | None,
    due_at: datetime,
    status: NudgeStatus,
    now: datetime,
    question_id: str | None = None,
) -> Nudge | None:
    """Record a nudge; None if this slot's nudge for this due time is already recorded."""
    cursor = db.execute(
        "INSERT INTO nudges (user_id, slot, kind, session_id, due_at, status,"
        " question_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (user_id, slot, due_at) DO NOTHING",
        [user_id, slot, kind, session_id, to_db(due_at), status, question_id, to_db(now)],
    )
    if cursor.rowcount == 0:
        return None
    return get_nudge(db, cursor.lastrowid)  # type: ignore[arg-type]


def get_nudge(db: sqlite_utils.Database, nudge_id: int) -> Nudge | None:
    rows = list(db.query("SELECT * FROM nudges WHERE id = ?", [nudge_id]))
    return _nudge(rows[0]) if rows else None


def recorded_since(
    db: sqlite_utils.Database, user_id: int, since: datetime
) -> set[tuple[str, datetime]]:
    """(slot, due time) of every nudge recorded for the practitioner due since ``since``."""
    rows = db.query(
        "SELECT slot, due_at FROM nudges WHERE user_id = ? AND due_at >= ?",
        [user_id, to_db(since)],
    )
    return {(row["slot"], from_db(row["due_at"])) for row in rows}  # type: ignore[misc]


def set_nudge_status(
    db: sqlite_utils.Database,
    nudge_id: int,
    status: NudgeStatus,
    *,
    sent_at: datetime | None = None,
    message_id: int | None = None,
) -> None:
    db.execute(
        "UPDATE nudges SET status = ?, sent_at = COALESCE(?, sent_at),"
        " message_id = COALESCE(?, message_id) WHERE id = ?",
        [status, None if sent_at is None else to_db(sent_at), message_id, nudge_id],
    )


def nudges_with_status(db: sqlite_utils.Database, user_id: int, status: NudgeStatus) -> list[Nudge]:
    """The practitioner's nudges in this state, earliest due first."""
    rows = db.query(
        "SELECT * FROM nudges WHERE user_id = ? AND status = ? ORDER BY due_at, id",
        [user_id, status],
    )
    return [_nudge(row) for row in rows]


def last_nudge(db: sqlite_utils.Database, user_id: int, kind: str) -> Nudge | None:
    """The practitioner's most recent nudge of this kind that was sent."""
    rows = list(
        db.query(
            "SELECT * FROM nudges WHERE user_id = ? AND kind = ? AND sent_at IS NOT NULL"
            " ORDER BY due_at DESC, id DESC LIMIT 1",
            [user_id, kind],
        )
    )
    return _nudge(rows[0]) if rows else None


# -- what nudges are about ------------------------------------------------------------------


def practitioner_ids(db: sqlite_utils.Database) -> list[int]:
    """Everybody who agreed to storage (the terminal chat's user 0 included)."""
    return [row["id"] for row in db.query("SELECT id FROM users ORDER BY id")]


def last_confirmed(db: sqlite_utils.Database, user_id: int) -> dict[str, datetime]:
    """When each indicator the practitioner confirmed was last evidenced (by the finish
    time of the latest finished reflection it is confirmed on)."""
    rows = db.query(
        "SELECT t.indicator_id, MAX(r.finished_at) AS last FROM tags t"
        " JOIN reflections r ON r.id = t.reflection_id"
        " WHERE r.user_id = ? AND r.status = 'done' AND t.status = 'confirmed'"
        " GROUP BY t.indicator_id",
        [user_id],
    )
    return {row["indicator_id"]: from_db(row["last"]) for row in rows}  # type: ignore[misc]


def finished_since(db: sqlite_utils.Database, user_id: int, since: datetime) -> int:
    """How many reflections the practitioner finished since ``since``."""
    row = db.execute(
        "SELECT COUNT(*) FROM reflections WHERE user_id = ? AND status = 'done'"
        " AND finished_at >= ?",
        [user_id, to_db(since)],
    ).fetchone()
    return row[0]
