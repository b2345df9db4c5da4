"""Supervision: invitations (a hash of each token, never the token), links between a
practitioner and their supervisors, what is shared of each reflection, sharing and digest
settings, and supervisors' comments."""

from __future__ import annotations

from datetime import datetime, time

import sqlite_utils

from storage.records import (
    Comment,
    Invitation,
    Sharing,
    SupervisionLink,
    SupervisionSettings,
)
from storage.timestamps import from_db, to_db


def _invitation(row: dict) -> Invitation:
    return Invitation(
        id=row["id"],
        user_id=row["user_id"],
        as_verifier=bool(row["as_verifier"]),
        created_at=from_db(row["created_at"]),
        expires_at=from_db(row["expires_at"]),
        used_at=from_db(row["used_at"]),
    )


def add_invitation(
    db: sqlite_utils.Database,
    user_id: int,
    token_hash: str,
    as_verifier: bool,
    now: datetime,
    expires_at: datetime,
) -> Invitation:
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO supervision_invitations"
            " (user_id, token_hash, as_verifier, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            [user_id, token_hash, int(as_verifier), to_db(now), to_db(expires_at)],
        )
    rows = list(db.query("SELECT * FROM supervision_invitations WHERE id = ?", [cursor.lastrowid]))
    return _invitation(rows[0])


def invitation_by_hash(db: sqlite_utils.Database, token_hash: str) -> Invitation | None:
    rows = list(
        db.query("SELECT * FROM supervision_invitations WHERE token_hash = ?", [token_hash])
    )
    return _invitation(rows[0]) if rows else None


def _link(row: dict) -> SupervisionLink:
    return SupervisionLink(
        id=row["id"],
        practitioner_id=row["practitioner_id"],
        supervisor_id=row["supervisor_id"],
        verifier=bool(row["verifier"]),
        created_at=from_db(row["created_at"]),
        ended_at=from_db(row["ended_at"]),
        ended_by=row["ended_by"],
    )


def accept_invitation(
    db: sqlite_utils.Database, invitation_id: int, supervisor_id: int, now: datetime
) -> SupervisionLink | None:
    """Use the invitation (once, before it expires) to link its practitioner to the
    supervisor, in one transaction; None if it was used or expired meanwhile. An active
    link between the two is kept (and made a verifier link if this invitation says so)."""
    with db.atomic():
        used = db.execute(
            "UPDATE supervision_invitations SET used_at = ?"
            " WHERE id = ? AND used_at IS NULL AND expires_at > ?",
            [to_db(now), invitation_id, to_db(now)],
        )
        if used.rowcount != 1:
            return None
        invitation = _invitation(
            next(db.query("SELECT * FROM supervision_invitations WHERE id = ?", [invitation_id]))
        )
        existing = active_link(db, invitation.user_id, supervisor_id)
        if existing is not None:
            if invitation.as_verifier and not existing.verifier:
                db.execute("UPDATE supervision_links SET verifier = 1 WHERE id = ?", [existing.id])
            link_id = existing.id
        else:
            link_id = db.execute(
                "INSERT INTO supervision_links"
                " (practitioner_id, supervisor_id, verifier, created_at) VALUES (?, ?, ?, ?)",
                [invitation.user_id, supervisor_id, int(invitation.as_verifier), to_db(now)],
            ).lastrowid
    return get_link(db, link_id)


def get_link(db: sqlite_utils.Database, link_id: int) -> SupervisionLink | None:
    rows = list(db.query("SELECT * FROM supervision_links WHERE id = ?", [link_id]))
    return _link(rows[0]) if rows else None


def active_link(
    db: sqlite_utils.Database, practitioner_id: int, supervisor_id: int
) -> SupervisionLink | None:
    rows = list(
        db.query(
            "SELECT * FROM supervision_links WHERE practitioner_id = ? AND supervisor_id = ?"
            " AND ended_at IS NULL",
            [practitioner_id, supervisor_id],
        )
    )
    return _link(rows[0]) if rows else None


def active_links(
    db: sqlite_utils.Database,
    *,
    practitioner_id: int | None = None,
    supervisor_id: int | None = None,
) -> list[SupervisionLink]:
    """Active links of a practitioner, or of a supervisor, oldest first."""
    column, value = (
        ("practitioner_id", practitioner_id)
        if practitioner_id is not None
        else ("supervisor_id", supervisor_id)
    )
    return [
        _link(row)
        for row in db.query(
            f"SELECT * FROM supervision_links WHERE {column} = ? AND ended_at IS NULL"
            " ORDER BY created_at, id",
            [value],
        )
    ]


def end_link(db: sqlite_utils.Database, link_id: int, by: int, now: datetime) -> bool:
    """End an active link; False if it had ended already."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE supervision_links SET ended_at = ?, ended_by = ?"
            " WHERE id = ? AND ended_at IS NULL",
            [to_db(now), by, link_id],
        )
    return cursor.rowcount == 1


def set_verifier(db: sqlite_utils.Database, link_id: int, verifier: bool) -> None:
    with db.atomic():
        db.execute(
            "UPDATE supervision_links SET verifier = ? WHERE id = ?", [int(verifier), link_id]
        )


def _sharing(row: dict) -> Sharing:
    return Sharing(row["reflection_id"], bool(row["in_full"]), bool(row["to_discuss"]))


def sharing_of(db: sqlite_utils.Database, reflection_id: int) -> Sharing:
    rows = list(
        db.query("SELECT * FROM reflection_shares WHERE reflection_id = ?", [reflection_id])
    )
    return _sharing(rows[0]) if rows else Sharing(reflection_id)


def set_sharing(db: sqlite_utils.Database, sharing: Sharing, now: datetime) -> None:
    with db.atomic():
        db.execute(
            "INSERT INTO reflection_shares (reflection_id, in_full, to_discuss, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (reflection_id) DO UPDATE SET"
            " in_full = excluded.in_full, to_discuss = excluded.to_discuss,"
            " updated_at = excluded.updated_at",
            [sharing.reflection_id, int(sharing.in_full), int(sharing.to_discuss), to_db(now)],
        )


def sharings_of(db: sqlite_utils.Database, user_id: int) -> dict[int, Sharing]:
    """What is shared of each of the practitioner's reflections (only those with a row)."""
    return {
        row["reflection_id"]: _sharing(row)
        for row in db.query(
            "SELECT s.* FROM reflection_shares s JOIN reflections r ON r.id = s.reflection_id"
            " WHERE r.user_id = ?",
            [user_id],
        )
    }


def supervision_settings(db: sqlite_utils.Database, user_id: int) -> SupervisionSettings:
    rows = list(db.query("SELECT * FROM supervision_settings WHERE user_id = ?", [user_id]))
    if not rows:
        return SupervisionSettings(user_id)
    row = rows[0]
    return SupervisionSettings(
        user_id,
        bool(row["share_by_default"]),
        row["digest_day"],
        time.fromisoformat(row["digest_time"]),
        row["digest_when_empty"],
    )


def save_supervision_settings(
    db: sqlite_utils.Database, settings: SupervisionSettings, now: datetime
) -> None:
    db["supervision_settings"].upsert(
        {
            "user_id": settings.user_id,
            "share_by_default": int(settings.share_by_default),
            "digest_day": settings.digest_day,
            "digest_time": settings.digest_time.strftime("%H:%M"),
            "digest_when_empty": settings.digest_when_empty,
            "updated_at": to_db(now),
        },
        pk="user_id",
    )


def add_comment(
    db: sqlite_utils.Database, reflection_id: int, supervisor_id: int, text: str, now: datetime
) -> Comment:
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO supervision_comments (reflection_id, supervisor_id, text, created_at)"
            " VALUES (?, ?, ?, ?)",
            [reflection_id, supervisor_id, text, to_db(now)],
        )
    return Comment(cursor.lastrowid, reflection_id, supervisor_id, text, now)


def comments_on(db: sqlite_utils.Database, reflection_id: int) -> list[Comment]:
    return [
        Comment(
            row["id"],
            row["reflection_id"],
            row["supervisor_id"],
            row["text"],
            from_db(row["created_at"]),
        )
        for row in db.query(
            "SELECT * FROM supervision_comments WHERE reflection_id = ? ORDER BY id",
            [reflection_id],
        )
    ]
