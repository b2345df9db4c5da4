"""What a reflection is about: the session, group or programme, and the session's date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlite_utils


@dataclass(frozen=True)
class NamedBefore:
    """A name the practitioner gave a reflection before, and the latest reflection
    carrying it (a button names that reflection, not the text, which may be long)."""

    name: str
    reflection_id: int


def set_about(
    db: sqlite_utils.Database,
    reflection_id: int,
    about: str | None,
    session_date: date | None,
    *,
    session_id: int | None,
) -> None:
    """Record (or, with None, clear) what a reflection is about, the session's date and
    the regular session it names (None: a name of the practitioner's own, or none)."""
    db.execute(
        "UPDATE reflections SET about = ?, session_date = ?, session_id = ? WHERE id = ?",
        [about, session_date.isoformat() if session_date else None, session_id, reflection_id],
    )


def names_given(db: sqlite_utils.Database, user_id: int, limit: int) -> list[NamedBefore]:
    """The names the practitioner gave their finished reflections, most recently used
    first, each once (names differing only in case are one)."""
    rows = db.execute(
        "SELECT about, MAX(id) FROM reflections WHERE user_id = ? AND status = 'done'"
        " AND about IS NOT NULL GROUP BY lower(about) ORDER BY MAX(id) DESC LIMIT ?",
        [user_id, limit],
    ).fetchall()
    return [NamedBefore(name, rid) for name, rid in rows]
